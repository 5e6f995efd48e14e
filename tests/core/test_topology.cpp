// docs/papers.md, decentralized-proxgt §6 oracles 1-4 and 6 (graphs, weight rules, spectra, multi-round
// gossip) and the worked examples and reference table of §3.7.
#include <QtTest>
#include <cmath>

#include "core/topology/gossip.hpp"
#include "core/topology/graph.hpp"
#include "core/topology/mixing_matrix.hpp"
#include "core/util/input_error.hpp"

using namespace distopt;

namespace {

Matrix averaging(int n) { return Matrix::Constant(n, n, 1.0 / n); }

Matrix ringFourAdjacency() {
  Matrix a = Matrix::Zero(4, 4);
  for (int i = 0; i < 4; ++i) a(i, (i + 1) % 4) = a(i, (i + 3) % 4) = 1.0;
  return a;
}

Matrix ringFourOpposite() {
  Matrix b = Matrix::Zero(4, 4);
  for (int i = 0; i < 4; ++i) b(i, (i + 2) % 4) = 1.0;
  return b;
}

void compareMatrix(const Matrix& actual, const Matrix& expected, double tolerance) {
  QVERIFY2((actual - expected).cwiseAbs().maxCoeff() <= tolerance,
           qPrintable(QString("max difference %1").arg((actual - expected).cwiseAbs().maxCoeff())));
}

void compareVector(const Eigen::VectorXd& actual, const std::vector<double>& expected, double tolerance) {
  QCOMPARE(actual.size(), static_cast<Eigen::Index>(expected.size()));
  for (Eigen::Index i = 0; i < actual.size(); ++i)
    QVERIFY2(
        std::abs(actual[i] - expected[static_cast<std::size_t>(i)]) <= tolerance,
        qPrintable(
            QString("entry %1: %2 vs %3").arg(i).arg(actual[i]).arg(expected[static_cast<std::size_t>(i)])));
}

std::vector<Graph> assortedGraphs() {
  std::vector<Graph> graphs = {makeRing(8),     makeRing(16),   makePath(7),         makeTorus(4, 4),
                               makeTorus(3, 5), makeGrid(4, 4), makeGrid(2, 6),      makeStar(8),
                               makeComplete(8), makeLadder(8),  makeExponential(16), makeExponential(12),
                               makeRing(2),     makeTorus(2, 4)};
  for (std::uint64_t seed = 1; seed <= 6; ++seed) graphs.push_back(makeErdosRenyi(12, 0.35, seed));
  return graphs;
}

}  // namespace

class TestTopology : public QObject {
  Q_OBJECT

 private slots:
  void generatorsBuildTheSpecEdges() {
    QCOMPARE(makeRing(8).numEdges(), std::size_t{8});
    QCOMPARE(makeRing(2).numEdges(), std::size_t{1});
    QCOMPARE(makeRing(1).numEdges(), std::size_t{0});
    QCOMPARE(makeTorus(4, 4).numEdges(), std::size_t{32});
    QVERIFY(makeTorus(4, 4).isRegular());
    QCOMPARE(makeTorus(4, 4).degree(0), 4);
    QCOMPARE(makeTorus(2, 4).degree(0), 3);  // duplicates skipped when a side is 2
    QCOMPARE(makeGrid(4, 4).numEdges(), std::size_t{24});
    QCOMPARE(makeStar(8).degree(0), 7);
    QCOMPARE(makeComplete(8).numEdges(), std::size_t{28});
    QCOMPARE(makeLadder(8).numEdges(), std::size_t{10});
    QVERIFY(makeLadder(8).hasEdge(1, 5));
    QCOMPARE(makeExponential(16).degree(0), 7);  // hops ±1, ±2, ±4 and 8
    QVERIFY(makeGrid(4, 4).hasEdge(5, 9) && !makeGrid(4, 4).hasEdge(3, 4));
    for (const auto& graph : assortedGraphs()) QVERIFY(graph.isConnected());
    Graph split(4);
    split.addEdge(0, 1);
    split.addEdge(2, 3);
    QVERIFY(!split.isConnected());
  }

