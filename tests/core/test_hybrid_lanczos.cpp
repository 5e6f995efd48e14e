// Lanczos with CGS2 reorthogonalisation, serial and segmented (docs/papers.md, hybrid-order §6 oracles 1-5,
// 18, 20 (basis slice), 21 (collective counts)).

#include <QtTest>
#include <cmath>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include "core/hybrid/lanczos.hpp"

using distopt::LanczosOptions;
using distopt::LanczosResult;
using distopt::RandomStream;
using distopt::Vector;
using Eigen::MatrixXd;

namespace {

MatrixXd randomOrthogonal(Eigen::Index n, std::uint64_t seed) {
  RandomStream stream = RandomStream::fromSeed(seed);
  MatrixXd g(n, n);
  for (Eigen::Index i = 0; i < g.size(); ++i) g.data()[i] = stream.normal();
  Eigen::HouseholderQR<MatrixXd> qr(g);
  return qr.householderQ() * MatrixXd::Identity(n, n);
}

MatrixXd withSpectrum(const Vector& eigenvalues, std::uint64_t seed) {
  const MatrixXd u = randomOrthogonal(eigenvalues.size(), seed);
  MatrixXd a = u * eigenvalues.asDiagonal() * u.transpose();
  return 0.5 * (a + a.transpose());
}

// n = 200: ten eigenvalues in [6, 10], the rest in [0.01, 1] (clear gap after the 10th).
Vector gappedSpectrum() {
  Vector lambda(200);
  for (int i = 0; i < 190; ++i) lambda(i) = 0.01 + 0.99 * i / 189.0;
  for (int i = 0; i < 10; ++i) lambda(190 + i) = 6.0 + 4.0 * i / 9.0;
  return lambda;
}

distopt::HvpOperator denseHvp(const MatrixXd& a) {
  return [&a](const Vector& v, Vector& out) { out.noalias() = a * v; };
}

LanczosResult runSerial(const MatrixXd& a, const LanczosOptions& options, std::uint64_t seed,
                        MatrixXd* basis = nullptr) {
  RandomStream start = RandomStream::fromSeed(seed);
  RandomStream restarts = RandomStream::fromSeed(seed + 1);
  return distopt::lanczos(denseHvp(a), distopt::lanczosStartVector(a.rows(), start), options, restarts,
                          basis);
}

}  // namespace

class TestHybridLanczos : public QObject {
  Q_OBJECT

 private slots:
  void defaultOrder() {
    QCOMPARE(distopt::defaultLanczosOrder(10, 0, 109386), 40);
    QCOMPARE(distopt::defaultLanczosOrder(1, 0, 109386), 24);  // ceil(2 ln n) = 24
    QCOMPARE(distopt::defaultLanczosOrder(10, 0, 30), 30);     // clamped to n
    LanczosOptions bad{.m = 5, .k = 4, .l = 2};
    std::string why;
    QVERIFY(!bad.isValid(100, &why));
    QVERIFY(why.rfind("m:", 0) == 0);
  }

  // Oracle 1.
  void topEigenpairsMatchDenseSolve() {
    const MatrixXd a = withSpectrum(gappedSpectrum(), 11);
    const LanczosResult result = runSerial(a, {.m = 40, .k = 10, .l = 0}, 5);
    const Eigen::SelfAdjointEigenSolver<MatrixXd> dense(a);
    QCOMPARE(result.eigenvalues.size(), Eigen::Index{10});
    for (int i = 0; i < 10; ++i) {
      const double truth = dense.eigenvalues()(190 + i);
      QVERIFY2(std::abs(result.eigenvalues(i) - truth) <= 1e-8 * std::abs(truth),
               qPrintable(QString::number(i)));
    }
    for (int i = 5; i < 10; ++i) {
      const double cosine = std::abs(result.vectors.row(i).dot(dense.eigenvectors().col(190 + i)));
      QVERIFY2(cosine >= 1.0 - 1e-8, qPrintable(QString::number(1.0 - cosine)));
    }
  }

