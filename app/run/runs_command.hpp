#pragma once
// `distopt-run runs ...`: the run store from the command line, so scripts can use past runs without the
// GUI: list (with filters), show, export, delete, prune (by age or count). Text for people, --json for
// scripts. Exit status: 0 done, 1 a run asked for is not in the store or a write failed, 2 bad input
// (including a store that cannot be opened).

namespace distopt::app {

/// argv[0] is "runs".
int runsMain(int argc, char** argv);

extern const char* const kRunsUsage;

}  // namespace distopt::app
