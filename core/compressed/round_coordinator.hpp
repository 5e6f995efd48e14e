#pragma once
// The compressed-SGD family's coordinator role (docs/papers.md, compressed-sgd §2.1): orders a round from
// every worker, keeps the round's uplinks until all M are in, hands them to the server role in worker
// order 0..M−1 whatever order they arrived in (so every transport performs the same floating-point
// operations), and sends the downlink with the next round's order. Every r_sync rounds the workers'
// replica hashes are checked against the model. Synchronous: a lost worker fails the run.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/compressed/compressed_roles.hpp"
#include "core/compressed/round_messages.hpp"
#include "core/compressed/round_stats.hpp"
#include "core/transport/role_links.hpp"

namespace distopt {

class CompressedRoundCoordinator final : public FamilyCoordinator<RoundOrder, CompressedUp> {
 public:
  /// `maxRounds` T > 0: after round T − 1 one more order carries the last downlink, so every replica
  /// ends equal to the model. `replicaCheckEvery` 0: never.
  CompressedRoundCoordinator(const CompressedMethod& method, int workers, std::uint64_t dimension,
                             std::uint64_t maxRounds, std::uint64_t replicaCheckEvery);

  void start(CoordinatorLink<RoundOrder>& link) override;
  void onMessage(int worker, CompressedUp&& message, CoordinatorLink<RoundOrder>& link) override;
  void onWorkerLost(int worker, const std::string& reason, CoordinatorLink<RoundOrder>& link) override;

  std::string name() const override { return m_name; }
  std::uint64_t iterations() const override { return m_round; }
  std::uint64_t gradientEvaluations() const override;
  const Vector* model() const override { return &m_server->model(); }
  void takeMetrics(std::map<std::string, double>& metrics) override { m_stats.takeMetrics(metrics); }
  bool metricsPending() const override { return m_stats.windowRounds() > 0; }
  std::string failure() const override { return m_failure; }
  bool diverged() const override { return !m_divergence.empty(); }
  std::string divergence() const override { return m_divergence; }
  WorkCounters counters(int worker) const override { return m_counters[static_cast<std::size_t>(worker)]; }

  const CompressedServer& server() const { return *m_server; }

 private:
  void onUplink(int worker, UplinkReport&& report, CoordinatorLink<RoundOrder>& link);
  void onHash(int worker, const ReplicaHash& hash, CoordinatorLink<RoundOrder>& link);
  void sendRound(CoordinatorLink<RoundOrder>& link, const std::optional<EncodedMessage>& downlink);
  void finishRound(CoordinatorLink<RoundOrder>& link);

  std::string m_name;
  std::unique_ptr<CompressedServer> m_server;
  int m_workers;
  std::uint64_t m_maxRounds;
  std::uint64_t m_replicaCheckEvery;
  CompressedRoundStats m_stats;
  std::vector<std::optional<UplinkReport>> m_uplinks;
  std::vector<WorkCounters> m_counters;
  int m_received = 0;
  std::uint64_t m_round = 0;
  double m_roundStart = 0.0;
  std::uint64_t m_hashRound = ~std::uint64_t{0};
  std::uint64_t m_serverHash = 0;
  std::string m_failure;
  std::string m_divergence;
};

}  // namespace distopt
