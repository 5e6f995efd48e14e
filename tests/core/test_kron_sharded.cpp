// docs/papers.md, kronecker-async §5 oracle 12 (neuron-sharded roles, exact and pipelined), the message
// codec, and the simulated runs kron-naive / kron-fast through the registry.
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <deque>

#include "core/config/experiment.hpp"
#include "core/kronecker/kron_driver.hpp"
#include "core/kronecker/kron_protocol.hpp"
#include "core/kronecker/kron_sim_run.hpp"
#include "core/registry/registry.hpp"
#include "core/util/input_error.hpp"

using namespace distopt;

namespace {

KronTwoLayerProblem::Options smallOptions(std::int64_t d1 = 8, std::int64_t d2 = 6) {
  KronTwoLayerProblem::Options options;  // kronecker-async §5 default instance
  options.d1 = d1, options.d2 = d2;
  options.dataSeed = 11, options.modelSeed = 12;
  return options;
}

template <typename Message>
Message roundTrip(const Message& message, std::vector<std::uint64_t>* sizes) {
  const kron::Bytes bytes = kron::encode(message);
  if (sizes) sizes->push_back(bytes.size());
  Message out;
  std::string why;
  if (!kron::decode(bytes, out, &why)) qFatal("decode failed: %s", why.c_str());
  return out;
}

/// Coordinator and K workers exchanging only encoded messages, with τ-deep pipelining. Each step
/// the delivery order is shuffled: PARTIALs are answered by a random subset of workers first.
struct WireRun {
  std::vector<std::unique_ptr<KronWorkerRole>> workers;
  std::unique_ptr<KronCoordinatorRole> coordinator;
  std::vector<std::uint64_t> batchSizes, partialSizes, residSizes;
  std::vector<std::int64_t> delays;
  std::vector<std::uint64_t> residsApplied;  // per worker
  std::vector<double> batchLosses;

  WireRun(const KronTwoLayerProblem& problem, KronAlgorithm algorithm, int k, int staleness, double eta) {
    coordinator = std::make_unique<KronCoordinatorRole>(
        problem.data().y, problem.neurons(),
        KronCoordinatorRole::Options{
            .workers = k, .staleness = staleness, .batch = problem.batch(), .samplerSeed = 3});
    const auto blocks = neuronBlocks(problem.neurons(), k);
    for (int w = 0; w < k; ++w) {
      workers.push_back(std::make_unique<KronWorkerRole>(
          w, makeNeuronBlock(problem, algorithm, KronFastOptions{}, blocks[w].first, blocks[w].second),
          staleness));
      coordinator->onReady(w, roundTrip(workers.back()->ready(), nullptr));
      workers.back()->onStart(roundTrip(coordinator->start(eta), nullptr));
    }
    residsApplied.assign(static_cast<std::size_t>(k), 0);
  }