  void erdosRenyiIsSeededAndConnected() {
    const Graph a = makeErdosRenyi(20, 0.2, 7);
    const Graph b = makeErdosRenyi(20, 0.2, 7);
    const Graph c = makeErdosRenyi(20, 0.2, 8);
    QVERIFY(a.isConnected());
    bool same = true, differs = false;
    for (int i = 0; i < 20; ++i) {
      same = same && a.neighbours(i) == b.neighbours(i);
      differs = differs || a.neighbours(i) != c.neighbours(i);
    }
    QVERIFY(same);
    QVERIFY(differs);
    QVERIFY_THROWS_EXCEPTION(InputError, makeErdosRenyi(30, 0.001, 1, 20));
  }

  // Oracle 1.
  void everyMatrixIsAValidMixingMatrix() {
    for (const auto& graph : assortedGraphs()) {
      for (WeightRule rule : {WeightRule::MetropolisHastings, WeightRule::LazyMetropolis,
                              WeightRule::MaxDegree, WeightRule::LaplacianNormalized, WeightRule::Uniform}) {
        if (rule == WeightRule::Uniform && !graph.isRegular()) continue;
        const Matrix w = mixingMatrix(graph, rule);
        std::string why;
        QVERIFY2(checkMixingMatrix(w, graph, &why), why.c_str());
        const Spectrum spectrum = spectrumOf(w);
        QVERIFY(spectrum.lambda < 1.0);
        QVERIFY(std::abs(spectrum.lambda - symmetricNorm(w - averaging(graph.size()))) < 1e-10);
        QVERIFY(std::abs(spectrum.eigenvalues.front() - 1.0) < 1e-12);
        if (rule == WeightRule::LazyMetropolis) QVERIFY(spectrum.lambdaN >= -1e-12);
      }
    }
    Graph split(4);
    split.addEdge(0, 1);
    split.addEdge(2, 3);
    std::string why;
    QVERIFY(!checkMixingMatrix(mixingMatrix(split, WeightRule::MetropolisHastings), split, &why));
    QVERIFY(why.find("disconnected") != std::string::npos);
    Matrix skewed = mixingMatrix(makeRing(5), WeightRule::MetropolisHastings);
    skewed(0, 1) += 0.01;
    skewed(0, 0) -= 0.01;
    QVERIFY(!checkMixingMatrix(skewed, makeRing(5), &why));
  }

  // Oracle 2 and §3.4.
  void weightRuleSpotChecks() {
    const Spectrum ring8 = spectrumOf(mixingMatrix(makeRing(8), WeightRule::Uniform));
    QVERIFY(std::abs(ring8.lambda - 0.8047379) < 1e-7);
    QVERIFY(std::abs(ring8.lambda - (1.0 + std::sqrt(2.0)) / 3.0) < 1e-12);
    QVERIFY(std::abs(ring8.lambdaN + 1.0 / 3.0) < 1e-12);
    QVERIFY(std::abs(spectrumOf(mixingMatrix(makeStar(8), WeightRule::MetropolisHastings)).lambda2 - 0.875) <
            1e-12);
    const Matrix ladder = mixingMatrix(makeLadder(8), WeightRule::LaplacianNormalized);
    QVERIFY(std::abs(ladder(0, 1) - 0.1846990) < 1e-7);
    QVERIFY(std::abs(spectrumOf(ladder).lambda - 0.8918058) < 1e-7);
    for (const auto& graph : assortedGraphs()) {
      const Matrix w = mixingMatrix(graph, WeightRule::MaxDegree);
      for (int i = 0; i < graph.size(); ++i)
        for (int j : graph.neighbours(i)) QCOMPARE(w(i, j), 1.0 / (1.0 + graph.maxDegree()));
    }
    for (int n : {5, 8, 13}) {
      const Spectrum ring = spectrumOf(mixingMatrix(makeRing(n), WeightRule::Uniform));
      QVERIFY(std::abs(ring.lambda2 - (1.0 + 2.0 * std::cos(2.0 * M_PI / n)) / 3.0) < 1e-12);
      const Spectrum star = spectrumOf(mixingMatrix(makeStar(n), WeightRule::MetropolisHastings));
      QVERIFY(std::abs(star.lambda2 - (1.0 - 1.0 / n)) < 1e-12);
    }
    // Uniform equals MH on regular graphs.
    compareMatrix(mixingMatrix(makeTorus(4, 4), WeightRule::Uniform),
                  mixingMatrix(makeTorus(4, 4), WeightRule::MetropolisHastings), 0.0);
  }

