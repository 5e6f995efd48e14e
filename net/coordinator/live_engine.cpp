#include "net/coordinator/live_engine.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <zmq_addon.hpp>

#include "core/telemetry/evaluation.hpp"
#include "core/telemetry/run_tally.hpp"
#include "distopt_version.hpp"
#include "net/coordinator/control_socket.hpp"
#include "net/launcher/local_launcher.hpp"
#include "net/protocol/job_messages.hpp"
#include "net/protocol/message.hpp"
#include "net/telemetry/telemetry_publisher.hpp"

namespace distopt::net {

bool LiveOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (bindEndpoint.find("://") == std::string::npos) return fail("bind: must be a ZeroMQ endpoint such as tcp://HOST:PORT");
  if (heartbeatMs < 10) return fail("heartbeat_ms: must be >= 10");
  if (liveness < 2) return fail("liveness: must be >= 2");
  if (!(setupTimeoutSeconds > 0)) return fail("setup_timeout: must be > 0");
  return true;
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kKinds = 16;  // message kinds 0..15 are counted per kind

double secondsBetween(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

/// A worker as the coordinator sees it.
struct Peer {
  enum class State { Expected, Joined, Ready, Dead };
  State state = State::Expected;
  std::string identity;  // ROUTER routing id
  std::string host;
  int pid = 0;
  std::string reason;
  Clock::time_point lastHeard{};
  Clock::time_point lastSent{};
  double jobSentAt = 0.0;  // engine units
  std::array<std::uint64_t, kKinds> bytesUp{}, bytesDown{}, messagesUp{}, messagesDown{};
  double delaySum = 0.0;
  std::uint64_t delayCount = 0;
  double jobSecondsSum = 0.0;
  std::uint64_t jobsAnswered = 0;

  std::uint64_t totalUp() const {
    std::uint64_t sum = 0;
    for (auto b : bytesUp) sum += b;
    return sum;
  }
  std::uint64_t totalDown() const {
    std::uint64_t sum = 0;
    for (auto b : bytesDown) sum += b;
    return sum;
  }
};

const char* stateName(Peer::State state) {
  switch (state) {
    case Peer::State::Expected: return "starting";
    case Peer::State::Joined: return "starting";
    case Peer::State::Ready: return "alive";
    case Peer::State::Dead: return "dead";
  }
  return "unknown";
}

// The gradient where it arrived: float64 coordinates are used in place in the received frame, and
// nothing is converted at all when the server discards the gradient (Ringmaster's stale ones).
class FrameGradient final : public GradientSource {
 public:
  FrameGradient(const DenseFrameView& frame, Vector& scratch) : m_frame(frame), m_scratch(scratch) {}
  Eigen::Ref<const Vector> value() override { return m_frame.view(m_scratch); }

 private:
  const DenseFrameView& m_frame;
  Vector& m_scratch;
};

}  // namespace

class LiveEngine::Impl final : public ActionSink {
 public:
  Impl(const Experiment& experiment, const Problem& problem, AsyncServer& server, const SimOptions& rules,
       LiveOptions options, TelemetrySink& sink)
      : m_experiment(experiment),
        m_problem(problem),
        m_server(server),
        m_rules(rules),
        m_options(std::move(options)),
        m_userSink(sink),
        m_router(m_context, zmq::socket_type::router),
        m_peers(static_cast<std::size_t>(server.numWorkers())),
        m_unitSeconds(experiment.unitMs / 1000.0),
        m_dimension(problem.dimension()) {
    m_sinks.add(&m_userSink);
  }

  bool bind(std::string* why);
  RunSummary run();
  void requestStop() { m_stopRequested.store(true); }

  std::string workerEndpoint() const { return m_workerEndpoint; }
  std::string telemetryEndpoint() const { return m_publisher ? m_publisher->endpoint() : std::string(); }
  std::string controlEndpoint() const { return m_controlEndpoint; }

