// The data problems built on in-memory data: logistic (including the non-convex regularizer and the
// L1 prox), softmax regression and the MLP (1 and 2 hidden layers, every activation). Derivatives
// against finite differences, exact HVPs, stochastic gradients against shard gradients, and a9a.

#include <QElapsedTimer>
#include <QtTest>

#include <cmath>
#include <filesystem>

#include <Eigen/Eigenvalues>

#include "core/data/libsvm_reader.hpp"
#include "core/data/synthetic_data.hpp"
#include "core/problems/derivative_check.hpp"
#include "core/problems/logistic_problem.hpp"
#include "core/problems/mlp_problem.hpp"
#include "core/problems/softmax_problem.hpp"
#include "core/util/input_error.hpp"

using distopt::Activation;
using distopt::Dataset;
using distopt::LogisticProblem;
using distopt::MlpProblem;
using distopt::Problem;
using distopt::RandomStream;
using distopt::Shard;
using distopt::SoftmaxProblem;
using distopt::Vector;

namespace {

const std::string kA9a = std::string(DISTOPT_TEST_DATA_DIR) + "/a9a.gz";
const std::string kA9aTest = std::string(DISTOPT_TEST_DATA_DIR) + "/a9a.t.gz";

Vector randomVector(Eigen::Index d, std::uint64_t seed, double scale = 1.0) {
  RandomStream stream = RandomStream::fromSeed(seed);
  Vector v(d);
  for (Eigen::Index i = 0; i < d; ++i) v[i] = scale * stream.normal();
  return v;
}

Dataset logisticData(std::int64_t perNode = 20) {
  return distopt::makeHeterogeneousLogistic({.numNodes = 3, .samplesPerNode = perNode, .numFeatures = 6}, 17);
}

Dataset classesData(std::int64_t n = 40, std::int64_t features = 5, int classes = 3, std::uint64_t seed = 5) {
  return distopt::makeGaussianClasses({.numSamples = n, .numFeatures = features, .numClasses = classes,
                                       .separation = 1.0},
                                      seed);
}

// The gradient of the smooth part over `indices`, as the mean of single-sample stochastic gradients
// (a problem with batch 1 and a one-element shard is deterministic).
Vector meanOfSingles(const Problem& singleBatch, const Vector& x, const std::vector<std::int64_t>& indices) {
  RandomStream stream = RandomStream::fromSeed(0);
  Vector sum = Vector::Zero(x.size());
  Vector g;
  for (auto i : indices) {
    singleBatch.stochasticGradient(x, Shard{{i}}, stream, g);
    sum += g;
  }
  return sum / static_cast<double>(indices.size());
}

// Checks the stochastic-gradient contract of a data problem built three ways (batch = shard size,
// batch 1, batch 0): exact shard gradient when the batch covers the shard, the singles averaging to it,
// and the whole data set for an empty shard.
void checkStochasticContract(const Problem& shardSized, const Problem& single, const Problem& whole, const Vector& x,
                             const Shard& shard) {
  RandomStream stream = RandomStream::fromSeed(3);
  Vector g;
  shardSized.stochasticGradient(x, shard, stream, g);
  const Vector expected = meanOfSingles(single, x, shard.indices);
  QVERIFY2((g - expected).norm() < 1e-12 * expected.norm(), qPrintable(QString::number((g - expected).norm())));
  whole.stochasticGradient(x, shard, stream, g);
  QVERIFY((g - expected).norm() < 1e-12 * expected.norm());
  Vector full;
  whole.gradient(x, full);
  whole.stochasticGradient(x, Shard{}, stream, g);
  QVERIFY((g - full).norm() < 1e-12 * full.norm());
  std::vector<std::int64_t> all(static_cast<std::size_t>(whole.numSamples()));
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::int64_t>(i);
  QVERIFY((meanOfSingles(single, x, all) - full).norm() < 1e-12 * full.norm());
}

double symmetryError(const Problem& problem, const Vector& x, const Vector& u, const Vector& v) {
  Vector hu;
  Vector hv;
  problem.hessianVectorProduct(x, u, hu);
  problem.hessianVectorProduct(x, v, hv);
  return std::abs(u.dot(hv) - v.dot(hu)) / (u.norm() * v.norm() * std::max(hu.norm() / u.norm(), 1e-12));
}

}  // namespace