  // §3.7 reference table (MH weights; K for ρ_target 0.5 / 0.1).
  void referenceTable_data() {
    QTest::addColumn<int>("which");
    QTest::addColumn<double>("lambda2");
    QTest::addColumn<double>("lambdaN");
    QTest::addColumn<int>("plainHalf");
    QTest::addColumn<int>("plainTenth");
    QTest::addColumn<int>("chebHalf");
    QTest::addColumn<int>("chebTenth");
    QTest::newRow("ring 8") << 0 << 0.804738 << -0.333333 << 4 << 11 << 2 << 5;
    QTest::newRow("ring 16") << 1 << 0.949253 << -0.333333 << 14 << 45 << 5 << 10;
    QTest::newRow("ring 32") << 2 << 0.987190 << -0.333333 << 54 << 179 << 9 << 19;
    QTest::newRow("ring 64") << 3 << 0.996790 << -0.333333 << 216 << 717 << 17 << 38;
    QTest::newRow("torus 4x4") << 4 << 0.600000 << -0.600000 << 2 << 5 << 2 << 3;
    QTest::newRow("torus 8x8") << 5 << 0.882843 << -0.600000 << 6 << 19 << 3 << 6;
    QTest::newRow("grid 4x4") << 6 << 0.868641 << -0.430843 << 5 << 17 << 3 << 6;
    QTest::newRow("star 8") << 7 << 0.875000 << 0.0 << 6 << 18 << 3 << 6;
    QTest::newRow("star 16") << 8 << 0.937500 << 0.0 << 11 << 36 << 4 << 9;
    QTest::newRow("complete 8") << 9 << 0.0 << 0.0 << 1 << 1 << 1 << 1;
    QTest::newRow("exponential 16") << 10 << 0.500000 << -0.272448 << 2 << 4 << 2 << 3;
    QTest::newRow("exponential 32") << 11 << 0.600000 << -0.329072 << 2 << 5 << 2 << 3;
  }
  void referenceTable() {
    QFETCH(int, which);
    QFETCH(double, lambda2);
    QFETCH(double, lambdaN);
    QFETCH(int, plainHalf);
    QFETCH(int, plainTenth);
    QFETCH(int, chebHalf);
    QFETCH(int, chebTenth);
    const std::vector<Graph> graphs = {makeRing(8),     makeRing(16),        makeRing(32),
                                       makeRing(64),    makeTorus(4, 4),     makeTorus(8, 8),
                                       makeGrid(4, 4),  makeStar(8),         makeStar(16),
                                       makeComplete(8), makeExponential(16), makeExponential(32)};
    const Spectrum spectrum =
        spectrumOf(mixingMatrix(graphs[static_cast<std::size_t>(which)], WeightRule::MetropolisHastings));
    QVERIFY2(std::abs(spectrum.lambda2 - lambda2) < 1e-6,
             qPrintable(QString::number(spectrum.lambda2, 'g', 10)));
    QVERIFY2(std::abs(spectrum.lambdaN - lambdaN) < 1e-6,
             qPrintable(QString::number(spectrum.lambdaN, 'g', 10)));
    QVERIFY(std::abs(spectrum.gap() - (1.0 - std::max(std::abs(lambda2), std::abs(lambdaN)))) < 1e-6);
    QCOMPARE(chooseRounds(MixerKind::Plain, spectrum, 0.5, 1000).rounds, plainHalf);
    QCOMPARE(chooseRounds(MixerKind::Plain, spectrum, 0.1, 1000).rounds, plainTenth);
    QCOMPARE(chooseRounds(MixerKind::Chebyshev, spectrum, 0.5, 200).rounds, chebHalf);
    QCOMPARE(chooseRounds(MixerKind::Chebyshev, spectrum, 0.1, 200).rounds, chebTenth);
  }

