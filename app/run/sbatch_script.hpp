#pragma once
// distopt-run --sbatch: a Slurm batch script that runs this very command's run in one allocation — the
// coordinator in the batch step, every worker in one srun step — joined through a join file named after
// the job (docs/cluster.md). Printed, not submitted: sbatch's own options (--partition, --nodes, --time,
// ...) given at submission override the script's #SBATCH lines.

#include <string>
#include <vector>

#include "command_line.hpp"
#include "core/config/experiment.hpp"

namespace distopt::app {

struct SbatchOptions {
  /// distopt-run's arguments for the run (the experiment file and every option but --sbatch).
  std::vector<std::string> runArguments;
  /// Programs as the nodes find them (absolute paths of this installation by default).
  std::string runProgram = "distopt-run";
  std::string workerProgram = "distopt-worker";
  /// Workers: the srun step's tasks (the experiment's workers.count after overrides), >= 1.
  int workers = 1;
  /// The job's name (#SBATCH --job-name): the experiment's name.
  std::string jobName = "distopt";
  /// Seconds each side waits for the other (coordinator --setup-timeout, worker --wait), > 0.
  double setupSeconds = 600.0;

  bool isValid(std::string* why) const;
};

/// The script's text (bash).
std::string sbatchScript(const SbatchOptions& options);

/// distopt-run --sbatch: prints the script for this command line's run (`experiment` parsed with its
/// overrides). Throws InputError for a run a batch script cannot carry (a simulated run, ssh hosts, the
/// options the script sets itself). Returns the exit status.
int printSbatchScript(const RunCommandLine& line, const Experiment& experiment, int argc, char** argv);

}  // namespace distopt::app
