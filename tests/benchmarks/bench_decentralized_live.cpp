// The decentralized live peer mesh (net/PROTOCOL.md §11) with 8 worker processes on a ring and on a
// 2×4 torus: ProxGT-SA on P0-style data (one heterogeneous block of 100 samples per node, p features),
// Chebyshev gossip with auto-K at rho 0.5. Prints, per graph: K, wall time and time per iteration of the
// live run, bytes per iteration counted at the nodes' peer sockets against the simulator's exact
// encoded bytes for the same run (ratio = the 16-byte protocol header per message), and the largest
// difference between the live and simulated x̄ (0: the same node roles, seeds and mixing order).
//
//   build/bench/bench_decentralized_live [--iterations 200] [--features 1000] [--unit-ms 1]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "bench_support.hpp"
#include "../net/decentralized_live_support.hpp"
#include "core/util/input_error.hpp"

namespace {

std::uint64_t totalBytes(const decentralized_live::EdgeBytes& edges) {
  std::uint64_t total = 0;
  for (const auto& [edge, bytes] : edges) total += bytes;
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t iterations = 200;
  int features = 1000;
  double unitMs = 1.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--iterations") == 0)
      iterations = std::stoull(argv[i + 1]);
    else if (std::strcmp(argv[i], "--features") == 0)
      features = std::stoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--unit-ms") == 0)
      unitMs = std::stod(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--iterations N] [--features P] [--unit-ms U]\n", argv[0]);
      return 2;
    }
  }
  std::printf(
      "decentralized live peer mesh: 8 worker processes, proxgt-sa, P0-style data, p = %d, %llu iterations, "
      "unit %.3g ms\n",
      features, static_cast<unsigned long long>(iterations), unitMs);
  std::printf("%-10s %3s %9s %9s %9s %9s %13s %13s %8s %9s\n", "graph", "K", "wall s", "run s", "ms/iter",
              "sim s", "live B/iter", "sim B/iter", "ratio", "|dx|inf");
  struct Graph {
    const char* label;
    const char* kind;
    int rows;
  };
  for (const Graph& graph : {Graph{"ring 8", "ring", 0}, Graph{"torus 2x4", "torus", 2}}) {
    try {
      auto document =
          decentralized_live::p0Experiment("proxgt-sa", graph.kind, graph.rows, 8, iterations, features);
      document["workers"]["unit_ms"] = unitMs;
      document["eval"]["every_updates"] = 50;
      const auto sim = decentralized_live::runSimulated(document);
      const auto live = decentralized_live::runLive(document, distopt::bench::workerBinary());
      if (live.summary.termination != distopt::Termination::UpdateLimit) {
        std::printf("%-10s live run ended %s: %s\n", graph.label,
                    distopt::terminationName(live.summary.termination),
                    live.summary.terminationDetail.c_str());
        continue;
      }
      const double liveBytes =
          static_cast<double>(totalBytes(live.edgeBytes)) / static_cast<double>(iterations);
      const double simBytes =
          static_cast<double>(totalBytes(sim.edgeBytes)) / static_cast<double>(iterations);
      const double k = sim.sink.evaluations.back().metrics.at("gossip_rounds");
      const double runSeconds = live.summary.time * unitMs / 1e3;
      std::printf("%-10s %3.0f %9.3f %9.3f %9.3f %9.3f %13.0f %13.0f %8.5f %9.3g\n", graph.label, k,
                  live.wallSeconds, runSeconds, 1e3 * runSeconds / static_cast<double>(iterations),
                  sim.wallSeconds, liveBytes, simBytes, liveBytes / simBytes,
                  (live.model - sim.model).cwiseAbs().maxCoeff());
    } catch (const distopt::InputError& e) {
      std::fprintf(stderr, "%s: %s\n", graph.label, e.what());
      return 2;
    }
  }
  std::printf(
      "wall s: the whole live run (start 8 processes, load, run, stop); run s: from the first DEC_START to "
      "the\n"
      "last report; B/iter: bytes over all directed edges per iteration; ratio = live/sim bytes.\n");
  return 0;
}