  // Oracle 3: the ring-4 example of §3.7, to 1e-12.
  void ringFourWorkedExample() {
    const Matrix w = mixingMatrix(makeRing(4), WeightRule::Uniform);
    const Matrix a = ringFourAdjacency();
    const Matrix b = ringFourOpposite();
    const Matrix identity = Matrix::Identity(4, 4);
    compareMatrix(w, (identity + a) / 3.0, 1e-15);
    const Spectrum spectrum = spectrumOf(w);
    compareVector(Eigen::Map<const Eigen::VectorXd>(spectrum.eigenvalues.data(), 4),
                  {1.0, 1.0 / 3, 1.0 / 3, -1.0 / 3}, 1e-12);
    QVERIFY(std::abs(spectrum.gap() - 2.0 / 3.0) < 1e-12);
    compareMatrix(w * w, (3 * identity + 2 * a + 2 * b) / 9.0, 1e-12);
    compareMatrix(w * w * w, (7 * identity + 7 * a + 6 * b) / 27.0, 1e-12);

    const GossipPlan four = makeGossipPlan(MixerKind::Chebyshev, spectrum.lambda, 4);
    compareVector(Eigen::Map<const Eigen::VectorXd>(four.theta.data(), 4),
                  {1.0, 18.0 / 17, 34.0 / 33, 594.0 / 577}, 1e-12);
    const GossipPlan long_ = makeGossipPlan(MixerKind::Chebyshev, spectrum.lambda, 40);
    QVERIFY(std::abs(long_.theta.back() - 1.0294373) < 1e-7);

    const Matrix p2 = gossipOperator(w, makeGossipPlan(MixerKind::Chebyshev, spectrum.lambda, 2));
    compareMatrix(p2, (5 * identity + 4 * a + 4 * b) / 17.0, 1e-12);
    compareMatrix(p2, (18 * w * w - identity) / 17.0, 1e-12);
    const Matrix p3 = gossipOperator(w, makeGossipPlan(MixerKind::Chebyshev, spectrum.lambda, 3));
    compareMatrix(p3, (25 * identity + 25 * a + 24 * b) / 99.0, 1e-12);
    compareMatrix(p3, (12 * w * w * w - w) / 11.0, 1e-12);

    const double chebNorms[] = {1.0 / 3, 1.0 / 17, 1.0 / 99, 1.0 / 577};
    for (int k = 1; k <= 4; ++k) {
      const GossipPlan plan = makeGossipPlan(MixerKind::Chebyshev, spectrum.lambda, k);
      const double norm = symmetricNorm(gossipOperator(w, plan) - averaging(4));
      QVERIFY(std::abs(norm - chebNorms[k - 1]) < 1e-12);
      QVERIFY(std::abs(gossipContraction(MixerKind::Chebyshev, spectrum, k) - chebNorms[k - 1]) < 1e-12);
      QVERIFY(std::abs(exactContraction(plan, spectrum) - chebNorms[k - 1]) < 1e-12);
      const double plainNorm = symmetricNorm(
          gossipOperator(w, makeGossipPlan(MixerKind::Plain, spectrum.lambda, k)) - averaging(4));
      QVERIFY(std::abs(plainNorm - std::pow(1.0 / 3.0, k)) < 1e-12);
    }

    Eigen::VectorXd x(4);
    x << 4, 0, 0, 0;
    auto cheb = [&](int k) {
      return Eigen::VectorXd(gossipOperator(w, makeGossipPlan(MixerKind::Chebyshev, 1.0 / 3, k)) * x);
    };
    auto plain = [&](int k) {
      return Eigen::VectorXd(gossipOperator(w, makeGossipPlan(MixerKind::Plain, 1.0 / 3, k)) * x);
    };
    compareVector(cheb(1), {4.0 / 3, 4.0 / 3, 0, 4.0 / 3}, 1e-12);
    compareVector(plain(1), {4.0 / 3, 4.0 / 3, 0, 4.0 / 3}, 1e-12);
    compareVector(cheb(2), {20.0 / 17, 16.0 / 17, 16.0 / 17, 16.0 / 17}, 1e-12);
    compareVector(plain(2), {4.0 / 3, 8.0 / 9, 8.0 / 9, 8.0 / 9}, 1e-12);
    compareVector(cheb(3), {100.0 / 99, 100.0 / 99, 96.0 / 99, 100.0 / 99}, 1e-12);
    compareVector(plain(3), {28.0 / 27, 28.0 / 27, 24.0 / 27, 28.0 / 27}, 1e-12);
    // Intermediate check for K = 2: u(2) = (18/17)·W u(1) − (1/17)·x.
    const Eigen::VectorXd u1 = w * x;
    compareVector((18.0 / 17) * (w * u1) - x / 17.0, {20.0 / 17, 16.0 / 17, 16.0 / 17, 16.0 / 17}, 1e-12);

    // FastMix.
    const double fastNorms[] = {0.372583, 0.098413, 0.022802};
    for (int k = 1; k <= 3; ++k) {
      const GossipPlan plan = makeGossipPlan(MixerKind::FastMix, spectrum.lambda, k);
      QVERIFY(std::abs(plan.theta[0] - 1.0 - 0.0294373) < 1e-7);
      QVERIFY(std::abs(symmetricNorm(gossipOperator(w, plan) - averaging(4)) - fastNorms[k - 1]) < 1e-6);
    }
    compareVector(gossipOperator(w, makeGossipPlan(MixerKind::FastMix, 1.0 / 3, 1)) * x,
                  {1.254834, 1.372583, 0, 1.372583}, 1e-6);
    compareVector(gossipOperator(w, makeGossipPlan(MixerKind::FastMix, 1.0 / 3, 2)) * x,
                  {1.254834, 0.901587, 0.941992, 0.901587}, 1e-6);

    QCOMPARE(chooseRounds(MixerKind::Chebyshev, spectrum, 0.5, 200).rounds, 1);
    QCOMPARE(chooseRounds(MixerKind::Chebyshev, spectrum, 0.1, 200).rounds, 2);
  }

