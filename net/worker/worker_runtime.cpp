#include "net/worker/worker_runtime.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <random>
#include <thread>

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <zmq_addon.hpp>

#include "core/config/experiment.hpp"
#include "core/registry/registry.hpp"
#include "core/util/input_error.hpp"
#include "distopt_version.hpp"
#include "net/families/live_families.hpp"
#include "net/protocol/frame_limits.hpp"
#include "net/protocol/heartbeat_messages.hpp"
#include "net/protocol/message.hpp"
#include "net/protocol/session_messages.hpp"
#include "net/security/handshake_watch.hpp"
#include "net/worker/worker_role.hpp"

namespace distopt::net {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void onSignal(int) { g_interrupted = 1; }

using Clock = std::chrono::steady_clock;

std::string hostName() {
  // Under Slurm, the node's name as Slurm knows it (what a user finds in squeue and sinfo).
  if (const char* node = std::getenv("SLURMD_NODENAME"); node && *node) return node;
  char buffer[256] = {};
  if (gethostname(buffer, sizeof(buffer) - 1) != 0) return "unknown";
  return buffer;
}

/// 'W' and 16 random bytes, none of them 0: this process's routing id for the whole session. The
/// coordinator reads it back from ZeroMQ's message metadata, a C string, to tell what an old connection
/// left behind after a reconnection (WorkerPool::handedOverSession): a 0 byte would cut it short.
std::string sessionRoutingId() {
  std::random_device device;
  std::string id = "W";
  while (id.size() < 17) {
    std::uint32_t word = device();
    for (int i = 0; i < 4 && id.size() < 17; ++i, word >>= 8)
      if ((word & 0xFFU) != 0) id.push_back(static_cast<char>(word & 0xFFU));
  }
  return id;
}

std::string secondsText(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", seconds);
  return text;
}

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

void installWorkerSignalHandlers() {
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
}

bool WorkerOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (endpoint.empty()) return fail("endpoint: must not be empty (e.g. tcp://127.0.0.1:5555)");
  if (endpoint.find("://") == std::string::npos)
    return fail("endpoint: must be a ZeroMQ endpoint such as tcp://HOST:PORT");
  if (workerId && *workerId < 0) return fail("id: must be >= 0");
  if (heartbeatMs < 10) return fail("heartbeat_ms: must be >= 10");
  if (liveness < 2) return fail("liveness: must be >= 2");
  if (!(connectWaitSeconds > 0.0 && connectWaitSeconds <= 86400.0))
    return fail("wait: must be a number of seconds from 0 to 86400");
  if (!serverKey.empty() && !isCurveKey(serverKey))
    return fail("server-key: must be the coordinator's 40-character Z85 CURVE public key");
  if (!serverKey.empty() && !clientKeys) return fail("server-key: needs --key-file FILE or --join-token TOKEN");
  if (serverKey.empty() && clientKeys) return fail("key-file/join-token: need --server-key KEY");
  return true;
}

int exitStatus(WorkerExit reason) {
  switch (reason) {
    case WorkerExit::Stopped: return 0;
    case WorkerExit::CoordinatorLost: return 3;
    case WorkerExit::Refused: return 4;
    case WorkerExit::Interrupted: return 130;
  }
  return 1;
}

const char* workerExitName(WorkerExit reason) {
  switch (reason) {
    case WorkerExit::Stopped: return "stopped";
    case WorkerExit::CoordinatorLost: return "coordinator_lost";
    case WorkerExit::Refused: return "refused";
    case WorkerExit::Interrupted: return "interrupted";
  }
  return "unknown";
}