class TestProblemsModels : public QObject {
  Q_OBJECT

 private slots:
  void logisticDerivatives() {
    const Dataset data = logisticData();
    LogisticProblem::Options options;
    options.l2 = 1e-2;
    options.nonconvex = 0.3;
    const LogisticProblem problem(data, std::nullopt, options);
    QCOMPARE(problem.dimension(), Eigen::Index{6});
    QCOMPARE(problem.numSamples(), std::int64_t{60});
    for (std::uint64_t seed : {1u, 2u, 3u}) {
      const Vector x = randomVector(6, seed, 2.0);
      QVERIFY(distopt::gradientCheckError(problem, x) < 1e-5);
      QVERIFY2(distopt::hessianVectorCheckError(problem, x, randomVector(6, seed + 10)) < 1e-6,
               qPrintable(QString::number(distopt::hessianVectorCheckError(problem, x, randomVector(6, seed + 10)))));
      QVERIFY(symmetryError(problem, x, randomVector(6, seed + 20), randomVector(6, seed + 30)) < 1e-12);
    }
    // At x = 0 the loss is log 2 whatever the data.
    QVERIFY(std::abs(problem.loss(Vector::Zero(6)) - std::log(2.0)) < 1e-15);
    // Stable for huge margins: no inf or NaN.
    const Vector huge = Vector::Constant(6, 1e4);
    Vector g;
    problem.gradient(huge, g);
    QVERIFY(std::isfinite(problem.loss(huge)) && g.allFinite());
  }

  void logisticSmoothnessBound() {
    const Dataset data = logisticData();
    LogisticProblem::Options options;
    options.l2 = 1e-3;
    options.nonconvex = 0.1;
    const LogisticProblem problem(data, std::nullopt, options);
    // Assemble the Hessian at a few points from HVPs; its top eigenvalue must stay below L.
    for (std::uint64_t seed : {4u, 5u}) {
      const Vector x = randomVector(6, seed, 0.1);
      Eigen::MatrixXd hessian(6, 6);
      Vector column;
      for (Eigen::Index j = 0; j < 6; ++j) {
        problem.hessianVectorProduct(x, Vector::Unit(6, j), column);
        hessian.col(j) = column;
      }
      QVERIFY((hessian - hessian.transpose()).norm() < 1e-14);
      const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(hessian);
      QVERIFY(eigen.eigenvalues().maxCoeff() <= *problem.smoothness());
    }
  }

  void logisticL1AndProx() {
    const Dataset data = logisticData();
    LogisticProblem::Options smooth;
    smooth.l2 = 1e-3;
    LogisticProblem::Options withL1 = smooth;
    withL1.l1 = 0.05;
    const LogisticProblem plain(data, std::nullopt, smooth);
    const LogisticProblem composite(data, std::nullopt, withL1);
    QVERIFY(!plain.hasProx());
    QVERIFY(composite.hasProx());
    const Vector x = randomVector(6, 9);
    QVERIFY(std::abs(composite.loss(x) - plain.loss(x) - 0.05 * x.lpNorm<1>()) < 1e-14);
    Vector g1;
    Vector g2;
    plain.gradient(x, g1);
    composite.gradient(x, g2);
    QVERIFY(g1 == g2);  // the gradient is of the smooth part only

    Vector z(5);
    z << 1.0, -0.3, 0.05, -0.01, 0.0;
    Vector out;
    composite.prox(z, 2.0, out);  // threshold 2·0.05 = 0.1
    Vector expected(5);
    expected << 0.9, -0.2, 0.0, 0.0, 0.0;
    QVERIFY((out - expected).norm() < 1e-15);
    plain.prox(z, 2.0, out);
    QVERIFY(out == z);
  }

