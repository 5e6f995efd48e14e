#pragma once
// Runs a sweep's runs as distopt-run processes, `jobs` at a time, each in its own folder of the sweep
// folder. A run is its own process so that one that fails, diverges or is killed costs only its point,
// its memory is given back when it ends, and each run's folder and store row are those of any run.
//
// Resuming: a run whose folder holds a summary.json that ended it (anything but "stopped" or "failed")
// is not run again; sweep.json in the sweep folder holds the plan, and a different plan in the same
// folder is refused. Ctrl-C (SIGINT/SIGTERM) stops the running runs cleanly (each ends "stopped" with
// its results written) and exits 130; a second one kills them.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/sweep_spec.hpp"

namespace distopt::app {

struct SweepPlan {
  std::string program;                 ///< the distopt-run to start for each run
  std::string experimentPath;          ///< the experiment each run reads
  std::vector<std::string> arguments;  ///< given to every run after the experiment (options, --set)
  SweepSpec spec;
  std::vector<SweepRun> runs;          ///< expandSweep(spec)
  std::string outDirectory;            ///< the sweep folder (absolute)
  std::optional<std::string> storePath;  ///< the run store; nullopt = the runs are not recorded
  std::string name;                    ///< the experiment's name, for the store's sweep row
  bool quiet = false;                  ///< no progress line

  /// What sweep.json records and a resumed sweep must match.
  nlohmann::json describe() const;
};

/// Runs the plan. Exit status: 0 every run has a result (diverged runs included), 1 a run failed or a
/// result could not be recorded, 130 stopped by a signal. Throws InputError (exit 2) before anything
/// starts when the folder holds another sweep or cannot be made.
int runSweep(const SweepPlan& plan);

}  // namespace distopt::app
