// FOSI (docs/papers.md, hybrid-order §6 oracles 11-17) and its base optimizers.

#include <QtTest>
#include <cmath>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include "core/data/synthetic_data.hpp"
#include "core/hybrid/fosi.hpp"
#include "core/problems/softmax_problem.hpp"

using distopt::BaseKind;
using distopt::BaseOptimizer;
using distopt::Fosi;
using distopt::FosiOptions;
using distopt::RandomStream;
using distopt::Vector;
using Eigen::MatrixXd;

namespace {

Vector randomVector(Eigen::Index d, std::uint64_t seed) {
  RandomStream stream = RandomStream::fromSeed(seed);
  Vector v(d);
  for (Eigen::Index i = 0; i < d; ++i) v[i] = stream.normal();
  return v;
}

// f = ½θᵀHθ − bᵀθ with H = U diag(λ) Uᵀ, λ log-spaced in [0.1, 50], n = 30.
struct Quadratic {
  MatrixXd u;
  Vector lambda;
  MatrixXd h;
  Vector b;
  Vector thetaStar;

  explicit Quadratic(std::uint64_t seed, Eigen::Index n = 30) {
    RandomStream stream = RandomStream::fromSeed(seed);
    MatrixXd g(n, n);
    for (Eigen::Index i = 0; i < g.size(); ++i) g.data()[i] = stream.normal();
    Eigen::HouseholderQR<MatrixXd> qr(g);
    u = qr.householderQ() * MatrixXd::Identity(n, n);
    lambda.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) lambda(i) = 0.1 * std::pow(500.0, static_cast<double>(i) / (n - 1));
    h = u * lambda.asDiagonal() * u.transpose();
    b = randomVector(n, seed + 1);
    thetaStar = u * (u.transpose() * b).cwiseQuotient(lambda);
  }
  Vector gradient(const Vector& theta) const { return h * theta - b; }
  double value(const Vector& theta) const { return 0.5 * theta.dot(h * theta) - b.dot(theta); }
  // Top-k eigenvectors as rows (ascending eigenvalue) and their eigenvalues.
  MatrixXd topVectors(int k) const { return u.rightCols(k).transpose(); }
  Vector topValues(int k) const { return lambda.tail(k); }
  Fosi::HvpFactory hvp() const {
    return [this](const Vector&) { return [this](const Vector& v, Vector& out) { out.noalias() = h * v; }; };
  }
};

FosiOptions fosiOptions(BaseKind kind, double lr, int k) {
  FosiOptions options;
  options.base.kind = kind;
  options.base.learningRate = lr;
  options.k = k;
  options.period = 1000000;  // never refresh on its own in these tests
  options.warmup = 1000000;
  return options;
}

}  // namespace

class TestHybridFosi : public QObject {
  Q_OBJECT

 private slots:
  void optionsRejectBadInput() {
    FosiOptions options;
    std::string why;
    options.l = 1;
    options.k = 0;
    QVERIFY(!options.isValid(&why));
    QVERIFY(why.rfind("l:", 0) == 0);
    options = FosiOptions{};
    options.cMax = 0.5;
    QVERIFY(!options.isValid(&why) && why.rfind("c_max:", 0) == 0);
    options = FosiOptions{};
    options.base.learningRate = 0.0;
    QVERIFY(!options.isValid(&why) && why.rfind("lr:", 0) == 0);
  }

  // Oracle 11: k = 0 gives the base optimizer bit for bit (heavy ball and Adam), on softmax regression.
  void kZeroIsTheBaseOptimizer() {
    const auto data = distopt::makeGaussianClasses(
        {.numSamples = 60, .numFeatures = 5, .numClasses = 3, .separation = 1.0}, 3);
    distopt::SoftmaxProblem::Options problemOptions;
    problemOptions.l2 = 1e-3;
    problemOptions.batch = 8;
    const distopt::SoftmaxProblem problem(data, std::nullopt, problemOptions);
    for (BaseKind kind : {BaseKind::HeavyBall, BaseKind::Adam, BaseKind::Sgd}) {
      FosiOptions options = fosiOptions(kind, kind == BaseKind::Adam ? 1e-2 : 0.1, 0);
      options.period = 3;
      options.warmup = 1;
      Fosi fosi(options, problem.dimension(), 5);
      BaseOptimizer base(options.base, problem.dimension());
      Vector thetaFosi = randomVector(problem.dimension(), 9);
      Vector thetaBase = thetaFosi;
      Vector g;
      Vector delta;
      for (int t = 0; t < 100; ++t) {
        RandomStream s1 = RandomStream::fromSeed(100 + t);
        problem.stochasticGradient(thetaFosi, distopt::Shard{}, s1, g);
        bool asked = false;
        fosi.step(thetaFosi, g, [&](const Vector&) -> distopt::HvpOperator {
          asked = true;  // k = 0 must never estimate curvature
          return {};
        });
        QVERIFY(!asked);
        RandomStream s2 = RandomStream::fromSeed(100 + t);
        problem.stochasticGradient(thetaBase, distopt::Shard{}, s2, g);
        base.step(g, delta);
        thetaBase += delta;
      }
      QVERIFY2(thetaFosi == thetaBase, distopt::baseKindName(kind));
      QCOMPARE(fosi.estimates(), 0);
    }
  }

