// Kronecker family on real processes (docs/papers.md, kronecker-async §4.4 "distributed runs";
// net/PROTOCOL.md §13): per-iteration wall time and bytes per iteration by message kind, counted at the
// coordinator's socket, for K = 1, 2, 4 distopt-worker processes at d = 64 and d = 4096 (d1 = d2 = 8 and 64),
// with m = 1024, n = 128, S = 16, kron-fast (flipsets, precomputed Gram), staleness 0, time model "natural"
// (no injected delay). Expected: bytes per iteration flat in d (only INIT carries the data), growing linearly
// in K; wall time per iteration flat in d.
//
// Per-iteration wall time = (completion of iteration T − completion of iteration W) / (T − W), W = 20
// warm-up iterations, T = --iterations (default 200): INIT (P(0) is O(|R_w|·n·d) per worker) and the
// final evaluation are excluded. Engine in this process (LiveEngine), workers spawned on loopback.
//
//   build/bench/bench_kronecker_live [--iterations T] [--staleness TAU]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_support.hpp"
#include "core/config/experiment.hpp"
#include "core/util/input_error.hpp"
#include "net/coordinator/live_engine.hpp"
#include "net/families/live_families.hpp"

namespace {

using namespace distopt;

struct Recorder final : TelemetrySink {
  std::map<std::tuple<int, bool, std::string>, BandwidthSample> last;
  std::map<std::uint64_t, double> completedAt;  // iteration count -> engine time (units)
  void onBandwidth(const BandwidthSample& sample) override {
    auto& slot = last[{sample.worker, sample.uplink, sample.kind}];
    if (sample.messages >= slot.messages) slot = sample;
  }
  void onUpdate(const UpdateEvent& event) override {
    auto& at = completedAt[event.versionAfter];
    at = std::max(at, event.time);
  }
};

struct Figure {
  double secondsPerIteration = 0.0;
  std::uint64_t updates = 0;
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> byKind;  // "KIND dir" -> bytes, messages
  std::string failure;
};

Figure runLive(int workers, int d1, int iterations, int staleness, int warmUp) {
  const double unitMs = 1.0;
  nlohmann::json document = {{"name", "kron-live-bench"},
                             {"seed", 3},
                             {"engine", "live"},
                             {"problem",
                              {{"name", "kron-two-layer"},
                               {"params", {{"m", 1024}, {"n", 128}, {"d1", d1}, {"d2", d1}, {"batch", 16}}}}},
                             {"algorithm", {{"name", "kron-fast"}, {"params", {{"staleness", staleness}}}}},
                             {"workers",
                              {{"count", workers},
                               {"time_model", {{"name", "natural"}, {"params", nlohmann::json::object()}}},
                               {"unit_ms", unitMs}}},
                             {"stop", {{"updates", iterations}}},
                             {"eval", {{"every_updates", iterations}, {"grad_norm", false}}}};
  Figure figure;
  try {
    Experiment experiment = parseExperiment(document, ".");
    BuiltRun run = buildRun(experiment);
    const net::LiveFamilyDriver* driver = net::findLiveDriver(FamilyId::Kronecker);
    if (!driver) throw InputError("algorithm", "no kronecker live driver");
    auto role = driver->makeCoordinator(experiment, run);
    net::LiveOptions options;
    options.workerBinary = bench::workerBinary();
    options.telemetryEndpoint.clear();
    options.controlEndpoint.clear();
    Recorder recorder;
    net::LiveEngine engine(experiment, *run.problem, *role, run.rules, options, recorder);
    std::string why;
    if (!engine.bind(&why)) {
      figure.failure = why;
      return figure;
    }
    const RunSummary summary = engine.run();
    if (summary.termination != Termination::UpdateLimit) {
      figure.failure = std::string(terminationName(summary.termination)) + ": " + summary.terminationDetail;
      return figure;
    }
    figure.updates = summary.updatesApplied;
    const auto first = recorder.completedAt.find(static_cast<std::uint64_t>(warmUp));
    const auto end = recorder.completedAt.find(figure.updates);
    if (first != recorder.completedAt.end() && end != recorder.completedAt.end())
      figure.secondsPerIteration = (end->second - first->second) * unitMs / 1000.0 /
                                   static_cast<double>(figure.updates - static_cast<std::uint64_t>(warmUp));
    for (const auto& [key, sample] : recorder.last) {
      auto& total = figure.byKind[sample.kind + (sample.uplink ? " up" : " down")];
      total.first += sample.bytes;
      total.second += sample.messages;
    }
  } catch (const std::exception& e) {
    figure.failure = e.what();
  }
  return figure;
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 200;
  int staleness = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--iterations") == 0) iterations = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--staleness") == 0) staleness = std::atoi(argv[i + 1]);
  }
  const int warmUp = std::min(20, iterations / 4);
  std::printf("kron-fast live: m=1024 n=128 S=16, staleness %d, %d iterations (%d warm-up), worker %s\n\n",
              staleness, iterations, warmUp, bench::workerBinary().c_str());
  const char* perIteration[] = {"KRON_BATCH down", "KRON_PARTIAL up", "KRON_RESID down"};
  std::printf("%-3s %-6s %-14s %-16s %-16s %-16s %-16s %-14s\n", "K", "d", "ms/iteration", "BATCH B/iter",
              "PARTIAL B/iter", "RESID B/iter", "all KRON B/iter", "INIT bytes");
  for (const int workers : {1, 2, 4}) {
    for (const int d1 : {8, 64}) {
      const Figure figure = runLive(workers, d1, iterations, staleness, warmUp);
      if (!figure.failure.empty()) {
        std::printf("%-3d %-6d failed: %s\n", workers, d1 * d1, figure.failure.c_str());
        continue;
      }
      const double updates = static_cast<double>(figure.updates);
      auto perIter = [&](const std::string& key) {
        const auto it = figure.byKind.find(key);
        return it == figure.byKind.end() ? 0.0 : static_cast<double>(it->second.first) / updates;
      };
      double all = 0.0;
      for (const char* key : perIteration) all += perIter(key);
      const auto init = figure.byKind.find("KRON_INIT down");
      std::printf("%-3d %-6d %-14.3f %-16.1f %-16.1f %-16.1f %-16.1f %-14llu\n", workers, d1 * d1,
                  1000.0 * figure.secondsPerIteration, perIter(perIteration[0]), perIter(perIteration[1]),
                  perIter(perIteration[2]), all,
                  static_cast<unsigned long long>(init == figure.byKind.end() ? 0 : init->second.first));
    }
  }
  std::printf(
      "\nB/iter: bytes at the coordinator's socket (DOPT header, kron frame, routing identity) summed "
      "over workers / iterations.\n");
  return 0;
}
