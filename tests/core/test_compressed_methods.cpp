// Operator, aggregation, memory and system oracles of docs/papers.md, compressed-sgd §5 (8–22), malformed
// uplinks, option errors, and a short convergence run of every method on a9a logistic in the simulator.
#include <QtTest>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>

#include "core/codec/sign_codec.hpp"
#include "core/codec/sparse_codec.hpp"
#include "core/codec/ternary_codec.hpp"
#include "core/compressed/compressed_entries.hpp"
#include "core/compressed/compressed_sim_run.hpp"
#include "core/compressed/ef_signsgd.hpp"
#include "core/compressed/qsgd.hpp"
#include "core/compressed/sign_vote.hpp"
#include "core/compressed/sparse_sign_vote.hpp"
#include "core/compressed/sync_sgd.hpp"
#include "core/compressed/topk_ef.hpp"
#include "core/data/shards.hpp"
#include "core/registry/registry.hpp"
#include "core/timing/time_models.hpp"
#include "core/util/input_error.hpp"

using namespace distopt;

namespace {

const std::string kA9a = std::string(DISTOPT_TEST_DATA_DIR) + "/a9a.gz";

Vector randomVector(Eigen::Index n, RandomStream& stream) {
  Vector v(n);
  for (auto& x : v) x = stream.normal();
  return v;
}

nlohmann::json filled(const std::vector<OptionSpec>& specs, nlohmann::json params) {
  std::string why;
  if (!validateAndFillOptions(specs, params, "algorithm.params", &why))
    throw InputError("algorithm.params", why);
  return params;
}

class Recorder : public TelemetrySink {
 public:
  void onUpdate(const UpdateEvent& e) override { updates.push_back(e); }
  void onEvaluation(const EvaluationPoint& p) override { evaluations.push_back(p); }
  void onBandwidth(const BandwidthSample& s) override { bandwidth.push_back(s); }
  void onFinish(const RunSummary& s) override { summary = s; }
  std::vector<UpdateEvent> updates;
  std::vector<EvaluationPoint> evaluations;
  std::vector<BandwidthSample> bandwidth;
  RunSummary summary;
};

struct SimOutcome {
  Recorder sink;
  Vector serverModel;
  std::vector<Vector> workerModels;
};

// One round driven by hand: every worker compresses its gradient, the server aggregates, all apply.
EncodedMessage driveRound(CompressedServer& server, std::vector<std::unique_ptr<CompressedWorker>>& workers,
                          const std::vector<Vector>& gradients, std::uint64_t t,
                          RoundReport* reportOut = nullptr) {
  std::string why;
  for (std::size_t m = 0; m < workers.size(); ++m) {
    const EncodedMessage up = workers[m]->compress(gradients[m], t);
    if (!server.receive(static_cast<int>(m), up, &why)) qFatal("receive: %s", why.c_str());
  }
  RoundReport report;
  EncodedMessage down = server.finishRound(t, report);
  for (auto& w : workers)
    if (!w->applyDownlink(down, t, &why)) qFatal("downlink: %s", why.c_str());
  if (reportOut) *reportOut = report;
  return down;
}

std::vector<std::unique_ptr<CompressedWorker>> makeWorkers(const CompressedMethod& method, int m) {
  std::vector<std::unique_ptr<CompressedWorker>> workers;
  for (int i = 0; i < m; ++i) workers.push_back(method.makeWorker(i));
  return workers;
}

std::vector<std::int8_t> downVote(const EncodedMessage& down, std::uint64_t n) {
  std::vector<std::int8_t> v;
  std::string why;
  const bool ok =
      down.codec == CodecId::Sign1 ? decodeSign1(down, n, v, &why) : decodeTernary(down, n, v, &why);
  if (!ok) qFatal("vote: %s", why.c_str());
  return v;
}

}  // namespace

class TestCompressedMethods : public QObject {
  Q_OBJECT

  std::unique_ptr<Problem> m_a9a;

