// docs/papers.md, kronecker-async §5 oracles 1-4, 10 and 13 (math, Gram table, init, fired-neuron index,
// naive iteration edge cases).
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "core/kronecker/fire_index.hpp"
#include "core/kronecker/kron_data.hpp"
#include "core/kronecker/kron_driver.hpp"
#include "core/kronecker/kron_fast.hpp"
#include "core/kronecker/kron_naive.hpp"
#include "core/kronecker/kron_problem.hpp"
#include "core/util/random_stream.hpp"

using namespace distopt;

namespace {

KronTwoLayerProblem::Options smallOptions() {
  KronTwoLayerProblem::Options options;  // kronecker-async §5 default instance: m 256, n 32, d1 8, d2 6, S 4
  options.dataSeed = 11;
  options.modelSeed = 12;
  return options;
}

Eigen::VectorXd randomVector(RandomStream& stream, Eigen::Index size) {
  Eigen::VectorXd v(size);
  for (Eigen::Index i = 0; i < size; ++i) v[i] = stream.normal();
  return v;
}

std::vector<std::uint32_t> bruteForce(const RowMatrix& p, std::size_t j, double b) {
  std::vector<std::uint32_t> out;
  for (Eigen::Index r = 0; r < p.rows(); ++r)
    if (p(r, static_cast<Eigen::Index>(j)) > b) out.push_back(static_cast<std::uint32_t>(r));
  return out;
}

}  // namespace

class TestKronMath : public QObject {
  Q_OBJECT

 private slots:
  // Oracle 1: layout x[p·d2 + q] = u[p]·v[q]; <w, u⊗v> = uᵀ·reshape(w)·v by both map variants.
  void kroneckerLayout() {
    RandomStream stream = RandomStream::fromSeed(5);
    for (const auto& [d1, d2] : std::vector<std::pair<int, int>>{{8, 6}, {1, 7}, {5, 1}, {13, 9}}) {
      const Eigen::VectorXd u = randomVector(stream, d1), v = randomVector(stream, d2);
      const Eigen::VectorXd x = kroneckerVector(u, v);
      for (int p = 0; p < d1; ++p)
        for (int q = 0; q < d2; ++q) QCOMPARE(x[p * d2 + q], u[p] * v[q]);
      const Eigen::VectorXd w = randomVector(stream, d1 * d2);
      const std::span<const double> ws(w.data(), static_cast<std::size_t>(w.size()));
      const double dense = w.dot(x);
      QVERIFY(std::abs(dense - kroneckerInner(ws, u, v)) <= 1e-12 * w.norm());
      QVERIFY(std::abs(dense - kroneckerInnerTransposed(ws, u, v)) <= 1e-12 * w.norm());
      const Eigen::VectorXd u2 = randomVector(stream, d1), v2 = randomVector(stream, d2);
      QVERIFY(std::abs(x.dot(kroneckerVector(u2, v2)) - u.dot(u2) * v.dot(v2)) <=
              1e-14 * (1 + std::abs(x.dot(kroneckerVector(u2, v2)))));
    }
  }

  // Oracle 2: G = (UᵀU)∘(VᵀV) equals dense XᵀX; Factored rows equal the precomputed rows.
  void gramTable() {
    const KronData data = makeSyntheticKronData(32, 8, 6, 3);
    const Eigen::MatrixXd g = kroneckerGram(data);
    const RowMatrix x = materialiseInputs(data);
    const Eigen::MatrixXd dense = x * x.transpose();
    QVERIFY((g - dense).cwiseAbs().maxCoeff() <= 1e-13);
    for (Eigen::Index i = 0; i < 32; ++i) QVERIFY(std::abs(g(i, i) - 1.0) <= 1e-14);  // unit-norm inputs
    const std::vector<std::uint32_t> batch = {3, 17, 0, 31};
    RowMatrix rows;
    kroneckerGramRows(data, batch, rows);
    for (std::size_t k = 0; k < batch.size(); ++k)
      QVERIFY((rows.row(static_cast<Eigen::Index>(k)) - g.row(batch[k])).cwiseAbs().maxCoeff() <= 1e-14);
  }