  // ActionSink
  void sendJob(const JobOrder& order) override;
  void cancelJob(int worker, std::uint64_t jobId) override;
  void record(const OutcomeRecord& record) override;

 private:
  double now() const { return secondsBetween(m_start, Clock::now()) / m_unitSeconds; }
  /// Sends to a worker, counting bytes; false if the socket refused (peer unreachable).
  bool sendTo(int worker, Message&& message);
  void sendToIdentity(const std::string& identity, Message&& message);
  /// Reads every queued message on the worker socket; returns false if none was there.
  void drainWorkers();
  void handleMessage(const std::string& identity, Message&& message, std::size_t bytes);
  void handleHello(const std::string& identity, const Message& message);
  void handleGrad(int worker, const Message& message);
  void handleControl();
  void markDead(int worker, const std::string& reason);
  /// Applies deaths noticed inside callbacks; with `reapProcesses` also asks the launcher which local
  /// workers exited (a syscall per child, so once per loop turn rather than per message).
  void processDeaths(bool reapProcesses = true);
  void checkLiveness();
  void sendHeartbeats();
  void publishStatus(bool force);
  WorkerStatus statusOf(int worker) const;
  bool setupPhase(std::string* failure);
  int peerOf(const std::string& identity) const {
    auto it = m_byIdentity.find(identity);
    return it == m_byIdentity.end() ? -1 : it->second;
  }

  const Experiment& m_experiment;
  const Problem& m_problem;
  AsyncServer& m_server;
  SimOptions m_rules;
  LiveOptions m_options;
  TelemetrySink& m_userSink;
  TelemetryFanout m_sinks;

  zmq::context_t m_context{1};
  zmq::socket_t m_router;
  std::optional<zmq::socket_t> m_control;
  std::unique_ptr<TelemetryPublisher> m_publisher;
  std::string m_workerEndpoint;
  std::string m_controlEndpoint;
  SeqCounter m_seq;

  std::vector<Peer> m_peers;
  std::unordered_map<std::string, int> m_byIdentity;
  std::vector<std::pair<int, std::string>> m_pendingDeaths;
  std::unique_ptr<LocalLauncher> m_launcher;
  int m_localSlots = 0;  // slots [0, m_localSlots) belong to the workers this coordinator starts itself

  Clock::time_point m_start = Clock::now();
  double m_unitSeconds;
  std::int64_t m_dimension;
  bool m_running = false;
  std::atomic<bool> m_stopRequested{false};

  zmq::message_t m_modelFrame;
  std::uint64_t m_modelFrameVersion = ~std::uint64_t{0};
  Vector m_gradient;
  std::size_t m_lastMessageBytes = 0;