  std::unique_ptr<SimOutcome> simulate(const std::string& algorithm, const nlohmann::json& params,
                                       int workers, std::uint64_t rounds, std::uint64_t evalEvery = 0,
                                       std::uint64_t seed = 1, ShardRule rule = ShardRule::Iid) {
    auto out = std::make_unique<SimOutcome>();
    const AlgorithmEntry* entry = findAlgorithm(algorithm);
    if (!entry) qFatal("no algorithm %s", algorithm.c_str());
    const TimeModelEntry* time = findTimeModel("fixed");
    auto timeModel = time->make(filled(time->options, {{"h", "one"}}), workers, seed, "time");
    auto shards = std::make_shared<const std::vector<Shard>>(makeShards(*m_a9a, workers, rule, seed));
    RandomStream init(
        StreamKey{.runSeed = seed, .purpose = StreamPurpose::Init, .worker = StreamKey::kNoWorker});
    SimRunContext context{.problem = m_a9a.get(),
                          .shards = shards,
                          .timeModel = timeModel.get(),
                          .numWorkers = workers,
                          .x0 = m_a9a->initialPoint(init)};
    context.options.maxUpdates = rounds;
    context.options.evalEveryUpdates = evalEvery;
    context.options.evalGradNorm = false;
    context.options.seed = seed;
    auto run = entry->makeSimRun(filled(entry->options, params), context);
    run->run(out->sink);
    const auto& sim = dynamic_cast<const CompressedSimRun&>(*run);
    out->serverModel = sim.server().model();
    for (int m = 0; m < workers; ++m) out->workerModels.push_back(sim.worker(m).model());
    return out;
  }

 private slots:
  void initTestCase() {
    const ProblemEntry* logistic = findProblem("logistic");
    m_a9a = logistic->make(filled(logistic->options, {{"train", kA9a}, {"batch", 32}}),
                           ProblemBuildContext{.baseDirectory = ".", .seed = 1});
  }

  // Oracle 8.
  void topKSelection() {
    Vector a(10);
    a << 1, -5, 3, 3, -3, 0.5, 2, -2, 7, 0;
    const SegmentLayout layout{{6, 4}};
    const auto chosen = topKIndices(a, layout, {3, 2});
    // Segment 0: |a| = 1,5,3,3,3,0.5 → 1 (5), then ties at 3 resolved to indices 2, 3.
    QCOMPARE(chosen, (std::vector<std::uint32_t>{1, 2, 3, 6, 8}));
    const auto all = topKIndices(a, layout, {6, 4});
    QCOMPARE(all.size(), std::size_t{10});
    RandomStream stream = RandomStream::fromSeed(4);
    const Vector big = randomVector(1000, stream);
    const SegmentLayout bigLayout{{100, 900}};
    const auto top = topKIndices(big, bigLayout, {7, 30});
    Vector selected = Vector::Zero(1000);
    Vector rest = big;
    for (auto i : top) selected[i] = big[i], rest[i] = 0.0;
    QVERIFY((selected + rest).cwiseEqual(big).all());
    // Exactly K_l per segment, each no smaller in magnitude than every unselected one of its segment.
    int inFirst = 0;
    for (auto i : top) inFirst += i < 100 ? 1 : 0;
    QCOMPARE(inFirst, 7);
    double minSelected[2] = {1e300, 1e300};
    double maxRest[2] = {0, 0};
    for (Eigen::Index i = 0; i < 1000; ++i) {
      const int seg = i < 100 ? 0 : 1;
      if (selected[i] != 0.0)
        minSelected[seg] = std::min(minSelected[seg], std::abs(big[i]));
      else
        maxRest[seg] = std::max(maxRest[seg], std::abs(big[i]));
    }
    QVERIFY(minSelected[0] >= maxRest[0] && minSelected[1] >= maxRest[1]);
  }

  // Oracle 9 (MNIST CNN layout of the reference code).
  void perTensorK() {
    const SegmentLayout cnn{{800, 32, 51200, 64, 524288, 512, 5120, 10}};
    QCOMPARE(cnn.total(), std::uint64_t{582026});
    auto sum = [](const std::vector<std::uint64_t>& k) {
      return std::accumulate(k.begin(), k.end(), std::uint64_t{0});
    };
    QCOMPARE(sum(perSegmentK(cnn, 100000)), std::uint64_t{58205});
    QCOMPARE(sum(perSegmentK(cnn, 50000)), std::uint64_t{29104});
    QCOMPARE(sum(perSegmentK(cnn, 10000)), std::uint64_t{5824});
    QCOMPARE(sum(spreadK(cnn, 1000)), std::uint64_t{1000});
  }