  // Oracle 3: block P(0) equals dense W(0)·x_i; W(0) row r is the same whatever the blocking.
  void initialisation() {
    const KronTwoLayerProblem problem(smallOptions());
    RandomStream unused = RandomStream::fromSeed(0);
    const Vector w0 = problem.initialPoint(unused);
    const RowMatrix dense = problem.innerProducts(w0);
    for (const auto& [begin, end] : neuronBlocks(problem.neurons(), 3)) {
      const FastNeuronBlock block(problem, begin, end, KronFastOptions{});
      QVERIFY((block.table() - dense.middleRows(begin, end - begin)).cwiseAbs().maxCoeff() <= 1e-11);
      const NaiveNeuronBlock naive(problem, begin, end);
      const Eigen::Map<const RowMatrix> all(w0.data(), problem.neurons(), problem.data().dimension());
      QVERIFY(naive.weights() == all.middleRows(begin, end - begin));
      QVERIFY(block.reconstructWeights(0) == all.row(begin).transpose());
    }
    // The threshold and the table of kronecker-async §2.5.
    QVERIFY(std::abs(defaultThreshold(256) - 1.489) < 1e-3);
    QVERIFY(std::abs(firingProbability(defaultThreshold(4096)) - 0.0341) < 1e-4);
    for (const auto& [p, b] : std::vector<std::pair<double, double>>{
             {0.5, 0.0}, {0.16, 0.994}, {0.05, 1.645}, {0.01, 2.326}, {0.001, 3.090}})
      QVERIFY(std::abs(thresholdForFiredFraction(p) - b) < 1e-3);
    QVERIFY(std::abs(firingProbability(thresholdForFiredFraction(0.0123)) - 0.0123) < 1e-12);
  }

  // Oracle 4: MaxTree query equals {r : value > b}, ascending, no duplicates; ties excluded; empty and
  // all-fire covered; every internal node is the max of its children after each update.
  void treeQueryExactness() {
    RandomStream stream = RandomStream::fromSeed(77);
    int emptySeen = 0, allSeen = 0, tieSeen = 0;
    for (int trial = 0; trial < 300; ++trial) {
      const auto m = static_cast<std::size_t>(1 + stream.uniformInt(70));
      std::vector<double> values(m);
      for (double& v : values) v = std::round(stream.normal() * 4.0) / 4.0;  // coarse grid: many ties
      MaxTree tree(values);
      QVERIFY(tree.consistent());
      for (int update = 0; update < 50; ++update) {
        const auto leaf = static_cast<std::size_t>(stream.uniformInt(m));
        values[leaf] = std::round(stream.normal() * 4.0) / 4.0;
        tree.update(leaf, values[leaf]);
        QVERIFY(tree.consistent());
        double threshold;
        switch (stream.uniformInt(4)) {
          case 0:
            threshold = values[static_cast<std::size_t>(stream.uniformInt(m))];
            ++tieSeen;
            break;  // a stored value
          case 1:
            threshold = 1e9;
            break;  // empty
          case 2:
            threshold = -1e9;
            break;  // all fire
          default:
            threshold = stream.normal();
            break;
        }
        std::vector<std::uint32_t> got;
        tree.query(threshold, got);
        std::vector<std::uint32_t> want;
        for (std::size_t r = 0; r < m; ++r)
          if (values[r] > threshold) want.push_back(static_cast<std::uint32_t>(r));
        QCOMPARE(got, want);
        emptySeen += want.empty();
        allSeen += want.size() == m;
      }
    }
    QVERIFY(emptySeen > 0 && allSeen > 0 && tieSeen > 0);
  }