namespace {

/// What ASSIGN builds. Built on its own thread: loading a data set can outlast the liveness window,
/// and the session must keep its heartbeat meanwhile.
struct Assignment {
  std::unique_ptr<Experiment> experiment;
  std::unique_ptr<BuiltRun> built;
  std::unique_ptr<WorkerRole> role;
  KindRange kinds;  ///< the family's message kinds, handed to the role
  std::int64_t dimension = -1;
  std::size_t shardSize = 0;
  double unitSeconds = 0.01;
  std::string error;  ///< the bad_assignment message when the assignment cannot be built
};

Assignment buildAssignment(const AssignBody& assign) {
  Assignment result;
  const int workerId = assign.workerId;
  try {
    // This process is one worker, possibly on another machine than the rest of the run.
    Experiment experiment = parseExperiment(assign.experiment, assign.baseDirectory,
                                            MemoryLimits{.scope = MemoryScope::OneWorker});
    if (workerId < 0 || workerId >= experiment.workers)
      throw InputError("worker_id", "worker " + std::to_string(workerId) + " is not in 0.." +
                                        std::to_string(experiment.workers - 1));
    result.unitSeconds = assign.unitMs.value_or(experiment.unitMs) / 1000.0;
    const AlgorithmEntry* entry = findAlgorithm(experiment.algorithm.name);
    const LiveFamilyDriver* driver = entry ? findLiveDriver(entry->family) : nullptr;
    if (!driver)
      throw InputError("algorithm.name", "\"" + experiment.algorithm.name + "\" has no live driver in this worker");
    // The same pieces the simulator gets, then the family's worker role.
    result.experiment = std::make_unique<Experiment>(std::move(experiment));
    result.built = std::make_unique<BuiltRun>(buildRun(*result.experiment));
    result.dimension = result.built->problem->dimension();
    result.role = driver->makeWorker(*result.experiment, *result.built, workerId);
    result.kinds = familyDescriptor(entry->family).kinds;
    result.shardSize = result.built->shards[static_cast<std::size_t>(workerId)].indices.size();
  } catch (const InputError& e) {
    result.error = e.what();
  } catch (const std::exception& e) {
    result.error = std::string("could not build the assignment: ") + e.what();
  }
  return result;
}

}  // namespace

// One connection's state. Kept out of the header so the worker's public face stays small.
class WorkerRuntime::Session final : public WorkerHost {
 public:
  explicit Session(const WorkerOptions& options)
      : m_options(options), m_socket(m_context, zmq::socket_type::dealer), m_heartbeat(options.heartbeatMs),
        m_liveness(options.liveness) {
    if (options.workerId) m_workerId = *options.workerId;
    // A routing id of our own, kept across reconnections, is what lets the coordinator resume this session
    // after a cut link (PROTOCOL.md §4.4): 128 random bits, so no other peer can guess it and take the
    // session over, after a byte that is not 0 (ids starting with 0 are ZeroMQ's own).
    m_routingId = sessionRoutingId();
    connect(kSetupFrameLimit);
  }

  WorkerExit run();

  // WorkerHost (for a family's role)
  void send(Message&& message) override {
    message.seq = m_seq.next();
    stats.bytesSent += sendMessage(m_socket, std::move(message));
    m_lastSent = Clock::now();
  }
  zmq::context_t& context() override { return m_context; }
  std::string coordinatorEndpoint() const override { return m_options.endpoint; }
  int workerId() const override { return m_workerId; }
  double unitSeconds() const override { return m_unitSeconds; }
  const Experiment& experiment() const override { return *m_experiment; }
  const BuiltRun& built() const override { return *m_built; }
  void countMalformed() override { ++stats.malformedDropped; }
  void fail(const std::string& code, const std::string& text) override {
    sendError(code, text);
    m_failed = true;
  }

  WorkerStats stats;
  int m_workerId = -1;
  std::string lastError;
  std::string lastMalformed;  // why the last refused message was refused