  void ringEightNorms() {
    const Matrix w = mixingMatrix(makeRing(8), WeightRule::Uniform);
    const Spectrum spectrum = spectrumOf(w);
    const double cheb[] = {0.804738, 0.478856, 0.253331, 0.129499};
    const double plain[] = {0.804738, 0.647603, 0.521151, 0.419390};
    for (int k = 1; k <= 4; ++k) {
      QVERIFY(
          std::abs(symmetricNorm(gossipOperator(w, makeGossipPlan(MixerKind::Chebyshev, spectrum.lambda, k)) -
                                 averaging(8)) -
                   cheb[k - 1]) < 1e-6);
      QVERIFY(std::abs(symmetricNorm(gossipOperator(w, makeGossipPlan(MixerKind::Plain, spectrum.lambda, k)) -
                                     averaging(8)) -
                       plain[k - 1]) < 1e-6);
    }
  }

  // Oracle 4: random connected graphs, K = 1..10.
  void operatorsAreAveragingPolynomials() {
    for (std::uint64_t seed = 11; seed <= 16; ++seed) {
      const Graph graph = makeErdosRenyi(10, 0.3, seed);
      const Matrix w = mixingMatrix(graph, WeightRule::MetropolisHastings);
      const Spectrum spectrum = spectrumOf(w);
      const Eigen::VectorXd ones = Eigen::VectorXd::Ones(10);
      for (int k = 1; k <= 10; ++k) {
        for (MixerKind kind : {MixerKind::Plain, MixerKind::Chebyshev, MixerKind::FastMix}) {
          const GossipPlan plan = makeGossipPlan(kind, spectrum.lambda, k);
          const Matrix p = gossipOperator(w, plan);
          QVERIFY((p * ones - ones).cwiseAbs().maxCoeff() < 1e-12);
          QVERIFY((p.transpose() * ones - ones).cwiseAbs().maxCoeff() < 1e-12);
          QVERIFY((p - p.transpose()).cwiseAbs().maxCoeff() < 1e-12);
          const double norm = symmetricNorm(p - averaging(10));
          if (kind == MixerKind::Chebyshev)
            QVERIFY(norm <= 1.0 / std::cosh(k * std::acosh(1.0 / spectrum.lambda)) + 1e-12);
          if (kind == MixerKind::Plain) QVERIFY(std::abs(norm - std::pow(spectrum.lambda, k)) < 1e-12);
          QVERIFY(std::abs(norm - exactContraction(plan, spectrum)) < 1e-10);
          Matrix consensual(10, 3);
          consensual.col(0).setConstant(1.5);
          consensual.col(1).setConstant(-2.0);
          consensual.col(2).setConstant(1e3);
          QVERIFY((applyGossip(w, plan, consensual) - consensual).cwiseAbs().maxCoeff() < 1e-9);
          Matrix any = Matrix::Zero(10, 2);
          for (int i = 0; i < 10; ++i) any(i, 0) = std::sin(1.0 + i * seed), any(i, 1) = i * i;
          const Matrix mixed = applyGossip(w, plan, any);
          QVERIFY((mixed.colwise().mean() - any.colwise().mean()).cwiseAbs().maxCoeff() < 1e-12);
        }
      }
    }
  }