  // Oracle 4 for the index kinds over a table: FlipSets (bits kept by noteWrite), Tree (refreshRows)
  // and Scan all equal brute force after every random batch of row rewrites.
  void fireIndexKindsAgainstBruteForce() {
    RandomStream stream = RandomStream::fromSeed(78);
    for (int trial = 0; trial < 40; ++trial) {
      const auto rows = static_cast<Eigen::Index>(1 + stream.uniformInt(150));
      const auto cols = static_cast<Eigen::Index>(1 + stream.uniformInt(12));
      const double b = stream.normal();
      RowMatrix p(rows, cols);
      for (Eigen::Index i = 0; i < p.size(); ++i) p.data()[i] = stream.normal();
      p(0, 0) = b;  // a tie: must not fire
      std::vector<FireIndex> indexes;
      for (const auto kind : {FireIndex::Kind::FlipSets, FireIndex::Kind::Tree, FireIndex::Kind::Scan}) {
        indexes.emplace_back(kind, static_cast<std::size_t>(rows), static_cast<std::size_t>(cols), b);
        indexes.back().build(p);
      }
      for (int update = 0; update < 30; ++update) {
        std::vector<std::uint32_t> changed;
        for (Eigen::Index r = 0; r < rows; ++r)
          if (stream.uniform() < 0.2) changed.push_back(static_cast<std::uint32_t>(r));
        for (const std::uint32_t r : changed) {
          for (Eigen::Index j = 0; j < cols; ++j) {
            const double before = p(r, j);
            const double after = stream.uniform() < 0.1 ? b : before + 0.7 * stream.normal();
            p(r, j) = after;
            for (auto& index : indexes) index.noteWrite(r, static_cast<std::size_t>(j), before, after);
          }
        }
        for (auto& index : indexes) index.refreshRows(p, changed);
        for (Eigen::Index j = 0; j < cols; ++j) {
          const auto want = bruteForce(p, static_cast<std::size_t>(j), b);
          for (const auto& index : indexes) {
            std::vector<std::uint32_t> got;
            index.query(p, static_cast<std::size_t>(j), got);
            QCOMPARE(got, want);
          }
        }
      }
    }
  }

  // Oracle 10: fired fraction at init within [0.8, 1.2]·Q(b) for m = 4096, n = 64.
  void sparsityAtInit() {
    KronTwoLayerProblem::Options options = smallOptions();
    options.m = 4096;
    options.n = 64;
    const KronTwoLayerProblem problem(options);
    const FastNeuronBlock block(problem, 0, problem.neurons(), KronFastOptions{});
    std::int64_t fired = 0;
    for (const auto count : block.firedCounts()) fired += count;
    const double fraction = static_cast<double>(fired) / (4096.0 * 64.0);
    const double q = firingProbability(problem.threshold());
    QVERIFY2(fraction >= 0.8 * q && fraction <= 1.2 * q,
             qPrintable(QString("%1 vs Q(b) %2").arg(fraction).arg(q)));
  }

  // Naive iteration: one step equals the dense gradient step of the Problem interface
  // (W <- W − η·∇L_B with ∇L_B from the kronecker-async §2.4 formula, all forwards before any update).
  void naiveStepIsMinibatchGradientStep() {
    const KronTwoLayerProblem problem(smallOptions());
    KronSequentialDriver driver(problem, {.algorithm = KronAlgorithm::Naive, .samplerSeed = 4});
    RandomStream unused = RandomStream::fromSeed(0);
    Vector w = problem.initialPoint(unused);
    for (int t = 0; t < 5; ++t) {
      const RowMatrix p = problem.innerProducts(w);
      const KronIterationResult result = driver.step();
      const double scale = 1.0 / std::sqrt(static_cast<double>(problem.neurons()));
      const Eigen::Index d = problem.data().dimension();
      Vector grad = Vector::Zero(w.size());
      for (std::size_t k = 0; k < result.batch.size(); ++k) {
        const std::uint32_t i = result.batch[k];
        double f = 0.0;
        for (Eigen::Index r = 0; r < p.rows(); ++r)
          if (p(r, i) > problem.threshold())
            f += problem.outputWeights()[r] * (p(r, i) - problem.threshold());
        const double e = f * scale - problem.data().y[i];
        QVERIFY(std::abs(e - result.residuals[k]) <= 1e-12 * std::max(1.0, std::abs(e)));
        for (Eigen::Index r = 0; r < p.rows(); ++r)
          if (p(r, i) > problem.threshold())
            grad.segment(r * d, d) +=
                problem.outputWeights()[r] * e * scale * problem.inputs().row(i).transpose();
      }
      w -= driver.eta() * grad;
      const auto& naive = dynamic_cast<const NaiveNeuronBlock&>(driver.worker(0).block());
      const Eigen::Map<const RowMatrix> expected(w.data(), problem.neurons(), d);
      QVERIFY((naive.weights() - expected).cwiseAbs().maxCoeff() <= 1e-12);
    }
    // The Problem's loss and gradient agree with the LOSS/COFIRE evaluation path.
    const EvaluationPoint point = driver.evaluate(true);
    QVERIFY(std::abs(point.loss - problem.loss(w)) <= 1e-10 * std::max(1.0, point.loss));
    Vector fullGradient;
    problem.gradient(w, fullGradient);
    QVERIFY(std::abs(*point.gradNormSq - fullGradient.squaredNorm()) <=
            1e-10 * std::max(1.0, fullGradient.squaredNorm()));
  }