 private:
  void sendError(const std::string& code, const std::string& text) {
    lastError = text;
    send(Message::withJson(MessageKind::Error, {{"code", code}, {"message", text}}));
  }
  /// HELLO (§4): the first one, or after a reconnection the one that resumes this session.
  void sendHello(bool resume);
  /// The connection was lost and made again: resume the session (PROTOCOL.md §4.4).
  void resumeAfterReconnect();
  /// Takes every message already queued, without waiting.
  std::optional<WorkerExit> takeQueued();
  /// Counts and decodes one received message, then handles it.
  std::optional<WorkerExit> take(std::vector<zmq::message_t>&& frames);
  /// Returns an exit reason when the message ends the session.
  std::optional<WorkerExit> handle(Message&& message);
  std::optional<WorkerExit> handleAssign(const Message& message);
  /// A CURVE handshake the coordinator refused (from the socket monitor), as text for the log.
  std::optional<std::string> handshakeRefusal();
  /// The assignment is built: answers READY (or ERROR and ends the session).
  std::optional<WorkerExit> finishSetup();
  /// Waits up to `timeout` for the coordinator's next message (and the role's own sockets), and takes
  /// what came.
  std::optional<WorkerExit> wait(std::chrono::milliseconds timeout);
  /// How long the coordinator may be silent: the connect wait until it first answers, then the liveness
  /// window it set.
  std::chrono::duration<double> silenceLimit() const {
    if (stats.messagesReceived == 0 && stats.malformedDropped == 0)
      return std::chrono::duration<double>(m_options.connectWaitSeconds);
    // Ready and waiting for the run to start: the coordinator is starting the other workers (a thousand
    // on two cores), and its set-up timeout bounds this wait.
    if (m_readyMessage && !m_runStarted)
      return std::max<std::chrono::duration<double>>(
          m_heartbeat * m_liveness, std::chrono::duration<double>(m_options.connectWaitSeconds));
    return m_heartbeat * m_liveness;
  }
  /// Configures m_socket (a fresh one) to accept frames up to `maxFrameBytes` and connects it.
  void connect(std::int64_t maxFrameBytes);
  /// Swaps the connection for one that accepts the run's frames: ZeroMQ fixes a connection's frame limit
  /// when it connects, and before the assignment is built a worker knows no larger legitimate frame than
  /// ASSIGN (PROTOCOL.md §1). The coordinator hands the session over to the new connection (same routing
  /// id, ZMQ_ROUTER_HANDOVER); nothing is in flight to this worker before its READY but heartbeats.
  void reconnectForRun(std::int64_t maxFrameBytes);
  /// Answers the coordinator's clock probe at once (PROTOCOL.md §4.3); other heartbeats need nothing.
  void answerClockProbe(const Message& message);

  WorkerOptions m_options;
  zmq::context_t m_context{1};
  zmq::socket_t m_socket;
  std::string m_routingId;
  int m_connections = 0;                      // sockets made: names each one's monitor
  std::optional<HandshakeWatch> m_handshake;  // refused handshakes
  SeqCounter m_seq;
  std::chrono::milliseconds m_heartbeat;
  int m_liveness;
  Clock::time_point m_lastHeard = Clock::now();
  Clock::time_point m_lastSent = Clock::now();
  int m_receiveTimeoutMs = -1;  // the socket's ZMQ_RCVTIMEO, set only when it changes

  // Set by ASSIGN.
  double m_unitSeconds = 0.01;
  std::int64_t m_dimension = -1;
  std::unique_ptr<Experiment> m_experiment;
  std::unique_ptr<BuiltRun> m_built;
  std::unique_ptr<WorkerRole> m_role;
  KindRange m_roleKinds;
  std::vector<zmq::pollitem_t> m_pollItems;
  bool m_failed = false;
  bool m_welcomed = false;
  bool m_runStarted = false;                     // the first message of the family came
  std::optional<nlohmann::json> m_readyMessage;  // READY's body once sent, to repeat after a reconnection
  // ASSIGN being built on its own thread.
  std::future<Assignment> m_setup;
  Clock::time_point m_setupStart{};
};

void WorkerRuntime::Session::sendHello(bool resume) {
  nlohmann::json hello = {{"protocol", kProtocolVersion},
                          {"program_version", kVersionString},
                          {"host", hostName()},
                          {"cores", static_cast<int>(std::max(1U, std::thread::hardware_concurrency()))},
                          {"pid", static_cast<int>(getpid())}};
  const char* job = std::getenv("SLURM_JOB_ID");
  const char* step = std::getenv("SLURM_STEP_ID");
  if (job && *job && step && *step) {
    const std::string place = std::string(job) + "." + step;
    // Only what the coordinator takes (PROTOCOL.md §3): anything else would get this worker refused.
    if (place.size() <= 64 && place.find_first_not_of("0123456789.+") == std::string::npos)
      hello["slurm_step"] = place;
  }
  if (resume) {
    hello["worker_id"] = m_workerId;
    hello["resume"] = true;
  } else {
    hello["worker_id"] = m_options.workerId ? nlohmann::json(*m_options.workerId) : nlohmann::json();
  }
  send(Message::withJson(MessageKind::Hello, hello));
}

