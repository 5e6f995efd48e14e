#pragma once
// distopt-worker --count K: a small supervisor that starts K workers on this machine and reports each
// one's exit on its standard error (net/launcher/worker_exit_report), so that one ssh connection per
// host starts all of that host's workers and the coordinator still learns each worker's end.

#include <optional>
#include <string>
#include <vector>

namespace distopt::app {

struct SupervisorOptions {
  /// The worker program to start (this one, /proc/self/exe).
  std::string program;
  /// Workers to start, 1 to kMaxSupervisedWorkers.
  int count = 1;
  /// Worker ids first, first + 1, ...; none = each worker's id is assigned by the coordinator.
  std::optional<int> firstId;
  /// Every worker's command-line options, --id aside (--connect, --wait, --server-key, --key-file).
  std::vector<std::string> workerArguments;
  /// "NAME=value" added to every worker's environment (the join token: off every command line).
  std::vector<std::string> environment;

  bool isValid(std::string* why) const;
};

inline constexpr int kMaxSupervisedWorkers = 4096;

/// Starts the workers, reports each exit, forwards SIGTERM/SIGINT/SIGHUP to them, returns when all have
/// ended: 0 when each exited with 0, else the first failure's status (1 for a worker killed by a signal
/// or that could not start), 130 when interrupted.
int superviseWorkers(const SupervisorOptions& options);

}  // namespace distopt::app