  // Oracle 10.
  void qsgdQuantiser() {
    RandomStream stream = RandomStream::fromSeed(8);
    const Vector g = randomVector(64, stream);
    const std::uint32_t s = 4;
    auto generator = qsgdGenerator(1, 0);
    const QsgdLevels q = quantizeQsgd(g, 16, s, false, [&] { return qsgdUniform(generator); });
    for (Eigen::Index i = 0; i < 64; ++i) {
      const double a = s * std::abs(g[i]) / double(q.norms[static_cast<std::size_t>(i / 16)]);
      const auto level = q.levels[static_cast<std::size_t>(i)];
      QVERIFY(level == std::floor(a) || level == std::floor(a) + 1);
      QVERIFY(level <= s);
    }
    Vector zeros = Vector::Zero(20);
    auto gen2 = qsgdGenerator(1, 0);
    const QsgdLevels qz = quantizeQsgd(zeros, 8, s, false, [&] { return qsgdUniform(gen2); });
    QVERIFY(std::all_of(qz.levels.begin(), qz.levels.end(), [](auto l) { return l == 0; }));
    auto gA = qsgdGenerator(5, 3);
    auto gB = qsgdGenerator(5, 3);
    const auto qa = quantizeQsgd(g, 16, s, false, [&] { return qsgdUniform(gA); });
    const auto qb = quantizeQsgd(g, 16, s, false, [&] { return qsgdUniform(gB); });
    QCOMPARE(encodeQsgd(qa, 16, s, QsgdCodec::Auto).bytes, encodeQsgd(qb, 16, s, QsgdCodec::Auto).bytes);
    // Unbiased (4 standard errors) and variance bound min(d/s², √d/s) per bucket (here one bucket).
    const int draws = 10000;
    const Vector v = randomVector(32, stream);
    Vector sum = Vector::Zero(32);
    Vector sumSq = Vector::Zero(32);
    double errorSq = 0.0;
    auto gen = qsgdGenerator(9, 0);
    for (int k = 0; k < draws; ++k) {
      Vector decoded;
      dequantizeQsgd(quantizeQsgd(v, 32, 2, false, [&] { return qsgdUniform(gen); }), 32, 2, decoded);
      sum += decoded;
      sumSq += decoded.cwiseProduct(decoded);
      errorSq += (decoded - v).squaredNorm();
    }
    const Vector mean = sum / draws;
    for (Eigen::Index i = 0; i < 32; ++i) {
      const double var = sumSq[i] / draws - mean[i] * mean[i];
      const double se = std::sqrt(std::max(var, 1e-300) / draws);
      QVERIFY2(std::abs(mean[i] - v[i]) <= 4 * se + 1e-6, qPrintable(QString("i=%1").arg(i)));
    }
    const double bound = std::min(32.0 / 4.0, std::sqrt(32.0) / 2.0);
    QVERIFY(errorSq / draws / v.squaredNorm() <= bound);
  }

  // compressed-sgd E5: Gaussian d = 1024; with s = 32 = √d the mean QSGD_ELIAS size stays <= 3.2d + 32 bits,
  // and E||ĝ − g||²/||g||² <= min(d/s², √d/s) for s in {1, 2, 4, 8, 32}.
  void qsgdE5() {
    RandomStream stream = RandomStream::fromSeed(55);
    const Eigen::Index d = 1024;
    double eliasBits = 0.0;
    for (std::uint32_t s : {1u, 2u, 4u, 8u, 32u}) {
      auto gen = qsgdGenerator(7, static_cast<int>(s));
      double relative = 0.0;
      const int draws = 50;
      for (int k = 0; k < draws; ++k) {
        const Vector g = randomVector(d, stream);
        const QsgdLevels q = quantizeQsgd(g, d, s, false, [&] { return qsgdUniform(gen); });
        Vector decoded;
        dequantizeQsgd(q, d, s, decoded);
        relative += (decoded - g).squaredNorm() / g.squaredNorm();
        if (s == 32) eliasBits += static_cast<double>(encodeQsgd(q, d, s, QsgdCodec::Elias).payloadBits);
      }
      const double bound = std::min(double(d) / (s * s), std::sqrt(double(d)) / s);
      QVERIFY2(relative / draws <= bound,
               qPrintable(QString("s=%1: %2 > %3").arg(s).arg(relative / draws).arg(bound)));
    }
    qInfo("QSGD_ELIAS s = 32, d = 1024: %.1f bits per bucket (bound 3.2d + 32 = %.1f)", eliasBits / 50, 3.2 * d + 32);
    QVERIFY2(eliasBits / 50 <= 3.2 * d + 32, qPrintable(QString::number(eliasBits / 50)));
  }