void WorkerRuntime::Session::resumeAfterReconnect() {
  // Whatever was in flight on the lost connection may be gone either way: say who we are again and, once
  // set up, that we are ready; the coordinator re-sends what this session still needs (PROTOCOL.md §4.4).
  sendHello(m_welcomed);  // not welcomed yet: the first HELLO may be what was lost
  if (m_readyMessage) send(Message::withJson(MessageKind::Ready, *m_readyMessage));
}

WorkerExit WorkerRuntime::Session::run() {
  sendHello(false);

  while (true) {
    if (g_interrupted) return WorkerExit::Interrupted;
    auto now = Clock::now();
    if (now - m_lastHeard > silenceLimit()) {
      // What is queued is not silence: a worker that did not get the CPU for a while (a thousand workers
      // on two cores) looks at its socket before it gives up.
      if (auto exit = takeQueued()) return *exit;
    }
    if (Clock::now() - m_lastHeard > silenceLimit()) {
      if (stats.messagesReceived == 0 && stats.malformedDropped == 0 && lastError.empty())
        lastError = "no answer from " + m_options.endpoint + " within " +
                    secondsText(m_options.connectWaitSeconds) + " s (--wait SECONDS)";
      return WorkerExit::CoordinatorLost;
    }
    if (m_failed) return WorkerExit::Refused;
    if (m_setup.valid() && m_setup.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      if (auto exit = finishSetup()) return *exit;
      continue;
    }
    if (m_role) {
      if (auto due = m_role->deadline(); due && now >= *due) {
        // A CANCEL (or a replacing JOB, or STOP) queued behind a result that is due must be seen before
        // the result goes out (async-sgd §2.0: a cancelled job sends nothing): one look at what is
        // queued, per result.
        if (auto exit = takeQueued()) return *exit;
        if (auto still = m_role->deadline(); still && Clock::now() >= *still) m_role->onDeadline(*this);
        continue;
      }
    }
    if (now - m_lastSent >= m_heartbeat) send(Message::of(MessageKind::Heartbeat));

    // Sleep until the first of: the role's deadline, heartbeat due, liveness deadline.
    auto deadline = std::min(m_lastSent + m_heartbeat,
                             m_lastHeard + std::chrono::duration_cast<Clock::duration>(silenceLimit()));
    if (m_role)
      if (auto due = m_role->deadline()) deadline = std::min(deadline, *due);
    if (m_setup.valid()) deadline = std::min(deadline, now + std::chrono::milliseconds(10));
    auto timeout = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
    // Waits have millisecond resolution: round up so a job is never sent early.
    auto timeoutMs = std::chrono::ceil<std::chrono::milliseconds>(std::max(timeout, std::chrono::microseconds(0)));
    // Unsecured too: a worker without keys on a secured run fails the handshake (mechanism mismatch).
    if (auto refusal = handshakeRefusal()) {
      lastError = *refusal;
      return WorkerExit::Refused;
    }
    if (m_handshake->takeReconnect()) resumeAfterReconnect();
    if (auto exit = wait(timeoutMs)) return *exit;
  }
}

std::optional<WorkerExit> WorkerRuntime::Session::wait(std::chrono::milliseconds timeout) {
  m_pollItems.clear();
  m_pollItems.push_back({m_socket.handle(), 0, ZMQ_POLLIN, 0});
  if (m_role) m_role->pollItems(m_pollItems);
  if (m_pollItems.size() == 1) {
    // One socket (a parameter-server worker's, or before ASSIGN): wait inside a receive, one system call
    // per wake, where zmq_poll makes three (a zero-timeout pass, the wait, the events query). Per job
    // that is much of a small model's round trip.
    std::vector<zmq::message_t> frames;
    frames.reserve(4);
    if (m_receiveTimeoutMs != timeout.count()) {
      m_receiveTimeoutMs = static_cast<int>(timeout.count());
      m_socket.set(zmq::sockopt::rcvtimeo, m_receiveTimeoutMs);
    }
    try {
      if (!zmq::recv_multipart(m_socket, std::back_inserter(frames))) return std::nullopt;  // timed out
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) return std::nullopt;
      throw;
    }
    return take(std::move(frames));
  }
  try {
    zmq::poll(m_pollItems.data(), m_pollItems.size(), timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return std::nullopt;
    throw;
  }
  if (m_pollItems.size() > 1) m_role->onPolled(m_pollItems.data() + 1, m_pollItems.size() - 1, *this);
  if (!(m_pollItems[0].revents & ZMQ_POLLIN)) return std::nullopt;
  // Drain everything queued: a CANCEL behind a JOB must be seen before the job is finished.
  return takeQueued();
}

