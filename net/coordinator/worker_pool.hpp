#pragma once
// WorkerPool: the coordinator's side of every worker session (net/PROTOCOL.md §4), whatever the method
// family — the ROUTER socket, HELLO/WELCOME/ASSIGN/READY, heartbeats both ways, liveness, dead-worker
// detection with a reason, local worker processes, bytes counted at the socket per worker, direction
// and kind, worker status and bandwidth telemetry, and the control socket. The LiveEngine owns one and
// adds only its role's messages, which the pool hands over through PoolHooks.
//
// Thread: one, the engine's. Hooks are never re-entered: deaths noticed while a hook runs are applied
// after it returns.

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "core/config/experiment.hpp"
#include "core/telemetry/telemetry.hpp"
#include "net/coordinator/clock_sync.hpp"
#include "net/coordinator/live_options.hpp"
#include "net/protocol/endpoint.hpp"
#include "net/protocol/message.hpp"
#include "net/security/curve_keys.hpp"

namespace distopt::net {

class HandshakeMonitor;
class LocalLauncher;
class RunDirectory;
class TelemetryPublisher;
class ZapAuthenticator;
struct SrunStep;

/// What the engine adds to the pool. Every hook is optional.
struct PoolHooks {
  /// A message of a kind the pool does not handle itself (JOB/GRAD and the families' kinds) from a
  /// ready worker while the run is going. `bytes`: its size at the socket.
  std::function<void(int worker, Message&& message, std::size_t bytes)> onMessage;
  /// A worker was declared dead while the run is going (its status is already published).
  std::function<void(int worker, const std::string& reason)> onWorkerLost;
  /// A ready worker's connection was cut and made again within the liveness window while the run is going
  /// (PROTOCOL.md §4.4): whatever was in flight either way may be lost, so the engine re-sends what the
  /// worker needs (the parameter server: its outstanding JOB), or returns false when it cannot. Without
  /// this hook, or on false, the worker is declared dead ("link_lost"), and so is one a send found
  /// unreachable: the engine cannot replay its messages.
  std::function<bool(int worker)> onWorkerResumed;
  /// Adds the engine's figures (counters, mean delay) to a worker's status row.
  std::function<void(WorkerStatus& status)> fillStatus;
  /// Adds the engine's fields (algorithm, updates, ...) to the control socket's "status" answer.
  std::function<void(nlohmann::json& status)> fillControlStatus;
  /// True when the engine must get the loop back at once (a stopping rule holds): draining the socket
  /// stops early, so no message is handled past the rule.
  std::function<bool()> mustYield;
};

class WorkerPool {
 public:
  WorkerPool(const Experiment& experiment, std::int64_t dimension, LiveOptions options, TelemetrySink& sink);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void setHooks(PoolHooks hooks) { m_hooks = std::move(hooks); }

  /// Binds the worker, telemetry and control sockets; false with *why if one cannot be bound.
  bool bind(std::string* why);
  std::string workerEndpoint() const { return m_workerEndpoint; }
  std::string telemetryEndpoint() const;
  std::string controlEndpoint() const { return m_controlEndpoint; }
  /// With security: the run's server public key, and the join token (empty without one).
  std::string serverPublicKey() const { return m_options.security.serverKeys.publicKey; }
  std::string joinToken() const { return m_joinKeys.secretKey; }
  /// The worker endpoint as another machine names it (a wildcard address replaced by this host's name).
  std::string publicEndpoint() const;
  /// The command line a remote machine runs to join this run (empty before bind()).
  std::string joinCommand() const;
  /// The dashboard feed as another machine names it, and the command that attaches a workbench to it
  /// (empty without a feed).
  std::string dashboardEndpoint() const;
  std::string attachCommand() const;
  /// The control socket's "status" reply. `forDashboards`: without secrets (join and attach tokens)
  /// and refused keys, as the dashboard feed publishes it.
  nlohmann::json statusJson(bool forDashboards) const;
  /// Every event of the run goes here: the engine's sink and the telemetry publisher.
  TelemetrySink& sinks() { return m_sinks; }

