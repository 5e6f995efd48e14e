#include "net/launcher/srun_command.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace distopt::net {
namespace {

/// A task number from 0 to `limit` - 1 spelled exactly by `text`.
std::optional<int> taskNumber(std::string_view text, int limit) {
  int value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0 || value >= limit)
    return std::nullopt;
  return value;
}

}  // namespace

std::string srunProgram() {
  const char* program = std::getenv("DISTOPT_SRUN");
  return program && *program ? program : "srun";
}

bool insideSlurmAllocation() {
  const char* job = std::getenv("SLURM_JOB_ID");
  return job && *job;
}

std::vector<std::string> srunCommand(const SrunStep& step) {
  const SlurmLaunch& launch = step.launch;
  std::vector<std::string> argv = {srunProgram(), "--ntasks=" + std::to_string(step.workers)};
  if (launch.nodes > 0) argv.push_back("--nodes=" + std::to_string(launch.nodes));
  if (launch.tasksPerNode > 0) argv.push_back("--ntasks-per-node=" + std::to_string(launch.tasksPerNode));
  // Inside an allocation the step takes the allocation's partition; outside, srun allocates in this one.
  if (!step.insideAllocation && !launch.partition.empty()) argv.push_back("--partition=" + launch.partition);
  if (!launch.time.empty()) argv.push_back("--time=" + launch.time);
  // A worker that fails is one fault for the run to survive, not a reason to kill its step.
  argv.push_back("--kill-on-bad-exit=0");
  argv.insert(argv.end(), launch.srunArgs.begin(), launch.srunArgs.end());
  char wait[32];
  std::snprintf(wait, sizeof wait, "%g", step.waitSeconds);
  argv.insert(argv.end(), {step.workerProgram, "--connect", step.endpoint, "--slurm-first-id",
                           std::to_string(step.firstId), "--wait", wait});
  if (!step.serverKey.empty()) argv.insert(argv.end(), {"--server-key", step.serverKey});
  return argv;
}

ProcessSpec srunStepSpec(const SrunStep& step, const std::string& joinToken) {
  std::vector<int> workers;
  for (int k = 0; k < step.workers; ++k) workers.push_back(step.firstId + k);
  ProcessSpec spec{.workerId = step.firstId,
                   .argv = srunCommand(step),
                   .environment = {},
                   .stdinText = {},
                   .label = "slurm workers " + std::to_string(step.firstId) + "-" +
                            std::to_string(step.firstId + step.workers - 1),
                   .supervisedWorkers = std::move(workers),
                   .exitReports = {}};
  const int firstId = step.firstId;
  const int count = step.workers;
  spec.exitReports = [firstId, count](std::string_view line) {
    return parseSrunTaskExits(line, firstId, count);
  };
  if (!joinToken.empty()) spec.environment.push_back("DISTOPT_JOIN_TOKEN=" + joinToken);
  return spec;
}

std::vector<WorkerExitInfo> parseSrunTaskExits(std::string_view line, int firstId, int workers) {
  // srun (launch_slurm.c): error("%s: %s %s: %s", nodes, "task"|"tasks", list, what), list "0-3,5".
  constexpr std::string_view kPrefix = "srun: error: ";
  if (!line.starts_with(kPrefix) || line.size() > 4096) return {};
  line.remove_prefix(kPrefix.size());
  std::size_t marker = line.find(": tasks ");
  std::size_t listStart = marker + 8;
  if (marker == std::string_view::npos) {
    marker = line.find(": task ");
    listStart = marker + 7;
  }
  if (marker == std::string_view::npos) return {};
  const std::string_view nodes = line.substr(0, marker);
  const std::size_t listEnd = line.find(": ", listStart);
  if (nodes.empty() || listEnd == std::string_view::npos) return {};
  std::string_view list = line.substr(listStart, listEnd - listStart);
  const std::string what = std::string(line.substr(listEnd + 2));
  if (what.empty()) return {};
  std::vector<int> tasks;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
    const std::size_t dash = item.find('-');
    const auto from = taskNumber(item.substr(0, dash), workers);
    const auto to = dash == std::string_view::npos ? from : taskNumber(item.substr(dash + 1), workers);
    if (!from || !to || *to < *from) return {};  // not srun's list: an ordinary line
    for (int task = *from; task <= *to; ++task) tasks.push_back(task);
  }
  std::vector<WorkerExitInfo> exits;
  for (const int task : tasks)
    exits.push_back({firstId + task, -1,
                     what + " (srun task " + std::to_string(task) + " on " + std::string(nodes) + ")", -1});
  return exits;
}

std::optional<int> slurmTaskWorkerId(int firstId, const char* procId, std::string* why) {
  const auto task = procId ? taskNumber(procId, 1'000'000) : std::nullopt;
  if (!task) {
    if (why) *why = "SLURM_PROCID is not a task number: this is for the tasks of an srun step";
    return std::nullopt;
  }
  if (firstId < 0 || firstId > 1'000'000'000 - *task) {
    if (why) *why = "the worker id would pass 1000000000";
    return std::nullopt;
  }
  return firstId + *task;
}

}  // namespace distopt::net