  // §3.5 cautions: negative entries are real, including the self-weight.
  void chebyshevHasNegativeEntries() {
    const Matrix ring = mixingMatrix(makeRing(16), WeightRule::Uniform);
    const Matrix p = gossipOperator(ring, makeGossipPlan(MixerKind::Chebyshev, spectrumOf(ring).lambda, 2));
    QVERIFY(std::abs(p(0, 0) + 0.213) < 1e-3);
    const Matrix star = mixingMatrix(makeStar(8), WeightRule::MetropolisHastings);
    const Matrix q = gossipOperator(star, makeGossipPlan(MixerKind::Chebyshev, spectrumOf(star).lambda, 2));
    QVERIFY(std::abs(q.minCoeff() + 0.418) < 1e-3);
    const Matrix grid = mixingMatrix(makeGrid(4, 4), WeightRule::MetropolisHastings);
    const Matrix g = gossipOperator(grid, makeGossipPlan(MixerKind::Chebyshev, spectrumOf(grid).lambda, 2));
    QVERIFY(std::abs(g.minCoeff() + 0.285) < 1e-3);
  }

  // Oracle 6.
  void autoRoundsIsTheSmallestSufficientK() {
    for (const auto& graph : assortedGraphs()) {
      const Spectrum spectrum = spectrumOf(mixingMatrix(graph, WeightRule::MetropolisHastings));
      for (MixerKind kind : {MixerKind::Plain, MixerKind::Chebyshev, MixerKind::FastMix}) {
        for (double rho : {0.5, 0.1, 0.01}) {
          const RoundChoice choice = chooseRounds(kind, spectrum, rho, 500);
          QVERIFY(!choice.capped);
          QVERIFY(gossipContraction(kind, spectrum, choice.rounds) <= rho);
          if (choice.rounds > 1) QVERIFY(gossipContraction(kind, spectrum, choice.rounds - 1) > rho);
        }
      }
      // The closed forms of decentralized-proxgt §3.5 agree with the search.
      if (spectrum.lambda > 0) {
        const int cheb =
            std::max(1, static_cast<int>(std::ceil(std::acosh(1 / 0.1) / std::acosh(1 / spectrum.lambda))));
        QCOMPARE(chooseRounds(MixerKind::Chebyshev, spectrum, 0.1, 500).rounds, cheb);
        const int plain = std::max(1, static_cast<int>(std::ceil(std::log(0.1) / std::log(spectrum.lambda))));
        QCOMPARE(chooseRounds(MixerKind::Plain, spectrum, 0.1, 5000).rounds, plain);
      }
    }
    const Spectrum complete = spectrumOf(mixingMatrix(makeComplete(8), WeightRule::MetropolisHastings));
    QVERIFY(complete.lambda < 1e-12);
    Spectrum exact = complete;
    exact.lambda = 0.0;
    QCOMPARE(chooseRounds(MixerKind::Chebyshev, exact, 0.01, 200).rounds, 1);
    const Spectrum ring64 = spectrumOf(mixingMatrix(makeRing(64), WeightRule::MetropolisHastings));
    const RoundChoice capped = chooseRounds(MixerKind::Plain, ring64, 0.5, 100);
    QVERIFY(capped.capped);
    QCOMPARE(capped.rounds, 100);
  }
};

QTEST_APPLESS_MAIN(TestTopology)
#include "test_topology.moc"
