// DHO2 / MR-DHO2 and the family's SimRun (docs/papers.md, hybrid-order §6 oracles 19, 20, 22, k = 0
// baselines, registry validation).

#include <QtTest>
#include <cmath>

#include "core/data/synthetic_data.hpp"
#include "core/hybrid/hybrid_sim_run.hpp"
#include "core/problems/mlp_problem.hpp"
#include "core/registry/registry.hpp"
#include "core/timing/fixed_time_model.hpp"
#include "core/util/input_error.hpp"

using distopt::HybridMethod;
using distopt::HybridRunOptions;
using distopt::HybridSimRun;
using distopt::Shard;
using distopt::UpdateMode;
using distopt::Vector;

namespace {

// 6-7-3 tanh MLP (d = 73) on 60 Gaussian samples; batch 0 = the whole shard, so gradients are
// deterministic and runs with the same shards see the same global batches.
std::unique_ptr<distopt::MlpProblem> makeProblem() {
  const auto data = distopt::makeGaussianClasses(
      {.numSamples = 60, .numFeatures = 6, .numClasses = 3, .separation = 1.0}, 4);
  distopt::MlpProblem::Options options;
  options.hidden = {7};
  options.activation = distopt::Activation::Tanh;
  options.l2 = 1e-3;
  options.batch = 0;
  return std::make_unique<distopt::MlpProblem>(data, std::nullopt, options);
}

std::vector<Shard> contiguousShards(int count, std::int64_t samples) {
  std::vector<Shard> shards(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < samples; ++i)
    shards[static_cast<std::size_t>(i * count / samples)].indices.push_back(i);
  return shards;
}

struct Harness {
  std::unique_ptr<distopt::MlpProblem> problem = makeProblem();
  std::vector<Shard> shards;
  std::unique_ptr<distopt::FixedTimeModel> timeModel;
  distopt::SimRunContext context;

  Harness(int workers, std::vector<Shard> given, std::uint64_t steps) : shards(std::move(given)) {
    distopt::FixedTimeModel::Options equal;
    equal.profile.h = distopt::SpeedShape::One;  // every job lasts 1 time unit
    timeModel = std::make_unique<distopt::FixedTimeModel>(equal, workers);
    context.problem = problem.get();
    context.shards = std::make_shared<const std::vector<Shard>>(shards);
    context.timeModel = timeModel.get();
    context.numWorkers = workers;
    distopt::RandomStream init = distopt::RandomStream::fromSeed(3);
    context.x0 = problem->initialPoint(init);
    context.options.maxUpdates = steps;
    context.options.evalEveryUpdates = 5;
    context.options.seed = 17;
  }
};

HybridRunOptions fosiRun(HybridMethod method, UpdateMode mode,
                         distopt::BaseKind base = distopt::BaseKind::Adam) {
  HybridRunOptions options;
  options.method = method;
  options.dho2.updateMode = mode;
  options.dho2.fosi.base.kind = base;
  options.dho2.fosi.base.learningRate = base == distopt::BaseKind::Adam ? 0.02 : 0.1;
  options.dho2.fosi.k = 3;
  options.dho2.fosi.m = 12;
  options.dho2.fosi.period = 5;
  options.dho2.fosi.warmup = 3;
  options.dho2.fosi.alpha = 0.2;
  return options;
}

struct Collected : distopt::TelemetrySink {
  std::vector<distopt::EvaluationPoint> points;
  std::uint64_t updates = 0;
  void onEvaluation(const distopt::EvaluationPoint& point) override { points.push_back(point); }
  void onUpdate(const distopt::UpdateEvent&) override { ++updates; }
};

Vector runModel(Harness& harness, const HybridRunOptions& options, Collected* sink = nullptr,
                std::vector<std::int64_t>* memory = nullptr, std::vector<std::int64_t>* staleness = nullptr) {
  HybridSimRun run(options, harness.context);
  Collected local;
  const auto summary = run.run(sink ? *sink : local);
  if (summary.termination != distopt::Termination::UpdateLimit) qWarning("unexpected termination");
  if (memory) *memory = run.curvatureBytesPeak();
  if (staleness) *staleness = run.stalenessLog();
  return run.model();
}

double maxRelativeDifference(const Vector& a, const Vector& b) {
  return (a - b).cwiseAbs().maxCoeff() / std::max(1.0, b.cwiseAbs().maxCoeff());
}

}  // namespace

