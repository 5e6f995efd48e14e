// WorkerPool's frame: its sockets (bind), set-up of the workers and the run clock, the run loop's turn,
// deaths and their causes, and the end of the workers. The sessions with the workers are in
// worker_pool_sessions.cpp, the control socket in worker_pool_control.cpp, the telemetry feeds in
// worker_pool_telemetry.cpp.
#include "net/coordinator/worker_pool.hpp"

#include <algorithm>

#include "net/coordinator/control_socket.hpp"
#include "net/coordinator/run_directory.hpp"
#include "net/coordinator/worker_pool_peer.hpp"
#include "net/launcher/local_launcher.hpp"
#include "net/launcher/spawn_queue.hpp"
#include "net/launcher/srun_command.hpp"
#include "net/launcher/ssh_command.hpp"
#include "net/protocol/frame_limits.hpp"
#include "net/security/handshake_monitor.hpp"
#include "net/security/zap_authenticator.hpp"
#include "net/telemetry/telemetry_publisher.hpp"

namespace distopt::net {

using pool_detail::Clock;
using pool_detail::secondsBetween;

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

}  // namespace distopt::net
