// The synthetic problems: quadratic (problem Q of docs/papers.md, async-sgd), diagonal-quadratic (including
// the exact 1-D oracle of docs/papers.md, async-sgd §5) and least-squares (E4). Derivatives against finite
// differences, optimal values, noise statistics and stochastic-gradient unbiasedness.

#include <QElapsedTimer>
#include <QtTest>

#include <cmath>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include "core/problems/derivative_check.hpp"
#include "core/problems/diagonal_quadratic_problem.hpp"
#include "core/problems/least_squares_problem.hpp"
#include "core/problems/quadratic_problem.hpp"

using distopt::DiagonalQuadraticProblem;
using distopt::LeastSquaresProblem;
using distopt::NoiseKind;
using distopt::QuadraticProblem;
using distopt::RandomStream;
using distopt::Shard;
using distopt::Vector;

namespace {

Vector randomVector(Eigen::Index d, std::uint64_t seed, double scale = 1.0) {
  RandomStream stream = RandomStream::fromSeed(seed);
  Vector v(d);
  for (Eigen::Index i = 0; i < d; ++i) v[i] = scale * stream.normal();
  return v;
}

QuadraticProblem makeQuadratic(Eigen::Index d, NoiseKind kind = NoiseKind::Scalar, double s = 0.01) {
  QuadraticProblem::Options options;
  options.dimension = d;
  options.noise = {kind, s};
  return QuadraticProblem(options);
}

Eigen::MatrixXd denseA(Eigen::Index d) {
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(d, d);
  for (Eigen::Index i = 0; i < d; ++i) {
    a(i, i) = 0.5;
    if (i + 1 < d) a(i, i + 1) = a(i + 1, i) = -0.25;
  }
  return a;
}

LeastSquaresProblem makeLeastSquares(std::int64_t m, std::int64_t d, std::int64_t batch, std::uint64_t seed = 3) {
  LeastSquaresProblem::Options options;
  options.rows = m;
  options.cols = d;
  options.batch = batch;
  return LeastSquaresProblem(options, seed);
}

}  // namespace

class TestProblemsSynthetic : public QObject {
  Q_OBJECT

 private slots:
  void quadraticPaperNumbers() {
    const QuadraticProblem problem = makeQuadratic(1729);
    RandomStream stream = RandomStream::fromSeed(1);
    const Vector x0 = problem.initialPoint(stream);
    QCOMPARE(x0[0], std::sqrt(1729.0));
    QCOMPARE(x0.tail(1728).squaredNorm(), 0.0);
    const double gap = problem.loss(x0) - *problem.optimalValue();
    Vector g;
    problem.gradient(x0, g);
    qInfo("d = 1729: f(x0) - f* = %.4f, |grad f(x0)|^2 = %.4f", gap, g.squaredNorm());
    QVERIFY(std::abs(gap - 442.8) < 0.05);
    QVERIFY(std::abs(g.squaredNorm() - 550.8) < 0.05);
    QVERIFY(*problem.smoothness() < 1.0 && *problem.smoothness() > 0.999);
    QCOMPARE(*problem.gradientVariance(), 0.01 * 0.01 * 1729);
    // docs/papers.md, async-sgd §5 oracle 14: d = 64 starts 18.12 above the optimum.
    const QuadraticProblem small = makeQuadratic(64);
    QVERIFY(std::abs(small.loss(small.initialPoint(stream)) - *small.optimalValue() - 18.12) < 0.005);
  }

  void quadraticOptimum() {
    for (Eigen::Index d : {Eigen::Index{1}, Eigen::Index{2}, Eigen::Index{17}, Eigen::Index{1729}}) {
      const QuadraticProblem problem = makeQuadratic(d);
      // Closed form of A⁻¹b: x*_i = −(d − i)/(d + 1), 0-based.
      Vector exact(d);
      for (Eigen::Index i = 0; i < d; ++i) exact[i] = -static_cast<double>(d - i) / static_cast<double>(d + 1);
      QVERIFY((problem.solution() - exact).lpNorm<Eigen::Infinity>() < 1e-12);
      Vector g;
      problem.gradient(problem.solution(), g);
      QVERIFY(g.norm() < 1e-13);
      QVERIFY(std::abs(problem.loss(problem.solution()) - *problem.optimalValue()) < 1e-14);
      QVERIFY(std::abs(*problem.optimalValue() - (-0.125 * static_cast<double>(d) / static_cast<double>(d + 1))) <
              1e-15);
    }
  }