  void run(std::uint64_t iterations, RandomStream& order) {
    // Per worker: an ordered channel of pending BATCHes and RESIDs (arrival order), processed one
    // message at a time by a randomly chosen worker: a fast worker runs ahead on later batches.
    std::vector<std::deque<kron::Bytes>> channel(workers.size());
    std::deque<std::pair<int, kron::Bytes>> partials;
    std::uint64_t sent = 0;
    std::string why;
    auto send = [&] {
      while (sent < iterations && coordinator->canSend()) {
        const kron::Bytes bytes = kron::encode(coordinator->nextBatch());
        batchSizes.push_back(bytes.size());
        for (auto& queue : channel) queue.push_back(bytes);
        ++sent;
      }
    };
    send();
    while (coordinator->completed() < iterations) {
      // Either a worker processes its next message, or the coordinator takes the next PARTIAL.
      const bool workerTurn = partials.empty() || order.uniform() < 0.7;
      if (workerTurn) {
        const auto w = static_cast<std::size_t>(order.uniformInt(workers.size()));
        if (channel[w].empty()) continue;
        const kron::Bytes bytes = std::move(channel[w].front());
        channel[w].pop_front();
        kron::MessageType type;
        QVERIFY(kron::peekType(bytes, &type));
        if (type == kron::MessageType::Batch) {
          kron::BatchMessage batch;
          QVERIFY(kron::decode(bytes, batch, &why));
          kron::PartialMessage partial;
          QVERIFY2(workers[w]->onBatch(batch, partial, &why), why.c_str());
          delays.push_back(static_cast<std::int64_t>(partial.iteration - partial.appliedVersion));
          const kron::Bytes reply = kron::encode(partial);
          partialSizes.push_back(reply.size());
          partials.emplace_back(static_cast<int>(w), reply);
        } else {
          kron::ResidMessage resid;
          QVERIFY(kron::decode(bytes, resid, &why));
          BlockStepStats stats;
          QVERIFY2(workers[w]->onResid(resid, stats, &why), why.c_str());
          ++residsApplied[w];
        }
      } else {
        const auto [w, bytes] = std::move(partials.front());
        partials.pop_front();
        kron::PartialMessage partial;
        QVERIFY(kron::decode(bytes, partial, &why));
        kron::ResidMessage resid;
        KronIterationResult result;
        bool complete = false;
        QVERIFY2(coordinator->onPartial(w, partial, resid, result, &complete, &why), why.c_str());
        if (complete) {
          batchLosses.push_back(result.batchLoss);
          const kron::Bytes bytesOut = kron::encode(resid);
          residSizes.push_back(bytesOut.size());
          for (auto& queue : channel) queue.push_back(bytesOut);
          send();
        }
      }
    }
    // Deliver the remaining RESIDs (every worker applies each exactly once).
    for (std::size_t w = 0; w < workers.size(); ++w) {
      for (const auto& bytes : channel[w]) {
        kron::MessageType type;
        QVERIFY(kron::peekType(bytes, &type));
        QCOMPARE(type, kron::MessageType::Resid);
        kron::ResidMessage resid;
        QVERIFY(kron::decode(bytes, resid, &why));
        BlockStepStats stats;
        QVERIFY2(workers[w]->onResid(resid, stats, &why), why.c_str());
        ++residsApplied[w];
      }
    }
  }

  RowMatrix table(const KronTwoLayerProblem& problem) const {
    RowMatrix all(problem.neurons(), problem.data().size());
    for (const auto& worker : workers) {
      RowMatrix part;
      worker->block().innerProductTable(part);
      all.middleRows(worker->block().begin(), worker->block().rows()) = part;
    }
    return all;
  }
};

}  // namespace

class TestKronSharded : public QObject {
  Q_OBJECT

 private slots:
  // Oracle 12a: K ∈ {1, 2, 4} workers at τ = 0 reproduce the single-process P and losses to 1e-12.
  void exactShardingEqualsSingleProcess() {
    const KronTwoLayerProblem problem(smallOptions());
    for (const auto algorithm : {KronAlgorithm::Fast, KronAlgorithm::Naive}) {
      KronSequentialDriver single(problem,
                                  {.algorithm = algorithm, .workers = 1, .eta = 1.0, .samplerSeed = 3});
      std::vector<double> losses;
      for (int t = 0; t < 60; ++t) losses.push_back(single.step().batchLoss);
      const RowMatrix p = single.innerProductTable();
      const double full = single.evaluate(true).loss;
      for (const int k : {1, 2, 4}) {
        KronSequentialDriver sharded(problem,
                                     {.algorithm = algorithm, .workers = k, .eta = 1.0, .samplerSeed = 3});
        for (int t = 0; t < 60; ++t)
          QVERIFY(std::abs(sharded.step().batchLoss - losses[static_cast<std::size_t>(t)]) <=
                  1e-12 * std::max(1.0, losses[static_cast<std::size_t>(t)]));
        QVERIFY((sharded.innerProductTable() - p).cwiseAbs().maxCoeff() <= 1e-12);
        QVERIFY(std::abs(sharded.evaluate(true).loss - full) <= 1e-12 * std::max(1.0, full));
      }
    }
  }

