#include "core/decentralized/network.hpp"

#include <cmath>

#include "core/util/input_error.hpp"

namespace distopt {

bool NetworkOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (!graph.isValid(why)) return false;
  if (rounds < 0) return fail("gossip_rounds: must be >= 0 (0 = auto)");
  if (!(rhoTarget > 0.0 && rhoTarget < 1.0)) return fail("rho_target: must be in (0, 1)");
  if (maxRounds < 1) return fail("max_rounds: must be >= 1");
  if (rounds > maxRounds) return fail("gossip_rounds: must be <= max_rounds");
  return true;
}

Network buildNetwork(const NetworkOptions& options, const std::string& path) {
  requireValid(options, path);
  Network network{.graph = makeGraph(options.graph, path + ".graph"), .w = {}, .spectrum = {}, .plan = {}};
  if (options.weights == WeightRule::Uniform && !network.graph.isRegular())
    throw InputError(path + ".mixing",
                     "uniform weights need a regular graph (ring, torus, complete); use metropolis");
  network.w = mixingMatrix(network.graph, options.weights);
  std::string why;
  if (!checkMixingMatrix(network.w, network.graph, &why)) throw InputError(path + ".graph", why);
  network.spectrum = spectrumOf(network.w);
  // Rounding leaves |λ| ~ 1e-16 on a complete graph; a λ that small mixes exactly in one round.
  if (network.spectrum.lambda < 1e-12) network.spectrum.lambda = 0.0;
  int rounds = options.rounds;
  if (rounds == 0) {
    const RoundChoice choice =
        chooseRounds(options.mixer, network.spectrum, options.rhoTarget, options.maxRounds);
    rounds = choice.rounds;
    network.roundsCapped = choice.capped;
  }
  network.plan = makeGossipPlan(options.mixer, network.spectrum.lambda, rounds);
  network.contraction = gossipContraction(options.mixer, network.spectrum, rounds);
  return network;
}

}  // namespace distopt
