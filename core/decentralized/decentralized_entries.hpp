#pragma once
// Registry entries of the decentralized family (spec decentralized-proxgt): the algorithms dsgd,
// gt-dsgd, proxgt-sa, proxgt-sr-o, proxgt-sr-e (family "decentralized", simulator only until the peer
// mesh drives the same node roles), and the synthetic problem P0 "logistic-p0".
//
// Shared algorithm params: the network (graph, graph_rows, edge_probability, graph_seed, mixing,
// mixer, gossip_rounds, rho_target, max_rounds, wire), the regularizer h (regularizer, l1, box_lower,
// box_upper), the step (alpha, or step_scale / L̂ with L̂ from `smoothness`), the stationarity step beta,
// and the simulator's cost model (compute_unit, link_latency, link_bandwidth).

#include <vector>

#include "core/algorithms/algorithm_entry.hpp"
#include "core/problems/problem.hpp"
#include "core/registry/component.hpp"

namespace distopt {

std::vector<AlgorithmEntry> decentralizedAlgorithmEntries();
std::vector<ProblemEntry> decentralizedProblemEntries();

/// L̂ = max_i λ_max(∇²f_i(x)) by power iteration on central differences of each node's full local
/// gradient (spec §2.9: for the logistic loss plus Σ λ₂x²/(1+x²) at x = 0 this is
/// max_i λ_max(A_iᵀA_i)/(4m) + 2λ₂). Needs a data problem (numSamples() > 0).
double estimateLocalSmoothness(const Problem& problem, const std::vector<Shard>& shards, const Vector& x,
                               int iterations = 30);

}  // namespace distopt
