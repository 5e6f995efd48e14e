// Uplink bytes per iteration of compressed SGD on live worker processes, counted at the coordinator's
// socket, against dense synchronous SGD in the same run (issue: target >= 100x at K/N = 0.001 with 8
// workers). Also prints the simulator's encoded bytes for the same rounds, so the socket overhead per
// message (identity, DOPT header, uplink meta) is visible.
//
//   build/bench/bench_compressed_live [ROUNDS]
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "bench_support.hpp"
#include "core/config/experiment.hpp"
#include "core/registry/registry.hpp"
#include "core/util/input_error.hpp"
#include "net/coordinator/live_engine.hpp"
#include "net/families/live_families.hpp"
#include "net/protocol/frame_memory.hpp"

using namespace distopt;

namespace {

/// Keeps the last cumulative bandwidth sample per (worker, direction, kind).
class BandwidthTally final : public TelemetrySink {
 public:
  void onBandwidth(const BandwidthSample& sample) override {
    m_last[{sample.worker, sample.uplink, sample.kind}] = sample.bytes;
  }
  std::uint64_t uplinkBytes(const std::string& prefix) const {
    std::uint64_t sum = 0;
    for (const auto& [key, bytes] : m_last)
      if (std::get<1>(key) && std::get<2>(key).rfind(prefix, 0) == 0) sum += bytes;
    return sum;
  }

 private:
  std::map<std::tuple<int, bool, std::string>, std::uint64_t> m_last;
};

struct Figure {
  double liveUpPerRound = 0.0;  // bytes of UP_* messages at the socket, all workers
  double simUpPerRound = 0.0;   // encoded bytes (header + payload), all workers
  double seconds = 0.0;
  std::string failure;
};

Figure measure(nlohmann::json document, std::uint64_t rounds) {
  Figure figure;
  try {
    document["stop"] = {{"updates", rounds}};
    document["eval"] = {{"every_updates", rounds}, {"grad_norm", false}, {"accuracy", false}};
    for (const std::string engine : {"live", "sim"}) {
      document["engine"] = engine;
      Experiment experiment = parseExperiment(document, DISTOPT_SOURCE_DIR "/resources/experiments");
      BuiltRun built = buildRun(experiment);
      BandwidthTally tally;
      if (engine == "sim") {
        built.simRun->run(tally);
        figure.simUpPerRound = static_cast<double>(tally.uplinkBytes("UP_")) / static_cast<double>(rounds);
        continue;
      }
      auto role = net::findLiveDriver(FamilyId::Compressed)->makeCoordinator(experiment, built);
      net::LiveOptions options;
      options.workerBinary = bench::workerBinary();
      options.telemetryEndpoint.clear();
      options.controlEndpoint.clear();
      net::LiveEngine engineRun(experiment, *built.problem, *role, built.rules, options, tally);
      std::string why;
      if (!engineRun.bind(&why)) throw InputError("bind", why);
      const RunSummary summary = engineRun.run();
      if (summary.termination != Termination::UpdateLimit) {
        figure.failure = std::string(terminationName(summary.termination)) + ": " + summary.terminationDetail;
        return figure;
      }
      figure.liveUpPerRound = static_cast<double>(tally.uplinkBytes("UP_")) / static_cast<double>(rounds);
      figure.seconds = summary.wallSeconds;
    }
  } catch (const InputError& e) {
    figure.failure = e.what();
  }
  return figure;
}

nlohmann::json experimentFor(const nlohmann::json& problem, const std::string& algorithm, const nlohmann::json& params,
                             int workers) {
  return {{"name", "bench-compressed-live"},
          {"seed", 1},
          {"problem", problem},
          {"algorithm", {{"name", algorithm}, {"params", params}}},
          {"workers", {{"count", workers}, {"time_model", {{"name", "natural"}, {"params", nlohmann::json::object()}}},
                       {"unit_ms", 1.0}}}};
}

}  // namespace

int main(int argc, char** argv) {
  net::keepLargeFrameMemory();
  const std::uint64_t rounds = argc > 1 ? std::stoull(argv[1]) : 20;
  constexpr int kWorkers = 8;
  struct Case {
    const char* label;
    nlohmann::json problem;
  };
  std::vector<Case> cases;
  const std::string fashion = "/usr/share/datasets/fashion-mnist";
  if (std::filesystem::exists(fashion + "/train-images-idx3-ubyte.gz"))
    cases.push_back({"MLP 784-64-10 on Fashion-MNIST (N = 50,890)",
                     {{"name", "mlp"},
                      {"params",
                       {{"train_images", fashion + "/train-images-idx3-ubyte.gz"},
                        {"train_labels", fashion + "/train-labels-idx1-ubyte.gz"},
                        {"hidden", {64}},
                        {"batch", 64}}}}});
  else
    std::printf("(Fashion-MNIST not installed: apt-get install dataset-fashion-mnist; skipping the MLP case)\n");
  cases.push_back({"quadratic, N = 1,000,000",
                   {{"name", "quadratic"}, {"params", {{"d", 1000000}, {"noise", "scalar"}, {"noise_std", 0.01}}}}});

  std::printf("Live compressed SGD, %d worker processes, %llu rounds; uplink bytes per round at the socket\n\n", kWorkers,
              static_cast<unsigned long long>(rounds));
  for (const auto& c : cases) {
    std::printf("%s\n", c.label);
    std::printf("  %-34s %16s %16s %10s %12s\n", "method", "live B/round", "encoded B/round", "wall s", "vs dense SGD");
    const Figure dense = measure(experimentFor(c.problem, "sgd", {{"gamma", 0.01}}, kWorkers), rounds);
    if (!dense.failure.empty()) {
      std::printf("  sgd failed: %s\n", dense.failure.c_str());
      continue;
    }
    std::printf("  %-34s %16.0f %16.0f %10.2f %12s\n", "sgd (dense float32)", dense.liveUpPerRound, dense.simUpPerRound,
                dense.seconds, "1x");
    for (const std::uint64_t rho : {1000ull, 10000ull, 100000ull}) {
      const Figure sparse = measure(
          experimentFor(c.problem, "sparse-signsgd-mv", {{"gamma", 0.001}, {"rho", rho}}, kWorkers), rounds);
      char label[64];
      std::snprintf(label, sizeof label, "sparse-signsgd-mv K/N = %g", static_cast<double>(rho) / 1e6);
      if (!sparse.failure.empty()) {
        std::printf("  %-34s failed: %s\n", label, sparse.failure.c_str());
        continue;
      }
      std::printf("  %-34s %16.0f %16.0f %10.2f %11.0fx\n", label, sparse.liveUpPerRound, sparse.simUpPerRound,
                  sparse.seconds, dense.liveUpPerRound / sparse.liveUpPerRound);
    }
    std::printf("\n");
  }
  return 0;
}