  void logisticStochasticGradient() {
    const Dataset data = logisticData();
    LogisticProblem::Options options;
    options.nonconvex = 0.2;
    options.batch = 5;
    const LogisticProblem shardSized(data, std::nullopt, options);
    options.batch = 1;
    const LogisticProblem single(data, std::nullopt, options);
    options.batch = 0;
    const LogisticProblem whole(data, std::nullopt, options);
    checkStochasticContract(shardSized, single, whole, randomVector(6, 2), Shard{{0, 7, 19, 33, 58}});
  }

  void logisticRejectsMulticlass() {
    bool threw = false;
    try {
      LogisticProblem problem(classesData(), std::nullopt, {});
    } catch (const distopt::InputError& error) {
      threw = true;
      QVERIFY(std::string(error.what()).find("binary") != std::string::npos);
    }
    QVERIFY(threw);
  }

  void logisticAcceptsDenseData() {
    // A dense binary set gives the same problem as its sparse copy.
    Dataset dense = classesData(30, 4, 2, 12);
    Dataset sparse = dense;
    sparse.isSparse = true;
    sparse.sparse = dense.sparseCopy();
    sparse.dense.resize(0, 0);
    const LogisticProblem a(dense, std::nullopt, {});
    const LogisticProblem b(sparse, std::nullopt, {});
    const Vector x = randomVector(4, 3);
    QCOMPARE(a.loss(x), b.loss(x));
    QCOMPARE(a.dimension(), Eigen::Index{4});
  }

  void logisticOnA9a() {
    const Dataset train = distopt::readLibsvm(kA9a);
    const Dataset test = distopt::readLibsvm(kA9aTest, {.numFeatures = 123});
    const LogisticProblem problem(train, test, {});
    QCOMPARE(problem.numSamples(), std::int64_t{32561});
    QCOMPARE(problem.dimension(), Eigen::Index{123});
    QCOMPARE(problem.label(0), train.labels[0]);
    // At zero every margin is 0, predicted +1: accuracy is the share of positives (3846 / 16281).
    QVERIFY(std::abs(*problem.testAccuracy(Vector::Zero(123)) - 3846.0 / 16281.0) < 1e-15);
    // a9a rows have 14 ones: L = 0.25·14 + λ₂.
    QVERIFY(std::abs(*problem.smoothness() - (0.25 * 14 + 1e-4)) < 1e-12);
    QElapsedTimer timer;
    timer.start();
    Vector x = Vector::Zero(123);
    Vector g;
    const double step = 1.0 / *problem.smoothness();
    const double initial = problem.loss(x);
    for (int k = 0; k < 100; ++k) {
      problem.gradient(x, g);
      x -= 4.0 * step * g;
    }
    qInfo("100 full gradients on a9a: %lld ms; loss %.4f -> %.4f, test accuracy %.4f",
          static_cast<long long>(timer.elapsed()), initial, problem.loss(x), *problem.testAccuracy(x));
    QVERIFY(problem.loss(x) < 0.40);
    QVERIFY(*problem.testAccuracy(x) > 0.82);
  }

  void softmaxDerivatives() {
    SoftmaxProblem::Options options;
    options.l2 = 1e-2;
    const SoftmaxProblem problem(classesData(), std::nullopt, options);
    QCOMPARE(problem.numClasses(), 3);
    QCOMPARE(problem.dimension(), Eigen::Index{3 * 5 + 3});
    for (std::uint64_t seed : {1u, 2u}) {
      const Vector x = randomVector(problem.dimension(), seed);
      QVERIFY(distopt::gradientCheckError(problem, x) < 1e-5);
      const Vector v = randomVector(problem.dimension(), seed + 5);
      QVERIFY(distopt::hessianVectorCheckError(problem, x, v) < 1e-6);
      QVERIFY(symmetryError(problem, x, v, randomVector(problem.dimension(), seed + 9)) < 1e-12);
    }
    RandomStream stream = RandomStream::fromSeed(1);
    QCOMPARE(problem.initialPoint(stream).norm(), 0.0);
    QVERIFY(std::abs(problem.loss(Vector::Zero(problem.dimension())) - std::log(3.0)) < 1e-14);
  }

