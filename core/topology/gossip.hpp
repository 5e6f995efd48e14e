#pragma once
// Multi-round gossip Mix_K = P_K(W) (docs/papers.md, decentralized-proxgt §3.5): plain powers W^K, Chebyshev
// acceleration T_K(W/λ)/T_K(1/λ) in its stable momentum form, and FastMix (Chebyshev with its limiting
// coefficient). Every mixer is written as one recursion
//
//   u(0) = input,  u(-1) = u(0),  u(r) = θ_r · W u(r-1) + (1 - θ_r) · u(r-2),   r = 1..K,
//
// so a node needs only its own row of W, its own u(r-1), u(r-2) and the neighbours' u(r-1), and one
// round costs one neighbour exchange (§3.6). Plain: θ_r = 1. Chebyshev: θ_1 = 1, θ_2 = 2/(2 - λ²),
// θ_{k+1} = 1/(1 - λ²θ_k/4). FastMix: θ_r = 1 + η with η = (1 - √(1-λ²))/(1 + √(1-λ²)).

#include <optional>
#include <string>
#include <vector>

#include "core/topology/mixing_matrix.hpp"

namespace distopt {

enum class MixerKind { Plain, Chebyshev, FastMix };

/// "plain", "chebyshev", "fastmix".
const char* mixerKindName(MixerKind kind);
std::optional<MixerKind> mixerKindFromName(const std::string& name);
std::vector<std::string> mixerKindNames();

/// What every node must agree on to run a mixing call in lockstep (shipped in the run configuration).
struct GossipPlan {
  MixerKind kind = MixerKind::Chebyshev;
  int rounds = 1;             ///< K >= 1
  double lambda = 0.0;        ///< ||W - J||_2 of the actual W
  std::vector<double> theta;  ///< θ_1..θ_K (index r-1)
};

/// The plan for `rounds` rounds of `kind` on a W with contraction factor `lambda` in [0, 1).
GossipPlan makeGossipPlan(MixerKind kind, double lambda, int rounds);

/// The contraction of K rounds (decentralized-proxgt §3.5): plain λ^K; Chebyshev 1/T_K(1/λ) =
/// 1/cosh(K·arccosh(1/λ)); FastMix has no closed form and takes the exact value from `spectrum` (max |p_K(μ)|
/// over the disagreement eigenvalues μ).
double gossipContraction(MixerKind kind, const Spectrum& spectrum, int rounds);

/// Exact ||P_K(W) - J||_2 from the eigenvalues of W: max |p_K(μ)| over all but the leading eigenvalue.
double exactContraction(const GossipPlan& plan, const Spectrum& spectrum);

struct RoundChoice {
  int rounds = 1;
  bool capped = false;  ///< the cap bound: K = kMax does not reach the target
};

/// Smallest K in 1..kMax with gossipContraction(K) <= rhoTarget (K = 1 when λ = 0); the closed forms of
/// decentralized-proxgt §3.5 are ⌈arccosh(1/ρ)/arccosh(1/λ)⌉ (Chebyshev) and ⌈ln ρ / ln λ⌉ (plain).
RoundChoice chooseRounds(MixerKind kind, const Spectrum& spectrum, double rhoTarget, int kMax);

/// The dense operator P_K(W), by running the recursion on the identity (tests, diagnostics).
Matrix gossipOperator(const Matrix& w, const GossipPlan& plan);

/// Applies P_K(W) to the rows of `u` (n x p) with dense products: the reference the distributed
/// round protocol must reproduce.
Matrix applyGossip(const Matrix& w, const GossipPlan& plan, const Matrix& u);

}  // namespace distopt
