#pragma once
// Registry entries of the decentralized family (docs/papers.md, decentralized-proxgt): the algorithms dsgd,
// gt-dsgd, proxgt-sa, proxgt-sr-o, proxgt-sr-e (family "decentralized"; the simulator and the live peer
// mesh of net/families/decentralized drive the same node roles), and the synthetic problem P0
// "logistic-p0".
//
// Shared algorithm params: the network (graph, graph_rows, edge_probability, graph_seed, mixing,
// mixer, gossip_rounds, rho_target, max_rounds, wire), the regularizer h (regularizer, l1, box_lower,
// box_upper), the step (alpha, or step_scale / L̂ with L̂ from `smoothness`), the stationarity step beta,
// and the simulator's cost model (compute_unit, link_latency, link_bandwidth).

#include <optional>
#include <string>
#include <vector>

#include "core/registry/algorithm_entry.hpp"
#include "core/decentralized/decentralized_sim_run.hpp"
#include "core/problems/problem.hpp"
#include "core/registry/component.hpp"

namespace distopt {

std::vector<AlgorithmEntry> decentralizedAlgorithmEntries();
std::vector<ProblemEntry> decentralizedProblemEntries();

/// The run options from validated params (defaults filled), as the simulator and the live driver both
/// build them: step from alpha or step_scale / L̂, b / B / q by decentralized-proxgt §2.9. Throws InputError.
DecentralizedRunOptions decentralizedRunOptions(DecentralizedMethod method, const nlohmann::json& params,
                                                const SimRunContext& context);
/// The method of a registry name ("dsgd", ..., "proxgt-sr-e"), or nothing.
std::optional<DecentralizedMethod> decentralizedMethodFromName(const std::string& name);

/// L̂ = max_i λ_max(∇²f_i(x)) by power iteration on central differences of each node's full local
/// gradient (decentralized-proxgt §2.9: for the logistic loss plus Σ λ₂x²/(1+x²) at x = 0 this is
/// max_i λ_max(A_iᵀA_i)/(4m) + 2λ₂). Needs a data problem (numSamples() > 0).
double estimateLocalSmoothness(const Problem& problem, const std::vector<Shard>& shards, const Vector& x,
                               int iterations = 30);

}  // namespace distopt