  /// Starts the local workers and waits until every worker is READY. False with *failure when a
  /// worker fails, the time runs out or a stop is requested.
  bool setup(std::string* failure);
  /// Starts the run clock (now() = 0) and publishes every worker's status.
  void startRun();
  /// Stops the run clock: now() stays at the end time, hooks no longer run.
  void endRun();
  bool running() const { return m_running; }
  /// Engine time: units of the experiment since startRun() (0 before, the end time after endRun()).
  double now() const;
  double unitSeconds() const { return m_unitSeconds; }
  int heartbeatMs() const { return m_options.heartbeatMs; }
  int numWorkers() const;
  /// Workers this coordinator runs on this machine (known once setup() has started them).
  int localWorkers() const { return m_localSlots; }

  /// Sends to a worker, counting the bytes; false when the worker is dead or unreachable (then it
  /// is declared dead once the current hook has returned).
  bool send(int worker, Message&& message);
  /// Bytes of the message being handled (in a hook) or else of the last one sent.
  std::size_t lastMessageBytes() const { return m_lastMessageBytes; }
  bool alive(int worker) const;
  /// True once `worker` has been declared dead but the death is not applied yet (inside a hook).
  bool leaving(int worker) const;
  int aliveCount() const;
  /// Counts a message that was dropped as malformed (PROTOCOL.md §8), against the worker whose message
  /// is being handled (if any): past LiveOptions::malformedLimit that worker is excluded. `why` is kept
  /// for the control status and the log.
  void countMalformed(const std::string& why = "malformed message");
  /// The same for a message from `worker` (-1: a peer that is no worker of the run).
  void refuseMessage(int worker, const std::string& why);
  /// The frame limit set on the worker socket (bytes).
  std::int64_t maxFrameBytes() const { return m_maxFrameBytes; }
  /// Connections whose handshake failed (wrong server key, no key, not ZMTP), and refused by ZAP.
  std::uint64_t refusedConnections() const;
  /// refused_total by kind: the ZAP handler's refusals and the handshake monitor's kinds.
  nlohmann::json refusedByKind() const;
  std::uint64_t malformed() const { return m_malformed; }
  std::uint64_t bytesUp() const { return m_bytesUp; }
  std::uint64_t bytesDown() const { return m_bytesDown; }

  /// One turn of the run loop: waits up to `timeoutMs` for traffic, handles every queued message,
  /// answers the control socket, applies deaths, checks liveness, sends heartbeats, publishes status
  /// (1 Hz) and flushes telemetry.
  void turn(double timeoutMs);
  /// Applies deaths noticed inside hooks; with `reapProcesses` also asks which local workers exited.
  void processDeaths(bool reapProcesses = true);
  /// Publishes every worker's status and cumulative bandwidth now (else at most once a second).
  void publishStatus(bool force);
  /// Sends STOP with `reason` to every live worker, then makes sure the local ones are gone.
  void stopWorkers(const std::string& reason);
  /// Flushes telemetry; `last` on the run's final flush.
  void flushTelemetry(bool last);
  WorkerStatus statusOf(int worker) const;
  /// The message being handled (in a hook) left `worker` at `workerClockSeconds` on its own clock
  /// (a GRAD's worker_clock): counts its transit, on the coordinator's clock, into the worker's status.
  void noteSentAt(int worker, double workerClockSeconds);
  /// The worker's clock estimate (offset, round trip) from the heartbeat clock probes.
  const ClockSync& clockOf(int worker) const;

  /// Any thread, or a signal handler.
  void requestStop() { m_stopRequested.store(true); }
  bool stopRequested() const { return m_stopRequested.load(); }

 private:
  /// The srun step that starts every worker of a `"launcher": "slurm"` run (net/launcher/srun_command.hpp).
  SrunStep slurmStep() const;
  using Clock = std::chrono::steady_clock;
  struct Peer;