  // Oracle 11: one worker.
  void oneWorkerVotes() {
    RandomStream stream = RandomStream::fromSeed(2);
    const Vector x0 = Vector::Zero(50);
    Vector g = randomVector(50, stream);
    g[3] = 0.0;
    SignVoteOptions so;
    const auto sign = makeSignVote("signsgd-mv", so, 1, x0);
    auto server = sign.makeServer();
    auto workers = makeWorkers(sign, 1);
    const auto v = downVote(driveRound(*server, workers, {g}, 0), 50);
    for (Eigen::Index i = 0; i < 50; ++i) QCOMPARE(int(v[static_cast<std::size_t>(i)]), g[i] < 0 ? -1 : 1);

    SparseSignVoteOptions ss;
    ss.rhoPpm = 200000;
    const SegmentLayout layout{{20, 30}};
    const auto sparse = makeSparseSignVote(ss, layout, 1, x0);
    auto sserver = sparse.makeServer();
    auto sworkers = makeWorkers(sparse, 1);
    const auto sv = downVote(driveRound(*sserver, sworkers, {g}, 0), 50);
    const auto top = topKIndices(g, layout, perSegmentK(layout, 200000));
    std::vector<std::int8_t> expected(50, 0);
    for (auto i : top) expected[i] = g[i] > 0 ? 1 : (g[i] < 0 ? -1 : 0);
    QCOMPARE(sv, expected);
  }

  // Oracle 12: S³GD-MV with K = N and signSGD-MV with tie_rule zero agree bit for bit; even M ties → 0.
  void sparseWithFullKEqualsSignVote() {
    const int m = 4;
    const Eigen::Index n = 40;
    RandomStream stream = RandomStream::fromSeed(12);
    const Vector x0 = randomVector(n, stream);
    SparseSignVoteOptions ss;
    ss.rhoPpm = 1000000;
    SignVoteOptions so;
    so.tieRule = TieRule::Zero;
    const auto sparse = makeSparseSignVote(ss, SegmentLayout{{10, 30}}, m, x0);
    const auto sign = makeSignVote("signsgd-mv", so, m, x0);
    auto sparseServer = sparse.makeServer();
    auto signServer = sign.makeServer();
    auto sparseWorkers = makeWorkers(sparse, m);
    auto signWorkers = makeWorkers(sign, m);
    int zeros = 0;
    for (std::uint64_t t = 0; t < 30; ++t) {
      std::vector<Vector> grads;
      for (int w = 0; w < m; ++w) grads.push_back(randomVector(n, stream));
      const auto a = downVote(driveRound(*sparseServer, sparseWorkers, grads, t), n);
      const auto b = downVote(driveRound(*signServer, signWorkers, grads, t), n);
      QCOMPARE(a, b);
      QVERIFY(sparseServer->model().cwiseEqual(signServer->model()).all());
      for (Eigen::Index i = 0; i < n; ++i) {
        int c = 0;
        for (const auto& g : grads) c += g[i] < 0 ? -1 : 1;
        if (c == 0) {
          QCOMPARE(int(a[static_cast<std::size_t>(i)]), 0);
          ++zeros;
        }
      }
    }
    QVERIFY(zeros > 0);  // the test saw ties
  }

