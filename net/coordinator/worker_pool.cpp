#include "net/coordinator/worker_pool.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>

#include <unistd.h>

#include <zmq_addon.hpp>

#include "net/coordinator/control_socket.hpp"
#include "net/coordinator/run_directory.hpp"
#include "net/launcher/local_launcher.hpp"
#include "net/launcher/spawn_queue.hpp"
#include "net/launcher/srun_command.hpp"
#include "net/launcher/ssh_command.hpp"
#include "net/protocol/frame_limits.hpp"
#include "net/protocol/heartbeat_messages.hpp"
#include "net/protocol/json_fields.hpp"
#include "net/protocol/session_messages.hpp"
#include "net/security/handshake_monitor.hpp"
#include "net/security/zap_authenticator.hpp"
#include "net/telemetry/telemetry_publisher.hpp"

namespace distopt::net {

bool LiveOptions::isValid(std::string* why) const {
  auto fail = [why](const std::string& text) {
    if (why) *why = text;
    return false;
  };
  std::string reason;
  if (!parseEndpoint(bindEndpoint, &reason)) return fail("bind: " + reason);
  if (heartbeatMs < 10) return fail("heartbeat_ms: must be >= 10");
  if (liveness < 2) return fail("liveness: must be >= 2");
  if (!(setupTimeoutSeconds > 0)) return fail("setup_timeout: must be > 0");
  if (malformedLimit < 0) return fail("malformed_limit: must be >= 0 (0 = never exclude)");
  if (maxFrameBytes < 0) return fail("max_frame_bytes: must be >= 0 (0 = from the run)");
  if (!security.enabled && !isLoopbackEndpoint(bindEndpoint, &reason))
    return fail("bind: " + reason +
                "; binding beyond loopback needs CURVE security (distopt-run --secure): unauthenticated "
                "workers must not be able to join");
  for (const auto* endpoint : {&telemetryEndpoint, &controlEndpoint})
    if (!endpoint->empty() && !isLoopbackEndpoint(*endpoint, &reason))
      return fail(
          std::string(endpoint == &controlEndpoint ? "control" : "telemetry") + ": " + reason +
          "; these sockets bind to loopback only (whoever reaches control can stop the run); dashboards on "
          "other machines attach to the dashboard feed (--dashboard ENDPOINT --secure)");
  if (!dashboardEndpoint.empty()) {
    if (!parseEndpoint(dashboardEndpoint, &reason)) return fail("dashboard: " + reason);
    if (!security.enabled && !isLoopbackEndpoint(dashboardEndpoint, &reason))
      return fail("dashboard: " + reason +
                  "; a dashboard feed beyond loopback needs CURVE security (distopt-run --secure): only "
                  "dashboards with an allowed key may read the run");
  }
  if (security.enabled) {
    if (!curveAvailable()) return fail("secure: this libzmq was built without CURVE");
    if (!security.serverKeys.secretKey.empty() && !keyPairFromSecret(security.serverKeys.secretKey))
      return fail("secure: the server secret key is not a Z85 CURVE key");
    if (!security.joinKeys.secretKey.empty() && !keyPairFromSecret(security.joinKeys.secretKey))
      return fail("secure: the join token is not a Z85 CURVE secret key");
    for (const auto& key : security.allowedKeys)
      if (!isCurveKey(key))
        return fail("allow_key: '" + key + "' is not a 40-character Z85 CURVE public key");
    for (const auto& key : security.dashboardKeys)
      if (!isCurveKey(key))
        return fail("allow_dashboard_key: '" + key + "' is not a 40-character Z85 CURVE public key");
  }
  return true;
}

namespace {

/// `endpoint` as another machine names it: a wildcard address is not something another machine can
/// connect to, so this host's name replaces it.
std::string nameThisHost(std::string endpoint) {
  for (const std::string wildcard : {"tcp://0.0.0.0:", "tcp://[::]:", "tcp://*:"}) {
    if (endpoint.rfind(wildcard, 0) == 0) {
      char host[256] = {};
      if (gethostname(host, sizeof(host) - 1) != 0) std::snprintf(host, sizeof(host), "HOST");
      endpoint = "tcp://" + std::string(host) + ":" + endpoint.substr(wildcard.size());
    }
  }
  return endpoint;
}

}  // namespace

std::string WorkerPool::publicEndpoint() const { return nameThisHost(m_workerEndpoint); }

std::string WorkerPool::dashboardEndpoint() const {
  return m_dashboard ? nameThisHost(m_dashboard->endpoint()) : std::string();
}

std::string WorkerPool::attachCommand() const {
  if (!m_dashboard) return {};
  std::string command = "distopt-workbench --attach " + dashboardEndpoint();
  if (m_options.security.enabled) {
    command += " --server-key '" + m_options.security.serverKeys.publicKey + "'";
    command += m_dashboardKeys.secretKey.empty() ? std::string()
                                                 : " --dashboard-token '" + m_dashboardKeys.secretKey + "'";
  }
  return command;
}

std::string WorkerPool::joinCommand() const {
  if (m_workerEndpoint.empty()) return {};
  const std::string endpoint = publicEndpoint();
  std::string command = "distopt-worker --connect " + endpoint;
  if (m_options.security.enabled) {
    // Z85 keys use shell metacharacters (<, >, &, ...) but never a single quote: quote them.
    command += " --server-key '" + m_options.security.serverKeys.publicKey + "'";
    command += m_joinKeys.secretKey.empty() ? " --key-file YOUR_KEY_FILE"
                                            : " --join-token '" + m_joinKeys.secretKey + "'";
  }
  return command;
}

namespace {

using Clock = std::chrono::steady_clock;

const char* const kLinkLostReason =
    "link_lost: the connection to the worker was cut, and this method cannot replay the messages lost with "
    "it";

double secondsBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

/// A worker as the coordinator sees it.
struct WorkerPool::Peer {
  enum class State { Expected, Joined, Ready, Dead };
  State state = State::Expected;
  std::string identity;  // ROUTER routing id
  std::string host;
  std::string slurmStep;  // from HELLO: the Slurm step it runs in, empty outside Slurm
  int pid = 0;
  int cores = 0;
  std::string version;  // the worker program's, from HELLO
  std::string key;      // the CURVE public key it joined with (empty unsecured): a resume must present it
  std::string reason;
  int resumes = 0;        // connections made again within liveness (PROTOCOL.md §4.4)
  bool linkDown = false;  // a send found no connection; it may come back within liveness
  std::uint64_t malformed = 0;  // its messages refused (PROTOCOL.md §8)
  Clock::time_point lastHeard{};
  Clock::time_point lastSent{};
  std::array<std::uint64_t, kKindSlots> bytesUp{}, bytesDown{}, messagesUp{}, messagesDown{};
  std::uint64_t totalUp = 0;
  std::uint64_t totalDown = 0;
  ClockSync clock;
  Clock::time_point lastProbe{};
  double transitSum = 0.0;  // seconds, over `transits` messages that said when they left
  std::uint64_t transits = 0;