  // Oracle 13: m = 1, d1 = 1, S = n, and a batch point with no fired neuron (no update).
  void edgeCases() {
    for (const auto& [m, d1, d2, s, n] : std::vector<std::tuple<int, int, int, int, int>>{
             {1, 3, 4, 2, 5}, {64, 1, 9, 3, 8}, {64, 4, 4, 16, 16}}) {
      KronTwoLayerProblem::Options options = smallOptions();
      options.m = m, options.d1 = d1, options.d2 = d2, options.batch = s, options.n = n;
      const KronTwoLayerProblem problem(options);
      KronSequentialDriver naive(problem, {.algorithm = KronAlgorithm::Naive, .eta = 0.1, .samplerSeed = 2});
      KronSequentialDriver fast(problem, {.algorithm = KronAlgorithm::Fast, .eta = 0.1, .samplerSeed = 2});
      for (int t = 0; t < 10; ++t) {
        const auto a = naive.step(), b = fast.step();
        QCOMPARE(a.batch, b.batch);
        QCOMPARE(a.firedPairs, b.firedPairs);
        for (std::size_t k = 0; k < a.outputs.size(); ++k)
          QVERIFY(std::abs(a.outputs[k] - b.outputs[k]) <= 1e-10);
      }
    }
    // A threshold no neuron exceeds: every step leaves P untouched.
    KronTwoLayerProblem::Options options = smallOptions();
    options.threshold = 1e6;
    const KronTwoLayerProblem problem(options);
    KronSequentialDriver fast(problem, {.algorithm = KronAlgorithm::Fast, .samplerSeed = 2});
    const RowMatrix before = fast.innerProductTable();
    std::vector<BlockStepStats> stats;
    fast.step(&stats);
    QCOMPARE(stats[0].nnz, std::uint64_t{0});
    QVERIFY(fast.innerProductTable() == before);
    QVERIFY(std::isfinite(fast.eta()));
  }

  // Bad options are refused with the field named.
  void optionValidation() {
    std::string why;
    KronTwoLayerProblem::Options options = smallOptions();
    options.batch = 33;
    QVERIFY(!options.isValid(&why) && why.rfind("batch:", 0) == 0);
    options = smallOptions();
    options.threshold = 1.0, options.firedFraction = 0.1;
    QVERIFY(!options.isValid(&why) && why.rfind("fired_fraction:", 0) == 0);
    KronFastOptions fast;
    fast.resyncEvery = -1;
    QVERIFY(!fast.isValid(&why) && why.rfind("resync_every:", 0) == 0);
    KronNaiveOptions naive;
    naive.staleness = -1;
    QVERIFY(!naive.isValid(&why) && why.rfind("staleness:", 0) == 0);
  }
};

QTEST_APPLESS_MAIN(TestKronMath)
#include "test_kron_math.moc"