  // Oracle 12b: no message size depends on d (d = 64 and d = 4096, same m, n, S and seeds), and the
  // sizes are the documented ones; exact mode through the codec equals the sequential driver.
  void messageSizesIndependentOfD() {
    std::vector<std::vector<std::uint64_t>> sizes;
    for (const auto& [d1, d2] : std::vector<std::pair<int, int>>{{8, 8}, {64, 64}}) {
      const KronTwoLayerProblem problem(smallOptions(d1, d2));
      WireRun wire(problem, KronAlgorithm::Fast, 3, 0, 1.0);
      RandomStream order = RandomStream::fromSeed(8);
      wire.run(40, order);
      QCOMPARE(wire.batchSizes.size(), std::size_t{40});
      for (const auto size : wire.batchSizes) QCOMPARE(size, kron::batchBytes(4));
      for (const auto size : wire.partialSizes) QCOMPARE(size, kron::partialBytes(4));
      for (const auto size : wire.residSizes) QCOMPARE(size, kron::residBytes(4));
      QCOMPARE(kron::partialBytes(4), std::uint64_t{24 + 48});
      std::vector<std::uint64_t> all = wire.batchSizes;
      all.insert(all.end(), wire.partialSizes.begin(), wire.partialSizes.end());
      all.insert(all.end(), wire.residSizes.begin(), wire.residSizes.end());
      sizes.push_back(all);
      for (const auto delay : wire.delays) QCOMPARE(delay, std::int64_t{0});
      KronSequentialDriver reference(
          problem, {.algorithm = KronAlgorithm::Fast, .workers = 3, .eta = 1.0, .samplerSeed = 3});
      for (int t = 0; t < 40; ++t)
        QCOMPARE(reference.step().batchLoss, wire.batchLosses[static_cast<std::size_t>(t)]);
      QVERIFY((reference.innerProductTable() - wire.table(problem)).cwiseAbs().maxCoeff() == 0.0);
    }
    QCOMPARE(sizes[0], sizes[1]);
  }

  // Oracle 12c: at τ > 0 each RESID is applied exactly once per worker, P = P0 + α·G still holds, and
  // every delay lies in [0, τ] (and some are > 0).
  void pipelinedMode() {
    const KronTwoLayerProblem problem(smallOptions());
    for (const int tau : {1, 2, 4}) {
      WireRun wire(problem, KronAlgorithm::Fast, 4, tau, 1.0);
      RandomStream order = RandomStream::fromSeed(static_cast<std::uint64_t>(tau));
      wire.run(60, order);
      for (const auto applied : wire.residsApplied) QCOMPARE(applied, std::uint64_t{60});
      std::int64_t maxDelay = 0;
      for (const auto delay : wire.delays) {
        QVERIFY(delay >= 0 && delay <= tau);
        maxDelay = std::max(maxDelay, delay);
      }
      QVERIFY(maxDelay > 0);
      for (const auto& worker : wire.workers) {
        const auto& fast = dynamic_cast<const FastNeuronBlock&>(worker->block());
        QVERIFY((fast.table() - (fast.initialTable() + fast.implicitWeights() * problem.gram()))
                    .cwiseAbs()
                    .maxCoeff() <= 1e-10);
        QCOMPARE(worker->inFlight(), std::size_t{0});
      }
    }
  }