  void softmaxShiftDirectionIsFlat() {
    // docs/papers.md, hybrid-order §6 oracle 9: without L2, adding the same vector to every row of W and the
    // same scalar to every bias changes nothing, so H v = 0 along that direction.
    SoftmaxProblem::Options options;
    options.l2 = 0.0;
    const SoftmaxProblem problem(classesData(), std::nullopt, options);
    const Eigen::Index p = 5;
    const Vector shiftRow = randomVector(p, 3);
    Vector v(problem.dimension());
    for (int c = 0; c < 3; ++c) v.segment(c * p, p) = shiftRow;
    v.tail(3).setConstant(0.7);
    Vector hv;
    problem.hessianVectorProduct(randomVector(problem.dimension(), 4), v, hv);
    QVERIFY2(hv.norm() < 1e-12, qPrintable(QString::number(hv.norm())));
  }

  void softmaxSmoothnessAndStochastic() {
    SoftmaxProblem::Options options;
    options.l2 = 1e-3;
    options.batch = 6;
    const SoftmaxProblem shardSized(classesData(), std::nullopt, options);
    options.batch = 1;
    const SoftmaxProblem single(classesData(), std::nullopt, options);
    options.batch = 0;
    const SoftmaxProblem whole(classesData(), std::nullopt, options);
    const Vector x = randomVector(whole.dimension(), 8);
    checkStochasticContract(shardSized, single, whole, x, Shard{{0, 3, 5, 11, 20, 39}});

    Eigen::MatrixXd hessian(whole.dimension(), whole.dimension());
    Vector column;
    for (Eigen::Index j = 0; j < whole.dimension(); ++j) {
      whole.hessianVectorProduct(x, Vector::Unit(whole.dimension(), j), column);
      hessian.col(j) = column;
    }
    QVERIFY((hessian - hessian.transpose()).cwiseAbs().maxCoeff() < 1e-12);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(hessian);
    QVERIFY(eigen.eigenvalues().minCoeff() > -1e-12);  // convex
    QVERIFY(eigen.eigenvalues().maxCoeff() <= *whole.smoothness());
  }

  void softmaxTrainsAndReportsAccuracy() {
    const Dataset train = classesData(300, 5, 3, 21);
    const Dataset test = classesData(300, 5, 3, 21);  // same seed: same distribution (and points)
    const SoftmaxProblem problem(train, test, {});
    Vector x = Vector::Zero(problem.dimension());
    Vector g;
    const double step = 1.0 / *problem.smoothness();
    for (int k = 0; k < 200; ++k) {
      problem.gradient(x, g);
      x -= step * g;
    }
    QVERIFY(problem.loss(x) < 0.9 * std::log(3.0));
    QVERIFY(*problem.testAccuracy(x) > 0.6);
  }

  void mlpDerivativesForEveryActivation() {
    const Dataset data = classesData(25, 4, 3, 7);
    for (Activation activation : {Activation::Tanh, Activation::Softplus, Activation::Sigmoid, Activation::Relu}) {
      for (const std::vector<int>& hidden : {std::vector<int>{5}, std::vector<int>{5, 4}}) {
        MlpProblem::Options options;
        options.hidden = hidden;
        options.activation = activation;
        options.l2 = 1e-3;
        const MlpProblem problem(data, std::nullopt, options);
        const Eigen::Index expected =
            hidden.size() == 1 ? 5 * 4 + 5 + 3 * 5 + 3 : 5 * 4 + 5 + 4 * 5 + 4 + 3 * 4 + 3;
        QCOMPARE(problem.dimension(), expected);
        const QString label = QString("%1, %2 hidden").arg(distopt::activationName(activation)).arg(hidden.size());
        for (std::uint64_t seed : {1u, 2u}) {
          RandomStream init = RandomStream::fromSeed(seed);
          const Vector x = problem.initialPoint(init) + randomVector(expected, seed + 40, 0.3);
          const double gradientError = distopt::gradientCheckError(problem, x);
          QVERIFY2(gradientError < 1e-5, qPrintable(label + " gradient " + QString::number(gradientError)));
          const Vector v = randomVector(expected, seed + 50);
          // ReLU: a small step so no pre-activation crosses its kink.
          const double h = activation == Activation::Relu ? 1e-7 : 1e-5;
          const double hvError = distopt::hessianVectorCheckError(problem, x, v, h);
          QVERIFY2(hvError < (activation == Activation::Relu ? 1e-5 : 1e-7),
                   qPrintable(label + " HVP " + QString::number(hvError)));
          QVERIFY(symmetryError(problem, x, v, randomVector(expected, seed + 60)) < 1e-11);
        }
      }
    }
  }

