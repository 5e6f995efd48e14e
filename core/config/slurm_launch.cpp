#include "core/config/slurm_launch.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <string_view>

#include "core/util/input_error.hpp"

namespace distopt {
namespace {

constexpr std::size_t kMaxSrunArgs = 32;
constexpr std::size_t kMaxArgumentLength = 256;
constexpr int kMaxNodes = 100'000;
constexpr int kMaxTasksPerNode = 100'000;

/// srun options the launcher sets itself or needs left alone: the step's shape (from the fields), the
/// environment the join token travels in, the standard error the coordinator reads each task's exit from,
/// and the ones that make srun do something other than run the step. srun takes any unambiguous prefix of
/// a long option (getopt_long), so a prefix of one of these ("--part=x") is refused too.
constexpr std::array<std::string_view, 18> kReservedOptions = {
    "ntasks",           "nodes",   "ntasks-per-node", "partition", "time", "export", "label",   "error",
    "output",           "input",   "multi-prog",      "pty",       "help", "usage",  "version", "test-only",
    "kill-on-bad-exit", "nodelist"};

bool isPrintable(std::string_view text) {
  // Control characters (a newline ending a log line early, an escape sequence) never belong in an
  // argument; bytes from 0x80 up are UTF-8, which the JSON parser already checked.
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool isDigits(std::string_view text, std::size_t maxLength) {
  return !text.empty() && text.size() <= maxLength &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// "1", "1:30" or "1:30:00": 1 to 3 groups of digits.
bool isClock(std::string_view text) {
  int groups = 0;
  while (true) {
    const auto colon = text.find(':');
    if (!isDigits(text.substr(0, colon), 6) || ++groups > 3) return false;
    if (colon == std::string_view::npos) return true;
    text.remove_prefix(colon + 1);
  }
}

int boundedCount(const nlohmann::json& object, const char* key, const std::string& path, int maxValue) {
  if (!object.contains(key) || object.at(key).is_null()) return 0;
  const auto& value = object.at(key);
  // Integers only, written exactly: 2.0 is a float, 1e3 too.
  if (!value.is_number_integer() ||
      (value.is_number_unsigned() ? value.get<std::uint64_t>() > static_cast<std::uint64_t>(maxValue)
                                  : value.get<std::int64_t>() < 0 || value.get<std::int64_t>() > maxValue))
    throw InputError(path + "." + key,
                     "must be an integer from 0 (Slurm's choice) to " + std::to_string(maxValue));
  return value.get<int>();
}

std::string stringField(const nlohmann::json& object, const char* key, const std::string& path) {
  if (!object.contains(key) || object.at(key).is_null()) return {};
  if (!object.at(key).is_string()) throw InputError(path + "." + key, "must be a string");
  return object.at(key).get<std::string>();
}

}  // namespace

bool isSlurmTimeLimit(const std::string& text) {
  if (text == "UNLIMITED" || text == "INFINITE") return true;
  std::string_view rest(text);
  if (const auto dash = rest.find('-'); dash != std::string_view::npos) {
    if (!isDigits(rest.substr(0, dash), 5)) return false;
    rest.remove_prefix(dash + 1);
  }
  return isClock(rest);
}

std::string refuseSrunArgument(const std::string& argument) {
  if (argument.size() > kMaxArgumentLength)
    return "longer than " + std::to_string(kMaxArgumentLength) + " characters";
  if (!isPrintable(argument)) return "contains a control character";
  if (!argument.starts_with("--") || argument.size() < 3)
    return "must be a long srun option, \"--name\" or \"--name=value\" (e.g. \"--mem-per-cpu=1G\")";
  const std::string_view word(argument);
  const std::string_view name = word.substr(2, word.find('=') - 2);
  if (name.empty() || !std::islower(static_cast<unsigned char>(name.front())) ||
      !std::all_of(name.begin(), name.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
               c == '-';
      }))
    return "\"" + std::string(name) + "\" is not an srun option name (lower-case letters, digits, '-')";
  for (const auto reserved : kReservedOptions)
    if (reserved.starts_with(name))
      return "--" + std::string(reserved) +
             " is set by the launcher (use the slurm fields partition, nodes, tasks_per_node, time) or "
             "would stop it from running or watching the workers";
  return {};
}

bool SlurmLaunch::isValid(std::string* why, int workers) const {
  auto fail = [why](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  if (!partition.empty() && (partition.size() > 64 || partition.front() == '-' ||
                             !std::all_of(partition.begin(), partition.end(), [](char c) {
                               return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                                      c == '.';
                             })))
    return fail("partition: must be a partition name (letters, digits, '_', '-', '.'; at most 64)");
  if (nodes < 0 || nodes > kMaxNodes)
    return fail("nodes: must be from 0 (Slurm's choice) to " + std::to_string(kMaxNodes));
  if (tasksPerNode < 0 || tasksPerNode > kMaxTasksPerNode)
    return fail("tasks_per_node: must be from 0 (Slurm's choice) to " + std::to_string(kMaxTasksPerNode));
  if (workers > 0 && nodes > workers)
    return fail("nodes: " + std::to_string(nodes) + " nodes for " + std::to_string(workers) +
                " workers would leave nodes without a worker");
  if (workers > 0 && nodes > 0 && tasksPerNode > 0 && static_cast<long long>(nodes) * tasksPerNode != workers)
    return fail("tasks_per_node: " + std::to_string(nodes) + " nodes x " + std::to_string(tasksPerNode) +
                " tasks is not the " + std::to_string(workers) + " workers of workers.count");
  if (!time.empty() && !isSlurmTimeLimit(time))
    return fail("time: \"" + time +
                "\" is not a Slurm time limit (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, UNLIMITED)");
  if (srunArgs.size() > kMaxSrunArgs)
    return fail("srun_args: at most " + std::to_string(kMaxSrunArgs) + " arguments");
  for (std::size_t i = 0; i < srunArgs.size(); ++i)
    if (const std::string reason = refuseSrunArgument(srunArgs[i]); !reason.empty())
      return fail("srun_args[" + std::to_string(i) + "]: " + reason);
  if (!program.empty() && (program.size() > 4096 || program.front() == '-' || !isPrintable(program)))
    return fail("program: must be a program path (no control characters, not starting with '-')");
  return true;
}

SlurmLaunch parseSlurmLaunch(const nlohmann::json& value, const std::string& path, int workers) {
  if (value.is_null()) {
    SlurmLaunch defaults;
    requireValid(defaults, path);
    return defaults;
  }
  if (!value.is_object())
    throw InputError(path,
                     "must be an object {\"partition\", \"nodes\", \"tasks_per_node\", \"time\", "
                     "\"srun_args\", \"program\"}");
  static const std::array<std::string_view, 6> known = {"partition",      "time",      "nodes",
                                                        "tasks_per_node", "srun_args", "program"};
  for (auto it = value.begin(); it != value.end(); ++it)
    if (std::find(known.begin(), known.end(), it.key()) == known.end())
      throw InputError(path + "." + it.key(),
                       "unknown field (known: partition, nodes, tasks_per_node, time, srun_args, program)");
  SlurmLaunch launch;
  launch.partition = stringField(value, "partition", path);
  launch.time = stringField(value, "time", path);
  launch.program = stringField(value, "program", path);
  launch.nodes = boundedCount(value, "nodes", path, kMaxNodes);
  launch.tasksPerNode = boundedCount(value, "tasks_per_node", path, kMaxTasksPerNode);
  if (value.contains("srun_args") && !value.at("srun_args").is_null()) {
    const auto& list = value.at("srun_args");
    if (!list.is_array()) throw InputError(path + ".srun_args", "must be a list of strings");
    if (list.size() > kMaxSrunArgs)
      throw InputError(path + ".srun_args", "at most " + std::to_string(kMaxSrunArgs) + " arguments");
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_string())
        throw InputError(path + ".srun_args[" + std::to_string(i) + "]", "must be a string");
      launch.srunArgs.push_back(list[i].get<std::string>());
    }
  }
  std::string why;
  if (!launch.isValid(&why, workers)) {
    const auto colon = why.find(": ");
    throw InputError(path + "." + why.substr(0, colon), why.substr(colon + 2));
  }
  return launch;
}

nlohmann::json slurmLaunchJson(const SlurmLaunch& launch) {
  return {{"partition", launch.partition},         {"nodes", launch.nodes},
          {"tasks_per_node", launch.tasksPerNode}, {"time", launch.time},
          {"srun_args", launch.srunArgs},          {"program", launch.program}};
}

}  // namespace distopt