  const char* stateName() const {
    switch (state) {
      case State::Expected:
      case State::Joined:
        return "starting";
      case State::Ready:
        return "alive";
      case State::Dead:
        return "dead";
    }
    return "unknown";
  }
};

WorkerPool::WorkerPool(const Experiment& experiment, std::int64_t dimension, LiveOptions options,
                       TelemetrySink& sink)
    : m_experiment(experiment),
      m_dimension(dimension),
      m_options(std::move(options)),
      m_router(m_context, zmq::socket_type::router),
      m_peers(static_cast<std::size_t>(experiment.workers)),
      m_remoteBegin(experiment.workers),
      m_unitSeconds(experiment.unitMs / 1000.0) {
  m_sinks.add(&sink);
}

WorkerPool::~WorkerPool() = default;

bool WorkerPool::bind(std::string* why) {
  if (!m_options.isValid(why)) return false;
  const bool slurm = m_experiment.launcher == kSlurmLauncher;
  if ((!m_experiment.hosts.empty() || slurm) && isLoopbackEndpoint(m_options.bindEndpoint)) {
    if (why)
      *why = std::string(slurm ? "workers.launcher: workers on Slurm's nodes"
                               : "workers.hosts: workers on other machines") +
             " cannot reach " + m_options.bindEndpoint +
             "; bind where they can (--bind tcp://ADDRESS:PORT --secure)";
    return false;
  }
  if (!m_options.controlEndpoint.empty() &&
      !claimControlDirectory(m_options.controlEndpoint, &m_runDirectory, why))
    return false;
  try {
    if (m_options.security.enabled) {
      SecurityOptions& security = m_options.security;
      if (security.serverKeys.secretKey.empty())
        security.serverKeys = makeCurveKeyPair();
      else
        security.serverKeys = *keyPairFromSecret(security.serverKeys.secretKey);
      m_zap = std::make_unique<ZapAuthenticator>(m_context);
      for (const auto& key : security.allowedKeys) m_zap->allow(key, kWorkerZapDomain);
      if (security.joinToken) {
        m_joinKeys = security.joinKeys.secretKey.empty() ? makeCurveKeyPair()
                                                         : *keyPairFromSecret(security.joinKeys.secretKey);
        m_zap->allow(m_joinKeys.publicKey, kWorkerZapDomain);
      }
      for (const auto& key : security.dashboardKeys) m_zap->allow(key, kDashboardZapDomain);
      if (security.dashboardToken && !m_options.dashboardEndpoint.empty()) {
        m_dashboardKeys = makeCurveKeyPair();
        m_zap->allow(m_dashboardKeys.publicKey, kDashboardZapDomain);
      }
      m_router.set(zmq::sockopt::curve_server, 1);
      m_router.set(zmq::sockopt::curve_secretkey, security.serverKeys.secretKey);
      m_router.set(zmq::sockopt::zap_domain, kWorkerZapDomain);
    }
    m_router.set(zmq::sockopt::linger, 0);
    m_router.set(zmq::sockopt::router_mandatory, 1);
    // A worker that reconnects (same routing id, PROTOCOL.md §4.4) takes its session over from a connection
    // this side has not yet seen die.
    m_router.set(zmq::sockopt::router_handover, 1);
    // Bounded queues (frame_limits.hpp): a send never blocks the loop (every send is non-blocking, and
    // ROUTER_MANDATORY makes one to a full queue fail with EAGAIN: that worker does not read and is
    // declared dead), and a peer that never reads cannot grow the coordinator's memory without bound.
    m_router.set(zmq::sockopt::sndhwm, kWorkerQueueMessages);
    m_router.set(zmq::sockopt::rcvhwm, kWorkerQueueMessages);
    // A frame larger than the run's largest legitimate one disconnects its sender before it is stored,
    // authenticated or not.
    m_maxFrameBytes = m_options.maxFrameBytes > 0 ? m_options.maxFrameBytes
                                                  : frameLimitFor(vectorRunLargestFrame(m_dimension));
    m_router.set(zmq::sockopt::maxmsgsize, m_maxFrameBytes);
    m_handshakes = std::make_unique<HandshakeMonitor>(m_context, m_router, "workers",
                                                      m_options.security.enabled ? kWorkerZapDomain : "");
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
  try {
    if (!m_options.dashboardEndpoint.empty()) {
      PublisherOptions feed{.dashboard = true};
      if (m_options.security.enabled) feed.curveSecretKey = m_options.security.serverKeys.secretKey;
      m_dashboard = std::make_unique<TelemetryPublisher>(m_context, m_options.dashboardEndpoint, feed);
      m_dashboard->setExperimentDocument(m_experiment.document);
      m_sinks.add(m_dashboard.get());
    }
  } catch (const zmq::error_t& e) {
    if (why) *why = "cannot bind dashboard " + m_options.dashboardEndpoint + ": " + e.what();
    return false;
  }
  if (!m_options.controlEndpoint.empty()) {
    m_control = bindControlSocket(m_context, m_options.controlEndpoint, &m_controlEndpoint, why);
    if (!m_control) return false;
  }
  return true;
}

std::string WorkerPool::telemetryEndpoint() const {
  return m_publisher ? m_publisher->endpoint() : std::string();
}

double WorkerPool::now() const {
  return m_running ? secondsBetween(m_start, Clock::now()) / m_unitSeconds : m_endTime;
}

int WorkerPool::numWorkers() const { return static_cast<int>(m_peers.size()); }

bool WorkerPool::alive(int worker) const {
  return worker >= 0 && worker < numWorkers() &&
         m_peers[static_cast<std::size_t>(worker)].state == Peer::State::Ready;
}

bool WorkerPool::leaving(int worker) const {
  return std::any_of(m_pendingDeaths.begin(), m_pendingDeaths.end(),
                     [worker](const auto& death) { return death.first == worker; });
}

int WorkerPool::aliveCount() const {
  return static_cast<int>(std::count_if(m_peers.begin(), m_peers.end(),
                                        [](const Peer& peer) { return peer.state == Peer::State::Ready; }));
}

int WorkerPool::peerOf(const std::string& identity) const {
  auto it = m_byIdentity.find(identity);
  return it == m_byIdentity.end() ? -1 : it->second;
}

std::string WorkerPool::handedOverSession(const std::string& identity, const zmq::message_t& frame) const {
  // ROUTER_HANDOVER gives a worker's new connection its routing id and renames the old connection's pipe
  // to an id of libzmq's own (a 0 byte and a 32-bit counter). What the old connection delivered but this
  // side had not read yet comes out under that name: a worker rebuilding its connection for the run's
  // frame limit (reconnectForRun) answers the clock probe that followed ASSIGN on the old one. The
  // routing id the connection announced in its handshake stays on its messages (ZeroMQ metadata
  // "Identity"): it names the session they belong to. A stranger cannot announce a worker's routing id
  // without taking the session over in the first place (PROTOCOL.md §4.4), so strangers are still refused.
  if (identity.size() != 5 || identity.front() != '\0') return identity;
  const char* announced = zmq_msg_gets(frame.handle(), "Identity");
  // A C string: a routing id with a 0 byte in it is cut short and names no session (workers make theirs
  // without one).
  if (!announced || peerOf(announced) < 0) return identity;
  return announced;
}

bool WorkerPool::send(int worker, Message&& message) {
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (peer.identity.empty() || peer.state == Peer::State::Dead) return false;
  const auto kind = static_cast<std::size_t>(message.kind);
  message.seq = m_seq.next();
  zmq::message_t id(peer.identity.data(), peer.identity.size());
  SendFailure failure = SendFailure::None;
  const std::size_t bytes = sendMessage(m_router, std::move(message), &id, &failure);
  m_lastMessageBytes = bytes;
  if (bytes == 0) {
    if (failure == SendFailure::Full) {
      // Its queue is full: the worker does not read, and waiting for it would only grow memory.
      m_pendingDeaths.emplace_back(worker, "not_reading: " + std::to_string(kWorkerQueueMessages) +
                                               " messages to the worker are queued unread");
    } else if (m_running && !m_hooks.onWorkerResumed) {
      // No connection to the worker right now. A cut link comes back within the liveness window with the
      // same routing id (PROTOCOL.md §4.4) and the engine re-sends what was lost; an engine that cannot
      // replay its messages loses the worker now.
      m_pendingDeaths.emplace_back(worker, kLinkLostReason);
    } else {
      peer.linkDown = true;
    }
    return false;
  }
  peer.lastSent = Clock::now();
  if (kind < kKindSlots) {
    peer.bytesDown[kind] += bytes;
    ++peer.messagesDown[kind];
  }
  peer.totalDown += bytes;
  m_bytesDown += bytes;
  return true;
}

void WorkerPool::sendToIdentity(const std::string& identity, Message&& message) {
  message.seq = m_seq.next();
  zmq::message_t id(identity.data(), identity.size());
  sendMessage(m_router, std::move(message), &id);
}

void WorkerPool::markDead(int worker, const std::string& reason) {
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (peer.state == Peer::State::Dead) return;
  peer.state = Peer::State::Dead;
  peer.reason = reason;
  m_sinks.onWorkerStatus(statusOf(worker));
  if (m_running && m_hooks.onWorkerLost) m_hooks.onWorkerLost(worker, reason);
}

void WorkerPool::processDeaths(bool reapProcesses) {
  // Deaths found inside a hook are applied here, after the hook returned: the engine's state machine
  // is never re-entered. A death may queue more (a hook's send to a vanished peer), hence the loop.
  while (!m_pendingDeaths.empty()) {
    auto pending = std::move(m_pendingDeaths);
    m_pendingDeaths.clear();
    for (const auto& [worker, reason] : pending) markDead(worker, reason);
  }
  if (m_launcher && reapProcesses) {
    for (const auto& exit : m_launcher->reap()) {
      if (exit.workerId < 0 || exit.workerId >= numWorkers()) continue;
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
    while (!m_pendingDeaths.empty()) processDeaths(false);
  }
}

void WorkerPool::checkLiveness() {
  const auto limit = std::chrono::milliseconds(m_options.heartbeatMs) * m_options.liveness;
  const auto current = Clock::now();
  for (std::size_t i = 0; i < m_peers.size(); ++i) {
    Peer& peer = m_peers[i];
    if (peer.state != Peer::State::Joined && peer.state != Peer::State::Ready) continue;
    // In set-up the set-up timeout is the limit: a thousand workers starting on two cores may each go
    // without the CPU for seconds, and a worker's process that ends is seen at once anyway.
    if (!m_running) continue;
    if (current - peer.lastHeard > limit)
      m_pendingDeaths.emplace_back(
          static_cast<int>(i),
          "heartbeat_timeout: silent for " + std::to_string(secondsBetween(peer.lastHeard, current)) + " s");
  }
}

void WorkerPool::sendHeartbeats() {
  const auto interval = std::chrono::milliseconds(m_options.heartbeatMs);
  const auto current = Clock::now();
  for (std::size_t i = 0; i < m_peers.size(); ++i) {
    Peer& peer = m_peers[i];
    if (peer.state != Peer::State::Joined && peer.state != Peer::State::Ready) continue;
    // Every heartbeat is a clock probe, and one goes out each interval even while other traffic keeps the
    // session alive: the offset must be measured during busy runs too (PROTOCOL.md §4.3).
    if (current - peer.lastProbe >= interval) {
      peer.lastProbe = current;
      send(static_cast<int>(i), makeClockHeartbeat({.sentNs = monotonicNs(), .echoNs = 0, .holdNs = 0}));
    }
  }
}

void WorkerPool::handleHeartbeat(int worker, const Message& message) {
  std::optional<ClockMeta> meta;
  std::string why;
  if (!parseHeartbeat(message, &meta, &why)) {
    refuseMessage(worker, "HEARTBEAT " + why);
    return;
  }
  if (!meta || meta->isProbe()) return;  // a plain sign of life
  m_peers[static_cast<std::size_t>(worker)].clock.addExchange(meta->echoNs, meta->sentNs, meta->holdNs, monotonicNs());
}

void WorkerPool::noteSentAt(int worker, double workerClockSeconds) {
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (!peer.clock.valid()) return;
  const double arrived = static_cast<double>(monotonicNs()) * 1e-9;
  const double transit = arrived - peer.clock.toCoordinatorSeconds(workerClockSeconds);
  // A clock estimate is good to about half a round trip: keep what is within it, not garbage from a
  // worker whose clock stepped.
  if (transit < -peer.clock.roundTripSeconds() || transit > 3600.0) return;
  peer.transitSum += std::max(0.0, transit);
  ++peer.transits;
}

const ClockSync& WorkerPool::clockOf(int worker) const { return m_peers[static_cast<std::size_t>(worker)].clock; }

WorkerStatus WorkerPool::statusOf(int worker) const {
  const Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  WorkerStatus status;
  status.time = now();
  status.worker = worker;
  // The step beside the node: the tables and records that show a worker's host show where Slurm ran it.
  status.host = peer.slurmStep.empty() ? peer.host : peer.host + " (slurm step " + peer.slurmStep + ")";
  status.pid = peer.pid;
  status.state = peer.stateName();
  status.reason = peer.reason;
  status.bytesUp = peer.totalUp;
  status.bytesDown = peer.totalDown;
  if (peer.clock.valid()) {
    status.clockOffset = peer.clock.offsetSeconds();
    status.roundTrip = peer.clock.roundTripSeconds();
  }
  if (peer.transits > 0) status.uplinkTransit = peer.transitSum / static_cast<double>(peer.transits);
  if (peer.state == Peer::State::Ready && m_running) {
    // Slow: no word for more than one heartbeat interval; suspect: past half the liveness window.
    // (Once the run is over, silence is expected: the workers were told to stop.)
    const double silent = secondsBetween(peer.lastHeard, Clock::now()) * 1000.0;
    if (silent > m_options.heartbeatMs * m_options.liveness / 2.0)
      status.state = "suspect";
    else if (silent > m_options.heartbeatMs)
      status.state = "slow";
  }
  if (m_hooks.fillStatus) m_hooks.fillStatus(status);
  return status;
}

void WorkerPool::publishStatus(bool force) {
  const auto current = Clock::now();
  if (!force && current - m_lastStatus < std::chrono::seconds(1)) return;
  m_lastStatus = current;
  const double t = now();
  for (std::size_t i = 0; i < m_peers.size(); ++i) {
    m_sinks.onWorkerStatus(statusOf(static_cast<int>(i)));
    const Peer& peer = m_peers[i];
    for (std::size_t kind = 0; kind < kKindSlots; ++kind) {
      const char* name = messageKindName(static_cast<MessageKind>(kind));
      if (peer.messagesUp[kind])
        m_sinks.onBandwidth({t, static_cast<int>(i), true, name, peer.bytesUp[kind], peer.messagesUp[kind]});
      if (peer.messagesDown[kind])
        m_sinks.onBandwidth(
            {t, static_cast<int>(i), false, name, peer.bytesDown[kind], peer.messagesDown[kind]});
    }
  }
}

void WorkerPool::handleHello(const std::string& identity, const Message& message) {
  HelloBody hello;
  std::string refusal;
  if (!parseHello(message, &hello, &refusal)) {
    refuseMessage(-1, refusal);
    return;
  }
  const int requested = hello.workerId.value_or(-1);
  int worker = -1;
  if (requested >= 0 && requested < numWorkers() &&
      m_peers[static_cast<std::size_t>(requested)].state == Peer::State::Expected) {
    worker = requested;
  } else if (requested < 0) {
    // A worker that asks for no id gets a slot left for remote workers, never one of a worker this
    // coordinator starts itself, locally or by ssh (that worker would then be refused and the run fail).
    for (std::size_t i = static_cast<std::size_t>(m_localSlots);
         i < static_cast<std::size_t>(m_remoteBegin) && worker < 0; ++i)
      if (m_peers[i].state == Peer::State::Expected) worker = static_cast<int>(i);
  }
  if (worker < 0) {
    const std::string why = requested >= 0
                                ? "worker id " + std::to_string(requested) + " is taken or out of range"
                                : "the run has no free worker slot";
    refuseMessage(-1, "HELLO refused: " + why);
    sendToIdentity(identity, Message::withJson(MessageKind::Error, {{"code", "protocol"}, {"message", why}}));
    sendToIdentity(identity, Message::withJson(MessageKind::Stop, {{"reason", why}}));
    return;
  }
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  peer.state = Peer::State::Joined;
  peer.identity = identity;
  peer.key = m_messageKey;
  peer.host = hello.host;
  peer.slurmStep = hello.slurmStep;
  peer.pid = hello.pid;
  peer.cores = hello.cores;
  peer.version = hello.programVersion;
  peer.lastHeard = Clock::now();
  m_byIdentity[identity] = worker;
  send(worker, Message::withJson(MessageKind::Welcome, {{"worker_id", worker},
                                                        {"heartbeat_ms", m_options.heartbeatMs},
                                                        {"liveness", m_options.liveness}}));
  sendAssign(worker);
}

void WorkerPool::sendAssign(int worker) {
  std::error_code error;
  const auto base = std::filesystem::absolute(m_experiment.baseDirectory, error);
  send(worker, Message::withJson(MessageKind::Assign, {{"worker_id", worker},
                                                       {"workers", m_experiment.workers},
                                                       {"seed", m_experiment.seed},
                                                       {"unit_ms", m_experiment.unitMs},
                                                       {"base_directory", error ? "." : base.string()},
                                                       {"experiment", m_experiment.document}}));
}

void WorkerPool::resumeSession(int worker, const Message& message) {
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (peer.state == Peer::State::Dead) {
    sendToIdentity(peer.identity,
                   Message::withJson(MessageKind::Stop, {{"reason", "declared dead: " + peer.reason}}));
    return;
  }
  HelloBody hello;
  std::string why;
  if (!parseHello(message, &hello, &why)) {
    refuseMessage(worker, "HELLO (resume) refused: " + why);
    return;
  }
  peer.linkDown = false;
  peer.lastHeard = Clock::now();
  ++peer.resumes;
  std::fprintf(stderr, "distopt-run: worker %d reconnected (%d time%s); resuming its session\n", worker,
               peer.resumes, peer.resumes == 1 ? "" : "s");
  send(worker, Message::withJson(MessageKind::Welcome, {{"worker_id", worker},
                                                        {"heartbeat_ms", m_options.heartbeatMs},
                                                        {"liveness", m_options.liveness}}));
  if (peer.state == Peer::State::Joined) {
    sendAssign(worker);  // it may not have arrived; a worker that has one ignores a second
  } else if (m_running) {
    if (!m_hooks.onWorkerResumed || !m_hooks.onWorkerResumed(worker))
      m_pendingDeaths.emplace_back(worker, kLinkLostReason);
  }
}

void WorkerPool::handleReady(int worker, const Message& message) {
  ReadyBody ready;
  std::string why;
  if (!parseReady(message, &ready, &why)) {
    refuseMessage(worker, why);
    return;
  }
  if (ready.dimension != m_dimension) {
    m_pendingDeaths.emplace_back(worker, "built a problem of dimension " + std::to_string(ready.dimension) +
                                             ", expected " + std::to_string(m_dimension));
    return;
  }
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (peer.state == Peer::State::Joined) peer.state = Peer::State::Ready;
}

void WorkerPool::handleMessage(const std::string& identity, Message&& message, std::size_t bytes) {
  const int worker = peerOf(identity);
  if (message.version != kProtocolVersion) {
    sendToIdentity(
        identity,
        Message::withJson(MessageKind::Error,
                          {{"code", "version_mismatch"},
                           {"message", "coordinator speaks protocol " + std::to_string(kProtocolVersion) +
                                           ", worker sent " + std::to_string(message.version)}}));
    sendToIdentity(identity, Message::withJson(MessageKind::Stop, {{"reason", "version_mismatch"}}));
    if (worker >= 0) m_pendingDeaths.emplace_back(worker, "version_mismatch");
    return;
  }
  if (worker >= 0 && m_peers[static_cast<std::size_t>(worker)].key != m_messageKey) {
    // The routing id is secret (128 random bits inside the encrypted session); under CURVE the session is
    // also bound to the key it joined with. A connection with another key that took the routing id over
    // (ROUTER_HANDOVER) gets nothing more: the session ends here.
    ++m_malformed;
    std::fprintf(stderr, "distopt-run: worker %d's session was taken over by a connection with another key (%s)\n",
                 worker, m_messageKey.empty() ? "none" : m_messageKey.c_str());
    m_pendingDeaths.emplace_back(worker, "session taken over by a connection with another key");
    return;
  }
  if (message.kind == MessageKind::Hello) {
    if (worker < 0)
      handleHello(identity, message);
    else
      resumeSession(worker, message);
    return;
  }
  if (worker < 0) {
    refuseMessage(-1, std::string(messageKindName(message.kind)) + " from a peer that sent no HELLO");
    return;
  }
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (peer.state == Peer::State::Dead) {
    sendToIdentity(identity,
                   Message::withJson(MessageKind::Stop, {{"reason", "declared dead: " + peer.reason}}));
    return;
  }
  peer.lastHeard = Clock::now();
  const auto kind = static_cast<std::size_t>(message.kind);
  if (kind < kKindSlots) {
    peer.bytesUp[kind] += bytes;
    ++peer.messagesUp[kind];
  }
  peer.totalUp += bytes;
  m_bytesUp += bytes;
  m_lastMessageBytes = bytes;
  m_handling = worker;
  switch (message.kind) {
    case MessageKind::Ready:
      handleReady(worker, message);
      break;
    case MessageKind::Error: {
      ErrorBody error;
      std::string why;
      if (!parseError(message, &error, &why)) {
        refuseMessage(worker, why);
        break;
      }
      m_pendingDeaths.emplace_back(worker, error.code + ": " + error.message);
      break;
    }
    case MessageKind::Heartbeat:
      handleHeartbeat(worker, message);
      break;
    case MessageKind::EchoReply:
      break;
    case MessageKind::Welcome:
    case MessageKind::Assign:
    case MessageKind::Stop:
    case MessageKind::EchoRequest:
      refuseMessage(worker, std::string(messageKindName(message.kind)) + " is a coordinator-to-worker kind");
      break;
    default:
      if (m_running && peer.state == Peer::State::Ready && m_hooks.onMessage)
        m_hooks.onMessage(worker, std::move(message), bytes);
      else if (!m_running)
        refuseMessage(worker, std::string(messageKindName(message.kind)) + " before the run started");
      break;
  }
  m_handling = -1;
}

void WorkerPool::countMalformed(const std::string& why) { refuseMessage(m_handling, why); }

void WorkerPool::refuseMessage(int worker, const std::string& why) {
  ++m_malformed;
  const bool known = worker >= 0 && worker < numWorkers();
  std::uint64_t count = 0;
  if (known) count = ++m_peers[static_cast<std::size_t>(worker)].malformed;
  // The first refusals are logged; a flood is counted, and the latest kept for the control status.
  if (m_malformed <= 20)
    std::fprintf(stderr, "distopt-run: refused a message from %s: %s%s\n",
                 known ? ("worker " + std::to_string(worker)).c_str() : "a peer that is no worker",
                 why.c_str(), m_malformed == 20 ? " (further refusals are counted, not logged)" : "");
  m_malformedRecent.push_back(
      {{"worker", known ? nlohmann::json(worker) : nlohmann::json()}, {"reason", why}});
  if (m_malformedRecent.size() > 20) m_malformedRecent.erase(m_malformedRecent.begin());
  if (!known || m_options.malformedLimit <= 0 ||
      count != static_cast<std::uint64_t>(m_options.malformedLimit))
    return;
  // A worker that keeps sending what the protocol refuses is broken or hostile: it leaves the run.
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  const std::string reason =
      "malformed: " + std::to_string(count) + " of its messages were refused (the last: " + why + ")";
  if (peer.state != Peer::State::Dead && !peer.identity.empty())
    send(worker, Message::withJson(MessageKind::Stop, {{"reason", reason}}));
  m_pendingDeaths.emplace_back(worker, reason);
}

void WorkerPool::drain(double waitMs) {
  m_socketDrained = false;
  const auto drainStart = Clock::now();
  std::vector<zmq::message_t> frames;
  bool first = true;
  while (true) {
    // Hand back to the run loop once a stopping rule holds, and at least every 50 ms: with many
    // workers or big models the socket is never empty, and draining on would apply updates past the
    // update limit and the horizon, ignore stop requests, and starve liveness checks and evaluation.
    if (m_running && (m_stopRequested.load() || (m_hooks.mustYield && m_hooks.mustYield()))) return;
    if (!first && Clock::now() - drainStart > std::chrono::milliseconds(50)) return;
    // The first receive is the turn's wait, inside the receive: one system call per wake, where
    // zmq_poll makes three (a zero-timeout pass, the wait, the events query). The rest take only what
    // is queued.
    const int timeoutMs = first ? static_cast<int>(std::ceil(std::max(0.0, waitMs))) : 0;
    first = false;
    if (timeoutMs != m_receiveTimeoutMs) {
      m_receiveTimeoutMs = timeoutMs;
      m_router.set(zmq::sockopt::rcvtimeo, timeoutMs);
    }
    frames.clear();
    frames.reserve(4);  // decode() took the last one's storage
    std::optional<std::size_t> received;
    try {
      received = zmq::recv_multipart(m_router, std::back_inserter(frames));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      return;  // a signal (a stop request): the run loop looks at it
    }
    if (!received) {
      m_socketDrained = true;
      return;
    }
    if (frames.size() < 2) {
      refuseMessage(-1, "a message without frames");
      continue;
    }
    std::size_t bytes = 0;
    for (const auto& frame : frames) bytes += frame.size();
    std::string identity(static_cast<const char*>(frames.front().data()), frames.front().size());
    if (peerOf(identity) < 0) identity = handedOverSession(identity, frames.back());
    if (m_zap) {
      const char* key = zmq_msg_gets(frames.back().handle(), "User-Id");  // set by our ZAP handler
      m_messageKey = key ? key : "";
    }
    frames.erase(frames.begin());
    DecodeError error = DecodeError::None;
    auto message = decode(std::move(frames), &error);
    if (!message) {
      refuseMessage(peerOf(identity), std::string("undecodable message: ") + decodeErrorName(error));
      continue;
    }
    handleMessage(identity, std::move(*message), bytes);
    processDeaths(/*reapProcesses=*/false);
  }
}

void WorkerPool::handleControl() {
  answerControlRequests(*m_control, [this](const std::string& command, const nlohmann::json& request) -> nlohmann::json {
    if (command == "status") return statusJson(false);
    if (command == "stop") {
      m_stopRequested.store(true);
      return {{"ok", true}};
    }
    if (command == "exclude") return excludeWorker(request);
    if (command == "allow_key" || command == "allow_dashboard_key") return allowKey(command, request);
    return nullptr;
  });
}

nlohmann::json WorkerPool::statusJson(bool forDashboards) const {
  int dead = 0;
  for (const auto& peer : m_peers) dead += peer.state == Peer::State::Dead ? 1 : 0;
  nlohmann::json status = {{"state", m_running ? "running" : (m_ended ? "finished" : "starting")},
                           {"experiment", m_experiment.name},
                           {"time", now()},
                           {"workers", m_peers.size()},
                           {"workers_alive", aliveCount()},
                           {"workers_dead", dead}};
  if (!forDashboards) status["telemetry"] = telemetryEndpoint();
  if (m_dashboard) status["dashboard"] = dashboardEndpoint();
  if (m_options.security.enabled) {
    status["secure"] = true;
    status["server_key"] = m_options.security.serverKeys.publicKey;
  }
  status["refused_total"] = refusedConnections();
  status["malformed_total"] = m_malformed;
  status["max_frame_bytes"] = m_maxFrameBytes;
  if (!forDashboards) {
    status["refused_connections"] = m_refusals;
    status["malformed_recent"] = m_malformedRecent;
  }
  if (!forDashboards) {
    // Both carry tokens: whoever reads them can join or attach.
    status["join_command"] = joinCommand();
    if (m_dashboard) status["attach_command"] = attachCommand();
  }
  status["worker_list"] = workerList();
  if (m_hooks.fillControlStatus) m_hooks.fillControlStatus(status);
  return status;
}

std::uint64_t WorkerPool::refusedConnections() const {
  return (m_zap ? m_zap->refusedCount() : 0) + (m_handshakes ? m_handshakes->refusedCount() : 0);
}

void WorkerPool::noteRefusals() {
  std::vector<RefusedAttempt> attempts;
  if (m_zap) attempts = m_zap->takeRefusals();
  if (m_handshakes)
    for (auto& attempt : m_handshakes->takeRefusals()) attempts.push_back(std::move(attempt));
  for (const auto& attempt : attempts) {
    const std::time_t when = std::chrono::system_clock::to_time_t(attempt.when);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&when));
    const char* role = attempt.domain == kDashboardZapDomain ? "dashboard" : "worker";
    // The first ones are logged; a flood is counted (refused_total) and the latest kept below.
    if (++m_refusalsSeen <= 20)
      std::fprintf(stderr, "distopt-run: refused a %s connection from %s (key %s): %s%s\n", role,
                   attempt.address.c_str(), attempt.publicKey.empty() ? "none" : attempt.publicKey.c_str(),
                   attempt.reason.c_str(),
                   m_refusalsSeen == 20 ? " (further refusals are counted, not logged)" : "");
    m_refusals.push_back({{"time", stamp},
                          {"address", attempt.address},
                          {"key", attempt.publicKey},
                          {"role", role},
                          {"reason", attempt.reason}});
    if (m_refusals.size() > 20) m_refusals.erase(m_refusals.begin());
  }
}

nlohmann::json WorkerPool::allowKey(const std::string& command, const nlohmann::json& request) {
  const bool dashboard = command == "allow_dashboard_key";
  std::string why;
  const auto key = parseKeyArgument(request, command, &why);
  if (!key) return {{"error", why}};
  if (dashboard && !m_dashboard)
    return {{"error", command + ": this run has no dashboard feed (start it with --dashboard)"}};
  if (!m_zap)
    return {{"error", command + (dashboard ? ": this run is not secured; any local dashboard may attach"
                                           : ": this run is not secured (start it with --secure)")}};
  m_zap->allow(*key, dashboard ? kDashboardZapDomain : kWorkerZapDomain);
  return {{"ok", true}};
}

nlohmann::json WorkerPool::excludeWorker(const nlohmann::json& request) {
  std::string why;
  const auto parsed = parseWorkerArgument(request, &why);
  if (!parsed) return {{"error", why}};
  const int worker = *parsed;
  if (worker >= numWorkers()) return {{"error", "exclude: no worker " + std::to_string(worker)}};
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (peer.state == Peer::State::Dead) return {{"error", "exclude: worker " + std::to_string(worker) + " is not in the run"}};
  if (!peer.identity.empty())
    send(static_cast<int>(worker),
         Message::withJson(MessageKind::Stop, {{"reason", "excluded by the user"}}));
  m_pendingDeaths.emplace_back(static_cast<int>(worker), "excluded by the user");
  processDeaths(false);
  return {{"ok", true}};
}

nlohmann::json WorkerPool::workerList() const {
  nlohmann::json list = nlohmann::json::array();
  for (int i = 0; i < numWorkers(); ++i) {
    const Peer& peer = m_peers[static_cast<std::size_t>(i)];
    const WorkerStatus status = statusOf(i);
    list.push_back({{"worker", i},
                    {"host", status.host},
                    {"cores", peer.cores},
                    {"version", peer.version},
                    {"state", status.state},
                    {"reason", peer.reason},
                    {"malformed", peer.malformed},
                    {"started_by", i < m_localSlots             ? "local"
                                   : i < m_remoteBegin          ? "remote"
                                   : m_experiment.hosts.empty() ? "slurm"
                                                                : "ssh"},
                    {"reconnections", peer.resumes}});
    if (status.clockOffset) {
      list.back()["clock_offset_ms"] = *status.clockOffset * 1000.0;
      list.back()["rtt_ms"] = *status.roundTrip * 1000.0;
    }
  }
  return list;
}

namespace {

/// The captured stderr lines of workers started through ssh, into the run's log.
void logLauncherOutput(LocalLauncher& launcher) {
  for (const auto& line : launcher.takeOutput()) std::fprintf(stderr, "distopt-run: %s\n", line.c_str());
}

}  // namespace

void WorkerPool::turn(double timeoutMs) {
  drain(timeoutMs);
  noteRefusals();
  // Local processes cost two system calls each per look (stderr pipe, waitpid), and a busy run turns
  // once per message or so: look every 10 ms, not on every turn (a dead worker's socket or heartbeat
  // tells sooner anyway).
  const auto current = Clock::now();
  const bool lookAtProcesses = m_launcher && current - m_lastProcessLook >= std::chrono::milliseconds(10);
  if (lookAtProcesses) {
    m_lastProcessLook = current;
    logLauncherOutput(*m_launcher);
  }
  // The wait above is on the worker socket only: the control socket is answered here, once a turn, so
  // within about 100 ms (a turn waits at most 50 ms and drains for at most 50 ms more), which a person
  // clicking Stop or a once-a-second status poll does not notice.
  if (m_control) handleControl();
  processDeaths(lookAtProcesses);
  // Silence is judged on an empty socket: a heartbeat still queued behind a backlog (a coordinator that
  // did not get the CPU for a while, a thousand workers) is not silence. A socket that is never empty (a
  // busy run) is judged anyway once it has not been empty for a liveness window.
  if (m_socketDrained) m_lastDrained = current;
  if (m_socketDrained ||
      current - m_lastDrained >= std::chrono::milliseconds(m_options.heartbeatMs) * m_options.liveness)
    checkLiveness();
  processDeaths(false);
  sendHeartbeats();
  if (m_running) publishStatus(false);
  publishStatusTopic();
  if (m_running || m_dashboard) flushTelemetry(false);
}

void WorkerPool::publishStatusTopic() {
  if (!m_publisher && !m_dashboard) return;
  const auto current = Clock::now();
  if (current - m_lastStatusTopic < std::chrono::seconds(1)) return;
  m_lastStatusTopic = current;
  const nlohmann::json status = statusJson(true);
  if (m_publisher) m_publisher->publishStatus(status);
  if (m_dashboard) m_dashboard->publishStatus(status);
}

SrunStep WorkerPool::slurmStep() const {
  return SrunStep{.launch = m_experiment.slurm,
                  .workers = numWorkers(),
                  .firstId = 0,
                  .workerProgram = m_experiment.slurm.program.empty() ? m_launcher->workerBinary()
                                                                      : m_experiment.slurm.program,
                  .endpoint = publicEndpoint(),
                  .waitSeconds = m_options.setupTimeoutSeconds,
                  .serverKey = m_options.security.enabled ? serverPublicKey() : "",
                  .insideAllocation = insideSlurmAllocation()};
}

bool WorkerPool::setup(std::string* failure) {
  const int total = numWorkers();
  const bool slurm = m_experiment.launcher == kSlurmLauncher;
  int remote = slurm ? total : 0;  // srun starts every worker
  for (const auto& host : m_experiment.hosts) remote += host.count;
  m_remoteBegin = total - remote;
  const int local =
      m_options.localWorkers < 0 ? m_remoteBegin : std::min(m_options.localWorkers, m_remoteBegin);
  m_localSlots = local;
  const std::string serverKey = m_options.security.enabled ? serverPublicKey() : "";
  const auto setupStart = Clock::now();
  std::optional<SpawnQueue> spawner;
  if (local > 0 || remote > 0) {
    m_launcher = std::make_unique<LocalLauncher>(m_options.workerBinary);
    if ((local > 0 || (slurm && m_experiment.slurm.program.empty())) &&
        !m_launcher->checkWorkerBinary(failure))
      return false;
    // A connection per worker and the monitor's duplicate of it (peer_sockets.hpp), a pipe per ssh worker.
    raiseOpenFileLimit(256 + 3L * total);
    std::vector<ProcessSpec> specs;
    for (int id = 0; id < local; ++id)
      specs.push_back(m_launcher->workerSpec(id, m_workerEndpoint, m_options.setupTimeoutSeconds, serverKey,
                                             m_joinKeys.secretKey));
    int id = m_remoteBegin;
    for (const auto& host : m_experiment.hosts) {
      specs.push_back(sshHostSpec(host, publicEndpoint(), id, m_options.setupTimeoutSeconds, serverKey,
                                  m_joinKeys.secretKey));
      id += host.count;
    }
    if (slurm) specs.push_back(srunStepSpec(slurmStep(), m_joinKeys.secretKey));
    spawner.emplace(*m_launcher, std::move(specs), defaultMaxStarting());
  }
  const auto deadline = setupStart + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(m_options.setupTimeoutSeconds));
  // A worker counts as started once it is ready (or gone): the next ones are spawned between turns of the
  // socket, so the coordinator answers the first while the last are being started.
  const auto started = [this](int worker) {
    const Peer::State state = m_peers[static_cast<std::size_t>(worker)].state;
    return state == Peer::State::Ready || state == Peer::State::Dead;
  };
  while (true) {
    int ready = 0;
    for (std::size_t i = 0; i < m_peers.size(); ++i) {
      if (m_peers[i].state == Peer::State::Dead) {
        *failure = "worker " + std::to_string(i) + " failed during set-up: " + m_peers[i].reason;
        return false;
      }
      ready += m_peers[i].state == Peer::State::Ready ? 1 : 0;
    }
    if (spawner && !spawner->spawnMore(started, failure)) return false;
    if (ready == total) {
      std::fprintf(stderr, "distopt-run: %d workers ready after %.2f s of set-up\n", total,
                   secondsBetween(setupStart, Clock::now()));
      return true;
    }
    if (m_stopRequested.load()) {
      *failure = "stopped during set-up";
      return false;
    }
    if (Clock::now() > deadline) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%g", m_options.setupTimeoutSeconds);
      *failure = std::to_string(ready) + " of " + std::to_string(total) + " workers ready after the set-up " +
                 "timeout of " + seconds + " s (distopt-run --setup-timeout SECONDS)";
      return false;
    }
    turn(20.0);
  }
}