  // Oracles 13 and 14.
  void voteProperties() {
    const Eigen::Index n = 200;
    RandomStream stream = RandomStream::fromSeed(13);
    const Vector x0 = Vector::Zero(n);
    for (int m : {3, 5, 6}) {
      std::vector<Vector> grads;
      for (int w = 0; w < m; ++w) grads.push_back(randomVector(n, stream));
      SignVoteOptions so;
      const auto sign = makeSignVote("signsgd-mv", so, m, x0);
      auto s1 = sign.makeServer();
      auto w1 = makeWorkers(sign, m);
      RoundReport report;
      const auto v = downVote(driveRound(*s1, w1, grads, 0, &report), n);
      if (m % 2 == 1) QVERIFY(std::none_of(v.begin(), v.end(), [](auto x) { return x == 0; }));
      QVERIFY(report.voteAgreement >= 0.5 && report.voteAgreement <= 1.0 && report.voteMargin <= 1.0);
      std::vector<Vector> reversed(grads.rbegin(), grads.rend());
      auto s2 = sign.makeServer();
      auto w2 = makeWorkers(sign, m);
      QCOMPARE(downVote(driveRound(*s2, w2, reversed, 0), n), v);
      // Oracle 14: a strict majority decides whatever the others send.
      std::vector<Vector> adversarial = grads;
      const int majority = m / 2 + 1;
      for (int w = 0; w < majority; ++w) adversarial[static_cast<std::size_t>(w)] = Vector::Constant(n, -1.0);
      for (int w = majority; w < m; ++w) adversarial[static_cast<std::size_t>(w)] = Vector::Constant(n, 1.0);
      auto s3 = sign.makeServer();
      auto w3 = makeWorkers(sign, m);
      const auto va = downVote(driveRound(*s3, w3, adversarial, 0), n);
      QVERIFY(std::all_of(va.begin(), va.end(), [](auto x) { return x == -1; }));

      SparseSignVoteOptions ss;
      ss.rhoPpm = 50000;
      const SegmentLayout layout{{50, 150}};
      const auto sparse = makeSparseSignVote(ss, layout, m, x0);
      auto s4 = sparse.makeServer();
      auto w4 = makeWorkers(sparse, m);
      const auto sv = downVote(driveRound(*s4, w4, grads, 0, &report), n);
      std::vector<bool> selected(static_cast<std::size_t>(n), false);
      std::uint64_t totalK = 0;
      for (const auto& g : grads)
        for (auto i : topKIndices(g, layout, perSegmentK(layout, 50000))) selected[i] = true, ++totalK;
      std::uint64_t nnz = 0;
      for (Eigen::Index i = 0; i < n; ++i) {
        nnz += sv[static_cast<std::size_t>(i)] != 0;
        if (!selected[static_cast<std::size_t>(i)]) QCOMPARE(int(sv[static_cast<std::size_t>(i)]), 0);
      }
      QVERIFY(nnz <= std::min<std::uint64_t>(n, totalK));
      QVERIFY(report.voteCoverage <= double(totalK) / double(n));
    }
  }

  // Oracle 15: Signum with β = 0 is signSGD-MV; EF-signSGD's first step (e = 0) is scaled signSGD.
  void signumBetaZeroAndEfFirstStep() {
    const Eigen::Index n = 30;
    RandomStream stream = RandomStream::fromSeed(15);
    const Vector x0 = randomVector(n, stream);
    SignVoteOptions so;
    const auto sign = makeSignVote("signsgd-mv", so, 3, x0);
    const auto signum = makeSignVote("signum-mv", so, 3, x0);  // beta = 0
    auto a = sign.makeServer();
    auto b = signum.makeServer();
    auto wa = makeWorkers(sign, 3);
    auto wb = makeWorkers(signum, 3);
    for (std::uint64_t t = 0; t < 10; ++t) {
      std::vector<Vector> grads;
      for (int w = 0; w < 3; ++w) grads.push_back(randomVector(n, stream));
      QCOMPARE(driveRound(*a, wa, grads, t).bytes, driveRound(*b, wb, grads, t).bytes);
    }
    QVERIFY(a->model().cwiseEqual(b->model()).all());

    EfSignSgdOptions eo;
    eo.step.gamma = 0.1;
    const SegmentLayout layout{{10, 20}};
    const auto ef = makeEfSignSgd(eo, layout, 1, x0);
    auto worker = ef.makeWorker(0);
    const Vector g = randomVector(n, stream);
    const EncodedMessage message = worker->compress(g, 0);
    std::vector<float> scales;
    std::vector<std::int8_t> signs;
    QVERIFY(decodeScaledSign(message, n, 2, scales, signs, nullptr));
    const Vector p = 0.1 * g;
    QCOMPARE(scales[0], static_cast<float>(p.head(10).lpNorm<1>() / 10));
    QCOMPARE(scales[1], static_cast<float>(p.tail(20).lpNorm<1>() / 20));
    for (Eigen::Index i = 0; i < n; ++i) QCOMPARE(int(signs[static_cast<std::size_t>(i)]), p[i] < 0 ? -1 : 1);
  }

