// Hybrid-order benchmark (docs/papers.md, hybrid-order §4.6, §5.3 E3): prints
//  1. per-worker peak curvature memory of DHO2 mode S (and R) for P = 1, 2, 4 on a 784-32-10 MLP
//     (n = 25,450, k = 10, m = 40), with P × memory against P = 1;
//  2. virtual time to a target test accuracy with 4 simulated workers: DHO2 and MR-DHO2 (FOSI-Adam)
//     against data-parallel SGD-momentum and Adam (two learning rates each; the best baseline counts).
// Data: Fashion-MNIST from /usr/share/datasets/fashion-mnist when present, else a9a.

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/data/idx_reader.hpp"
#include "core/data/libsvm_reader.hpp"
#include "core/data/shards.hpp"
#include "core/hybrid/hybrid_sim_run.hpp"
#include "core/problems/mlp_problem.hpp"
#include "core/timing/fixed_time_model.hpp"

using namespace distopt;

namespace {

const std::string kFashion = "/usr/share/datasets/fashion-mnist/";

struct Data {
  Dataset train;
  Dataset test;
  Dataset ese;
  std::string name;
};

Data loadData(std::int64_t trainLimit, std::int64_t eseSamples) {
  Data data;
  if (std::filesystem::exists(kFashion + "train-images-idx3-ubyte.gz")) {
    IdxReadOptions options;
    options.pixelMean = 0.2860;
    options.pixelStd = 0.3530;
    options.limit = trainLimit;
    data.train = readIdxDataset(kFashion + "train-images-idx3-ubyte.gz",
                                kFashion + "train-labels-idx1-ubyte.gz", options);
    options.limit = 0;
    data.test = readIdxDataset(kFashion + "t10k-images-idx3-ubyte.gz", kFashion + "t10k-labels-idx1-ubyte.gz",
                               options);
    options.limit = eseSamples;
    data.ese = readIdxDataset(kFashion + "train-images-idx3-ubyte.gz",
                              kFashion + "train-labels-idx1-ubyte.gz", options);
    data.name = "Fashion-MNIST";
  } else {
    std::printf("Fashion-MNIST not found at %s: using a9a instead\n", kFashion.c_str());
    const std::string dir = std::string(DISTOPT_SOURCE_DIR) + "/resources/data/";
    LibsvmReadOptions options;
    options.numFeatures = 123;
    data.train = readLibsvm(dir + "a9a.gz", options);
    data.test = readLibsvm(dir + "a9a.t.gz", options);
    data.ese = data.train;
    data.name = "a9a";
  }
  return data;
}

struct Points : TelemetrySink {
  std::vector<EvaluationPoint> points;
  void onEvaluation(const EvaluationPoint& point) override { points.push_back(point); }
};

struct RunResult {
  std::optional<double> timeToTarget;
  double finalAccuracy = 0.0;
  double endTime = 0.0;
  double wall = 0.0;
  std::vector<std::int64_t> memory;
};

RunResult simulate(const Problem& problem, const std::vector<Shard>& shards, const TimeModel& timeModel,
                   const HybridRunOptions& options, std::uint64_t steps, std::uint64_t evalEvery,
                   double target, int workers) {
  SimRunContext context;
  context.problem = &problem;
  context.shards = std::make_shared<const std::vector<Shard>>(shards);
  context.timeModel = &timeModel;
  context.numWorkers = workers;
  RandomStream init(
      StreamKey{.runSeed = 1, .purpose = StreamPurpose::Init, .worker = StreamKey::kNoWorker, .job = 0});
  context.x0 = problem.initialPoint(init);
  context.options.maxUpdates = steps;
  context.options.evalEveryUpdates = evalEvery;
  context.options.evalGradNorm = false;
  context.options.seed = 1;
  HybridSimRun run(options, context);
  Points sink;
  const RunSummary summary = run.run(sink);
  RunResult outcome;
  for (const auto& point : sink.points)
    if (point.testAccuracy && *point.testAccuracy >= target && !outcome.timeToTarget)
      outcome.timeToTarget = point.time;
  outcome.finalAccuracy = summary.finalTestAccuracy.value_or(0.0);
  outcome.endTime = summary.time;
  outcome.wall = summary.wallSeconds;
  outcome.memory = run.curvatureBytesPeak();
  return outcome;
}

HybridRunOptions method(HybridMethod kind, const char* name, BaseKind base, double lr) {
  HybridRunOptions options;
  options.method = kind;
  options.name = name;
  options.dho2.fosi.base.kind = base;
  options.dho2.fosi.base.learningRate = lr;
  options.dho2.fosi.k = kind == HybridMethod::Baseline ? 0 : 10;
  options.dho2.fosi.m = 40;
  options.dho2.fosi.alpha = 0.01;
  return options;
}

}  // namespace

