#pragma once
// The decentralized family's coordinator role (core/transport/role_links.hpp): it starts the nodes and
// watches them; the method itself has no coordinator (the nodes gossip with each other). The run's model
// is x̄ of the last iteration every node has reported its state for, and its metrics are
// DecentralizedMetrics of those n states (decentralized_setup.hpp). One update event per node and
// iteration, at the node's report, carrying the bytes it sent in that iteration. A lost node fails the
// run: its neighbours cannot complete a round without it.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/decentralized/decentralized_family_messages.hpp"
#include "core/decentralized/decentralized_setup.hpp"
#include "core/sim/sim_run.hpp"
#include "core/transport/role_links.hpp"

namespace distopt {

class DecentralizedFamilyCoordinator final : public FamilyCoordinator<DecDown, DecUp> {
 public:
  /// `context` gives the problem, shards and x0 (they must outlive the role); the nodes run
  /// `iterations` (0: until the run ends) and send their vectors every `reportEvery` iterations.
  DecentralizedFamilyCoordinator(std::string name, std::shared_ptr<const DecentralizedSetup> setup,
                                 const SimRunContext& context, std::uint64_t iterations,
                                 std::uint64_t reportEvery);

  std::string name() const override { return m_name; }
  void start(CoordinatorLink<DecDown>& link) override;
  void onMessage(int worker, DecUp&& message, CoordinatorLink<DecDown>& link) override;
  void onWorkerLost(int worker, const std::string& reason, CoordinatorLink<DecDown>& link) override;

  std::uint64_t iterations() const override { return m_iterations; }
  /// IFO calls at the last complete iteration (spentBy).
  std::uint64_t gradientEvaluations() const override;
  const Vector* model() const override { return m_complete ? &m_mean : &m_x0; }
  double lossOffset() const override;
  /// ‖G_β(x̄)‖² (prox_grad_mapping_norm_sq): a composite objective's stationarity.
  std::optional<double> stationarity(const EvaluationPoint& point) const override;
  void takeMetrics(std::map<std::string, double>& metrics) override;
  std::string failure() const override { return m_failure; }
  bool diverged() const override { return m_diverged; }
  WorkCounters counters(int worker) const override;
  /// The gossip as of each node's last report.
  PeerBytes peerBytes() const override;

  /// Bytes node i sent to neighbour j by its last report.
  std::map<std::pair<int, int>, std::uint64_t> edgeBytes() const;
  const DecentralizedSetup& setup() const { return *m_setup; }

 private:
  struct NodeSlot {
    bool reported = false;
    NodeReport last;
  };
  struct Pending {
    std::vector<std::optional<std::pair<NodeReport, NodeStateVectors>>> states;
    int count = 0;
  };

  void assemble(std::uint64_t t);

  std::string m_name;
  std::shared_ptr<const DecentralizedSetup> m_setup;
  DecentralizedMetrics m_metrics;
  int m_n;
  bool m_tracking;
  std::uint64_t m_limit;
  std::uint64_t m_reportEvery;
  Vector m_x0;
  std::vector<std::vector<int>> m_neighbours;

  std::vector<NodeSlot> m_nodes;
  std::map<std::uint64_t, Pending> m_pending;
  DecentralizedSnapshot m_snapshot;
  Vector m_mean;
  std::uint64_t m_iterations = 0;
  bool m_complete = false;
  bool m_diverged = false;  ///< x̄ has a non-finite coordinate (asked after every event: kept, not scanned)
  bool m_metricsFresh = false;
  std::map<std::string, double> m_cachedMetrics;
  std::string m_failure;
};

}  // namespace distopt