std::optional<WorkerExit> WorkerRuntime::Session::takeQueued() {
  while (true) {
    std::vector<zmq::message_t> frames;
    try {
      if (!zmq::recv_multipart(m_socket, std::back_inserter(frames), zmq::recv_flags::dontwait)) return std::nullopt;
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) return std::nullopt;
      throw;
    }
    if (auto exit = take(std::move(frames))) return exit;
  }
}

std::optional<WorkerExit> WorkerRuntime::Session::take(std::vector<zmq::message_t>&& frames) {
  for (const auto& frame : frames) stats.bytesReceived += frame.size();
  m_lastHeard = Clock::now();
  DecodeError error = DecodeError::None;
  auto message = decode(std::move(frames), &error);
  if (!message) {
    ++stats.malformedDropped;
    return std::nullopt;
  }
  ++stats.messagesReceived;
  return handle(std::move(*message));
}

std::optional<WorkerExit> WorkerRuntime::Session::handle(Message&& message) {
  if (message.version != kProtocolVersion) {
    sendError("version_mismatch", "worker speaks protocol " + std::to_string(kProtocolVersion) +
                                      ", coordinator sent " + std::to_string(message.version));
    return WorkerExit::Refused;
  }
  switch (message.kind) {
    case MessageKind::Welcome: {
      WelcomeBody welcome;
      if (!parseWelcome(message, &welcome, &lastMalformed)) {
        ++stats.malformedDropped;
        break;
      }
      m_workerId = welcome.workerId;
      m_welcomed = true;
      if (welcome.heartbeatMs) m_heartbeat = std::chrono::milliseconds(*welcome.heartbeatMs);
      if (welcome.liveness) m_liveness = *welcome.liveness;
      break;
    }
    case MessageKind::Assign:
      return handleAssign(message);
    case MessageKind::EchoRequest: {
      Message reply = Message::of(MessageKind::EchoReply);
      reply.payload = std::move(message.payload);
      send(std::move(reply));
      break;
    }
    case MessageKind::Stop: {
      std::string reason;
      if (parseStop(message, &reason, &lastMalformed) && !reason.empty()) lastError = "stopped: " + reason;
      return WorkerExit::Stopped;  // a STOP ends the session whatever its payload
    }
    case MessageKind::Error: {
      // An ERROR refuses this worker whatever its payload; a malformed one just says less.
      ErrorBody error;
      lastError = parseError(message, &error, &lastMalformed) && !error.message.empty()
                      ? error.code + ": " + error.message
                      : "coordinator sent ERROR";
      return WorkerExit::Refused;
    }
    case MessageKind::Heartbeat:
      answerClockProbe(message);
      break;
    default:
      // A message of the run's family goes to its role; anything else is well-formed but not meant for
      // this worker: dropped and counted (PROTOCOL.md §8).
      if (m_role && m_roleKinds.contains(static_cast<std::uint16_t>(message.kind))) {
        m_runStarted = true;
        m_role->onMessage(std::move(message), *this);
      } else {
        ++stats.malformedDropped;
      }
      break;
  }
  return std::nullopt;
}

void WorkerRuntime::Session::answerClockProbe(const Message& message) {
  std::optional<ClockMeta> probe;
  if (!parseHeartbeat(message, &probe, nullptr)) {
    ++stats.malformedDropped;
    return;
  }
  if (!probe || !probe->isProbe()) return;
  // Held from the moment the message was taken off the socket (m_lastHeard), so the coordinator's round
  // trip is the network's and the queues', not this worker's.
  const std::int64_t now = monotonicNs();
  const auto received =
      std::chrono::duration_cast<std::chrono::nanoseconds>(m_lastHeard.time_since_epoch()).count();
  send(makeClockHeartbeat({.sentNs = now, .echoNs = probe->sentNs, .holdNs = std::max<std::int64_t>(0, now - received)}));
}