  // Oracle 16.
  void sgdAndQsgdAverages() {
    const Eigen::Index n = 64;
    RandomStream stream = RandomStream::fromSeed(16);
    const Vector x0 = randomVector(n, stream);
    SyncSgdOptions o;
    o.step.gamma = 0.1;
    const auto many = makeSyncSgd(o, 4, x0);
    const auto one = makeSyncSgd(o, 1, x0);
    auto sm = many.makeServer();
    auto so = one.makeServer();
    auto wm = makeWorkers(many, 4);
    auto wo = makeWorkers(one, 1);
    for (std::uint64_t t = 0; t < 5; ++t) {
      const Vector g = randomVector(n, stream);
      driveRound(*sm, wm, {g, g, g, g}, t);
      driveRound(*so, wo, {g}, t);
    }
    QVERIFY(sm->model().cwiseEqual(so->model()).all());

    QsgdOptions q;
    q.s = 32768;
    q.bucket = 16;
    q.step.gamma = 1.0;
    const auto qsgd = makeQsgd(q, 5, Vector::Zero(n));
    auto qs = qsgd.makeServer();
    auto qw = makeWorkers(qsgd, 5);
    std::vector<Vector> grads;
    Vector dense = Vector::Zero(n);
    for (int w = 0; w < 5; ++w) grads.push_back(randomVector(n, stream)), dense += grads.back() / 5.0;
    driveRound(*qs, qw, grads, 0);
    const Vector applied = -qs->model();  // x_1 = 0 − 1·u
    QVERIFY2((applied - dense).norm() <= 1e-3 * dense.norm(),
             qPrintable(QString::number((applied - dense).norm() / dense.norm())));
  }

  // Oracles 17 and 18 (single worker, alpha = 1, lr in memory): nothing is lost, only delayed; the
  // memory keeps exactly p − decode(encode(p)).
  void errorFeedbackInvariants() {
    const Eigen::Index n = 40;
    RandomStream stream = RandomStream::fromSeed(17);
    const Vector x0 = randomVector(n, stream);
    const SegmentLayout layout{{15, 25}};
    EfSignSgdOptions eo;
    eo.step.gamma = 0.05;
    TopKEfOptions to;
    to.rhoPpm = 100000;
    to.step.gamma = 0.05;
    for (const auto& method : {makeEfSignSgd(eo, layout, 1, x0), makeTopKEf(to, layout, 1, x0)}) {
      auto server = method.makeServer();
      auto workers = makeWorkers(method, 1);
      Vector sent = Vector::Zero(n);
      for (std::uint64_t t = 0; t < 50; ++t) {
        const Vector g = randomVector(n, stream);
        const Vector before = workers[0]->memory() ? *workers[0]->memory() : Vector::Zero(n);
        const Vector p = before + 0.05 * g;
        std::string why;
        const EncodedMessage up = workers[0]->compress(g, t);
        Vector decoded;
        if (up.codec == CodecId::ScaledSign) {
          std::vector<float> scales;
          std::vector<std::int8_t> signs;
          QVERIFY(decodeScaledSign(up, n, 2, scales, signs, &why));
          decoded.resize(n);
          for (Eigen::Index i = 0; i < n; ++i)
            decoded[i] = signs[static_cast<std::size_t>(i)] * double(scales[i < 15 ? 0 : 1]);
        } else {
          SparseSet set;
          SparsePayload kind{};
          QVERIFY(decodeSparse(up, n, set, kind, &why));
          decoded = Vector::Zero(n);
          for (std::size_t j = 0; j < set.indices.size(); ++j) decoded[set.indices[j]] = set.values[j];
        }
        QVERIFY((*workers[0]->memory() - (p - decoded)).cwiseAbs().maxCoeff() <= 1e-15);  // oracle 18
        sent += 0.05 * g;
        QVERIFY(server->receive(0, up, &why));
        RoundReport report;
        const EncodedMessage down = server->finishRound(t, report);
        QVERIFY(workers[0]->applyDownlink(down, t, &why));
      }
      const Vector lhs = x0 - server->model() + *workers[0]->memory();
      QVERIFY2((lhs - sent).norm() <= 1e-6 * sent.norm(), qPrintable(QString::number((lhs - sent).norm())));
    }
  }

  // Oracle 19: S³GD-MV residual.
  void sparseResidual() {
    const Eigen::Index n = 60;
    RandomStream stream = RandomStream::fromSeed(19);
    SparseSignVoteOptions ss;
    ss.rhoPpm = 100000;
    const SegmentLayout layout{{20, 40}};
    const auto method = makeSparseSignVote(ss, layout, 1, Vector::Zero(n));
    auto server = method.makeServer();
    auto workers = makeWorkers(method, 1);
    Vector sumG = Vector::Zero(n);
    Vector sumTop = Vector::Zero(n);
    for (std::uint64_t t = 0; t < 40; ++t) {
      const Vector g = randomVector(n, stream);
      const Vector a = (workers[0]->memory() ? *workers[0]->memory() : Vector::Zero(n)) + g;
      const EncodedMessage up = workers[0]->compress(g, t);
      SparseSet set;
      SparsePayload kind{};
      QVERIFY(decodeSparse(up, n, set, kind, nullptr));
      QCOMPARE(set.indices, topKIndices(a, layout, perSegmentK(layout, 100000)));
      const Vector& r = *workers[0]->memory();
      for (auto i : set.indices) {
        QCOMPARE(r[i], 0.0);
        sumTop[i] += a[i];
      }
      sumG += g;
      std::string why;
      QVERIFY(server->receive(0, up, &why));
      RoundReport report;
      QVERIFY(workers[0]->applyDownlink(server->finishRound(t, report), t, &why));
    }
    QVERIFY((sumTop + *workers[0]->memory() - sumG).norm() <= 1e-9 * sumG.norm());
  }