class TestHybridDho2 : public QObject {
  Q_OBJECT

 private slots:
  // Oracle 19: mode S = mode R = FOSI with one curvature device, 20 steps (4 estimates), P = 2, 3, 4.
  void modesAgreeWithFosi() {
    for (int workers : {2, 3, 4}) {
      for (distopt::BaseKind base : {distopt::BaseKind::Adam, distopt::BaseKind::HeavyBall}) {
        Harness harness(workers, contiguousShards(workers, 60), 20);
        const Vector fosi = runModel(harness, fosiRun(HybridMethod::Fosi, UpdateMode::Replicated, base));
        const Vector modeR = runModel(harness, fosiRun(HybridMethod::Dho2, UpdateMode::Replicated, base));
        Collected sink;
        const Vector modeS = runModel(harness, fosiRun(HybridMethod::Dho2, UpdateMode::Sharded, base), &sink);
        QVERIFY2(maxRelativeDifference(modeR, fosi) <= 1e-12,
                 qPrintable(QString::number(maxRelativeDifference(modeR, fosi))));
        QVERIFY2(maxRelativeDifference(modeS, fosi) <= 1e-12,
                 qPrintable(QString::number(maxRelativeDifference(modeS, fosi))));
        QCOMPARE(sink.updates, std::uint64_t{20} * static_cast<std::uint64_t>(workers));
        QCOMPARE(sink.points.back().metrics.at("ese_count"), 4.0);  // t = 2, 7, 12, 17
        QVERIFY(sink.points.back().metrics.at("lambda_max") >= sink.points.back().metrics.at("lambda_k"));
        // FOSI moved the model differently from its base optimizer (the estimate is used).
        HybridRunOptions plain = fosiRun(HybridMethod::Baseline, UpdateMode::Replicated, base);
        QVERIFY(maxRelativeDifference(runModel(harness, plain), fosi) > 1e-6);
      }
    }
  }

  // Oracle 11 on the engine: the baselines are FOSI before its first estimate, bit for bit.
  void baselinesAreFosiWithoutCurvature() {
    Harness harness(3, contiguousShards(3, 60), 15);
    for (distopt::BaseKind base : {distopt::BaseKind::Adam, distopt::BaseKind::HeavyBall}) {
      HybridRunOptions late = fosiRun(HybridMethod::Dho2, UpdateMode::Sharded, base);
      late.dho2.fosi.warmup = 100;
      QVERIFY(runModel(harness, late) ==
              runModel(harness, fosiRun(HybridMethod::Baseline, UpdateMode::Replicated, base)));
    }
  }