  // The codec: round trips, exact sizes, and malformed buffers refused without a crash.
  void codec() {
    kron::PartialMessage partial{.iteration = 7, .appliedVersion = 5, .sums = {1.5, -2.0}, .counts = {3, 0}};
    const kron::Bytes bytes = kron::encode(partial);
    QCOMPARE(bytes.size(), std::size_t{kron::partialBytes(2)});
    kron::PartialMessage back;
    std::string why;
    QVERIFY(kron::decode(bytes, back, &why));
    QCOMPARE(back.iteration, std::uint64_t{7});
    QCOMPARE(back.appliedVersion, std::uint64_t{5});
    QCOMPARE(back.sums, partial.sums);
    QCOMPARE(back.counts, partial.counts);
    kron::ResidMessage resid;
    QVERIFY(!kron::decode(bytes, resid, &why));  // wrong type
    kron::Bytes truncated(bytes.begin(), bytes.end() - 3);
    QVERIFY(!kron::decode(truncated, back, &why));
    kron::Bytes padded = bytes;
    padded[3] = 1;
    QVERIFY(!kron::decode(padded, back, &why));
    const KronData data = makeSyntheticKronData(5, 3, 2, 1);
    kron::InitMessage init{
        .m = 10, .n = 5, .d1 = 3, .d2 = 2, .batch = 2, .threshold = 0.5, .u = data.u, .v = data.v};
    const kron::Bytes initBytes = kron::encode(init);
    QCOMPARE(initBytes.size(), std::size_t{kron::initBytes(5, 3, 2)});
    kron::InitMessage initBack;
    QVERIFY(kron::decode(initBytes, initBack, &why));
    QVERIFY(initBack.u == data.u && initBack.v == data.v && initBack.threshold == 0.5);
    kron::CoFireMessage coFire{.version = 1, .n = 3, .upper = {1, 2, 3, 4, 5, 6}};
    kron::CoFireMessage coFireBack;
    QVERIFY(kron::decode(kron::encode(coFire), coFireBack, &why));
    QCOMPARE(coFireBack.n, 3u);
    // Random garbage: every decoder refuses or accepts, none crashes.
    RandomStream stream = RandomStream::fromSeed(4);
    for (int trial = 0; trial < 2000; ++trial) {
      kron::Bytes junk(static_cast<std::size_t>(stream.uniformInt(200)));
      for (auto& byte : junk) byte = static_cast<std::uint8_t>(stream.next());
      if (!junk.empty() && stream.uniform() < 0.5)
        junk[0] = static_cast<std::uint8_t>(1 + stream.uniformInt(8));
      kron::InitMessage a;
      kron::BatchMessage b;
      kron::PartialMessage c;
      kron::ResidMessage d;
      kron::LossMessage e;
      kron::CoFireMessage f;
      (void)kron::decode(junk, a, nullptr), (void)kron::decode(junk, b, nullptr),
          (void)kron::decode(junk, c, nullptr);
      (void)kron::decode(junk, d, nullptr), (void)kron::decode(junk, e, nullptr),
          (void)kron::decode(junk, f, nullptr);
    }
  }

  // The simulated runs through an experiment document: naive and fast give the same curve; the
  // pipelined run shows delays in [0, τ] and stops at exactly the update limit; metrics are present.
  void simulatedRuns() {
    auto document = [](const std::string& algorithm, nlohmann::json params, const std::string& timeModel) {
      return nlohmann::json{
          {"name", "kron-test"},
          {"seed", 5},
          {"engine", "sim"},
          {"problem",
           {{"name", "kron-two-layer"},
            {"params", {{"m", 256}, {"n", 32}, {"d1", 8}, {"d2", 6}, {"batch", 4}}}}},
          {"algorithm", {{"name", algorithm}, {"params", std::move(params)}}},
          {"workers",
           {{"count", 3}, {"time_model", {{"name", timeModel}, {"params", nlohmann::json::object()}}}}},
          {"stop", {{"updates", 60}}},
          {"eval", {{"every_updates", 10}}}};
    };
    struct Sink : TelemetrySink {
      std::vector<UpdateEvent> events;
      std::vector<EvaluationPoint> points;
      std::vector<BandwidthSample> bandwidth;
      void onUpdate(const UpdateEvent& e) override { events.push_back(e); }
      void onEvaluation(const EvaluationPoint& p) override { points.push_back(p); }
      void onBandwidth(const BandwidthSample& b) override { bandwidth.push_back(b); }
    };
    auto runOf = [](const nlohmann::json& doc, Sink& sink) {
      BuiltRun built = buildRun(parseExperiment(doc, "."));
      return built.simRun->run(sink);
    };
    Sink naive, fast, piped;
    const RunSummary a = runOf(document("kron-naive", nlohmann::json::object(), "natural"), naive);
    const RunSummary b = runOf(document("kron-fast", {{"index", "tree"}}, "natural"), fast);
    QCOMPARE(a.termination, Termination::UpdateLimit);
    QCOMPARE(a.updatesApplied, std::uint64_t{60});
    QCOMPARE(naive.points.size(), fast.points.size());
    QCOMPARE(naive.points.size(), std::size_t{7});
    for (std::size_t i = 0; i < naive.points.size(); ++i) {
      QCOMPARE(naive.points[i].updates, std::uint64_t{10 * i});
      QVERIFY(std::abs(naive.points[i].loss - fast.points[i].loss) <= 1e-10 * naive.points[i].loss);
      QVERIFY(std::abs(*naive.points[i].gradNormSq - *fast.points[i].gradNormSq) <=
              1e-9 * *naive.points[i].gradNormSq);
    }
    QVERIFY(fast.points.back().loss < fast.points.front().loss);
    for (const char* name :
         {"fired_fraction", "iteration_seconds", "fired_fraction_all", "nnz", "updated_neurons", "flips"})
      QVERIFY2(fast.points.back().metrics.count(name), name);
    QVERIFY(!naive.points.back().metrics.count("flips"));
    for (const auto& e : naive.events) QCOMPARE(e.delay, std::int64_t{0});
    QCOMPARE(a.bytesUplink, b.bytesUplink);  // message sizes do not depend on the algorithm either
    QVERIFY(!fast.bandwidth.empty());

    const RunSummary c = runOf(document("kron-fast", {{"staleness", 2}}, "jitter"), piped);
    QCOMPARE(c.updatesApplied, std::uint64_t{60});
    QCOMPARE(piped.points.back().updates, std::uint64_t{60});
    std::int64_t maxDelay = 0;
    for (const auto& e : piped.events) {
      QVERIFY(e.delay >= 0 && e.delay <= 2);
      maxDelay = std::max(maxDelay, e.delay);
    }
    QCOMPARE(maxDelay, std::int64_t{2});
    QCOMPARE(c.delayMax, std::int64_t{2});
    QVERIFY(std::isfinite(piped.points.back().loss) && piped.points.back().loss < piped.points.front().loss);
  }