  // Oracle 12: the schedule fires at t = W-1, W-1+T, ...; before it FOSI is the base optimizer.
  void scheduleAndWarmup() {
    QList<int> fired;
    for (int t = 0; t < 20; ++t)
      if (distopt::eseDue(t, 3, 5)) fired << t;
    QCOMPARE(fired, (QList<int>{2, 7, 12, 17}));

    const Quadratic q(4);
    FosiOptions options = fosiOptions(BaseKind::HeavyBall, 0.01, 3);
    options.warmup = 3;
    options.period = 5;
    Fosi fosi(options, 30, 1);
    BaseOptimizer base(options.base, 30);
    Vector theta = Vector::Zero(30);
    Vector reference = theta;
    Vector delta;
    QList<int> estimatesAfter;
    for (int t = 0; t < 13; ++t) {
      fosi.step(theta, q.gradient(theta), q.hvp());
      estimatesAfter << fosi.estimates();
      if (t < 2) {
        base.step(q.gradient(reference), delta);
        reference += delta;
        QVERIFY(theta == reference);
      }
    }
    QCOMPARE(estimatesAfter, (QList<int>{0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3}));
    // The estimate found the true top eigenvalues.
    QVERIFY((fosi.segment().eigenvalues() - q.topValues(3)).cwiseAbs().maxCoeff() < 1e-6);
  }

  // Oracle 13: with exact eigenvectors, alpha = 1 is Newton in the subspace; alpha < 1 shrinks the
  // subspace error by (1 - alpha) per step; the complement moves as GD with step c·eta.
  void subspaceStepIsNewton() {
    const Quadratic q(7);
    const int k = 5;
    const MatrixXd v = q.topVectors(k);
    const double eta = 0.01;
    for (double alpha : {1.0, 0.3}) {
      FosiOptions options = fosiOptions(BaseKind::Sgd, eta, k);
      options.alpha = alpha;
      options.cMax = 1e9;
      Fosi fosi(options, 30, 1);
      fosi.install(v, q.topValues(k));
      const double c = fosi.segment().scale();
      QVERIFY(std::abs(c - q.lambda(29) / q.lambda(25)) < 1e-12);
      Vector theta = randomVector(30, 3);
      const MatrixXd complement = MatrixXd::Identity(30, 30) - v.transpose() * v;
      Vector complementError = complement * (theta - q.thetaStar);
      double subspaceError = (v * (theta - q.thetaStar)).norm();
      for (int t = 0; t < 5; ++t) {
        fosi.step(theta, q.gradient(theta), q.hvp());
        const double now = (v * (theta - q.thetaStar)).norm();
        if (alpha == 1.0)
          QVERIFY2(now <= 1e-12, qPrintable(QString::number(now)));
        else
          QVERIFY2(std::abs(now - (1.0 - alpha) * subspaceError) <= 1e-12, qPrintable(QString::number(now)));
        subspaceError = now;
        complementError = complementError - c * eta * complement * (q.h * complementError);
        QVERIFY((complement * (theta - q.thetaStar) - complementError).cwiseAbs().maxCoeff() <= 1e-12);
      }
    }
  }

  // Oracle 14: the base part stays out of span(V); the Newton part lies in it.
  void partsAreOrthogonal() {
    const Quadratic q(8);
    const int k = 4;
    const MatrixXd v = q.topVectors(k);
    for (BaseKind kind : {BaseKind::HeavyBall, BaseKind::Adam}) {
      FosiOptions options = fosiOptions(kind, 0.02, k);
      options.alpha = 0.25;
      Fosi fosi(options, 30, 1);
      fosi.install(v, q.topValues(k));
      Vector theta = randomVector(30, 5);
      for (int t = 0; t < 4; ++t) {
        const Vector before = theta;
        fosi.step(theta, q.gradient(theta), q.hvp());
        const Vector step = theta - before;
        const Vector newtonCoefficients =
            -options.alpha * fosi.segment().rho().cwiseProduct(v * fosi.segment().velocity());
        // V·step = V·(cΔ) − α V d1 = −α ρ⊙(V u): so V·(cΔ) = 0.
        QVERIFY((v * step - newtonCoefficients).cwiseAbs().maxCoeff() <= 1e-12);
      }
    }
  }