  void sendToIdentity(const std::string& identity, Message&& message);
  /// Handles what the worker socket holds, waiting up to `waitMs` for the first message.
  void drain(double waitMs);
  void handleMessage(const std::string& identity, Message&& message, std::size_t bytes);
  void handleHello(const std::string& identity, const Message& message);
  /// A HELLO from a worker the pool already knows: it lost its connection and made it again.
  void resumeSession(int worker, const Message& message);
  /// ASSIGN (§4.2) to a joined worker.
  void sendAssign(int worker);
  void handleReady(int worker, const Message& message);
  /// A clock probe's answer updates the worker's clock estimate.
  void handleHeartbeat(int worker, const Message& message);
  void handleControl();
  /// Control "allow_key" / "allow_dashboard_key" {"key": Z85}: lets that key join (a secured run).
  nlohmann::json allowKey(const std::string& command, const nlohmann::json& request);
  /// Control "exclude" {"worker": N}: stops that worker and takes it out of the run.
  nlohmann::json excludeWorker(const nlohmann::json& request);
  /// Every worker as the control status lists it: host, cores, version, state, who started it.
  nlohmann::json workerList() const;
  /// Logs connections the ZAP handler refused and keeps the latest for the control status.
  void noteRefusals();
  /// The status object on the telemetry topic "status", once a second.
  void publishStatusTopic();
  void markDead(int worker, const std::string& reason);
  void checkLiveness();
  void sendHeartbeats();
  int peerOf(const std::string& identity) const;
  /// The session a message from an unknown routing id belongs to: a worker's when it is what its old
  /// connection left behind after ROUTER_HANDOVER gave the routing id to its new one; else `identity`.
  std::string handedOverSession(const std::string& identity, const zmq::message_t& frame) const;

  const Experiment& m_experiment;
  std::int64_t m_dimension;
  LiveOptions m_options;
  TelemetryFanout m_sinks;
  PoolHooks m_hooks;

  std::unique_ptr<RunDirectory> m_runDirectory;  // outlives the context: removed once the sockets are closed
  zmq::context_t m_context{1};
  zmq::socket_t m_router;
  std::optional<zmq::socket_t> m_control;
  std::unique_ptr<TelemetryPublisher> m_publisher;
  std::unique_ptr<TelemetryPublisher> m_dashboard;
  std::unique_ptr<ZapAuthenticator> m_zap;
  std::unique_ptr<HandshakeMonitor> m_handshakes;  // the worker socket's failed handshakes
  CurveKeyPair m_joinKeys;
  CurveKeyPair m_dashboardKeys;                   // the dashboard token's pair
  std::vector<nlohmann::json> m_refusals;         // the latest refused connections, for the control status
  std::vector<nlohmann::json> m_malformedRecent;  // the latest refused messages, for the control status
  std::uint64_t m_refusalsSeen = 0;
  int m_handling = -1;  // the worker whose message is being handled, for countMalformed
  std::int64_t m_maxFrameBytes = 0;
  std::string m_workerEndpoint;
  std::string m_controlEndpoint;
  SeqCounter m_seq;

  std::vector<Peer> m_peers;
  std::unordered_map<std::string, int> m_byIdentity;
  std::vector<std::pair<int, std::string>> m_pendingDeaths;
  std::unique_ptr<LocalLauncher> m_launcher;
  int m_localSlots = 0;   // slots [0, m_localSlots) belong to the workers this coordinator starts itself
  int m_remoteBegin = 0;  // slots [m_remoteBegin, workers) belong to the workers it starts through ssh

  Clock::time_point m_start = Clock::now();
  double m_unitSeconds;
  bool m_running = false;
  bool m_ended = false;
  std::atomic<bool> m_stopRequested{false};
  std::size_t m_lastMessageBytes = 0;
  std::string
      m_messageKey;  // the CURVE public key (ZAP user id) of the message being handled; empty unsecured
  int m_receiveTimeoutMs = -1;        // the worker socket's ZMQ_RCVTIMEO, set only when it changes
  bool m_socketDrained = false;       // the last drain() emptied the worker socket
  Clock::time_point m_lastDrained{};  // when drain() last found the worker socket empty
  std::uint64_t m_malformed = 0;
  std::uint64_t m_bytesUp = 0;
  std::uint64_t m_bytesDown = 0;
  Clock::time_point m_lastStatus{};
  Clock::time_point m_lastStatusTopic{};
  Clock::time_point m_lastProcessLook{};
  double m_endTime = 0.0;
};

/// How long a run loop may sleep in WorkerPool::turn: until `untilDueUnits` (the next grid point or
/// the horizon, in time units), but never longer than a quarter heartbeat or 50 ms.
double loopTimeoutMs(double untilDueUnits, const WorkerPool& pool);

}  // namespace distopt::net
