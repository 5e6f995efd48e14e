// WorkerPool's control socket and what it tells (control_requests.hpp): status, stop, exclude,
// allow_key; the worker list; refused connections; the join and attach command lines.
#include <chrono>
#include <cstdio>
#include <ctime>

#include <unistd.h>

#include "net/coordinator/control_requests.hpp"
#include "net/coordinator/control_socket.hpp"
#include "net/coordinator/worker_pool_peer.hpp"
#include "net/security/handshake_monitor.hpp"
#include "net/security/zap_authenticator.hpp"
#include "net/telemetry/telemetry_publisher.hpp"

namespace distopt::net {

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

void WorkerPool::handleControl() {
  answerControlRequests(*m_control,
                        [this](const std::string& command, const nlohmann::json& request) -> nlohmann::json {
                          if (command == "status") return statusJson(false);
                          if (command == "stop") {
                            m_stopRequested.store(true);
                            return {{"ok", true}};
                          }
                          if (command == "exclude") return excludeWorker(request);
                          if (command == "allow_key" || command == "allow_dashboard_key")
                            return allowKey(command, request);
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
  status["refused_by_kind"] = refusedByKind();
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

std::uint64_t WorkerPool::refusedConnections() const {
  return (m_zap ? m_zap->refusedCount() : 0) + (m_handshakes ? m_handshakes->refusedCount() : 0);
}

nlohmann::json WorkerPool::refusedByKind() const {
  nlohmann::json kinds = nlohmann::json::object();
  kinds["key_not_allowed"] = m_zap ? m_zap->refusedCount() : 0;
  for (std::size_t k = 0; k < kRefusalKinds; ++k) {
    const auto kind = static_cast<RefusalKind>(k);
    kinds[refusalKindName(kind)] = m_handshakes ? m_handshakes->refusedCount(kind) : 0;
  }
  return kinds;
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
  if (peer.state == Peer::State::Dead)
    return {{"error", "exclude: worker " + std::to_string(worker) + " is not in the run"}};
  if (!peer.identity.empty())
    send(static_cast<int>(worker),
         Message::withJson(MessageKind::Stop, {{"reason", "excluded by the user"}}));
  m_pendingDeaths.emplace_back(static_cast<int>(worker), "excluded by the user");
  processDeaths(false);
  return {{"ok", true}};
}

}  // namespace distopt::net