  // Oracle 20: per-device curvature storage in mode S, exactly, and its 1/P part.
  void memoryScalesAsOneOverP() {
    const Eigen::Index n = makeProblem()->dimension();
    const std::int64_t m = 12;
    const std::int64_t r = 3;
    std::vector<double> scaling;
    for (int workers : {1, 2, 4}) {
      Harness harness(workers, contiguousShards(workers, 60), 10);
      std::vector<std::int64_t> memory;
      runModel(harness, fosiRun(HybridMethod::Dho2, UpdateMode::Sharded), nullptr, &memory);
      const std::int64_t s = (n + workers - 1) / workers;
      // V slice (old + new while the new one is formed), u, Adam's two moments; basis slice, replicated q
      // and w, the residual slice, T's diagonals.
      const std::int64_t expected = (2 * r + 1 + 2) * s + (m * s + 2 * n + s + m + (m - 1));
      QCOMPARE(memory[0], expected * 8);
      scaling.push_back(static_cast<double>(memory[0] - (2 * n + 2 * m - 1) * 8) * workers);
    }
    // The scaling part times P is constant up to the padding of the last segment.
    QVERIFY(std::abs(scaling[1] / scaling[0] - 1.0) < 0.05);
    QVERIFY(std::abs(scaling[2] / scaling[0] - 1.0) < 0.05);
    // Mode R keeps V and the optimizer state replicated: more memory than S for P = 4.
    Harness harness(4, contiguousShards(4, 60), 10);
    std::vector<std::int64_t> modeR;
    std::vector<std::int64_t> modeS;
    runModel(harness, fosiRun(HybridMethod::Dho2, UpdateMode::Replicated), nullptr, &modeR);
    runModel(harness, fosiRun(HybridMethod::Dho2, UpdateMode::Sharded), nullptr, &modeS);
    QVERIFY(modeR[0] > modeS[0]);
  }

  // Oracle 22: MR-DHO2 stop-the-world = DHO2 mode R on the same global and ESE batches; otherwise
  // estimates arrive late and their staleness is recorded.
  void mrStopTheWorldReproducesModeR() {
    const auto shards3 = contiguousShards(3, 60);
    Harness mr(3, shards3, 20);
    Harness dho2(2, std::vector<Shard>{shards3[0], shards3[1]}, 20);
    HybridRunOptions stop = fosiRun(HybridMethod::MrDho2, UpdateMode::Replicated);
    stop.curvatureWorkers = 1;
    stop.stopTheWorld = true;
    std::vector<std::int64_t> staleness;
    const Vector a = runModel(mr, stop, nullptr, nullptr, &staleness);
    const Vector b = runModel(dho2, fosiRun(HybridMethod::Dho2, UpdateMode::Replicated));
    QVERIFY2(maxRelativeDifference(a, b) <= 1e-12, qPrintable(QString::number(maxRelativeDifference(a, b))));
    QCOMPARE(staleness, (std::vector<std::int64_t>{0, 0, 0, 0}));

    // An estimate (12 HVPs) lasts 12·hvp_cost·4·2 step times: 23.04 with 0.24 (snapshots at t = 2, 26,
    // 50; installed at the first boundary after they arrive, 26, 50, 74). With 0.25 it lasts exactly 24
    // and arrives at the very instant step 25 ends; the network delivers the trainers' gradients (workers
    // 0, 1) before the curvature device's result (worker 2), so the estimate waits one step more:
    // snapshots at 2, 27, 52, installs at 27, 52, 77.
    for (const auto& [hvpCost, age] : {std::pair{0.24, std::int64_t{24}}, std::pair{0.25, std::int64_t{25}}}) {
      HybridRunOptions parallel = stop;
      parallel.stopTheWorld = false;
      parallel.hvpCost = hvpCost;
      Harness longer(3, shards3, 80);
      Collected sink;
      runModel(longer, parallel, &sink, nullptr, &staleness);
      QCOMPARE(staleness.size(), std::size_t{3});
      for (auto tau : staleness) QCOMPARE(tau, age);
      bool sawAge = false;
      for (const auto& point : sink.points)
        if (point.metrics.count("curvature_age")) sawAge = true;
      QVERIFY(sawAge);
    }
  }

