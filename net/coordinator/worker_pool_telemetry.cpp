// WorkerPool's telemetry: each worker's status row (state, clock, transit, bytes), the per-kind bandwidth
// samples, the status topic once a second, and the telemetry and dashboard feeds' flushes.
#include "net/coordinator/worker_pool_peer.hpp"
#include "net/telemetry/telemetry_publisher.hpp"

namespace distopt::net {

using pool_detail::Clock;
using pool_detail::secondsBetween;

std::string WorkerPool::telemetryEndpoint() const {
  return m_publisher ? m_publisher->endpoint() : std::string();
}

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

void WorkerPool::publishStatusTopic() {
  if (!m_publisher && !m_dashboard) return;
  const auto current = Clock::now();
  if (current - m_lastStatusTopic < std::chrono::seconds(1)) return;
  m_lastStatusTopic = current;
  const nlohmann::json status = statusJson(true);
  if (m_publisher) m_publisher->publishStatus(status);
  if (m_dashboard) m_dashboard->publishStatus(status);
}

void WorkerPool::flushTelemetry(bool last) {
  if (m_publisher) m_publisher->flush(last);
  if (m_dashboard) m_dashboard->flush(last);
}

}  // namespace distopt::net