  RunTally m_tally;
  std::uint64_t m_malformed = 0;
  bool m_targetReached = false;
  Clock::time_point m_lastStatus{};
};

bool LiveEngine::Impl::bind(std::string* why) {
  try {
    m_router.set(zmq::sockopt::linger, 0);
    m_router.set(zmq::sockopt::router_mandatory, 1);
    // Models of 1e6 coordinates to thousands of workers: never let a send block the loop.
    m_router.set(zmq::sockopt::sndhwm, 0);
    m_router.set(zmq::sockopt::rcvhwm, 0);
    m_router.bind(m_options.bindEndpoint);
    m_workerEndpoint = m_router.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    if (why) *why = "cannot bind " + m_options.bindEndpoint + ": " + e.what();
    return false;
  }
  try {
    if (!m_options.telemetryEndpoint.empty()) {
      m_publisher = std::make_unique<TelemetryPublisher>(m_context, m_options.telemetryEndpoint);
      m_sinks.add(m_publisher.get());
    }
  } catch (const zmq::error_t& e) {
    if (why) *why = "cannot bind telemetry " + m_options.telemetryEndpoint + ": " + e.what();
    return false;
  }
  if (!m_options.controlEndpoint.empty()) {
    m_control = bindControlSocket(m_context, m_options.controlEndpoint, &m_controlEndpoint, why);
    if (!m_control) return false;
  }
  return true;
}

bool LiveEngine::Impl::sendTo(int worker, Message&& message) {
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (peer.identity.empty() || peer.state == Peer::State::Dead) return false;
  const auto kind = static_cast<std::size_t>(message.kind);
  message.seq = m_seq.next();
  zmq::message_t id(peer.identity.data(), peer.identity.size());
  const std::size_t bytes = sendMessage(m_router, std::move(message), &id);
  m_lastMessageBytes = bytes;
  if (bytes == 0) {
    m_pendingDeaths.emplace_back(worker, "unreachable: the connection to the worker is gone");
    return false;
  }
  peer.lastSent = Clock::now();
  if (kind < kKinds) {
    peer.bytesDown[kind] += bytes;
    ++peer.messagesDown[kind];
  }
  m_tally.bytesDown += bytes;
  return true;
}

void LiveEngine::Impl::sendToIdentity(const std::string& identity, Message&& message) {
  message.seq = m_seq.next();
  zmq::message_t id(identity.data(), identity.size());
  sendMessage(m_router, std::move(message), &id);
}

void LiveEngine::Impl::sendJob(const JobOrder& order) {
  // One encoding per model version, shared by every worker that gets it (zmq copies by reference).
  if (m_modelFrameVersion != order.version) {
    m_modelFrame = encodeVectorFrame(m_server.model());
    m_modelFrameVersion = order.version;
  }
  zmq::message_t frame;
  frame.copy(m_modelFrame);
  JobMeta meta;
  meta.jobId = order.jobId;
  meta.version = order.version;
  meta.startTime = m_running ? now() : 0.0;
  meta.gradients = static_cast<std::uint32_t>(order.gradients);
  Peer& peer = m_peers[static_cast<std::size_t>(order.worker)];
  peer.jobSentAt = meta.startTime;
  sendTo(order.worker, makeJob(meta, std::move(frame)));
}

void LiveEngine::Impl::cancelJob(int worker, std::uint64_t jobId) { sendTo(worker, makeCancel(jobId)); }

void LiveEngine::Impl::record(const OutcomeRecord& record) {
  Peer& peer = m_peers[static_cast<std::size_t>(record.worker)];
  const double t = now();
  // Bytes: the GRAD just received, or the CANCEL just sent.
  const UpdateEvent event = makeUpdateEvent(record, t, t - peer.jobSentAt, m_lastMessageBytes);
  if (record.outcome == Outcome::Accepted) {
    m_tally.countAccepted(record.delay);
    peer.delaySum += static_cast<double>(record.delay);
    ++peer.delayCount;
  }
  m_sinks.onUpdate(event);
}

void LiveEngine::Impl::markDead(int worker, const std::string& reason) {
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (peer.state == Peer::State::Dead) return;
  peer.state = Peer::State::Dead;
  peer.reason = reason;
  if (m_running) m_server.removeWorker(worker, *this);
  m_sinks.onWorkerStatus(statusOf(worker));
}

void LiveEngine::Impl::processDeaths(bool reapProcesses) {
  // Deaths found inside a server callback are applied here, after the callback returned: the state
  // machine is never re-entered.
  while (!m_pendingDeaths.empty()) {
    auto pending = std::move(m_pendingDeaths);
    m_pendingDeaths.clear();
    for (const auto& [worker, reason] : pending) markDead(worker, reason);
  }
  if (m_launcher && reapProcesses) {
    for (const auto& exit : m_launcher->reap()) {
      if (exit.workerId < 0 || exit.workerId >= static_cast<int>(m_peers.size())) continue;
      const std::string what = "process " + std::to_string(exit.pid) + " " + exit.description;
      Peer& peer = m_peers[static_cast<std::size_t>(exit.workerId)];
      if (peer.state != Peer::State::Dead) {
        markDead(exit.workerId, what);
      } else {
        // Already declared dead from the socket side (a send found the connection gone, or the
        // heartbeat ran out) before the process could be reaped: the exit status is the real cause.
        peer.reason = what + " (first noticed as: " + peer.reason + ")";
        m_sinks.onWorkerStatus(statusOf(exit.workerId));
      }
    }
  }
}

void LiveEngine::Impl::checkLiveness() {
  const auto limit = std::chrono::milliseconds(m_options.heartbeatMs) * m_options.liveness;
  const auto current = Clock::now();
  for (std::size_t i = 0; i < m_peers.size(); ++i) {
    Peer& peer = m_peers[i];
    if (peer.state != Peer::State::Joined && peer.state != Peer::State::Ready) continue;
    if (current - peer.lastHeard > limit) markDead(static_cast<int>(i), "heartbeat_timeout: silent for " +
                                                                            std::to_string(secondsBetween(peer.lastHeard, current)) + " s");
  }
}

void LiveEngine::Impl::sendHeartbeats() {
  const auto interval = std::chrono::milliseconds(m_options.heartbeatMs);
  const auto current = Clock::now();
  for (std::size_t i = 0; i < m_peers.size(); ++i) {
    Peer& peer = m_peers[i];
    if (peer.state != Peer::State::Joined && peer.state != Peer::State::Ready) continue;
    if (current - peer.lastSent >= interval) sendTo(static_cast<int>(i), Message::of(MessageKind::Heartbeat));
  }
}

WorkerStatus LiveEngine::Impl::statusOf(int worker) const {
  const Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  WorkerStatus status;
  status.time = m_running ? now() : 0.0;
  status.worker = worker;
  status.host = peer.host;
  status.pid = peer.pid;
  status.state = stateName(peer.state);
  status.reason = peer.reason;
  status.counters = m_server.counters(worker);
  status.bytesUp = peer.totalUp();
  status.bytesDown = peer.totalDown();
  status.meanDelay = peer.delayCount ? peer.delaySum / static_cast<double>(peer.delayCount) : 0.0;
  status.meanJobSeconds = peer.jobsAnswered ? peer.jobSecondsSum / static_cast<double>(peer.jobsAnswered) : 0.0;
  if (peer.state == Peer::State::Ready) {
    // Slow: no word for more than one heartbeat interval; suspect: past half the liveness window.
    const double silent = secondsBetween(peer.lastHeard, Clock::now()) * 1000.0;
    if (silent > m_options.heartbeatMs * m_options.liveness / 2.0) status.state = "suspect";
    else if (silent > m_options.heartbeatMs) status.state = "slow";
  }
  return status;
}

void LiveEngine::Impl::publishStatus(bool force) {
  const auto current = Clock::now();
  if (!force && current - m_lastStatus < std::chrono::seconds(1)) return;
  m_lastStatus = current;
  const double t = m_running ? now() : 0.0;
  for (std::size_t i = 0; i < m_peers.size(); ++i) {
    m_sinks.onWorkerStatus(statusOf(static_cast<int>(i)));
    const Peer& peer = m_peers[i];
    for (std::size_t kind = 0; kind < kKinds; ++kind) {
      if (peer.messagesUp[kind])
        m_sinks.onBandwidth({t, static_cast<int>(i), true, messageKindName(static_cast<MessageKind>(kind)),
                             peer.bytesUp[kind], peer.messagesUp[kind]});
      if (peer.messagesDown[kind])
        m_sinks.onBandwidth({t, static_cast<int>(i), false, messageKindName(static_cast<MessageKind>(kind)),
                             peer.bytesDown[kind], peer.messagesDown[kind]});
    }
  }
}

void LiveEngine::Impl::handleHello(const std::string& identity, const Message& message) {
  auto body = message.jsonPayload();
  if (!body) {
    ++m_malformed;
    return;
  }
  int requested = -1;
  if (body->contains("worker_id") && (*body)["worker_id"].is_number_integer()) requested = (*body)["worker_id"].get<int>();
  int worker = -1;
  if (requested >= 0 && requested < static_cast<int>(m_peers.size()) &&
      m_peers[static_cast<std::size_t>(requested)].state == Peer::State::Expected) {
    worker = requested;
  } else if (requested < 0) {
    // A worker that asks for no id gets a slot left for remote workers, never one of a local worker
    // that is still starting (that worker would then be refused and the run would fail).
    for (std::size_t i = static_cast<std::size_t>(m_localSlots); i < m_peers.size() && worker < 0; ++i)
      if (m_peers[i].state == Peer::State::Expected) worker = static_cast<int>(i);
  }
  if (worker < 0) {
    const std::string why = requested >= 0 ? "worker id " + std::to_string(requested) + " is taken or out of range"
                                           : "the run has no free worker slot";
    sendToIdentity(identity, Message::withJson(MessageKind::Error, {{"code", "protocol"}, {"message", why}}));
    sendToIdentity(identity, Message::withJson(MessageKind::Stop, {{"reason", why}}));
    return;
  }
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  peer.state = Peer::State::Joined;
  peer.identity = identity;
  peer.host = body->value("host", std::string("?"));
  peer.pid = body->value("pid", 0);
  peer.lastHeard = Clock::now();
  m_byIdentity[identity] = worker;
  sendTo(worker, Message::withJson(MessageKind::Welcome, {{"worker_id", worker},
                                                           {"heartbeat_ms", m_options.heartbeatMs},
                                                           {"liveness", m_options.liveness}}));
  std::error_code error;
  const auto base = std::filesystem::absolute(m_experiment.baseDirectory, error);
  sendTo(worker, Message::withJson(MessageKind::Assign, {{"worker_id", worker},
                                                          {"workers", m_experiment.workers},
                                                          {"seed", m_experiment.seed},
                                                          {"unit_ms", m_experiment.unitMs},
                                                          {"base_directory", error ? "." : base.string()},
                                                          {"experiment", m_experiment.document}}));
}

void LiveEngine::Impl::handleGrad(int worker, const Message& message) {
  GradMeta meta;
  DenseFrameView frame;
  std::string why;
  if (!parseGradView(message, m_dimension, &meta, &frame, &why)) {
    ++m_malformed;
    return;
  }
  // A GRAD that claims the current job but another version is a broken peer, not a late result:
  // refuse it here so the state machine's invariants hold.
  if (m_server.busy(worker) && meta.jobId == m_server.currentJob(worker) && meta.version != m_server.currentVersion(worker)) {
    ++m_malformed;
    return;
  }
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (meta.jobId == m_server.currentJob(worker) && m_server.busy(worker)) {
    peer.jobSecondsSum += meta.elapsed;
    ++peer.jobsAnswered;
  }
  FrameGradient gradient(frame, m_gradient);
  GradientArrival arrival{.worker = worker, .jobId = meta.jobId, .version = meta.version, .gradient = &gradient};
  m_server.receive(arrival, *this);
}

void LiveEngine::Impl::handleMessage(const std::string& identity, Message&& message, std::size_t bytes) {
  const int worker = peerOf(identity);
  if (message.version != kProtocolVersion) {
    sendToIdentity(identity, Message::withJson(MessageKind::Error,
                                               {{"code", "version_mismatch"},
                                                {"message", "coordinator speaks protocol " + std::to_string(kProtocolVersion) +
                                                                ", worker sent " + std::to_string(message.version)}}));
    sendToIdentity(identity, Message::withJson(MessageKind::Stop, {{"reason", "version_mismatch"}}));
    if (worker >= 0) m_pendingDeaths.emplace_back(worker, "version_mismatch");
    return;
  }
  if (message.kind == MessageKind::Hello) {
    if (worker >= 0) return;  // a repeated HELLO on a live session: ignore
    handleHello(identity, message);
    return;
  }
  if (worker < 0) {
    ++m_malformed;  // nobody we know
    return;
  }
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (peer.state == Peer::State::Dead) {
    sendToIdentity(identity, Message::withJson(MessageKind::Stop, {{"reason", "declared dead: " + peer.reason}}));
    return;
  }
  peer.lastHeard = Clock::now();
  const auto kind = static_cast<std::size_t>(message.kind);
  if (kind < kKinds) {
    peer.bytesUp[kind] += bytes;
    ++peer.messagesUp[kind];
  }
  m_tally.bytesUp += bytes;
  m_lastMessageBytes = bytes;
  switch (message.kind) {
    case MessageKind::Ready: {
      auto body = message.jsonPayload();
      if (!body || !body->contains("dimension") || !(*body)["dimension"].is_number_integer()) {
        ++m_malformed;
        break;
      }
      if ((*body)["dimension"].get<std::int64_t>() != m_dimension) {
        m_pendingDeaths.emplace_back(worker, "built a problem of dimension " + (*body)["dimension"].dump() +
                                                 ", expected " + std::to_string(m_dimension));
        break;
      }
      if (peer.state == Peer::State::Joined) peer.state = Peer::State::Ready;
      break;
    }
    case MessageKind::Grad:
      if (m_running) handleGrad(worker, message);
      break;
    case MessageKind::Error: {
      auto body = message.jsonPayload();
      const std::string text = body ? body->value("code", std::string("error")) + ": " + body->value("message", std::string())
                                    : std::string("error");
      m_pendingDeaths.emplace_back(worker, text);
      break;
    }
    case MessageKind::Heartbeat:
    case MessageKind::EchoReply:
      break;
    default:
      ++m_malformed;
      break;
  }
}

void LiveEngine::Impl::drainWorkers() {
  const auto drainStart = Clock::now();
  while (true) {
    // Hand back to the run loop once a stopping rule holds, and at least every 50 ms: with many
    // workers or big models the socket is never empty, and draining on would apply updates past the
    // update limit and the horizon, ignore stop requests, and starve liveness checks and evaluation.
    if (m_running && (m_stopRequested.load() || now() >= m_rules.horizon ||
                      (m_rules.maxUpdates > 0 && m_server.version() >= m_rules.maxUpdates)))
      return;
    if (Clock::now() - drainStart > std::chrono::milliseconds(50)) return;
    std::vector<zmq::message_t> frames;
    std::optional<std::size_t> received;
    try {
      received = zmq::recv_multipart(m_router, std::back_inserter(frames), zmq::recv_flags::dontwait);
    } catch (const zmq::error_t&) {
      return;
    }
    if (!received) return;
    if (frames.size() < 2) {
      ++m_malformed;
      continue;
    }
    std::size_t bytes = 0;
    for (const auto& frame : frames) bytes += frame.size();
    std::string identity(static_cast<const char*>(frames.front().data()), frames.front().size());
    frames.erase(frames.begin());
    DecodeError error = DecodeError::None;
    auto message = decode(std::move(frames), &error);
    if (!message) {
      ++m_malformed;
      continue;
    }
    handleMessage(identity, std::move(*message), bytes);
    processDeaths(/*reapProcesses=*/false);
  }
}

void LiveEngine::Impl::handleControl() {
  answerControlRequests(*m_control, [this](const std::string& command) -> nlohmann::json {
    if (command == "status") {
      int alive = 0;
      int dead = 0;
      for (const auto& peer : m_peers) {
        alive += peer.state == Peer::State::Ready ? 1 : 0;
        dead += peer.state == Peer::State::Dead ? 1 : 0;
      }
      return {{"state", m_running ? "running" : "starting"},
              {"experiment", m_experiment.name},
              {"algorithm", m_server.name()},
              {"time", m_running ? now() : 0.0},
              {"updates", m_server.version()},
              {"workers", m_peers.size()},
              {"workers_alive", alive},
              {"workers_dead", dead},
              {"telemetry", telemetryEndpoint()},
              {"time_limit", std::isfinite(m_rules.horizon) ? nlohmann::json(m_rules.horizon) : nlohmann::json()},
              {"update_limit", m_rules.maxUpdates}};
    }
    if (command == "stop") {
      m_stopRequested.store(true);
      return {{"ok", true}};
    }
    return nullptr;
  });
}

bool LiveEngine::Impl::setupPhase(std::string* failure) {
  const int total = static_cast<int>(m_peers.size());
  const int local = m_options.localWorkers < 0 ? total : std::min(m_options.localWorkers, total);
  m_localSlots = local;
  if (local > 0) {
    m_launcher = std::make_unique<LocalLauncher>(m_options.workerBinary);
    std::string why;
    if (!m_launcher->launch(0, local, m_workerEndpoint, &why)) {
      *failure = why;
      return false;
    }
  }
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(m_options.setupTimeoutSeconds));
  while (true) {
    int ready = 0;
    for (std::size_t i = 0; i < m_peers.size(); ++i) {
      if (m_peers[i].state == Peer::State::Dead) {
        *failure = "worker " + std::to_string(i) + " failed during set-up: " + m_peers[i].reason;
        return false;
      }
      ready += m_peers[i].state == Peer::State::Ready ? 1 : 0;
    }
    if (ready == total) return true;
    if (m_stopRequested.load()) {
      *failure = "stopped during set-up";
      return false;
    }
    if (Clock::now() > deadline) {
      *failure = std::to_string(ready) + " of " + std::to_string(total) + " workers ready after " +
                 std::to_string(m_options.setupTimeoutSeconds) + " s";
      return false;
    }
    zmq::pollitem_t items[] = {{m_router.handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, 1, std::chrono::milliseconds(20));
    drainWorkers();
    processDeaths();
    sendHeartbeats();
    if (m_control) handleControl();
  }
}

RunSummary LiveEngine::Impl::run() {
  const auto wallStart = Clock::now();
  RunSummary summary;
  summary.algorithm = m_server.name();
  summary.engine = "live";
  summary.workers = m_server.numWorkers();

  std::string failure;
  const bool ready = setupPhase(&failure);
  BackgroundEvaluator evaluator(m_problem);
  Termination termination = Termination::Stalled;
  double endTime = 0.0;
  std::uint64_t lastEvalUpdate = 0;

  auto request = [&](double t) {
    return EvaluationRequest{.time = t,
                             .updates = m_server.version(),
                             .bytesUp = m_tally.bytesUp,
                             .bytesDown = m_tally.bytesDown,
                             .gradNorm = m_rules.evalGradNorm || m_rules.targetGradNormSq.has_value(),
                             .accuracy = m_rules.evalAccuracy};
  };
  auto collect = [&]() {
    for (const auto& point : evaluator.takeResults()) {
      m_sinks.onEvaluation(point);
      if (m_tally.noteEvaluation(point, m_rules.targetGap, m_rules.targetGradNormSq)) m_targetReached = true;
      if (!std::isfinite(point.loss)) termination = Termination::Diverged;
    }
  };

  if (!ready) {
    termination = m_stopRequested.load() ? Termination::Stopped : Termination::Failed;
    summary.terminationDetail = failure;
  } else {
    m_start = Clock::now();
    m_running = true;
    publishStatus(true);
    evaluator.submit(request(0.0), m_server.model());
    m_server.start(*this);
    processDeaths();
    double nextGrid = m_rules.evalInterval > 0 ? m_rules.evalInterval : INFINITY;

    while (true) {
      const double t = now();
      if (m_stopRequested.load()) {
        termination = Termination::Stopped;
        break;
      }
      if (t >= m_rules.horizon) {
        termination = Termination::TimeLimit;
        break;
      }
      if (m_server.diverged() || termination == Termination::Diverged) {
        termination = Termination::Diverged;
        break;
      }
      if (m_targetReached) {
        termination = Termination::TargetReached;
        break;
      }
      if (m_rules.maxUpdates > 0 && m_server.version() >= m_rules.maxUpdates) {
        termination = Termination::UpdateLimit;
        break;
      }
      if (m_server.aliveWorkers() == 0) {
        termination = Termination::Failed;
        summary.terminationDetail = "every worker was lost";
        break;
      }
      while (nextGrid <= t) {
        evaluator.submit(request(nextGrid), m_server.model());
        nextGrid += m_rules.evalInterval;
      }
      if (m_rules.evalEveryUpdates > 0 && m_server.version() - lastEvalUpdate >= m_rules.evalEveryUpdates) {
        lastEvalUpdate = m_server.version();
        evaluator.submit(request(t), m_server.model());
      }
      collect();

      // Sleep until the next thing due: a grid point, the horizon, a heartbeat or status tick.
      double untilUnits = std::min(nextGrid, m_rules.horizon) - t;
      double timeoutMs = std::min(untilUnits * m_unitSeconds * 1000.0, m_options.heartbeatMs / 4.0);
      timeoutMs = std::clamp(timeoutMs, 0.0, 50.0);
      std::vector<zmq::pollitem_t> items = {{m_router.handle(), 0, ZMQ_POLLIN, 0}};
      if (m_control) items.push_back({m_control->handle(), 0, ZMQ_POLLIN, 0});
      try {
        zmq::poll(items.data(), items.size(), std::chrono::milliseconds(static_cast<long>(std::ceil(timeoutMs))));
      } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) throw;
      }
      drainWorkers();
      if (m_control) handleControl();
      processDeaths();
      checkLiveness();
      processDeaths();
      sendHeartbeats();
      publishStatus(false);
      if (m_publisher) m_publisher->flush();
    }
    endTime = termination == Termination::TimeLimit ? m_rules.horizon : now();
  }

  // Tell every worker the run is over, then make sure the local ones are gone.
  for (std::size_t i = 0; i < m_peers.size(); ++i)
    if (m_peers[i].state != Peer::State::Dead && !m_peers[i].identity.empty())
      sendTo(static_cast<int>(i), Message::withJson(MessageKind::Stop, {{"reason", terminationName(termination)}}));
  if (m_launcher && !m_launcher->waitAll(std::chrono::milliseconds(2000)))
    m_launcher->stopAll(std::chrono::milliseconds(1000));

  evaluator.drain();
  collect();
  // A final point at the end time, computed here so the summary always has one.
  Vector scratch;
  if (ready) {
    EvaluationPoint final = evaluateModel(m_problem, m_server.model(), request(endTime), scratch);
    m_sinks.onEvaluation(final);
    m_tally.noteEvaluation(final, m_rules.targetGap, m_rules.targetGradNormSq);
    if (!std::isfinite(final.loss) && termination != Termination::Failed) termination = Termination::Diverged;
  }
  m_running = false;
  publishStatus(true);

  m_tally.fill(summary, m_server, termination, endTime);
  summary.malformedDropped = m_malformed;
  for (std::size_t i = 0; i < m_peers.size(); ++i) summary.workerStatus.push_back(statusOf(static_cast<int>(i)));
  summary.wallSeconds = secondsBetween(wallStart, Clock::now());
  m_sinks.onFinish(summary);
  if (m_publisher) m_publisher->flush(true);
  return summary;
}

LiveEngine::LiveEngine(const Experiment& experiment, const Problem& problem, AsyncServer& server, const SimOptions& rules,
                       LiveOptions options, TelemetrySink& sink)
    : m_impl(std::make_unique<Impl>(experiment, problem, server, rules, std::move(options), sink)) {}

LiveEngine::~LiveEngine() = default;

bool LiveEngine::bind(std::string* why) { return m_impl->bind(why); }
std::string LiveEngine::workerEndpoint() const { return m_impl->workerEndpoint(); }
std::string LiveEngine::telemetryEndpoint() const { return m_impl->telemetryEndpoint(); }
std::string LiveEngine::controlEndpoint() const { return m_impl->controlEndpoint(); }
RunSummary LiveEngine::run() { return m_impl->run(); }
void LiveEngine::requestStop() { m_impl->requestStop(); }

}  // namespace distopt::net