void WorkerPool::startRun() {
  m_start = Clock::now();
  m_running = true;
  publishStatus(true);
}

void WorkerPool::endRun() {
  m_endTime = now();
  m_running = false;
  m_ended = true;
  m_lastStatusTopic = {};
  publishStatusTopic();  // the final state, ahead of the summary
}

double loopTimeoutMs(double untilDueUnits, const WorkerPool& pool) {
  const double timeoutMs = std::min(untilDueUnits * pool.unitSeconds() * 1000.0, pool.heartbeatMs() / 4.0);
  return std::clamp(timeoutMs, 0.0, 50.0);
}

void WorkerPool::stopWorkers(const std::string& reason) {
  for (std::size_t i = 0; i < m_peers.size(); ++i)
    if (m_peers[i].state != Peer::State::Dead && !m_peers[i].identity.empty())
      send(static_cast<int>(i), Message::withJson(MessageKind::Stop, {{"reason", reason}}));
  // ssh and srun end when their workers have: killed before, they leave those workers to find out from
  // the heartbeat, so they get longer than a local worker.
  const bool remote = m_launcher && m_launcher->hasSupervisors();
  if (m_launcher && !m_launcher->waitAll(std::chrono::milliseconds(remote ? 10'000 : 2000)))
    m_launcher->stopAll(std::chrono::milliseconds(remote ? 5000 : 1000));
  // What the workers (and the hosts' supervisors: each worker's exit) wrote on their way out.
  if (m_launcher) logLauncherOutput(*m_launcher);
}

void WorkerPool::flushTelemetry(bool last) {
  if (m_publisher) m_publisher->flush(last);
  if (m_dashboard) m_dashboard->flush(last);
}

}  // namespace distopt::net
