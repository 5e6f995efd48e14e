// Registry-driven conformance of the problems: every problem the registry lists, built from its
// defaults (a small input where it needs data), is held to the same rules, so a new problem cannot be
// registered with a gradient that disagrees with its loss or with two gradient paths that differ:
//   - the gradient is the derivative of the loss (central differences along random directions; for a
//     problem with a proximal L1 part, along directions where that part cancels);
//   - the Hessian-vector product, where offered, is the derivative of the gradient, and the batch HVP
//     over the whole data set is that HVP;
//   - stochasticGradientInto (the live worker's path, on views) equals stochasticGradient bit for bit,
//     and a stochastic gradient is a function of its stream (the same seed, the same values).

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/registry/component.hpp"
#include "core/registry/registry.hpp"
#include "core/util/input_error.hpp"
#include "core/util/random_stream.hpp"
#include "idx_test_data.hpp"

using distopt::Problem;
using distopt::ProblemEntry;
using distopt::RandomStream;
using distopt::Vector;
using nlohmann::json;

namespace {

const std::string kDataDir = DISTOPT_TEST_DATA_DIR;

Vector randomVector(Eigen::Index n, RandomStream& stream) {
  Vector v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = stream.normal();
  return v;
}

// How far two numbers are apart, relative to their size (absolute near zero).
double mismatch(double a, double b) { return std::abs(a - b) / std::max({1.0, std::abs(a), std::abs(b)}); }

}  // namespace

