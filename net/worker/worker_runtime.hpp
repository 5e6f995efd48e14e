#pragma once
// The worker side of a session (net/PROTOCOL.md §4): connects a DEALER to the coordinator, introduces
// itself, keeps the heartbeat, answers what it is asked, and leaves when told to or when the
// coordinator has been silent for longer than the liveness window. Never waits without a deadline.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace distopt::net {

struct WorkerOptions {
  /// ZeroMQ endpoint of the coordinator's ROUTER socket, e.g. "tcp://127.0.0.1:5555".
  std::string endpoint;
  /// Worker id requested in HELLO; nullopt lets the coordinator assign one.
  std::optional<int> workerId;
  /// Interval between heartbeats while idle, until WELCOME says otherwise (milliseconds, >= 10).
  int heartbeatMs = 1000;
  /// Heartbeat intervals of silence after which the coordinator counts as lost (>= 2).
  int liveness = 3;

  bool isValid(std::string* why) const;
};

/// Why WorkerRuntime::run returned; the process exit status follows from it.
enum class WorkerExit {
  Stopped,          ///< the coordinator sent STOP (exit 0)
  CoordinatorLost,  ///< heartbeat timeout (exit 3)
  Refused,          ///< the coordinator answered ERROR, e.g. version mismatch (exit 4)
  Interrupted,      ///< SIGINT/SIGTERM (exit 130)
};
int exitStatus(WorkerExit reason);
const char* workerExitName(WorkerExit reason);

struct WorkerStats {
  std::uint64_t messagesReceived = 0;
  std::uint64_t malformedDropped = 0;
  std::uint64_t bytesSent = 0;
  std::uint64_t bytesReceived = 0;
};

class WorkerRuntime {
 public:
  explicit WorkerRuntime(WorkerOptions options);

  /// Runs the session until STOP, loss of the coordinator or an interrupt. Thread: the caller's.
  WorkerExit run();

  const WorkerStats& stats() const { return m_stats; }
  /// The id assigned in WELCOME (or requested), -1 before WELCOME.
  int workerId() const { return m_assignedId; }

 private:
  WorkerOptions m_options;
  WorkerStats m_stats;
  int m_assignedId = -1;
};

/// Installs SIGINT/SIGTERM handlers that make WorkerRuntime::run return Interrupted.
void installWorkerSignalHandlers();

}  // namespace distopt::net
