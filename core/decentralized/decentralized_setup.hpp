#pragma once
// What every driver of the decentralized node roles builds identically — the simulator
// (DecentralizedSimRun) and the live peer mesh (net/families/decentralized, in the coordinator and in
// every node process): the normalised options, the network with its gossip plan, the prox of h, a
// node's role, and the family metrics of decentralized-proxgt §4 computed from the n node states.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/decentralized/decentralized_sim_run.hpp"

namespace distopt {

struct DecentralizedSetup {
  DecentralizedRunOptions options;  ///< normalised: graph.nodes = n, ProxGT variant from the method
  Network network;
  std::unique_ptr<ProxOperator> prox;
};

/// Checks the options against the context and builds the network and the prox; throws InputError
/// naming context.path fields.
DecentralizedSetup makeDecentralizedSetup(const SimRunContext& context, DecentralizedRunOptions options);

/// Node `node`'s role; `oracle` must outlive it (and `setup`, whose prox it uses).
std::unique_ptr<GossipNode> makeGossipNode(const DecentralizedSetup& setup, int node, SampleOracle& oracle,
                                           const Vector& x0, std::uint64_t seed);
/// The same with `options` (the setup's, with another step) in place of the setup's.
std::unique_ptr<GossipNode> makeGossipNode(const DecentralizedSetup& setup, const DecentralizedRunOptions& options,
                                           int node, SampleOracle& oracle, const Vector& x0, std::uint64_t seed);

/// True for the methods whose nodes carry a gradient tracker y and an estimator v.
bool tracksGradient(DecentralizedMethod method);

/// The n node states of one iteration, as an evaluator sees them.
struct DecentralizedSnapshot {
  std::uint64_t iterations = 0;
  std::vector<Vector> x, y, v;  ///< y, v empty for methods without tracking
  std::vector<NodeCounters> counters;
  std::vector<double> computeTime, waitTime;  ///< per node, time units
  /// [i][k]: bytes node i sent to its k-th neighbour (simulated runs; a live run counts at its sockets).
  std::vector<std::vector<std::uint64_t>> bytesToNeighbour;
};

/// The counted budgets at a snapshot (RunRules' update, byte and gradient limits): gradients are IFO
/// calls (per-sample gradients, as ProxGT's paper counts them, the start's included); bytes are sent
/// plus received, the summary's two totals.
BudgetFacts spentBy(const DecentralizedSnapshot& state);

/// decentralized-proxgt §4 metrics of a snapshot, not charged to any counter: prox_grad_mapping_norm_sq
/// ‖G_β(x̄)‖² with ∇F = mean_i ∇f_i, consensus_error C_x, node_consensus_error.<i> ‖x_i − x̄‖²,
/// combined_optimality, the tracker metrics, ifo_calls(_max), epochs, communication_rounds, messages,
/// payload_bytes, wire_bytes, sparsity, compute_time, wait_time and the configuration echo.
class DecentralizedMetrics {
 public:
  /// All references must outlive the object.
  DecentralizedMetrics(const Problem& problem, std::shared_ptr<const std::vector<Shard>> shards,
                       const DecentralizedSetup& setup);
  /// x̄ of `state`.
  static Vector mean(const DecentralizedSnapshot& state);
  /// Adds the metrics of `state` (whose node average is `mean`) to `metrics`.
  void compute(const DecentralizedSnapshot& state, const Vector& mean,
               std::map<std::string, double>& metrics);
  /// What is known before any node state: x̄⁰ = x0 on every node (the stationarity measures and the
  /// configuration echo).
  void computeAtStart(const Vector& x0, std::map<std::string, double>& metrics);

 private:
  double stationarity(const Vector& mean, std::map<std::string, double>& metrics);

  const Problem& m_problem;
  std::shared_ptr<const std::vector<Shard>> m_shards;
  const DecentralizedSetup& m_setup;
  std::vector<std::unique_ptr<ProblemOracle>> m_oracles;
  bool m_sharded = false;
  Vector m_gradient, m_scratch, m_mapping;
};

}  // namespace distopt
