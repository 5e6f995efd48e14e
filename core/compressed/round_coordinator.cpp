#include "core/compressed/round_coordinator.hpp"

namespace distopt {

CompressedRoundCoordinator::CompressedRoundCoordinator(const CompressedMethod& method, int workers,
                                                       std::uint64_t dimension, std::uint64_t maxRounds,
                                                       std::uint64_t replicaCheckEvery)
    : m_name(method.name),
      m_server(method.makeServer()),
      m_workers(workers),
      m_maxRounds(maxRounds),
      m_replicaCheckEvery(replicaCheckEvery),
      m_stats(dimension, workers),
      m_uplinks(static_cast<std::size_t>(workers)),
      m_counters(static_cast<std::size_t>(workers)) {}

void CompressedRoundCoordinator::start(CoordinatorLink<RoundOrder>& link) { sendRound(link, std::nullopt); }

std::uint64_t CompressedRoundCoordinator::gradientEvaluations() const {
  std::uint64_t total = 0;  // one stochastic gradient per uplink received
  for (const auto& counters : m_counters) total += counters.arrivals;
  return total;
}

void CompressedRoundCoordinator::onMessage(int worker, CompressedUp&& message,
                                           CoordinatorLink<RoundOrder>& link) {
  if (auto* report = std::get_if<UplinkReport>(&message))
    onUplink(worker, std::move(*report), link);
  else
    onHash(worker, std::get<ReplicaHash>(message), link);
}

void CompressedRoundCoordinator::onHash(int worker, const ReplicaHash& hash, CoordinatorLink<RoundOrder>& link) {
  if (hash.round != m_hashRound) {
    link.countMalformed();
    return;
  }
  if (hash.hash != m_serverHash && m_failure.empty())
    m_failure = "replica of worker " + std::to_string(worker) + " differs from the server's model at round " +
                std::to_string(hash.round);
}

void CompressedRoundCoordinator::onUplink(int worker, UplinkReport&& report, CoordinatorLink<RoundOrder>& link) {
  auto& slot = m_uplinks[static_cast<std::size_t>(worker)];
  // An uplink of another round, or a second one from the same worker, breaks the round's invariant.
  if (report.round != m_round || slot) {
    link.countMalformed();
    return;
  }
  reportAccepted(link, m_counters[static_cast<std::size_t>(worker)], worker, m_round, m_round, m_round + 1,
                 link.now() - m_roundStart);
  slot = std::move(report);
  if (++m_received == m_workers) finishRound(link);
}

void CompressedRoundCoordinator::onWorkerLost(int worker, const std::string& reason,
                                              CoordinatorLink<RoundOrder>&) {
  if (!m_failure.empty() || !m_divergence.empty()) return;
  if (const std::string prefix = "diverged: "; reason.rfind(prefix, 0) == 0) {
    m_divergence = reason.substr(prefix.size());
    return;
  }
  m_failure =
      "worker " + std::to_string(worker) + " lost (" + reason + "); a synchronous round needs every worker";
}

void CompressedRoundCoordinator::sendRound(CoordinatorLink<RoundOrder>& link,
                                           const std::optional<EncodedMessage>& downlink) {
  m_roundStart = link.now();
  const bool computes = m_maxRounds == 0 || m_round < m_maxRounds;
  for (int m = 0; m < m_workers; ++m) {
    link.send(m, RoundOrder{.round = m_round, .startTime = m_roundStart, .downlink = downlink});
    if (computes) ++m_counters[static_cast<std::size_t>(m)].jobsSent;
  }
}

void CompressedRoundCoordinator::finishRound(CoordinatorLink<RoundOrder>& link) {
  std::string why;
  for (int m = 0; m < m_workers; ++m) {
    auto& slot = m_uplinks[static_cast<std::size_t>(m)];
    if (!m_server->receive(m, slot->message, &why)) {
      // The message was well formed but its payload does not decode: the round cannot be completed.
      m_failure = "uplink of worker " + std::to_string(m) + " at round " + std::to_string(m_round) +
                  " does not decode: " + why;
      return;
    }
    m_stats.addUplink(slot->message);
    slot.reset();
  }
  m_received = 0;
  RoundReport report;
  EncodedMessage down = m_server->finishRound(m_round, report);
  m_stats.addRound(down, report);
  ++m_round;
  if (!m_server->model().allFinite()) {
    m_divergence = "non-finite model";
    return;
  }
  if (m_replicaCheckEvery > 0 && m_round % m_replicaCheckEvery == 0) {
    m_hashRound = m_round;
    m_serverHash = modelHash(m_server->model());
  }
  sendRound(link, std::move(down));  // with an update limit T, round T's order only carries the downlink
}

}  // namespace distopt