  void mlpInitialisationAndPaperSize() {
    // docs/papers.md, async-sgd E2: 784 → 32 → 10 has d = 25,450.
    Dataset images = classesData(20, 784, 10, 2);
    MlpProblem::Options options;
    const MlpProblem problem(images, std::nullopt, options);
    QCOMPARE(problem.dimension(), Eigen::Index{25450});
    RandomStream a = RandomStream::fromSeed(5);
    RandomStream b = RandomStream::fromSeed(5);
    RandomStream c = RandomStream::fromSeed(6);
    const Vector x = problem.initialPoint(a);
    QVERIFY(x == problem.initialPoint(b));
    QVERIFY(x != problem.initialPoint(c));
    // PyTorch's default: first layer U(−1/√784, 1/√784), second layer U(−1/√32, 1/√32).
    QVERIFY(x.head(784 * 32 + 32).cwiseAbs().maxCoeff() <= 1.0 / 28.0);
    QVERIFY(x.tail(330).cwiseAbs().maxCoeff() <= 1.0 / std::sqrt(32.0));
    QVERIFY(x.tail(330).cwiseAbs().maxCoeff() > 0.9 / std::sqrt(32.0));
    QVERIFY(!problem.smoothness().has_value());
  }

  void mlpStochasticGradientAndNoise() {
    const Dataset data = classesData(30, 4, 3, 9);
    MlpProblem::Options options;
    options.hidden = {6};
    options.activation = Activation::Tanh;
    options.batch = 4;
    const MlpProblem shardSized(data, std::nullopt, options);
    options.batch = 1;
    const MlpProblem single(data, std::nullopt, options);
    options.batch = 0;
    const MlpProblem whole(data, std::nullopt, options);
    RandomStream init = RandomStream::fromSeed(1);
    const Vector x = whole.initialPoint(init);
    checkStochasticContract(shardSized, single, whole, x, Shard{{2, 3, 17, 29}});

    // docs/papers.md, async-sgd E2's oracle: full gradient plus s·z·1.
    options.noise = {distopt::NoiseKind::Scalar, 1.0};
    const MlpProblem noisy(data, std::nullopt, options);
    QCOMPARE(*noisy.gradientVariance(), static_cast<double>(noisy.dimension()));
    RandomStream stream = RandomStream::fromSeed(2);
    Vector g;
    Vector full;
    noisy.stochasticGradient(x, Shard{}, stream, g);
    noisy.gradient(x, full);
    const Vector noise = g - full;
    QVERIFY(std::abs(noise[0]) > 0.0);
    QVERIFY((noise.array() - noise[0]).abs().maxCoeff() < 1e-12);
  }

  void sparseDataWorksForNetworks() {
    // An a9a-like sparse set densifies for the networks (decentralized-proxgt's 123-64-2 MLP).
    const Dataset sparse = logisticData();
    MlpProblem::Options options;
    options.hidden = {4};
    options.activation = Activation::Tanh;
    const MlpProblem problem(sparse, std::nullopt, options);
    QCOMPARE(problem.numFeatures(), std::int64_t{6});
    RandomStream init = RandomStream::fromSeed(1);
    QVERIFY(distopt::gradientCheckError(problem, problem.initialPoint(init)) < 1e-5);
  }
};

QTEST_APPLESS_MAIN(TestProblemsModels)
#include "test_problems_models.moc"