class TestProblemConformance : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;

  std::unique_ptr<Problem> build(const ProblemEntry& entry) {
    // The problems that read data get a small input; every other option keeps its default.
    const json idx = {{"train_images", "idx/train-images.gz"}, {"train_labels", "idx/train-labels.gz"}};
    const std::map<std::string, std::pair<json, std::string>> inputs = {
        {"logistic", {json{{"train", "a9a.t.gz"}}, kDataDir}},
        {"softmax", {idx, m_dir.path().toStdString()}},
        {"mlp", {idx, m_dir.path().toStdString()}}};
    distopt::ProblemBuildContext context;
    json params = json::object();
    if (const auto input = inputs.find(entry.name); input != inputs.end()) {
      params = input->second.first;
      context.baseDirectory = input->second.second;
    }
    std::string why;
    if (!distopt::validateAndFillOptions(entry.options, params, "problem.params", &why))
      throw distopt::InputError(entry.name, why);
    return entry.make(params, context);
  }

 private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    const std::string dir = m_dir.path().toStdString() + "/idx";
    QVERIFY(QDir().mkpath(QString::fromStdString(dir)));
    distopt::test::writeIdxPair(dir + "/train-images.gz", dir + "/train-labels.gz", 60);
  }

  void derivativesAgree_data() {
    QTest::addColumn<QString>("problem");
    for (const ProblemEntry& entry : distopt::problemEntries())
      QTest::newRow(entry.name.c_str()) << QString::fromStdString(entry.name);
  }

  void derivativesAgree() {
    QFETCH(QString, problem);
    const ProblemEntry* entry = distopt::findProblem(problem.toStdString());
    QVERIFY(entry);
    const auto built = build(*entry);
    const Eigen::Index d = built->dimension();
    QVERIFY(d >= 1);
    RandomStream stream = RandomStream::fromSeed(7);
    // Away from the starting point, where some models sit on a kink or a symmetric point.
    const Vector x = built->initialPoint(stream) + 0.1 * randomVector(d, stream);
    Vector gradient;
    built->gradient(x, gradient);
    QCOMPARE(gradient.size(), d);
    QVERIFY(gradient.allFinite());

    // The loss includes the non-smooth part r that the gradient leaves to prox. Every r here is an L1
    // term, linear along a direction orthogonal to sign(x) near x: its difference cancels there. (A
    // new kind of r needs its own rule here.)
    const Vector signs = x.unaryExpr([](double value) { return value > 0 ? 1.0 : (value < 0 ? -1.0 : 0.0); });
    for (int k = 0; k < 3; ++k) {
      Vector v = randomVector(d, stream);
      if (built->hasProx() && signs.squaredNorm() > 0) v -= (v.dot(signs) / signs.squaredNorm()) * signs;
      v.normalize();
      const double h = 1e-5 * std::max(1.0, x.norm() / std::sqrt(static_cast<double>(d)));
      const double numeric = (built->loss(x + h * v) - built->loss(x - h * v)) / (2 * h);
      const double analytic = gradient.dot(v);
      QVERIFY2(
          mismatch(numeric, analytic) < 1e-4,
          qPrintable(
              QString("direction %1: loss difference %2, gradient %3").arg(k).arg(numeric).arg(analytic)));
    }

    if (built->hasHessianVectorProduct()) {
      const Vector v = randomVector(d, stream).normalized();
      Vector hv;
      built->hessianVectorProduct(x, v, hv);
      const double h = 1e-5;
      Vector plus;
      Vector minus;
      built->gradient(x + h * v, plus);
      built->gradient(x - h * v, minus);
      const Vector numeric = (plus - minus) / (2 * h);
      const double error = (numeric - hv).norm() / std::max(1.0, hv.norm());
      QVERIFY2(error < 1e-4, qPrintable(QString("HVP off by %1 (relative)").arg(error)));
      if (built->hasBatchHessianVectorProduct()) {
        Vector whole;
        built->batchHessianVectorProduct(x, v, 0, built->numSamples(), whole);
        const double batchError = (whole - hv).norm() / std::max(1.0, hv.norm());
        QVERIFY2(batchError < 1e-10,
                 qPrintable(QString("batch HVP over all samples off by %1").arg(batchError)));
      }
    } else {
      QVERIFY(!built->hasBatchHessianVectorProduct());
    }
  }

  void gradientPathsAreBitEqual_data() { derivativesAgree_data(); }

  void gradientPathsAreBitEqual() {
    QFETCH(QString, problem);
    const ProblemEntry* entry = distopt::findProblem(problem.toStdString());
    QVERIFY(entry);
    const auto built = build(*entry);
    const Eigen::Index d = built->dimension();
    RandomStream start = RandomStream::fromSeed(11);
    const Vector x = built->initialPoint(start) + 0.1 * randomVector(d, start);
    distopt::Shard shard;
    for (std::int64_t i = 0; i < built->numSamples(); i += 2) shard.indices.push_back(i);

    for (std::uint64_t seed : {1u, 2u, 3u}) {
      RandomStream a = RandomStream::fromSeed(seed);
      RandomStream b = RandomStream::fromSeed(seed);
      RandomStream c = RandomStream::fromSeed(seed);
      Vector owned;
      built->stochasticGradient(x, shard, a, owned);
      QCOMPARE(owned.size(), d);
      QVERIFY(owned.allFinite());
      // The live worker's path: x read where it arrived, the gradient written into a frame.
      std::vector<double> frame(static_cast<std::size_t>(d) + 3, -1.0);
      Eigen::Map<Vector> out(frame.data() + 1, d);
      built->stochasticGradientInto(x, shard, b, out);
      QVERIFY2(std::memcmp(owned.data(), frame.data() + 1, static_cast<std::size_t>(d) * sizeof(double)) == 0,
               "stochasticGradientInto differs from stochasticGradient");
      QCOMPARE(frame.front(), -1.0);  // nothing written outside the view
      QCOMPARE(frame[static_cast<std::size_t>(d) + 1], -1.0);
      // Both drew the same numbers from their streams, so what follows in them agrees too.
      QCOMPARE(a.next(), b.next());
      Vector again;
      built->stochasticGradient(x, shard, c, again);
      QVERIFY(std::memcmp(owned.data(), again.data(), static_cast<std::size_t>(d) * sizeof(double)) == 0);
    }
  }
};

QTEST_GUILESS_MAIN(TestProblemConformance)
#include "test_problem_conformance.moc"
