#pragma once
// `"launcher": "slurm"` in an experiment's workers section: the coordinator starts every worker in one
// `srun` step (net/launcher/srun_command.hpp). The fields are hostile input like the rest of the file:
// each one is checked against what Slurm itself accepts there, and the extra srun arguments are long
// options only, never ones the launcher sets itself. srun is executed with an argv, never through a
// shell, so the checks are about meaning (an argument that is an option, a value that is one word),
// not quoting.
//
//   "workers": {"count": 64, "launcher": "slurm",
//               "slurm": {"partition": "cpu", "nodes": 8, "tasks_per_node": 8, "time": "01:00:00",
//                         "srun_args": ["--mem-per-cpu=1G"], "program": ""}}

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace distopt {

struct SlurmLaunch {
  /// Partition to allocate in when the coordinator is not inside an allocation; empty = the cluster's
  /// default. Inside an allocation the step runs in the allocation's own partition.
  std::string partition;
  /// Nodes for the step (srun --nodes); 0 = as many as Slurm needs for the tasks.
  int nodes = 0;
  /// Tasks (workers) per node (srun --ntasks-per-node); 0 = Slurm's choice. When set with `nodes`,
  /// nodes * tasks_per_node must equal the worker count (the step's --ntasks is always that count).
  int tasksPerNode = 0;
  /// Time limit in a form srun accepts (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS); empty = none.
  std::string time;
  /// More srun options, each one argument "--name" or "--name=value" (e.g. "--mem-per-cpu=1G").
  std::vector<std::string> srunArgs;
  /// The worker program on the nodes; empty = distopt-worker beside the coordinator's program (a
  /// cluster's nodes share the file system it is installed on).
  std::string program;

  /// False with *why ("field: reason", the JSON field names) when a field is not acceptable.
  bool isValid(std::string* why, int workers = 0) const;
};

/// The launchers an experiment can name in workers.launcher.
inline constexpr const char* kLocalLauncher = "local";
inline constexpr const char* kSlurmLauncher = "slurm";

/// Reads workers.slurm (`value`, any JSON) for `workers` workers. Throws InputError naming the field
/// (under `path`, e.g. "workers.slurm.srun_args[2]").
SlurmLaunch parseSlurmLaunch(const nlohmann::json& value, const std::string& path, int workers);

/// The normalised workers.slurm object (every field spelled out), which parseSlurmLaunch reads back.
nlohmann::json slurmLaunchJson(const SlurmLaunch& launch);

/// True when `text` is a Slurm time limit srun accepts (see SlurmLaunch::time); empty is not one.
bool isSlurmTimeLimit(const std::string& text);

/// Empty when `argument` may be passed to srun as an extra option, else why not.
std::string refuseSrunArgument(const std::string& argument);

}  // namespace distopt