  void quadraticDerivatives() {
    const Eigen::Index d = 12;
    const QuadraticProblem problem = makeQuadratic(d);
    const Vector x = randomVector(d, 7);
    QVERIFY(distopt::gradientCheckError(problem, x) < 1e-5);
    const Vector v = randomVector(d, 8);
    QVERIFY(distopt::hessianVectorCheckError(problem, x, v) < 1e-6);
    Vector hv;
    problem.hessianVectorProduct(x, v, hv);
    QVERIFY((hv - denseA(d) * v).norm() < 1e-15);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(denseA(d));
    QVERIFY(std::abs(*problem.smoothness() - eigen.eigenvalues().maxCoeff()) < 1e-14);
    Vector g;
    problem.gradient(x, g);
    QVERIFY((g - (denseA(d) * x - Vector::Unit(d, 0) * -0.25)).norm() < 1e-14);
  }

  void quadraticLargeDimensionIsCheap() {
    const QuadraticProblem problem = makeQuadratic(100000);
    RandomStream stream = RandomStream::fromSeed(2);
    const Vector x = problem.initialPoint(stream);
    Vector g;
    problem.stochasticGradient(x, Shard{}, stream, g);
    QCOMPARE(g.size(), Eigen::Index{100000});
    QVERIFY(std::isfinite(problem.loss(x)) && std::isfinite(*problem.optimalValue()));
  }

  void quadraticNoise() {
    const Eigen::Index d = 40;
    const double s = 0.3;
    const Vector x = randomVector(d, 3);
    for (NoiseKind kind : {NoiseKind::Scalar, NoiseKind::Coordinate}) {
      const QuadraticProblem problem = makeQuadratic(d, kind, s);
      Vector exact;
      problem.gradient(x, exact);
      Vector mean = Vector::Zero(d);
      double squaredNoise = 0.0;
      const int draws = 4000;
      Vector g;
      for (int k = 0; k < draws; ++k) {
        RandomStream stream(distopt::StreamKey{.runSeed = 5, .purpose = distopt::StreamPurpose::Gradient,
                                               .worker = 0, .job = static_cast<std::uint64_t>(k)});
        problem.stochasticGradient(x, Shard{}, stream, g);
        const Vector noise = g - exact;
        if (kind == NoiseKind::Scalar) QVERIFY((noise.array() - noise[0]).abs().maxCoeff() < 1e-12);
        mean += g;
        squaredNoise += noise.squaredNorm();
      }
      mean /= draws;
      // Unbiased: each coordinate's mean noise has sd s/sqrt(draws) ≈ 0.0047.
      QVERIFY2((mean - exact).lpNorm<Eigen::Infinity>() < 0.025, qPrintable(QString::number((mean - exact).lpNorm<Eigen::Infinity>())));
      // E‖noise‖² = s²·d = gradientVariance().
      const double variance = squaredNoise / draws;
      QVERIFY2(std::abs(variance / *problem.gradientVariance() - 1.0) < 0.1, qPrintable(QString::number(variance)));
    }
  }

  void noNoiseMeansNoDraws() {
    const QuadraticProblem problem = makeQuadratic(5, NoiseKind::Coordinate, 0.0);
    RandomStream stream = RandomStream::fromSeed(4);
    RandomStream reference = RandomStream::fromSeed(4);
    const Vector x = randomVector(5, 1);
    Vector g;
    Vector exact;
    problem.stochasticGradient(x, Shard{}, stream, g);
    problem.gradient(x, exact);
    QVERIFY(g == exact);
    QCOMPARE(stream.next(), reference.next());
  }