  // The ESE batch (ese_batch) is the first N samples, and in data_parallel each curvature device evaluates
  // only its contiguous share of it (the time model charges it for that share; it used to evaluate the
  // whole batch): the averaged shares reproduce FOSI whose curvature problem is those N samples alone.
  void eseBatchIsSharedOverDevices() {
    Harness harness(4, contiguousShards(4, 60), 20);
    const std::int64_t batch = 24;
    auto data = distopt::makeGaussianClasses(
        {.numSamples = 60, .numFeatures = 6, .numClasses = 3, .separation = 1.0}, 4);
    data.dense = data.dense.topRows(batch).eval();
    data.labels.resize(static_cast<std::size_t>(batch));
    const distopt::MlpProblem eseProblem(data, std::nullopt, harness.problem->options());
    HybridRunOptions dho2 = fosiRun(HybridMethod::Dho2, UpdateMode::Sharded);
    dho2.eseBatch = batch;
    HybridRunOptions fosi = fosiRun(HybridMethod::Fosi, UpdateMode::Replicated);
    fosi.curvatureProblem = &eseProblem;
    const Vector a = runModel(harness, dho2);
    const Vector b = runModel(harness, fosi);
    QVERIFY2(maxRelativeDifference(a, b) <= 1e-12, qPrintable(QString::number(maxRelativeDifference(a, b))));
    QVERIFY(maxRelativeDifference(a, runModel(harness, fosiRun(HybridMethod::Dho2, UpdateMode::Sharded))) >
            1e-9);

    const Vector& x = harness.context.x0;
    const Vector v = Vector::LinSpaced(x.size(), -1.0, 1.0);
    Vector share;
    Vector expected;
    for (int device = 0; device < 4; ++device) {
      dho2.eseHessianVectorProduct(*harness.problem, 4, device, x, v, share);
      harness.problem->batchHessianVectorProduct(x, v, device * 6, 6, expected);
      QCOMPARE(share, expected);
    }
    dho2.dho2.hvpMode = distopt::HvpMode::RootBroadcast;  // every device: the whole batch
    dho2.eseHessianVectorProduct(*harness.problem, 4, 1, x, v, share);
    eseProblem.hessianVectorProduct(x, v, expected);
    QVERIFY((share - expected).cwiseAbs().maxCoeff() <= 1e-14 * expected.cwiseAbs().maxCoeff());

    const auto* entry = distopt::findAlgorithm("dho2");
    for (std::int64_t bad : {61, 3}) {
      nlohmann::json params = {{"ese_batch", bad}};
      std::string why;
      QVERIFY(distopt::validateAndFillOptions(entry->options, params, "algorithm.params", &why));
      try {
        entry->makeSimRun(params, harness.context);
        QFAIL("bad ese_batch accepted");
      } catch (const distopt::InputError& error) {
        QCOMPARE(QString::fromStdString(error.where()), QString("algorithm.params.ese_batch"));
      }
    }
  }

  void registryValidates() {
    for (const char* name : {"dist-sgdm", "dist-adam", "fosi", "dho2", "mr-dho2"}) {
      const auto* entry = distopt::findAlgorithm(name);
      QVERIFY2(entry && entry->family == distopt::FamilyId::Hybrid && entry->makeSimRun && !entry->make,
               name);
    }
    Harness harness(4, contiguousShards(4, 60), 5);
    const auto* entry = distopt::findAlgorithm("dho2");
    nlohmann::json params = {{"k", 80}};
    std::string why;
    QVERIFY(distopt::validateAndFillOptions(entry->options, params, "algorithm.params", &why));
    try {
      entry->makeSimRun(params, harness.context);
      QFAIL("k > n accepted");
    } catch (const distopt::InputError& error) {
      QCOMPARE(QString::fromStdString(error.where()), QString("algorithm.params.m"));
    }
    const auto* mr = distopt::findAlgorithm("mr-dho2");
    params = {{"curvature_workers", 4}};
    QVERIFY(distopt::validateAndFillOptions(mr->options, params, "algorithm.params", &why));
    try {
      mr->makeSimRun(params, harness.context);
      QFAIL("C = workers accepted");
    } catch (const distopt::InputError& error) {
      QCOMPARE(QString::fromStdString(error.where()), QString("algorithm.params.curvature_workers"));
    }
  }
};

QTEST_APPLESS_MAIN(TestHybridDho2)
#include "test_hybrid_dho2.moc"
