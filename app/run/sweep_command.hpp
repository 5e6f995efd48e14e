#pragma once
// distopt-run's sweep front end:
//   distopt-run EXPERIMENT.json --sweep PATH=VALUES [--sweep ...] [--seeds 1..5] [--sample K] [--jobs N]
//   distopt-run SWEEP.json [the same options, which add to or replace the file's]
// Every run of the sweep is checked (its experiment parsed with its values) before the first starts;
// the runs themselves are ordinary distopt-run runs (sweep_runner.hpp).

namespace distopt::app {

/// True when the command line asks for a sweep: --sweep, --seeds or --sample is given, or the first
/// argument is a sweep file (a JSON object with a "sweep" field).
bool isSweepCommand(int argc, char** argv);

/// Runs the sweep; exit status as runSweep, 2 for bad input (nothing started).
int sweepMain(int argc, char** argv);

extern const char* const kSweepUsage;

}  // namespace distopt::app
