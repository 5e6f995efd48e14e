#pragma once
// DecentralizedSimRun: drives the decentralized node roles (DSGD, GT-DSGD, ProxGT-SA/SR-O/SR-E) in
// virtual time (core/sim/sim_run.hpp contract).
//
// Time. Node i keeps its own clock. A local step with c IFO calls lasts TimeModel::duration(i, s, now)
// · c / computeUnit (s counts the node's local steps; one draw is the time of one minibatch of
// computeUnit samples). A round follows decentralized-proxgt §3.6: node i sends when its previous round (or local step)
// is done; j's message reaches i after linkLatency + bytes/linkBandwidth; i completes the round when
// it holds every neighbour's message. So nodes wait only for neighbours, never for a global barrier,
// and slow nodes delay the network exactly through the graph. The messages are the nodes' own encoded
// buffers, delivered to each neighbour; per-edge bytes are their exact sizes.
//
// Iterations are "updates": stop.updates counts iterations, eval.every_updates evaluates every k
// iterations, and iteration t ends at the latest node clock. Evaluation (not charged to any counter):
// loss Ψ(x̄) at the node average, ‖∇f(x̄)‖² (evaluateModel), and the family metrics of
// DecentralizedMetrics (decentralized_setup.hpp, shared with the live driver): prox_grad_mapping_norm_sq
// ‖G_β(x̄)‖² with ∇F = mean_i ∇f_i, consensus_error C_x, node_consensus_error.<i> ‖x_i − x̄‖²,
// combined_optimality ‖G‖² + C_x/β², for tracking methods tracker_consensus_error C_y, tracking_error
// ‖ȳ − ∇F(x̄)‖² and tracker_invariant |ȳ − v̄|∞/(1 + |v̄|∞); ifo_calls (mean per node), ifo_calls_max,
// epochs, communication_rounds (per node), messages, payload_bytes, wire_bytes, sparsity, compute_time
// and wait_time (node means), and the configuration echo lambda, spectral_gap, gossip_rounds.
// stop.target_grad_norm_sq applies to ‖G_β(x̄)‖² here (the smooth gradient of a composite problem
// does not vanish at a solution).

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "core/decentralized/dsgd_node.hpp"
#include "core/decentralized/gt_dsgd_node.hpp"
#include "core/decentralized/network.hpp"
#include "core/decentralized/proxgt_node.hpp"
#include "core/sim/sim_run.hpp"

namespace distopt {

struct DecentralizedSetup;
struct DecentralizedSnapshot;
class DecentralizedMetrics;

enum class DecentralizedMethod { Dsgd, GtDsgd, ProxGtSa, ProxGtSrO, ProxGtSrE };

/// "dsgd", "gt-dsgd", "proxgt-sa", "proxgt-sr-o", "proxgt-sr-e".
const char* decentralizedMethodName(DecentralizedMethod method);

struct DecentralizedRunOptions {
  DecentralizedMethod method = DecentralizedMethod::ProxGtSrE;
  ProxGtNode::Options proxgt;  ///< for the ProxGT methods (variant set from `method`)
  DsgdNode::Options dsgd;
  GtDsgdNode::Options gtDsgd;
  NetworkOptions network;  ///< graph.nodes is the number of workers
  ProxOperator::Options regularizer;
  double beta = 0.0;           ///< step of the stationarity measure G_β; 0 = the method's α
  double computeUnit = 1.0;    ///< IFO calls per time-model draw (> 0)
  double linkLatency = 0.0;    ///< time units per message (>= 0)
  double linkBandwidth = 0.0;  ///< bytes per time unit; 0 = unlimited

  /// Field names as in the algorithm params.
  bool isValid(std::string* why) const;
  /// The step α of the chosen method.
  double alpha() const;
};

class DecentralizedSimRun final : public SimRun {
 public:
  /// Builds the network and the nodes; throws InputError naming context.path fields.
  DecentralizedSimRun(const SimRunContext& context, DecentralizedRunOptions options);
  ~DecentralizedSimRun() override;

  RunSummary run(TelemetrySink& sink) override;

  const Network& network() const;
  const DecentralizedRunOptions& options() const;
  const std::vector<std::unique_ptr<GossipNode>>& nodes() const { return m_nodes; }
  /// Bytes sent over each directed edge (sender, receiver), exact encoded sizes.
  std::map<std::pair<int, int>, std::uint64_t> edgeBytes() const;
  /// x̄ = mean_i x_i.
  Vector averageIterate() const;

 private:
  using Snapshot = DecentralizedSnapshot;
  Snapshot snapshot() const;
  EvaluationPoint evaluate(const Snapshot& state, double time);
  double computeTime(int node, const LocalWork& work);
  void exchangeRounds();
  void runIteration();

  SimRunContext m_context;
  std::vector<Shard> m_shards;
  std::unique_ptr<DecentralizedSetup> m_setup;
  std::unique_ptr<DecentralizedMetrics> m_metrics;
  std::vector<std::unique_ptr<ProblemOracle>> m_oracles;
  std::vector<std::unique_ptr<GossipNode>> m_nodes;
  std::vector<double> m_clock;
  std::vector<double> m_computeTime;
  std::vector<double> m_waitTime;
  std::vector<std::uint64_t> m_localSteps;
  std::vector<std::uint64_t> m_bytesAtIterationStart;
  double m_iterationStart = 0.0;
  Vector m_scratch;
};

}  // namespace distopt
