// docs/papers.md, decentralized-proxgt E3 in the simulator: communication rounds and bytes ProxGT-SR-E needs
// to reach a fixed stationarity ‖G_α(x̄)‖² with plain gossip W^K versus Chebyshev-accelerated gossip, both
// with auto-K at the same contraction target (rho 0.5), on rings of 16 and 64 nodes (P0-style data: one
// heterogeneous block of 100 samples per node, p = 20). Prints K per mixing call against the table of
// decentralized-proxgt §3.7 (ring 16: 14 vs 5, ring 64: 216 vs 17), iterations, IFO, rounds, bytes and the
// plain/Chebyshev ratios, all measured in this run.
//
//   build/bench/bench_decentralized_gossip [--target 1e-8] [--rings 16,64]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "core/config/experiment.hpp"
#include "core/decentralized/decentralized_sim_run.hpp"
#include "core/util/input_error.hpp"

namespace {

using namespace distopt;

class FirstBelow : public TelemetrySink {
 public:
  explicit FirstBelow(double target) : m_target(target) {}
  void onEvaluation(const EvaluationPoint& point) override {
    const double value = point.metrics.at("prox_grad_mapping_norm_sq");
    if (first < 0.0) first = value;
    last = point;
    if (!reached && value <= m_target) {
      reached = true;
      atTarget = point;
    }
  }
  double first = -1.0;
  bool reached = false;
  EvaluationPoint atTarget, last;

 private:
  double m_target;
};

struct GossipOutcome {
  int rounds = 0;
  bool reached = false;
  double iterations = 0, ifo = 0, commRounds = 0, bytes = 0, start = 0, end = 0, wall = 0;
};

GossipOutcome runOne(int n, const std::string& mixer, double target) {
  nlohmann::json document = {
      {"name", "bench"},
      {"seed", 1},
      {"engine", "sim"},
      {"problem", {{"name", "logistic-p0"}, {"params", {{"nodes", n}, {"samples_per_node", 100}}}}},
      {"data", {{"sharding", "contiguous"}}},
      {"algorithm",
       {{"name", "proxgt-sr-e"},
        {"params", {{"graph", "ring"}, {"mixer", mixer}, {"rho_target", 0.5}, {"max_rounds", 1000}}}}},
      {"workers",
       {{"count", n}, {"time_model", {{"name", "fixed"}, {"params", {{"h", "one"}, {"c", 1.0}}}}}}},
      {"stop", {{"updates", 600}, {"target_grad_norm_sq", target}}},
      {"eval", {{"every_updates", 1}, {"accuracy", false}, {"grad_norm", false}}}};
  const auto wallStart = std::chrono::steady_clock::now();
  BuiltRun built = buildRun(parseExperiment(document, "."));
  FirstBelow sink(target);
  built.simRun->run(sink);
  GossipOutcome outcome;
  outcome.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
  const auto* run = dynamic_cast<DecentralizedSimRun*>(built.simRun.get());
  outcome.rounds = run->network().plan.rounds;
  outcome.reached = sink.reached;
  const EvaluationPoint& point = sink.reached ? sink.atTarget : sink.last;
  outcome.iterations = static_cast<double>(point.updates);
  outcome.ifo = point.metrics.at("ifo_calls");
  outcome.commRounds = point.metrics.at("communication_rounds");
  outcome.bytes = point.metrics.at("wire_bytes");
  outcome.start = sink.first;
  outcome.end = point.metrics.at("prox_grad_mapping_norm_sq");
  return outcome;
}

}  // namespace

int main(int argc, char** argv) {
  double target = 1e-8;
  std::vector<int> rings = {16, 64};
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--target") == 0 && i + 1 < argc) {
      target = std::stod(argv[++i]);
    } else if (std::strcmp(argv[i], "--rings") == 0 && i + 1 < argc) {
      rings.clear();
      std::stringstream list(argv[++i]);
      for (std::string item; std::getline(list, item, ',');) rings.push_back(std::stoi(item));
    } else {
      std::fprintf(stderr, "usage: %s [--target 1e-8] [--rings 16,64]\n", argv[0]);
      return 2;
    }
  }
  std::printf(
      "ProxGT-SR-E, ring, P0-style data (100 samples/node, p = 20), auto-K at rho 0.5, target ||G||^2 <= "
      "%.1e\n\n",
      target);
  std::printf("%5s %-10s %4s %8s %6s %10s %10s %12s %10s %10s %7s\n", "ring", "mixer", "K", "spec K", "iters",
              "IFO/node", "rounds", "bytes", "start", "at target", "wall s");
  try {
    for (int n : rings) {
      GossipOutcome outcome[2];
      const char* mixers[2] = {"plain", "chebyshev"};
      for (int m = 0; m < 2; ++m) {
        outcome[m] = runOne(n, mixers[m], target);
        const char* spec = n == 16   ? (m == 0 ? "14" : "5")
                           : n == 32 ? (m == 0 ? "54" : "9")
                           : n == 64 ? (m == 0 ? "216" : "17")
                                     : "-";
        std::printf("%5d %-10s %4d %8s %6.0f %10.0f %10.0f %12.0f %10.2e %10.2e %7.2f%s\n", n, mixers[m],
                    outcome[m].rounds, spec, outcome[m].iterations, outcome[m].ifo, outcome[m].commRounds,
                    outcome[m].bytes, outcome[m].start, outcome[m].end, outcome[m].wall,
                    outcome[m].reached ? "" : "  (target not reached)");
      }
      std::printf("%5d ratio plain/chebyshev: K %.2f, rounds %.2f, bytes %.2f, iterations %.2f, IFO %.2f\n\n",
                  n, static_cast<double>(outcome[0].rounds) / outcome[1].rounds,
                  outcome[0].commRounds / outcome[1].commRounds, outcome[0].bytes / outcome[1].bytes,
                  outcome[0].iterations / outcome[1].iterations, outcome[0].ifo / outcome[1].ifo);
    }
  } catch (const InputError& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 2;
  }
  return 0;
}