std::optional<WorkerExit> WorkerRuntime::Session::handleAssign(const Message& message) {
  AssignBody assign;
  if (!parseAssign(message, &assign, &lastMalformed)) {
    ++stats.malformedDropped;
    return std::nullopt;
  }
  if (m_setup.valid() || m_role) {
    ++stats.malformedDropped;  // a second ASSIGN on one session
    return std::nullopt;
  }
  m_workerId = assign.workerId;
  m_setupStart = Clock::now();
  m_setup = std::async(std::launch::async, [assign = std::move(assign)] { return buildAssignment(assign); });
  return std::nullopt;
}

std::optional<std::string> WorkerRuntime::Session::handshakeRefusal() {
  const auto failure = m_handshake->poll();
  if (!failure) return std::nullopt;
  return describeHandshakeFailure(*failure);
}

std::optional<WorkerExit> WorkerRuntime::Session::finishSetup() {
  Assignment assignment = m_setup.get();
  if (!assignment.error.empty()) {
    sendError("bad_assignment", assignment.error);
    return WorkerExit::Refused;
  }
  m_experiment = std::move(assignment.experiment);
  m_built = std::move(assignment.built);
  m_role = std::move(assignment.role);
  m_roleKinds = assignment.kinds;
  m_dimension = assignment.dimension;
  m_unitSeconds = assignment.unitSeconds;
  reconnectForRun(frameLimitFor(std::max(vectorRunLargestFrame(m_dimension), m_role->largestDownlinkFrame())));
  m_readyMessage = nlohmann::json{{"dimension", m_dimension},
                                  {"shard_size", assignment.shardSize},
                                  {"setup_seconds", secondsSince(m_setupStart)}};
  send(Message::withJson(MessageKind::Ready, *m_readyMessage));
  return std::nullopt;
}

void WorkerRuntime::Session::connect(std::int64_t maxFrameBytes) {
  m_socket.set(zmq::sockopt::linger, 0);
  m_socket.set(zmq::sockopt::reconnect_ivl, 100);
  m_socket.set(zmq::sockopt::reconnect_ivl_max, 2000);
  // A coordinator (or whoever answers on its port) sending a larger frame is disconnected by ZeroMQ
  // before the frame is stored: without a limit a frame header declaring 2 GiB grew the worker by what
  // was sent.
  m_socket.set(zmq::sockopt::maxmsgsize, maxFrameBytes);
  m_socket.set(zmq::sockopt::rcvhwm, kWorkerQueueMessages);
  m_socket.set(zmq::sockopt::routing_id, zmq::buffer(m_routingId));
  if (!m_options.serverKey.empty()) {
    m_socket.set(zmq::sockopt::curve_serverkey, m_options.serverKey);
    m_socket.set(zmq::sockopt::curve_publickey, m_options.clientKeys->publicKey);
    m_socket.set(zmq::sockopt::curve_secretkey, m_options.clientKeys->secretKey);
  }
  // Unsecured too: a worker without keys on a secured run fails the handshake (mechanism mismatch),
  // and must leave as refused (exit 4), not wait out the liveness window as "coordinator lost".
  m_handshake.emplace(m_context, m_socket, "worker-" + std::to_string(m_connections++),
                      /*watchReconnects=*/true);
  m_socket.connect(m_options.endpoint);
}

void WorkerRuntime::Session::reconnectForRun(std::int64_t maxFrameBytes) {
  m_handshake.reset();
  m_socket.close();
  m_socket = zmq::socket_t(m_context, zmq::socket_type::dealer);
  m_receiveTimeoutMs = -1;  // the new socket has ZeroMQ's default
  connect(maxFrameBytes);
}

WorkerRuntime::WorkerRuntime(WorkerOptions options) : m_options(std::move(options)) {}
WorkerRuntime::~WorkerRuntime() = default;

WorkerExit WorkerRuntime::run() {
  m_session = std::make_unique<Session>(m_options);
  return m_session->run();
}

const WorkerStats& WorkerRuntime::stats() const {
  static const WorkerStats kEmpty;
  return m_session ? m_session->stats : kEmpty;
}

int WorkerRuntime::workerId() const {
  if (m_session) return m_session->m_workerId;
  return m_options.workerId.value_or(-1);
}

const std::string& WorkerRuntime::lastError() const {
  static const std::string kNone;
  return m_session ? m_session->lastError : kNone;
}

}  // namespace distopt::net