  // Oracles 20, 21 and the per-method convergence sanity run on a9a (8 workers, 300 rounds).
  void simulatedRunsOnA9a() {
    QVERIFY(m_a9a);
    const auto n = static_cast<double>(m_a9a->dimension());
    const std::map<std::string, nlohmann::json> methods = {
        {"sgd", {{"gamma", 0.5}}},
        {"signsgd-mv", {{"gamma", 2e-3}}},
        {"signum-mv", {{"gamma", 2e-3}}},
        {"sparse-signsgd-mv", {{"gamma", 2e-3}, {"rho", 100000}}},
        {"topk-ef", {{"gamma", 0.5}, {"rho", 100000}}},
        {"ef-signsgd", {{"gamma", 0.5}}},
        {"qsgd", {{"gamma", 0.5}}}};
    for (const auto& [name, params] : methods) {
      auto out = simulate(name, params, 8, 300, 100);
      const auto& evals = out->sink.evaluations;
      QVERIFY(evals.size() >= 4);
      QVERIFY2(evals.back().loss < 0.42,
               qPrintable(QString::fromStdString(name) + ": " + QString::number(evals.back().loss)));
      QCOMPARE(out->sink.summary.updatesApplied, std::uint64_t{300});
      QVERIFY(out->sink.summary.termination == Termination::UpdateLimit);
      for (const Vector& w : out->workerModels)
        QCOMPARE(modelHash(w), modelHash(out->serverModel));  // oracle 20
      const auto& metrics = evals.back().metrics;
      QVERIFY(metrics.count("bits_up_per_iteration") && metrics.count("cumulative_bits_up"));
      QCOMPARE(out->sink.updates.size(), std::size_t{8 * 300});
      const double up = metrics.at("bits_up_per_iteration");
      const double down = metrics.at("bits_down_per_iteration");
      if (name == "sgd") {  // oracle 21
        QCOMPARE(up, 32.0 * n * 8);
        QCOMPARE(down, 32.0 * n);
      }
      if (name == "signsgd-mv" || name == "signum-mv") {
        QCOMPARE(up, n * 8);
        QCOMPARE(down, n);
        QVERIFY(metrics.count("vote_agreement") && metrics.count("vote_margin"));
      }
      if (name == "ef-signsgd") QCOMPARE(up, (32.0 + n) * 8);  // a9a is one segment
      const bool fixedSize =
          name == "sgd" || name == "signsgd-mv" || name == "signum-mv" || name == "ef-signsgd";
      if (fixedSize) QCOMPARE(metrics.at("cumulative_bits_up"), up * 300);
      QVERIFY(metrics.at("efficiency_up") > 0.0);  // may exceed 1 on structured supports (§3.5)
      // Bytes: exact wire sizes, downlink once per worker, plus the replica hashes every 100 rounds.
      std::uint64_t upBytes = 0;
      for (const auto& e : out->sink.updates) upBytes += e.bytes;
      QCOMPARE(out->sink.summary.bytesUplink, upBytes + 3 * 8 * 40);
      std::map<std::pair<int, std::string>, std::uint64_t> lastUp;
      for (const auto& s : out->sink.bandwidth)
        if (s.uplink) lastUp[{s.worker, s.kind}] = s.bytes;
      std::uint64_t sampled = 0;
      for (const auto& [key, bytes] : lastUp) sampled += bytes;
      QCOMPARE(sampled, out->sink.summary.bytesUplink);
    }
  }

  // Oracle 22: the index codec never changes the trajectory.
  void codecDoesNotChangeTrajectory() {
    QVERIFY(m_a9a);
    auto rice = simulate("sparse-signsgd-mv", {{"rho", 50000}, {"index_codec", "rice"}}, 4, 60);
    auto bitmap = simulate("sparse-signsgd-mv", {{"rho", 50000}, {"index_codec", "bitmap"}}, 4, 60);
    QVERIFY(rice->serverModel.cwiseEqual(bitmap->serverModel).all());
    QVERIFY(rice->sink.summary.bytesUplink != bitmap->sink.summary.bytesUplink);
    auto topRaw = simulate("topk-ef", {{"rho", 50000}, {"index_codec", "raw32"}}, 4, 60);
    auto topAuto = simulate("topk-ef", {{"rho", 50000}}, 4, 60);
    QVERIFY(topRaw->serverModel.cwiseEqual(topAuto->serverModel).all());
  }