  // A step size that blows up ends the run as diverged, with a non-finite final loss, not a crash.
  void divergenceIsReported() {
    const nlohmann::json doc = {
        {"name", "kron-diverge"},
        {"engine", "sim"},
        {"problem",
         {{"name", "kron-two-layer"}, {"params", {{"m", 64}, {"n", 8}, {"d1", 3}, {"d2", 3}, {"batch", 8}}}}},
        {"algorithm", {{"name", "kron-fast"}, {"params", {{"eta", 1e300}}}}},
        {"workers", {{"count", 2}}},
        {"stop", {{"updates", 50}}},
        {"eval", {{"every_updates", 1}}}};
    BuiltRun built = buildRun(parseExperiment(doc, "."));
    TelemetrySink sink;
    const RunSummary summary = built.simRun->run(sink);
    QCOMPARE(summary.termination, Termination::Diverged);
    QVERIFY(summary.updatesApplied < 50);
    QVERIFY(!std::isfinite(summary.finalLoss));
  }

  // Bad input names the field.
  void inputErrors() {
    nlohmann::json doc = {
        {"name", "x"},
        {"engine", "sim"},
        {"problem", {{"name", "kron-two-layer"}, {"params", {{"m", 4}, {"n", 8}, {"batch", 2}}}}},
        {"algorithm", {{"name", "kron-fast"}, {"params", nlohmann::json::object()}}},
        {"workers", {{"count", 5}}},
        {"stop", {{"updates", 5}}}};
    try {
      buildRun(parseExperiment(doc, "."));
      QFAIL("5 workers for 4 neurons accepted");
    } catch (const InputError& e) {
      QCOMPARE(QString::fromStdString(e.where()), QString("workers.count"));
    }
    doc["workers"]["count"] = 2;
    doc["problem"]["params"]["batch"] = 9;
    try {
      parseExperiment(doc, ".");
      buildRun(parseExperiment(doc, "."));
      QFAIL("batch > n accepted");
    } catch (const InputError& e) {
      QCOMPARE(QString::fromStdString(e.where()), QString("problem.params.batch"));
    }
    doc["problem"] = {{"name", "quadratic"}, {"params", {{"d", 4}}}};
    try {
      buildRun(parseExperiment(doc, "."));
      QFAIL("wrong problem accepted");
    } catch (const InputError& e) {
      QCOMPARE(QString::fromStdString(e.where()), QString("problem.name"));
    }
    doc["problem"] = {{"name", "kron-two-layer"}, {"params", nlohmann::json::object()}};
    doc["algorithm"]["params"] = {{"index", "heap"}};
    try {
      parseExperiment(doc, ".");
      QFAIL("unknown index accepted");
    } catch (const InputError& e) {
      QCOMPARE(QString::fromStdString(e.where()), QString("algorithm.params.index"));
    }
  }
};

QTEST_APPLESS_MAIN(TestKronSharded)
#include "test_kron_sharded.moc"