  void diagonalOneDimensionalOracleIsExact() {
    DiagonalQuadraticProblem::Options options;
    options.eigenvalues = Vector::Constant(1, 1.0);
    options.center = Vector::Zero(1);
    options.initialPoint = Vector::Constant(1, 1.0);
    options.noise = {NoiseKind::Scalar, 0.0};
    const DiagonalQuadraticProblem problem(options);
    RandomStream stream = RandomStream::fromSeed(3);
    RandomStream reference = RandomStream::fromSeed(3);
    Vector x = problem.initialPoint(stream);
    QVERIFY(x[0] == 1.0);
    // Run the golden-trace step x ← x − 0.5·g a few times: g must be x bit for bit, so x = 2⁻ᵏ exactly.
    Vector g;
    for (int k = 1; k <= 12; ++k) {
      problem.stochasticGradient(x, Shard{}, stream, g);
      QVERIFY(g[0] == x[0]);
      x -= 0.5 * g;
      QVERIFY(x[0] == std::ldexp(1.0, -k));
    }
    QCOMPARE(stream.next(), reference.next());
    const Vector probe = Vector::Constant(1, 0.123456789);
    problem.gradient(probe, g);
    QVERIFY(g[0] == probe[0]);
    QVERIFY(problem.loss(probe) == 0.5 * probe[0] * probe[0]);
    QCOMPARE(*problem.optimalValue(), 0.0);
    QCOMPARE(*problem.smoothness(), 1.0);
  }

  void diagonalSpectrumAndDerivatives() {
    const Vector logSpectrum = DiagonalQuadraticProblem::spectrum(5, 0.01, 100.0, DiagonalQuadraticProblem::Spacing::Log);
    QCOMPARE(logSpectrum[0], 0.01);
    QCOMPARE(logSpectrum[4], 100.0);
    QVERIFY(std::abs(logSpectrum[2] - 1.0) < 1e-12);
    const Vector linear = DiagonalQuadraticProblem::spectrum(3, 1.0, 3.0, DiagonalQuadraticProblem::Spacing::Linear);
    QVERIFY(linear == Eigen::Vector3d(1.0, 2.0, 3.0));
    QCOMPARE(DiagonalQuadraticProblem::spectrum(1, 2.0, 5.0, DiagonalQuadraticProblem::Spacing::Log)[0], 2.0);

    DiagonalQuadraticProblem::Options options;
    options.eigenvalues = logSpectrum;
    options.center = randomVector(5, 2);
    options.initialPoint = Vector::Ones(5);
    const DiagonalQuadraticProblem problem(options);
    const Vector x = randomVector(5, 3);
    QVERIFY(distopt::gradientCheckError(problem, x) < 1e-5);
    QVERIFY(distopt::hessianVectorCheckError(problem, x, randomVector(5, 4)) < 1e-6);
    QCOMPARE(problem.loss(options.center), 0.0);
    Vector g;
    problem.gradient(options.center, g);
    QCOMPARE(g.norm(), 0.0);
    QCOMPARE(*problem.smoothness(), 100.0);
    QCOMPARE(*problem.gradientVariance(), 0.01 * 0.01 * 5);
  }

  void leastSquaresOptimum() {
    const LeastSquaresProblem problem = makeLeastSquares(300, 12, 16);
    QCOMPARE(problem.numSamples(), std::int64_t{300});
    QCOMPARE(problem.dimension(), Eigen::Index{12});
    Vector g;
    problem.gradient(problem.solution(), g);
    Vector g0;
    problem.gradient(Vector::Zero(12), g0);
    QVERIFY2(g.norm() < 1e-12 * g0.norm(), qPrintable(QString::number(g.norm())));
    QCOMPARE(problem.loss(problem.solution()), *problem.optimalValue());
    // b = A·x_rand + 1e-5 noise: the residual at the optimum is the noise's, f* ≈ ½·1e-10·(m−d)/m.
    QVERIFY(*problem.optimalValue() > 0.0 && *problem.optimalValue() < 1e-10);
    // Compare with an orthogonal-factorisation solve.
    const Vector viaQr = problem.matrix().colPivHouseholderQr().solve(problem.rhs());
    QVERIFY((viaQr - problem.solution()).norm() < 1e-9 * viaQr.norm());
    QVERIFY(problem.loss(viaQr) >= *problem.optimalValue() - 1e-20);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(problem.matrix().transpose() * problem.matrix() / 300.0);
    QVERIFY(std::abs(*problem.smoothness() - eigen.eigenvalues().maxCoeff()) < 1e-12);
    // Same seed, same data.
    QVERIFY(makeLeastSquares(300, 12, 16).matrix() == problem.matrix());
    QVERIFY(makeLeastSquares(300, 12, 16, 4).matrix() != problem.matrix());
  }

