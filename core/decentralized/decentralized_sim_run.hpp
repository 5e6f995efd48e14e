#pragma once
// DecentralizedSimRun: the decentralized methods (DSGD, GT-DSGD, ProxGT-SA/SR-O/SR-E) simulated — their
// roles (decentralized_family_coordinator, decentralized_family_worker) on the virtual network
// (core/transport/virtual_network.hpp); live, the same roles run on a peer mesh over ZeroMQ.
//
// Time (decentralized_family_worker.hpp): node i's local step with c IFO calls lasts
// TimeModel::duration(i, s, start) · c / compute_unit; a round's message reaches each neighbour over its
// own directed link (link_latency, link_bandwidth: a link carries one message after the other); a node
// completes a round when it holds every neighbour's message, so nodes wait only for neighbours.
// Messages are the nodes' own encoded buffers; the summary's bytes are theirs (sent, and received).
//
// Iterations are "updates": stop.updates counts iterations, eval.every_updates evaluates every k, and
// iteration t is complete when every node has reported it. Evaluation (not charged to any counter):
// loss Ψ(x̄) at the node average, ‖∇f(x̄)‖², and the family metrics of DecentralizedMetrics
// (decentralized_setup.hpp). stop.target_grad_norm_sq applies to ‖G_β(x̄)‖² here (the smooth gradient of
// a composite problem does not vanish at a solution).

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "core/decentralized/decentralized_family_messages.hpp"
#include "core/decentralized/dsgd_node.hpp"
#include "core/decentralized/gt_dsgd_node.hpp"
#include "core/decentralized/network.hpp"
#include "core/decentralized/proxgt_node.hpp"
#include "core/sim/sim_run.hpp"
#include "core/transport/virtual_network.hpp"

namespace distopt {

struct DecentralizedSetup;

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
  void setAlpha(double alpha);
};

class DecentralizedSimRun final : public RolesOnVirtualNetwork<DecDown, DecUp> {
 public:
  /// Builds the network and the roles; throws InputError naming context.path fields.
  DecentralizedSimRun(const SimRunContext& context, DecentralizedRunOptions options);

  const Network& network() const;
  const DecentralizedRunOptions& options() const;
  /// The nodes as they stand (after run(): at the end).
  std::vector<const GossipNode*> nodes() const;
  /// Bytes sent over each directed edge (sender, receiver), exact encoded sizes.
  std::map<std::pair<int, int>, std::uint64_t> edgeBytes() const;
  /// x̄ = mean_i x_i.
  Vector averageIterate() const;

 private:
  DecentralizedSimRun(const SimRunContext& context, std::shared_ptr<const DecentralizedSetup> setup);

  std::shared_ptr<const DecentralizedSetup> m_setup;
};

}  // namespace distopt
