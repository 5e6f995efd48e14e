#pragma once
// The network of a decentralized run, built once by the coordinator and shipped to the nodes (docs/papers.md,
// decentralized-proxgt §3.6: each node needs only its row of W, λ and the θ table): graph, mixing
// matrix, spectrum and the gossip plan with its round count K.

#include <string>

#include "core/codec/dense_codec.hpp"
#include "core/topology/gossip.hpp"
#include "core/topology/graph.hpp"
#include "core/topology/mixing_matrix.hpp"

namespace distopt {

struct NetworkOptions {
  GraphOptions graph;
  WeightRule weights = WeightRule::MetropolisHastings;
  MixerKind mixer = MixerKind::Chebyshev;
  int rounds = 0;          ///< K per mixing call; 0 = auto (smallest K with contraction <= rhoTarget)
  double rhoTarget = 0.5;  ///< in (0, 1)
  int maxRounds = 200;     ///< K_max >= 1
  VectorEncoding wire = VectorEncoding::DenseFloat64;

  /// Field names: "graph", "graph_rows", "edge_probability", "gossip_rounds", "rho_target",
  /// "max_rounds", "mixing".
  bool isValid(std::string* why) const;
};

struct Network {
  Graph graph;
  Matrix w;
  Spectrum spectrum;
  GossipPlan plan;
  bool roundsCapped = false;  ///< auto-K hit max_rounds before reaching rho_target
  double contraction = 0.0;   ///< the plan's contraction factor (§3.5 bound; exact for FastMix)
};

/// Builds and checks the network; InputError(path + ".field", ...) for an invalid combination, e.g.
/// uniform weights on a non-regular graph or a disconnected graph.
Network buildNetwork(const NetworkOptions& options, const std::string& path);

}  // namespace distopt