  void leastSquaresDerivatives() {
    const LeastSquaresProblem problem = makeLeastSquares(80, 6, 8);
    const Vector x = randomVector(6, 11);
    QVERIFY(distopt::gradientCheckError(problem, x) < 1e-5);
    const Vector v = randomVector(6, 12);
    QVERIFY(distopt::hessianVectorCheckError(problem, x, v) < 1e-6);
    Vector hv;
    problem.hessianVectorProduct(x, v, hv);
    const Vector expected = problem.matrix().transpose() * (problem.matrix() * v) / 80.0;
    QVERIFY((hv - expected).norm() < 1e-14 * expected.norm());
    RandomStream stream = RandomStream::fromSeed(1);
    QCOMPARE(problem.initialPoint(stream).norm(), 0.0);
  }

  void leastSquaresStochasticGradient() {
    const std::int64_t m = 60;
    const LeastSquaresProblem whole = makeLeastSquares(m, 5, 0);
    const Vector x = randomVector(5, 21);
    Vector full;
    whole.gradient(x, full);

    // batch >= shard size: exactly the shard gradient.
    const Shard shard{{1, 4, 9, 16, 25, 36, 49}};
    const LeastSquaresProblem sized = makeLeastSquares(m, 5, 7);
    Vector shardGradient = Vector::Zero(5);
    for (auto i : shard.indices) {
      const auto row = sized.matrix().row(static_cast<Eigen::Index>(i));
      shardGradient += (row.dot(x) - sized.rhs()[static_cast<Eigen::Index>(i)]) * row.transpose();
    }
    shardGradient /= 7.0;
    RandomStream stream = RandomStream::fromSeed(8);
    Vector g;
    sized.stochasticGradient(x, shard, stream, g);
    QVERIFY((g - shardGradient).norm() < 1e-14 * shardGradient.norm());
    whole.stochasticGradient(x, shard, stream, g);  // batch 0 = whole shard
    QVERIFY((g - shardGradient).norm() < 1e-14 * shardGradient.norm());
    whole.stochasticGradient(x, Shard{}, stream, g);  // empty shard = all samples
    QVERIFY((g - full).norm() < 1e-13 * full.norm());

    // The shard-uniform single-sample gradients average to the full gradient exactly.
    const LeastSquaresProblem single = makeLeastSquares(m, 5, 1);
    Vector mean = Vector::Zero(5);
    for (std::int64_t i = 0; i < m; ++i) {
      single.stochasticGradient(x, Shard{{i}}, stream, g);
      mean += g;
    }
    mean /= static_cast<double>(m);
    QVERIFY((mean - full).norm() < 1e-13 * full.norm());

    // Monte Carlo: minibatches of 4 from the shard are unbiased for the shard gradient.
    const LeastSquaresProblem four = makeLeastSquares(m, 5, 4);
    Vector average = Vector::Zero(5);
    Vector spread = Vector::Zero(5);
    const int draws = 20000;
    for (int k = 0; k < draws; ++k) {
      four.stochasticGradient(x, shard, stream, g);
      average += g;
      spread += (g - shardGradient).cwiseAbs2();
    }
    average /= draws;
    const Vector standardError = (spread / draws / draws).cwiseSqrt();
    for (Eigen::Index j = 0; j < 5; ++j) QVERIFY(std::abs(average[j] - shardGradient[j]) < 5.0 * standardError[j] + 1e-15);
  }

  void leastSquaresDefaultSize() {
#ifdef NDEBUG
    const std::int64_t m = 10000;  // docs/papers.md, async-sgd E4
    const std::int64_t d = 400;
#else
    // Unoptimised Eigen (the Debug + sanitizer build) is ~100x slower; the shape of the test is the same.
    const std::int64_t m = 2000;
    const std::int64_t d = 100;
#endif
    QElapsedTimer timer;
    timer.start();
    const LeastSquaresProblem problem = makeLeastSquares(m, d, 256);
    qInfo("E4 least squares (%lld x %lld) built in %lld ms", static_cast<long long>(m), static_cast<long long>(d),
          static_cast<long long>(timer.elapsed()));
    Vector g;
    problem.gradient(problem.solution(), g);
    QVERIFY(g.norm() < 1e-10);
    QVERIFY(*problem.optimalValue() < 1e-10);
    // E[a aᵀ] = (1/d)(¼·11ᵀ + I/12): λ_max ≈ ¼ + 1/(12d).
    QVERIFY(std::abs(*problem.smoothness() - 0.25) < 0.01);
  }
};

QTEST_APPLESS_MAIN(TestProblemsSynthetic)
#include "test_problems_synthetic.moc"