int main() {
  const int workers = 4;
  const std::int64_t eseSamples = 256;  // the ESE batch = one global batch (4 workers x 64)
  const Data data = loadData(12000, eseSamples);
  MlpProblem::Options mlp;
  mlp.hidden = {32};
  mlp.activation = Activation::Tanh;
  mlp.l2 = 1e-4;
  mlp.batch = 64;
  const MlpProblem problem(data.train, data.test, mlp);
  const MlpProblem eseProblem(data.ese, std::nullopt, mlp);
  std::printf("data %s: %lld training samples, n = %lld parameters, ESE batch %lld samples\n",
              data.name.c_str(), static_cast<long long>(problem.numSamples()),
              static_cast<long long>(problem.dimension()), static_cast<long long>(eseProblem.numSamples()));

  FixedTimeModel::Options equal;
  equal.profile.h = SpeedShape::One;

  // 1. Memory.
  std::printf("\n1. Per-worker peak curvature memory (k = 10, m = 40, r = 10), bytes\n");
  std::printf("%-6s %3s %14s %14s %12s %14s %12s\n", "mode", "P", "basis m*s*8", "peak/worker", "P x peak",
              "vs P=1", "formula 4.6");
  for (UpdateMode mode : {UpdateMode::Sharded, UpdateMode::Replicated}) {
    double peak1 = 0.0;
    for (int parts : {1, 2, 4}) {
      const FixedTimeModel timeModel(equal, parts);
      const auto shards = makeShards(problem, parts, ShardRule::Iid, 1, "bench");
      HybridRunOptions options = method(HybridMethod::Dho2, "dho2", BaseKind::Adam, 1e-3);
      options.dho2.updateMode = mode;
      options.dho2.fosi.period = 1;
      options.dho2.fosi.warmup = 1;
      options.curvatureProblem = &eseProblem;
      const RunResult outcome = simulate(problem, shards, timeModel, options, 2, 0, 2.0, parts);
      const double peak = static_cast<double>(outcome.memory[0]);
      if (parts == 1) peak1 = peak;
      const double n = static_cast<double>(problem.dimension());
      const double s = std::ceil(n / parts);
      // hybrid-order §4.6 mode R count (m/P + 3 + r) n, with 2 replicated working vectors instead of 3; mode
      // S also divides V and the state (3 slots for Adam: u, m, v) by P.
      const double formula = mode == UpdateMode::Sharded ? (40 * s + 2 * n + 2 * 10 * s + 3 * s) * 8
                                                         : (40 * s + 2 * n + 2 * 10 * n + 3 * n) * 8;
      std::printf("%-6s %3d %14.0f %14.0f %12.0f %14.3f %12.3f\n", mode == UpdateMode::Sharded ? "S" : "R",
                  parts, 40.0 * s * 8, peak, peak * parts, (peak * parts) / peak1, peak / formula);
    }
  }

  // 2. Time to target accuracy.
  const double target = data.name == "a9a" ? 0.84 : 0.83;
  const std::uint64_t steps = 1500;
  const std::uint64_t evalEvery = 10;
  const FixedTimeModel timeModel(equal, workers);
  const auto shards = makeShards(problem, workers, ShardRule::Iid, 1, "bench");
  std::printf(
      "\n2. Virtual time (gradient-job units) to %.0f%% test accuracy, %d workers, global batch 256, %llu "
      "steps\n",
      100 * target, workers, static_cast<unsigned long long>(steps));
  std::printf(
      "   HVP = 2.5 gradient evaluations; ESE batch = %lld samples (ese_batch_ratio 1); T = 100 steps, W = 20\n",
      static_cast<long long>(eseSamples));
  std::printf("%-34s %12s %10s %10s %8s\n", "method", "t(target)", "final acc", "end time", "wall s");
  struct Row {
    std::string label;
    HybridRunOptions options;
  };
  std::vector<Row> rows;
  for (double lr : {0.02, 0.05})
    rows.push_back({"dist-sgdm lr " + std::to_string(lr).substr(0, 4),
                    method(HybridMethod::Baseline, "dist-sgdm", BaseKind::HeavyBall, lr)});
  for (double lr : {1e-3, 3e-3})
    rows.push_back({"dist-adam lr " + std::to_string(lr).substr(0, 5),
                    method(HybridMethod::Baseline, "dist-adam", BaseKind::Adam, lr)});
  for (double lr : {1e-3, 3e-3}) {
    HybridRunOptions dho2 = method(HybridMethod::Dho2, "dho2", BaseKind::Adam, lr);
    dho2.dho2.fosi.period = 100;
    dho2.dho2.fosi.warmup = 20;
    dho2.eseBatchRatio = 1.0;
    dho2.curvatureProblem = &eseProblem;
    rows.push_back({"dho2 S FOSI-Adam lr " + std::to_string(lr).substr(0, 5), dho2});
    HybridRunOptions mr = dho2;
    mr.method = HybridMethod::MrDho2;
    mr.name = "mr-dho2";
    mr.curvatureWorkers = 1;
    rows.push_back({"mr-dho2 (U3,C1) FOSI-Adam lr " + std::to_string(lr).substr(0, 5), mr});
  }
  std::optional<double> bestBaseline;
  std::optional<double> bestHybrid;
  for (const Row& row : rows) {
    const RunResult outcome =
        simulate(problem, shards, timeModel, row.options, steps, evalEvery, target, workers);
    std::printf("%-34s %12s %10.4f %10.0f %8.1f\n", row.label.c_str(),
                outcome.timeToTarget ? std::to_string(static_cast<long long>(*outcome.timeToTarget)).c_str()
                                     : "not reached",
                outcome.finalAccuracy, outcome.endTime, outcome.wall);
    auto& best = row.options.method == HybridMethod::Baseline ? bestBaseline : bestHybrid;
    if (outcome.timeToTarget && (!best || *outcome.timeToTarget < *best)) best = outcome.timeToTarget;
    std::fflush(stdout);
  }
  if (bestBaseline && bestHybrid)
    std::printf("\nbest hybrid / best baseline time to target = %.3f (target <= 0.7)\n",
                *bestHybrid / *bestBaseline);
  else
    std::printf("\nratio undefined: a side never reached the target\n");
  return 0;
}
