// Problem::stochasticGradientInto (and jobGradientInto) against stochasticGradient (and jobGradient):
// the same values bit for bit for every problem, with x and out at addresses a Vector never has (8 bytes
// past a 16-byte boundary, as a live worker's frames may lie), for every problem that overrides it and
// for the copying default (softmax, MLP). Live and simulated runs agree only if these do.

#include <QtTest>
#include <cstring>
#include <memory>
#include <vector>

#include "core/data/synthetic_data.hpp"
#include "core/problems/diagonal_quadratic_problem.hpp"
#include "core/problems/least_squares_problem.hpp"
#include "core/problems/logistic_problem.hpp"
#include "core/problems/mlp_problem.hpp"
#include "core/problems/quadratic_problem.hpp"
#include "core/problems/softmax_problem.hpp"
#include "core/registry/component.hpp"
#include "core/worker/job_compute.hpp"

using distopt::Problem;
using distopt::RandomStream;
using distopt::Shard;
using distopt::Vector;

namespace {

struct Case {
  std::string label;
  std::unique_ptr<Problem> problem;
  Shard shard;
};

std::unique_ptr<Problem> fromEntry(const distopt::ProblemEntry& entry, nlohmann::json params) {
  std::string why;
  if (!distopt::validateAndFillOptions(entry.options, params, "problem.params", &why))
    qFatal("%s", why.c_str());
  distopt::ProblemBuildContext context;
  context.seed = 3;
  return entry.make(params, context);
}

std::vector<Case> cases() {
  std::vector<Case> all;
  all.push_back({"quadratic scalar noise", fromEntry(distopt::quadraticProblemEntry(), {{"d", 37}}), {}});
  all.push_back(
      {"quadratic coordinate noise",
       fromEntry(distopt::quadraticProblemEntry(), {{"d", 37}, {"noise", "coordinate"}, {"noise_std", 0.3}}),
       {}});
  all.push_back({"quadratic d = 1", fromEntry(distopt::quadraticProblemEntry(), {{"d", 1}}), {}});
  all.push_back({"diagonal-quadratic zero centre",
                 fromEntry(distopt::diagonalQuadraticProblemEntry(), {{"d", 41}, {"noise_std", 0.0}}),
                 {}});
  all.push_back({"diagonal-quadratic centre, coordinate noise",
                 fromEntry(distopt::diagonalQuadraticProblemEntry(),
                           {{"d", 41}, {"center", {0.5}}, {"noise", "coordinate"}, {"noise_std", 0.2}}),
                 {}});
  all.push_back({"least-squares",
                 fromEntry(distopt::leastSquaresProblemEntry(), {{"m", 200}, {"d", 33}, {"batch", 7}}),
                 Shard{{1, 4, 9, 16, 25, 36, 49, 64, 81, 100, 121, 144}}});
  const distopt::Dataset logistic =
      distopt::makeHeterogeneousLogistic({.numNodes = 3, .samplesPerNode = 20, .numFeatures = 9}, 17);
  all.push_back({"logistic",
                 std::make_unique<distopt::LogisticProblem>(
                     logistic, std::nullopt,
                     distopt::LogisticProblem::Options{.l2 = 1e-2, .nonconvex = 0.1, .batch = 5}),
                 Shard{{0, 2, 4, 6, 8, 10, 12, 14}}});
  const distopt::Dataset classes = distopt::makeGaussianClasses(
      {.numSamples = 40, .numFeatures = 5, .numClasses = 3, .separation = 1.0}, 5);
  distopt::SoftmaxProblem::Options softmax;
  softmax.batch = 6;
  all.push_back(
      {"softmax (default)", std::make_unique<distopt::SoftmaxProblem>(classes, std::nullopt, softmax), {}});
  distopt::MlpProblem::Options mlp;
  mlp.hidden = {4};
  mlp.batch = 6;
  mlp.noise = {distopt::NoiseKind::Coordinate, 0.1};
  all.push_back({"mlp (default)", std::make_unique<distopt::MlpProblem>(classes, std::nullopt, mlp), {}});
  return all;
}

Vector randomVector(Eigen::Index d, std::uint64_t seed) {
  RandomStream stream = RandomStream::fromSeed(seed);
  Vector v(d);
  for (Eigen::Index i = 0; i < d; ++i) v[i] = stream.normal();
  return v;
}

/// d doubles starting 8 bytes past a 16-byte (and 32-byte) boundary.
struct OddBuffer {
  explicit OddBuffer(Eigen::Index d) : storage(static_cast<std::size_t>(d) + 8) {
    auto address = reinterpret_cast<std::uintptr_t>(storage.data());
    const std::size_t skip = (32 - address % 32) % 32 / sizeof(double) + 1;
    data = storage.data() + skip;
    QVERIFY(reinterpret_cast<std::uintptr_t>(data) % 16 == 8);
  }
  std::vector<double> storage;
  double* data = nullptr;
};

bool sameBits(const Eigen::Ref<const Vector>& a, const Eigen::Ref<const Vector>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * 8) == 0;
}

}  // namespace

class TestProblemsViews : public QObject {
  Q_OBJECT

 private slots:
  void viewsGiveTheSameBits() {
    for (const auto& c : cases()) {
      const Problem& problem = *c.problem;
      const Eigen::Index d = problem.dimension();
      const Vector x = randomVector(d, 11);
      OddBuffer xBuffer(d);
      OddBuffer outBuffer(d);
      Eigen::Map<Vector> xView(xBuffer.data, d);
      xView = x;
      Eigen::Map<Vector> out(outBuffer.data, d);
      for (std::uint64_t draw = 0; draw < 3; ++draw) {
        RandomStream a = RandomStream::fromSeed(100 + draw);
        RandomStream b = RandomStream::fromSeed(100 + draw);
        Vector expected;
        problem.stochasticGradient(x, c.shard, a, expected);
        out.setConstant(-7.0);
        problem.stochasticGradientInto(xView, c.shard, b, out);
        QVERIFY2(sameBits(expected, out), c.label.c_str());
        // Both consumed the same draws.
        QCOMPARE(a.next(), b.next());
      }
    }
  }

  void jobGradientViewsGiveTheSameBits() {
    for (const auto& c : cases()) {
      const Problem& problem = *c.problem;
      const Eigen::Index d = problem.dimension();
      const Vector x = randomVector(d, 12);
      OddBuffer xBuffer(d);
      OddBuffer outBuffer(d);
      Eigen::Map<Vector> xView(xBuffer.data, d);
      xView = x;
      Eigen::Map<Vector> out(outBuffer.data, d);
      for (const int gradients : {1, 3}) {
        Vector expected;
        Vector scratch;
        distopt::jobGradient(problem, c.shard, 5, 2, 9, gradients, x, expected, scratch);
        Vector viewScratch;
        distopt::jobGradientInto(problem, c.shard, 5, 2, 9, gradients, xView, out, viewScratch);
        QVERIFY2(sameBits(expected, out), (c.label + ", gradients " + std::to_string(gradients)).c_str());
      }
    }
  }
};

QTEST_APPLESS_MAIN(TestProblemsViews)
#include "test_problems_views.moc"