  // Oracle 15.
  void scaleIsClippedRatio() {
    Vector lambda(3);
    lambda << 2.0, 4.0, 10.0;
    const MatrixXd v = MatrixXd::Identity(3, 3);
    for (BaseKind kind : {BaseKind::Sgd, BaseKind::HeavyBall, BaseKind::Adam}) {
      for (double cMax : {1.0, 3.0, 100.0}) {
        FosiOptions options = fosiOptions(kind, 0.1, 3);
        options.cMax = cMax;
        distopt::FosiSegment segment(options, 3);
        segment.install(v, lambda);
        const double expected = kind == BaseKind::Adam ? 1.0 : std::clamp(10.0 / 2.0, 1.0, cMax);
        QCOMPARE(segment.scale(), expected);
        QVERIFY((segment.rho() - Vector(Vector::Constant(3, 1.0)).cwiseQuotient(lambda)).norm() < 1e-15);
      }
    }
  }

  // Oracle 16: negative curvature is stepped away from (1/|λ|), and f decreases.
  void negativeCurvatureMovesAwayFromSaddle() {
    Vector diag(3);
    diag << 5.0, -3.0, 1.0;
    auto value = [&](const Vector& x) { return 0.5 * x.dot(diag.cwiseProduct(x)); };
    MatrixXd v = MatrixXd::Zero(2, 3);
    v(0, 1) = 1.0;  // bottom l = 1: λ = −3
    v(1, 0) = 1.0;  // top k = 1: λ = 5
    Vector lambda(2);
    lambda << -3.0, 5.0;
    FosiOptions options = fosiOptions(BaseKind::Sgd, 0.05, 1);
    options.l = 1;
    options.alpha = 0.5;
    Fosi fosi(options, 3, 1);
    fosi.install(v, lambda);
    Vector theta(3);
    theta << 0.4, 0.3, -0.7;
    const double f0 = value(theta);
    const Vector g = diag.cwiseProduct(theta);
    fosi.step(theta, g, [](const Vector&) -> distopt::HvpOperator { return {}; });
    QVERIFY(std::abs(theta(1) - 0.3 * (1.0 + options.alpha)) <= 1e-15);
    QVERIFY(value(theta) < f0);
  }

  // Oracle 17: closed forms of FOSI's momentum with constant g and fixed V.
  void momentumClosedForms() {
    const MatrixXd v = MatrixXd::Identity(2, 5);
    Vector lambda(2);
    lambda << 1.0, 2.0;
    const Vector g = randomVector(5, 2);
    const Vector g1 = v.transpose() * (v * g);
    const double beta = 0.9;
    const int s = 7;
    for (BaseKind kind : {BaseKind::Sgd, BaseKind::HeavyBall, BaseKind::Adam}) {
      FosiOptions options = fosiOptions(kind, 0.01, 2);
      distopt::FosiSegment segment(options, 5);
      segment.install(v, lambda);
      Vector theta = Vector::Zero(5);
      for (int t = 0; t < s; ++t) segment.apply(segment.momentumAndBase(segment.project(g)), theta);
      Vector expected = g1;
      if (kind == BaseKind::HeavyBall) expected = g1 * (1.0 - std::pow(beta, s)) / (1.0 - beta);
      if (kind == BaseKind::Adam) expected = (1.0 - std::pow(beta, s)) * g1;
      QVERIFY2((segment.velocity() - expected).cwiseAbs().maxCoeff() <= 1e-13, distopt::baseKindName(kind));
    }
  }

  // FOSI beats its base optimizer on an ill-conditioned quadratic (hybrid-order E1 shape, single seed).
  void fosiBeatsBaseOnIllConditionedQuadratic() {
    const Quadratic q(11, 60);
    for (BaseKind kind : {BaseKind::Sgd, BaseKind::HeavyBall}) {
      const double lMax = q.lambda.maxCoeff();
      const double lr = kind == BaseKind::Sgd ? 1.0 / lMax : 0.25 / lMax;
      FosiOptions options = fosiOptions(kind, lr, 10);
      options.period = 50;
      options.warmup = 1;
      options.alpha = 1.0;
      options.cMax = 1e9;
      if (kind == BaseKind::HeavyBall) options.alpha = 0.1;
      Fosi fosi(options, 60, 3);
      BaseOptimizer base(options.base, 60);
      Vector a = Vector::Zero(60);
      Vector b = a;
      Vector delta;
      for (int t = 0; t < 200; ++t) {
        fosi.step(a, q.gradient(a), q.hvp());
        base.step(q.gradient(b), delta);
        b += delta;
      }
      const double fStar = q.value(q.thetaStar);
      QVERIFY2(q.value(a) - fStar < 0.5 * (q.value(b) - fStar),
               qPrintable(QString("%1 fosi %2 base %3")
                              .arg(distopt::baseKindName(kind))
                              .arg(q.value(a) - fStar)
                              .arg(q.value(b) - fStar)));
    }
  }
};

QTEST_APPLESS_MAIN(TestHybridFosi)
#include "test_hybrid_fosi.moc"
