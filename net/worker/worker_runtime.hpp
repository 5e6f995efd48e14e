#pragma once
// The worker side of a session (net/PROTOCOL.md §4): connects a DEALER to the coordinator, introduces
// itself, builds its part of the experiment from ASSIGN — the family's worker role (net/worker/
// worker_role.hpp: a parameter-server job loop, compressed rounds, a decentralized node, ...) — and hands
// the role its family's messages. Keeps the heartbeat and leaves when the coordinator has been silent
// longer than the liveness window. Never waits without a deadline.

#include <chrono>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>

#include "net/security/curve_keys.hpp"

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
  /// Seconds to wait for the coordinator's first answer (it may not be up yet, or busy starting other
  /// workers) before giving up with exit 3; from then on the liveness window applies (distopt-worker --wait).
  double connectWaitSeconds = 60.0;
  /// CURVE: the coordinator's public key (Z85) and this worker's key pair (a key file's, or the run's
  /// join token's); empty = plain TCP (loopback runs).
  std::string serverKey;
  std::optional<CurveKeyPair> clientKeys;

  bool isValid(std::string* why) const;
};

/// Why WorkerRuntime::run returned; the process exit status follows from it.
enum class WorkerExit {
  Stopped,          ///< the coordinator sent STOP (exit 0)
  CoordinatorLost,  ///< heartbeat timeout (exit 3)
  Refused,          ///< version mismatch, ERROR from the coordinator, or an assignment it cannot build (exit 4)
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
  ~WorkerRuntime();
  WorkerRuntime(const WorkerRuntime&) = delete;
  WorkerRuntime& operator=(const WorkerRuntime&) = delete;

  /// Runs the session until STOP, loss of the coordinator or an interrupt. Thread: the caller's.
  WorkerExit run();

  const WorkerStats& stats() const;
  /// The id assigned in WELCOME (or requested), -1 before WELCOME.
  int workerId() const;
  /// Human-readable detail of the last refusal or error, for the log.
  const std::string& lastError() const;

 private:
  class Session;
  WorkerOptions m_options;
  std::unique_ptr<Session> m_session;
};

/// Installs SIGINT/SIGTERM handlers that make WorkerRuntime::run return Interrupted.
void installWorkerSignalHandlers();

}  // namespace distopt::net