  // Oracle 2.
  void fullOrderRecoversWholeSpectrum() {
    Vector lambda(60);
    for (int i = 0; i < 60; ++i) lambda(i) = -3.0 + 0.2 * i + 0.001 * i * i;
    const MatrixXd a = withSpectrum(lambda, 3);
    const LanczosResult result = runSerial(a, {.m = 60, .k = 60, .l = 0}, 9);
    const Eigen::SelfAdjointEigenSolver<MatrixXd> dense(a);
    const double norm = dense.eigenvalues().cwiseAbs().maxCoeff();
    QVERIFY((result.ritzValues - dense.eigenvalues()).cwiseAbs().maxCoeff() <= 1e-9 * norm);
  }

  // Oracle 3.
  void basisOrthonormalAndTridiagonal() {
    const MatrixXd a = withSpectrum(gappedSpectrum(), 12);
    MatrixXd q;
    const LanczosResult result = runSerial(a, {.m = 40, .k = 10, .l = 0}, 6, &q);
    const double ortho = (q * q.transpose() - MatrixXd::Identity(40, 40)).cwiseAbs().maxCoeff();
    QVERIFY2(ortho <= 1e-12, qPrintable(QString::number(ortho)));
    MatrixXd t = MatrixXd::Zero(40, 40);
    t.diagonal() = result.alpha;
    t.diagonal(1) = result.beta;
    t.diagonal(-1) = result.beta;
    const double projected = (q * a * q.transpose() - t).cwiseAbs().maxCoeff();
    QVERIFY2(projected <= 1e-10 * 10.0, qPrintable(QString::number(projected)));
    // Ritz vectors are orthonormal too.
    QVERIFY((result.vectors * result.vectors.transpose() - MatrixXd::Identity(10, 10)).cwiseAbs().maxCoeff() <
            1e-12);
  }

  // Oracle 4.
  void breakdownOnFewDistinctEigenvalues() {
    const MatrixXd identity = MatrixXd::Identity(50, 50);
    const LanczosResult one = runSerial(identity, {.m = 12, .k = 4, .l = 2}, 1);
    QCOMPARE(one.eigenvalues.size(), Eigen::Index{6});
    QVERIFY(one.restarts > 0);
    for (int i = 0; i < 6; ++i) QVERIFY(std::abs(one.eigenvalues(i) - 1.0) <= 1e-10);
    QVERIFY(one.vectors.allFinite());

    Vector lambda(50);
    for (int i = 0; i < 50; ++i) lambda(i) = i < 20 ? 0.5 : (i < 40 ? 2.0 : 7.0);
    const MatrixXd a = withSpectrum(lambda, 4);
    const LanczosResult three = runSerial(a, {.m = 12, .k = 5, .l = 1}, 2);
    QVERIFY(three.restarts > 0);
    QCOMPARE(three.eigenvalues.size(), Eigen::Index{6});
    QVERIFY(three.ritzValues.allFinite() && three.vectors.allFinite());
    for (int i = 0; i < three.ritzValues.size(); ++i) {
      const double v = three.ritzValues(i);
      const double nearest = std::min({std::abs(v - 0.5), std::abs(v - 2.0), std::abs(v - 7.0)});
      QVERIFY2(nearest <= 1e-10 * 7.0, qPrintable(QString::number(v, 'g', 17)));
    }
  }

  // Oracle 5.
  void deterministicAndBottomIsAlgebraic() {
    Vector lambda(80);
    for (int i = 0; i < 80; ++i) lambda(i) = -8.0 + 16.0 * i / 79.0;  // indefinite, |min| ~ |max|
    lambda(0) = -20.0;
    lambda(1) = -15.0;
    const MatrixXd a = withSpectrum(lambda, 8);
    const LanczosResult first = runSerial(a, {.m = 40, .k = 2, .l = 2}, 77);
    const LanczosResult second = runSerial(a, {.m = 40, .k = 2, .l = 2}, 77);
    QVERIFY(first.alpha == second.alpha);
    QVERIFY(first.beta == second.beta);
    QVERIFY(std::abs(first.eigenvalues(0) + 20.0) < 1e-8);
    QVERIFY(std::abs(first.eigenvalues(1) + 15.0) < 1e-8);
    QVERIFY(first.eigenvalues(0) < first.eigenvalues(1));
    QVERIFY(std::abs(first.eigenvalues(3) - 8.0) < 1e-6);
    QVERIFY(first.eigenvalues(2) < first.eigenvalues(3));
  }

