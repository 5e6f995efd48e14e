// docs/papers.md, kronecker-async §5 oracles 5-9 and 11: the fast iteration reproduces the naive one.
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "core/kronecker/kron_driver.hpp"
#include "core/kronecker/kron_fast.hpp"
#include "core/kronecker/kron_naive.hpp"
#include "core/kronecker/kron_problem.hpp"

using namespace distopt;

namespace {

KronTwoLayerProblem::Options smallOptions(std::uint64_t seed = 11) {
  KronTwoLayerProblem::Options options;  // kronecker-async §5 default instance: m 256, n 32, d1 8, d2 6, S 4
  options.dataSeed = seed;
  options.modelSeed = seed + 1;
  return options;
}

double fullLoss(const NeuronBlock& block, const KronTwoLayerProblem& problem) {
  const BlockEvaluation evaluation = block.evaluation(false);
  const double scale = 1.0 / std::sqrt(static_cast<double>(problem.neurons()));
  return 0.5 * (evaluation.outputSums * scale - problem.data().y).squaredNorm();
}

/// Entries of `a` not in `b` (both ascending).
std::vector<std::uint32_t> minus(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  std::vector<std::uint32_t> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace

class TestKronFast : public QObject {
  Q_OBJECT

 private slots:
  // Oracle 8: 50 steps from the same seeds; identical batches, identical fired sets outside the tie
  // band, predictions to 1e-10 relative, full losses to 1e-10 relative. Also oracle 7 at the end
  // (reconstructed W(T) equals naive W(T)) and both index kinds and Gram modes.
  void fastEqualsNaive_data() {
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("gram");
    QTest::newRow("flipsets-precomputed") << int(FireIndex::Kind::FlipSets) << int(GramMode::Precomputed);
    QTest::newRow("tree-precomputed") << int(FireIndex::Kind::Tree) << int(GramMode::Precomputed);
    QTest::newRow("flipsets-factored") << int(FireIndex::Kind::FlipSets) << int(GramMode::Factored);
    QTest::newRow("scan-precomputed") << int(FireIndex::Kind::Scan) << int(GramMode::Precomputed);
  }
  void fastEqualsNaive() {
    QFETCH(int, index);
    QFETCH(int, gram);
    const KronTwoLayerProblem problem(smallOptions());
    const std::int64_t m = problem.neurons();
    KronFastOptions fastOptions;
    fastOptions.index = static_cast<FireIndex::Kind>(index);
    fastOptions.gram = static_cast<GramMode>(gram);
    NaiveNeuronBlock naive(problem, 0, m);
    FastNeuronBlock fast(problem, 0, m, fastOptions);
    KronBatchSampler naiveSampler(problem.data().size(), problem.batch(), 9),
        fastSampler(problem.data().size(), problem.batch(), 9);
    const double eta = 1.0;
    const double scale = 1.0 / std::sqrt(static_cast<double>(m));
    const double loss0 = fullLoss(naive, problem);
    double maxLossGap = 0.0;
    int ties = 0;
    std::vector<std::uint32_t> batchN, batchF;
    for (std::uint64_t t = 0; t < 50; ++t) {
      naiveSampler.next(batchN);
      fastSampler.next(batchF);
      QCOMPARE(batchN, batchF);
      std::vector<double> sumsN, sumsF;
      std::vector<std::uint32_t> countsN, countsF;
      KeptForward keptN, keptF;
      naive.forward(batchN, t, sumsN, countsN, keptN);
      fast.forward(batchF, t, sumsF, countsF, keptF);
      RowMatrix pN;
      naive.innerProductTable(pN);
      std::vector<double> eN(batchN.size()), eF(batchF.size());
      for (std::size_t k = 0; k < batchN.size(); ++k) {
        for (const auto& extra :
             {minus(keptN.fired(k), keptF.fired(k)), minus(keptF.fired(k), keptN.fired(k))}) {
          for (const std::uint32_t r : extra) {
            QVERIFY2(std::abs(pN(r, batchN[k]) - problem.threshold()) < 1e-9,
                     "fired sets differ outside the tie band");
            ++ties;
          }
        }
        const double fN = sumsN[k] * scale, fF = sumsF[k] * scale;
        QVERIFY(std::abs(fN - fF) <= 1e-10 * std::max(1.0, std::abs(fN)));
        eN[k] = fN - problem.data().y[batchN[k]];
        eF[k] = fF - problem.data().y[batchF[k]];
      }
      BlockStepStats statsN, statsF;
      naive.apply(keptN, eN, eta, statsN);
      fast.apply(keptF, eF, eta, statsF);
      QCOMPARE(statsN.nnz, statsF.nnz);
      QCOMPARE(statsN.updatedNeurons, statsF.updatedNeurons);
      const double lossN = fullLoss(naive, problem), lossF = fullLoss(fast, problem);
      QVERIFY(std::abs(lossN - lossF) <= 1e-10 * std::max(1.0, lossN));
      maxLossGap = std::max(maxLossGap, std::abs(lossN - lossF) / loss0);
    }
    qInfo("max |L_naive - L_fast| / L(0) over 50 steps: %.3g; tie events: %d", maxLossGap, ties);
    QVERIFY(fullLoss(fast, problem) < loss0);  // the run did something
    // Oracle 7, second half: W(T) reconstructed from α equals the naive W(T).
    for (std::int64_t r = 0; r < m; ++r)
      QVERIFY((fast.reconstructWeights(r) - naive.weights().row(r).transpose()).cwiseAbs().maxCoeff() <=
              1e-10);
  }

  // Oracle 5: over 80 fast iterations every index kind returns identical lists for every point.
  void indexKindsAgreeOverARun() {
    const KronTwoLayerProblem problem(smallOptions(21));
    std::vector<std::unique_ptr<KronSequentialDriver>> drivers;
    for (const auto kind : {FireIndex::Kind::FlipSets, FireIndex::Kind::Tree, FireIndex::Kind::Scan}) {
      KronDriverOptions options{.algorithm = KronAlgorithm::Fast, .eta = 1.0, .samplerSeed = 3};
      options.fast.index = kind;
      drivers.push_back(std::make_unique<KronSequentialDriver>(problem, options));
    }
    std::uint64_t flips = 0;
    for (int t = 0; t < 80; ++t) {
      for (auto& driver : drivers) {
        std::vector<BlockStepStats> stats;
        driver->step(&stats);
        if (driver == drivers.front()) flips += *stats[0].flips;
      }
      for (std::size_t j = 0; j < static_cast<std::size_t>(problem.data().size()); ++j) {
        std::vector<std::uint32_t> first;
        dynamic_cast<const FastNeuronBlock&>(drivers[0]->worker(0).block()).firedOf(j, first);
        for (std::size_t k = 1; k < drivers.size(); ++k) {
          std::vector<std::uint32_t> other;
          dynamic_cast<const FastNeuronBlock&>(drivers[k]->worker(0).block()).firedOf(j, other);
          QCOMPARE(other, first);
        }
      }
    }
    QVERIFY(flips > 0);  // the index really had to follow changes
  }

  // Oracle 6: one step's ΔP equals <w_r + Δw_r, x_j> − <w_r, x_j> with Δw_r built densely.
  void singleStepDelta() {
    const KronTwoLayerProblem problem(smallOptions(31));
    FastNeuronBlock fast(problem, 0, problem.neurons(), KronFastOptions{});
    KronBatchSampler sampler(problem.data().size(), problem.batch(), 5);
    std::vector<std::uint32_t> batch;
    sampler.next(batch);
    std::vector<double> sums;
    std::vector<std::uint32_t> counts;
    KeptForward kept;
    fast.forward(batch, 0, sums, counts, kept);
    const RowMatrix before = fast.table();
    std::vector<double> residuals = {0.7, -1.3, 0.2, 2.1};
    BlockStepStats stats;
    fast.apply(kept, residuals, 0.8, stats);
    QVERIFY(stats.nnz > 0);
    const RowMatrix& x = problem.inputs();
    const double scale = 1.0 / std::sqrt(static_cast<double>(problem.neurons()));
    for (Eigen::Index r = 0; r < before.rows(); ++r) {
      Eigen::VectorXd dw = Eigen::VectorXd::Zero(x.cols());
      for (std::size_t k = 0; k < batch.size(); ++k)
        for (const std::uint32_t fired : kept.fired(k))
          if (fired == r)
            dw += -0.8 * problem.outputWeights()[r] * residuals[k] * scale * x.row(batch[k]).transpose();
      const Eigen::VectorXd want = x * dw;
      QVERIFY((fast.table().row(r).transpose() - before.row(r).transpose() - want).cwiseAbs().maxCoeff() <=
              1e-12);
    }
  }

  // Oracles 7 (first half) and 11: after 100 steps P = P0 + α·G to 1e-10, Fcache equals its
  // from-scratch value to 1e-10 and cnt exactly; a resync keeps the trajectory.
  void implicitWeightsAndCaches() {
    const KronTwoLayerProblem problem(smallOptions(41));
    KronSequentialDriver driver(problem, {.algorithm = KronAlgorithm::Fast, .eta = 1.0, .samplerSeed = 6});
    for (int t = 0; t < 100; ++t) driver.step();
    auto& fast = dynamic_cast<FastNeuronBlock&>(driver.worker(0).block());
    const RowMatrix implicit = fast.initialTable() + fast.implicitWeights() * problem.gram();
    QVERIFY((fast.table() - implicit).cwiseAbs().maxCoeff() <= 1e-10);
    QVERIFY(fast.implicitWeights().cwiseAbs().maxCoeff() > 0.0);
    const BlockEvaluation scratch = fast.evaluation(false);
    QVERIFY((fast.outputCache() - scratch.outputSums).cwiseAbs().maxCoeff() <= 1e-10);
    const RowMatrix& p = fast.table();
    for (Eigen::Index j = 0; j < p.cols(); ++j) {
      std::int64_t count = 0;
      for (Eigen::Index r = 0; r < p.rows(); ++r) count += p(r, j) > problem.threshold();
      QCOMPARE(fast.firedCounts()[static_cast<std::size_t>(j)], count);
    }
    const RowMatrix beforeResync = fast.table();
    fast.resync();
    QVERIFY((fast.table() - beforeResync).cwiseAbs().maxCoeff() <= 1e-10);
  }

  // Oracle 9: full-batch GD (S = n = 16, m = 1024, d1 = d2 = 4, η = 0.5/(n·p̂), 100 steps, 5 seeds)
  // never increases L by more than 1e-12·L and ends below 0.2·L(0); SGD (S = 4, 200 steps) ends with
  // the mean of its last 20 losses below 0.2·L(0).
  void lossDecreases() {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      KronTwoLayerProblem::Options options;
      options.m = 1024, options.n = 16, options.d1 = 4, options.d2 = 4, options.batch = 16;
      options.dataSeed = seed, options.modelSeed = 100 + seed;
      const KronTwoLayerProblem problem(options);
      KronSequentialDriver gd(problem, {.algorithm = KronAlgorithm::Fast, .samplerSeed = seed});
      double previous = gd.evaluate(false).loss;
      const double loss0 = previous;
      for (int t = 0; t < 100; ++t) {
        gd.step();
        const double loss = gd.evaluate(false).loss;
        QVERIFY2(loss <= previous * (1 + 1e-12),
                 qPrintable(QString("seed %1 step %2: %3 > %4").arg(seed).arg(t).arg(loss).arg(previous)));
        previous = loss;
      }
      QVERIFY2(previous / loss0 < 0.2,
               qPrintable(QString("seed %1: L(100)/L(0) = %2").arg(seed).arg(previous / loss0)));

      options.batch = 4;
      const KronTwoLayerProblem sgdProblem(options);
      KronSequentialDriver sgd(sgdProblem, {.algorithm = KronAlgorithm::Fast, .samplerSeed = seed});
      const double sgd0 = sgd.evaluate(false).loss;
      double tail = 0.0;
      for (int t = 0; t < 200; ++t) {
        sgd.step();
        if (t >= 180) tail += sgd.evaluate(false).loss / 20.0;
      }
      QVERIFY2(tail < 0.2 * sgd0,
               qPrintable(QString("seed %1: SGD tail %2 vs L(0) %3").arg(seed).arg(tail).arg(sgd0)));
    }
  }
};

QTEST_APPLESS_MAIN(TestKronFast)
#include "test_kron_fast.moc"