  // compressed-sgd E2 robustness: M = 7 with 3 sign-inverting workers still descends; with 4 it ascends.
  void byzantineWorkers() {
    QVERIFY(m_a9a);
    auto three = simulate("signsgd-mv", {{"gamma", 2e-3}, {"byzantine", 3}}, 7, 200, 200);
    auto four = simulate("signsgd-mv", {{"gamma", 2e-3}, {"byzantine", 4}}, 7, 200, 200);
    const double start = three->sink.evaluations.front().loss;
    QVERIFY(three->sink.evaluations.back().loss < start - 0.1);
    QVERIFY(four->sink.evaluations.back().loss > start);
  }

  void malformedUplinksAreRefused() {
    const Eigen::Index n = 20;
    RandomStream stream = RandomStream::fromSeed(3);
    const Vector x0 = randomVector(n, stream);
    const std::vector<CompressedMethod> methods = {makeSyncSgd({}, 2, x0),
                                                   makeSignVote("signsgd-mv", {}, 2, x0),
                                                   makeSparseSignVote({}, SegmentLayout::single(n), 2, x0),
                                                   makeTopKEf({}, SegmentLayout::single(n), 2, x0),
                                                   makeEfSignSgd({}, SegmentLayout::single(n), 2, x0),
                                                   makeQsgd({}, 2, x0)};
    for (const auto& method : methods) {
      auto server = method.makeServer();
      auto worker = method.makeWorker(0);
      const EncodedMessage good = worker->compress(randomVector(n, stream), 0);
      std::string why;
      EncodedMessage bad = good;
      bad.payloadBits += 8;
      bad.bytes.push_back(0);
      QVERIFY(!server->receive(0, bad, &why));
      QVERIFY(!why.empty());
      EncodedMessage cut = good;
      cut.bytes.resize(cut.bytes.size() / 2);
      cut.payloadBits = cut.bytes.size() * 8;
      QVERIFY(!server->receive(0, cut, &why));
      EncodedMessage wrong = encodeSign1(Vector::Ones(n + 1));
      if (good.codec != CodecId::Sign1) wrong = encodeSign1(Vector::Ones(n));
      QVERIFY(!server->receive(0, wrong, &why));
      for (int trial = 0; trial < 200; ++trial) {
        EncodedMessage junk = good;
        for (auto& b : junk.bytes) b = static_cast<std::uint8_t>(stream.next());
        if (junk.payloadBits % 8)
          junk.bytes.back() &= static_cast<std::uint8_t>((1u << (junk.payloadBits % 8)) - 1);
        server->receive(0, junk, &why);  // may or may not be valid; must not crash
      }
      // Downlink decoding is as strict.
      QVERIFY(!worker->applyDownlink(cut, 0, &why));
      QVERIFY(worker->model().cwiseEqual(x0).all());
    }
  }

  void optionErrorsNameTheField() {
    const AlgorithmEntry* entry = findAlgorithm("sparse-signsgd-mv");
    QVERIFY(entry && entry->family == FamilyId::Compressed && entry->runsLive() && entry->liveDriver);
    std::string why;
    nlohmann::json params = {{"rho", 0}};
    QVERIFY(!validateAndFillOptions(entry->options, params, "algorithm.params", &why));
    QVERIFY2(why.find("algorithm.params.rho") == 0, why.c_str());
    QVERIFY(m_a9a);
    try {
      simulate("signsgd-mv", {{"byzantine", 9}}, 4, 1);
      QFAIL("expected InputError");
    } catch (const InputError& e) {
      QCOMPARE(QString::fromStdString(e.where()), QString("algorithm.params.byzantine"));
    }
    try {
      simulate("sgd", {{"lr_schedule", "step"}}, 2, 0);
      QFAIL("expected InputError");
    } catch (const InputError& e) {
      QCOMPARE(QString::fromStdString(e.where()), QString("algorithm.params.lr_schedule"));
    }
  }
};

QTEST_APPLESS_MAIN(TestCompressedMethods)
#include "test_compressed_methods.moc"
