#include "sbatch_script.hpp"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <string_view>

#include "core/util/input_error.hpp"
#include "net/launcher/local_launcher.hpp"
#include "net/launcher/ssh_command.hpp"

namespace distopt::app {

bool SbatchOptions::isValid(std::string* why) const {
  auto fail = [why](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  if (workers < 1) return fail("--sbatch: a run needs at least one worker");
  if (!(setupSeconds > 0.0)) return fail("--sbatch: the set-up time must be positive");
  if (runProgram.empty() || workerProgram.empty()) return fail("--sbatch: no program paths");
  return true;
}

std::string sbatchScript(const SbatchOptions& options) {
  using net::shellQuote;
  // A job name is one word for Slurm: anything but letters, digits, '-', '_' and '.' becomes '_'.
  std::string name;
  for (const char c : options.jobName)
    name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  if (name.empty()) name = "distopt";
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g", options.setupSeconds);
  std::string run = shellQuote(options.runProgram);
  for (const auto& argument : options.runArguments) run += " " + shellQuote(argument);
  const std::string workers = std::to_string(options.workers);
  return "#!/bin/bash\n"
         "# Written by distopt-run --sbatch. Submit with: sbatch [--partition=P --nodes=N --time=T ...] "
         "FILE\n"
         "# The coordinator runs in the batch step, the " +
         workers +
         " workers in one srun step. They find it through a join file\n"
         "# (0600, in a folder every node sees) named after the job; see docs/cluster.md.\n"
         "#SBATCH --job-name=" +
         name +
         "\n"
         "#SBATCH --ntasks=" +
         workers +
         "\n"
         "#SBATCH --output=distopt-%j.log\n"
         "set -u\n"
         "join=\"${DISTOPT_JOIN_DIR:-$HOME/.distopt}/join-${SLURM_JOB_ID:?not inside a Slurm job}.json\"\n"
         "mkdir -p \"$(dirname \"$join\")\" && chmod 700 \"$(dirname \"$join\")\" || exit 2\n"
         "" +
         run + " --local-workers 0 --bind 'tcp://0.0.0.0:*' --secure --join-file \"$join\" --setup-timeout " +
         seconds +
         " &\n"
         "coordinator=$!\n"
         "srun --ntasks=" +
         workers + " --kill-on-bad-exit=0 " + shellQuote(options.workerProgram) +
         " --join-file \"$join\" --wait " + seconds +
         " &\n"
         "workers=$!\n"
         "wait \"$coordinator\"; status=$?\n"
         "# A coordinator that failed leaves no one for the workers to wait for (srun passes it on).\n"
         "[ \"$status\" -eq 0 ] || kill \"$workers\" 2>/dev/null\n"
         "wait \"$workers\"\n"
         "exit $status\n";
}

int printSbatchScript(const RunCommandLine& line, const Experiment& experiment, int argc, char** argv) {
  if (experiment.engine != "live") throw InputError("--sbatch", "is for live runs (\"engine\": \"live\")");
  if (experiment.launcher == kSlurmLauncher)
    throw InputError("--sbatch",
                     "workers.launcher \"slurm\" starts the workers with srun itself: run "
                     "distopt-run inside the batch job (sbatch --wrap) instead (docs/cluster.md)");
  if (!experiment.hosts.empty())
    throw InputError("--sbatch",
                     "workers.hosts starts workers through ssh; a batch job starts them with srun");
  if (line.bindEndpoint || line.localWorkers || line.joinFile || line.secure || line.serverKeyFile)
    throw InputError("--sbatch",
                     "sets --bind, --local-workers, --join-file and --secure itself (not with "
                     "--server-key-file either: each job has its own identity)");
  SbatchOptions options;
  const std::string absoluteExperiment = std::filesystem::absolute(line.experimentPath).string();
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument == "--sbatch") continue;
    // The job runs where it was submitted; the experiment is named so that it is found from anywhere.
    options.runArguments.emplace_back(argument == line.experimentPath ? absoluteExperiment
                                                                      : std::string(argument));
  }
  options.runProgram = net::runningProgram(argv[0]);
  options.workerProgram = net::LocalLauncher::defaultWorkerBinary();
  options.workers = experiment.workers;
  options.jobName = experiment.name;
  options.setupSeconds = line.setupTimeout.value_or(defaultSetupTimeout(experiment.workers));
  std::string why;
  if (!options.isValid(&why)) throw InputError("--sbatch", why);
  std::fputs(sbatchScript(options).c_str(), stdout);
  return 0;
}

}  // namespace distopt::app