  // Oracles 18, 20 (basis slice) and 21.
  void segmentedEqualsSerial_data() {
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("parts");
    QTest::addColumn<bool>("fewEigenvalues");
    for (int parts : {1, 2, 3, 4, 7}) {
      QTest::addRow("n200_P%d", parts) << 200 << parts << false;
      QTest::addRow("n101_P%d", parts) << 101 << parts << false;
      QTest::addRow("breakdown_n50_P%d", parts) << 50 << parts << true;
    }
  }
  void segmentedEqualsSerial() {
    QFETCH(int, n);
    QFETCH(int, parts);
    QFETCH(bool, fewEigenvalues);
    Vector lambda(n);
    for (int i = 0; i < n; ++i)
      lambda(i) = fewEigenvalues ? (i % 3) * 2.0 + 1.0 : 0.01 + 10.0 * std::pow(0.93, n - 1 - i);
    const MatrixXd a = withSpectrum(lambda, 21);
    // m = 9 is three whole Krylov blocks of the three-eigenvalue matrix: no truncated trailing block.
    const LanczosOptions options{.m = fewEigenvalues ? 9 : 30, .k = 4, .l = 1};
    const LanczosResult serial = runSerial(a, options, 31);

    RandomStream start = RandomStream::fromSeed(31);
    RandomStream restarts = RandomStream::fromSeed(32);
    distopt::LanczosTraffic traffic;
    std::int64_t peak = 0;
    const auto results = distopt::distributedLanczos(denseHvp(a), distopt::lanczosStartVector(n, start),
                                                     parts, options, restarts, &traffic, &peak);
    QCOMPARE(static_cast<int>(results.size()), parts);
    const int m = options.m;
    MatrixXd assembled(serial.vectors.rows(), n);
    for (int p = 0; p < parts; ++p) {
      const LanczosResult& part = results[static_cast<std::size_t>(p)];
      QVERIFY((part.alpha - serial.alpha).cwiseAbs().maxCoeff() <= 1e-12);
      QVERIFY((part.beta - serial.beta).cwiseAbs().maxCoeff() <= 1e-12);
      QCOMPARE(part.restarts, serial.restarts);
      const auto range = distopt::segmentRange(n, parts, p);
      assembled.middleCols(range.begin, range.size()) = part.vectors;
    }
    // Ritz vectors are defined up to sign by the eigen-solver, and it is the same solver on the same
    // T on every device, so no sign fix is needed: compare directly.
    if (!fewEigenvalues) {
      const double vectorError = (assembled - serial.vectors).cwiseAbs().maxCoeff();
      QVERIFY2(vectorError <= 1e-10, qPrintable(QString::number(vectorError)));
    } else {
      // Repeated Ritz values: the vectors within a cluster are any rotation, so check that each
      // reassembled vector is a unit eigenvector of A for its Ritz value instead.
      for (Eigen::Index i = 0; i < assembled.rows(); ++i) {
        const Vector y = assembled.row(i).transpose();
        const double residual = (a * y - results[0].eigenvalues(i) * y).norm();
        QVERIFY2(residual <= 1e-10 && std::abs(y.norm() - 1.0) <= 1e-12,
                 qPrintable(QString::number(residual)));
      }
    }
    QCOMPARE(traffic.hvpSyncs, m);
    const int restartsDone = serial.restarts;
    QCOMPARE(traffic.coefficientAllReduces, 2 * (m - 1) + 2 * restartsDone);
    QCOMPARE(traffic.vectorAllGathers, m - 1 + restartsDone);
    QCOMPARE(traffic.broadcasts, 1 + restartsDone);
    if (restartsDone == 0) QCOMPARE(traffic.coefficientValues, std::int64_t{m} * (m - 1));
    const std::int64_t s = (n + parts - 1) / parts;
    distopt::LanczosSegment role(n, parts, parts - 1, options);
    QCOMPARE(role.basisValues(), m * s);
    QCOMPARE(peak, m * s + 2 * n + s + m + (m - 1));
    if (!fewEigenvalues)
      QCOMPARE(serial.restarts, 0);
    else
      QVERIFY(serial.restarts > 0);
  }
};

QTEST_APPLESS_MAIN(TestHybridLanczos)
#include "test_hybrid_lanczos.moc"
