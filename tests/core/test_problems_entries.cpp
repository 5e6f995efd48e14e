// Registry entries of the problems: option metadata, building from validated params, path resolution
// against the experiment directory, and InputErrors that name the params field or the file line.

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "core/kronecker/kron_problem.hpp"
#include "core/problems/diagonal_quadratic_problem.hpp"
#include "core/problems/least_squares_problem.hpp"
#include "core/problems/logistic_problem.hpp"
#include "core/problems/mlp_problem.hpp"
#include "core/problems/quadratic_problem.hpp"
#include "core/problems/softmax_problem.hpp"
#include "core/registry/component.hpp"
#include "core/registry/registry.hpp"
#include "core/util/input_error.hpp"
#include "idx_test_data.hpp"

using distopt::InputError;
using distopt::Problem;
using distopt::ProblemBuildContext;
using distopt::ProblemEntry;
using distopt::RandomStream;
using distopt::Shard;
using distopt::Vector;
using nlohmann::json;

namespace {

const std::string kDataDir = DISTOPT_TEST_DATA_DIR;

std::vector<ProblemEntry> allEntries() {
  return {distopt::quadraticProblemEntry(),    distopt::diagonalQuadraticProblemEntry(),
          distopt::leastSquaresProblemEntry(), distopt::logisticProblemEntry(),
          distopt::softmaxProblemEntry(),      distopt::mlpProblemEntry()};
}

// Validates and fills `params`, then builds; a validation failure becomes an InputError like the
// experiment loader's.
std::unique_ptr<Problem> build(const ProblemEntry& entry, json params,
                               const ProblemBuildContext& context = {}) {
  std::string why;
  if (!distopt::validateAndFillOptions(entry.options, params, context.path, &why)) throw InputError("", why);
  return entry.make(params, context);
}

template <typename F>
std::optional<InputError> captureInputError(F&& function) {
  try {
    function();
  } catch (const InputError& error) {
    return error;
  }
  return std::nullopt;
}

}  // namespace

class TestProblemsEntries : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;

 private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    const std::string dir = m_dir.path().toStdString();
    std::filesystem::create_directories(dir + "/idx");
    distopt::test::writeIdxPair(dir + "/idx/train-images.gz", dir + "/idx/train-labels.gz", 50);
    distopt::test::writeIdxPair(dir + "/idx/test-images.gz", dir + "/idx/test-labels.gz", 20);
  }

  void metadataIsComplete() {
    std::set<std::string> names;
    for (const auto& entry : allEntries()) {
      QVERIFY(!entry.name.empty());
      QVERIFY(names.insert(entry.name).second);
      QVERIFY2(!entry.summary.empty() && entry.summary.find('\n') == std::string::npos, entry.name.c_str());
      QVERIFY(static_cast<bool>(entry.make));
      std::set<std::string> optionNames;
      for (const auto& spec : entry.options) {
        QVERIFY2(!spec.help.empty(), (entry.name + "." + spec.name).c_str());
        QVERIFY(optionNames.insert(spec.name).second);
        std::string why;
        if (!spec.defaultValue.is_null())
          QVERIFY2(spec.accepts(spec.defaultValue, &why), (entry.name + "." + spec.name).c_str());
      }
    }
    QCOMPARE(names, (std::set<std::string>{"quadratic", "diagonal-quadratic", "least-squares", "logistic",
                                           "softmax", "mlp"}));
  }

  // What each problem entry declares it offers (ProblemEntry::capabilities, which the parser checks an
  // algorithm's needs against) is what the problem it builds has: every registered problem, built.
  void declaredCapabilitiesMatchTheBuiltProblems() {
    using distopt::ProblemCapability;
    const std::string idxDir = m_dir.path().toStdString();
    const json idx = {{"train_images", "idx/train-images.gz"}, {"train_labels", "idx/train-labels.gz"}};
    const std::map<std::string, std::pair<json, std::string>> inputs = {
        {"logistic", {json{{"train", "a9a.t.gz"}}, kDataDir}},
        {"softmax", {idx, idxDir}},
        {"mlp", {idx, idxDir}}};
    int built = 0;
    for (const ProblemEntry& entry : distopt::problemEntries()) {
      ProblemBuildContext context;
      json params = json::object();
      if (const auto input = inputs.find(entry.name); input != inputs.end()) {
        params = input->second.first;
        context.baseDirectory = input->second.second;
      }
      const auto problem = build(entry, params, context);
      const std::string name = entry.name;
      QVERIFY2(entry.has(ProblemCapability::HessianVectorProduct) == problem->hasHessianVectorProduct(),
               name.c_str());
      QVERIFY2(
          entry.has(ProblemCapability::BatchHessianVectorProduct) == problem->hasBatchHessianVectorProduct(),
          name.c_str());
      QVERIFY2(entry.has(ProblemCapability::FiniteDataSet) == (problem->numSamples() > 0), name.c_str());
      QVERIFY2(entry.has(ProblemCapability::KronTwoLayer) ==
                   (dynamic_cast<const distopt::KronTwoLayerProblem*>(problem.get()) != nullptr),
               name.c_str());
      ++built;
    }
    QCOMPARE(built, static_cast<int>(distopt::problemEntries().size()));
    QVERIFY(built >= 8);
  }

  void quadraticEntry() {
    const auto problem = build(distopt::quadraticProblemEntry(), json::object());
    QCOMPARE(problem->name(), std::string("quadratic"));
    QCOMPARE(problem->dimension(), Eigen::Index{1729});
    QCOMPARE(*problem->gradientVariance(), 1e-4 * 1729);
    const auto coordinate =
        build(distopt::quadraticProblemEntry(), json{{"d", 10}, {"noise", "coordinate"}, {"noise_std", 0.5}});
    QCOMPARE(*coordinate->gradientVariance(), 0.25 * 10);
    auto error = captureInputError([] { build(distopt::quadraticProblemEntry(), json{{"d", 0}}); });
    QVERIFY(error.has_value());
    QVERIFY(std::string(error->what()).find("problem.params.d") != std::string::npos);
    error = captureInputError([] { build(distopt::quadraticProblemEntry(), json{{"noise", "pink"}}); });
    QVERIFY(error.has_value());
  }

  void diagonalEntryOneDimensionalOracle() {
    const auto problem = build(distopt::diagonalQuadraticProblemEntry(),
                               json{{"eigenvalues", {1.0}}, {"x0", {1.0}}, {"noise_std", 0.0}});
    QCOMPARE(problem->dimension(), Eigen::Index{1});
    RandomStream stream = RandomStream::fromSeed(1);
    Vector x = problem->initialPoint(stream);
    QVERIFY(x[0] == 1.0);
    Vector g;
    x[0] = 0.3;
    problem->stochasticGradient(x, Shard{}, stream, g);
    QVERIFY(g[0] == 0.3);

    const auto generated =
        build(distopt::diagonalQuadraticProblemEntry(),
              json{{"d", 4}, {"lambda_min", 1}, {"lambda_max", 8}, {"spacing", "log"}, {"center", {2.0}}});
    QCOMPARE(generated->dimension(), Eigen::Index{4});
    QCOMPARE(*generated->smoothness(), 8.0);
    QCOMPARE(generated->loss(Vector::Constant(4, 2.0)), 0.0);

    ProblemBuildContext context;
    context.path = "problem.params";
    auto error = captureInputError([&] {
      build(distopt::diagonalQuadraticProblemEntry(), json{{"d", 3}, {"center", {1.0, 2.0}}}, context);
    });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), std::string("problem.params.center"));
    error = captureInputError([&] {
      build(distopt::diagonalQuadraticProblemEntry(), json{{"lambda_min", 5}, {"lambda_max", 2}}, context);
    });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), std::string("problem.params.lambda_max"));
  }

  void leastSquaresEntry() {
    ProblemBuildContext context;
    context.seed = 1;
    const auto a = build(distopt::leastSquaresProblemEntry(), json{{"m", 100}, {"d", 5}}, context);
    QCOMPARE(a->numSamples(), std::int64_t{100});
    QCOMPARE(a->dimension(), Eigen::Index{5});
    QVERIFY(a->optimalValue().has_value() && a->smoothness().has_value());
    // The data follow the run seed unless data_seed pins them.
    context.seed = 2;
    const auto b = build(distopt::leastSquaresProblemEntry(), json{{"m", 100}, {"d", 5}}, context);
    QVERIFY(a->loss(Vector::Ones(5)) != b->loss(Vector::Ones(5)));
    const auto c =
        build(distopt::leastSquaresProblemEntry(), json{{"m", 100}, {"d", 5}, {"data_seed", 1}}, context);
    QCOMPARE(a->loss(Vector::Ones(5)), c->loss(Vector::Ones(5)));
  }

  void logisticEntryResolvesPaths() {
    ProblemBuildContext context;
    context.baseDirectory = kDataDir;
    const auto problem = build(distopt::logisticProblemEntry(),
                               json{{"train", "a9a.gz"}, {"test", "a9a.t.gz"}, {"l1", 1e-4}}, context);
    QCOMPARE(problem->name(), std::string("logistic"));
    QCOMPARE(problem->numSamples(), std::int64_t{32561});
    QCOMPARE(problem->dimension(), Eigen::Index{123});
    QVERIFY(problem->testAccuracy(Vector::Zero(123)).has_value());
    QVERIFY(problem->hasProx());
    // Absolute paths ignore the base directory.
    context.baseDirectory = "/nonexistent";
    const auto absolute = build(distopt::logisticProblemEntry(),
                                json{{"train", kDataDir + "/a9a.t.gz"}, {"features", 123}}, context);
    QCOMPARE(absolute->numSamples(), std::int64_t{16281});
    QCOMPARE(absolute->dimension(), Eigen::Index{123});
  }

  void logisticEntryErrors() {
    ProblemBuildContext context;
    context.baseDirectory = m_dir.path().toStdString();
    context.path = "problem.params";
    auto error = captureInputError([&] {
      build(distopt::logisticProblemEntry(), json{{"train", "nope.svm"}}, context);
    });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), std::string("problem.params.train"));
    QVERIFY(std::string(error->what()).find("file not found") != std::string::npos);
    QVERIFY(std::string(error->what()).find(context.baseDirectory) != std::string::npos);

    const std::string good = context.baseDirectory + "/good.svm";
    std::ofstream(good) << "+1 1:1 2:1\n-1 3:1\n";
    error = captureInputError([&] {
      build(distopt::logisticProblemEntry(), json{{"train", "good.svm"}, {"test", "missing.t"}}, context);
    });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), std::string("problem.params.test"));

    // A malformed file reports its own line, not the params field.
    const std::string bad = context.baseDirectory + "/bad.svm";
    std::ofstream(bad) << "+1 1:1\n-1 2:1 2:1\n";
    error = captureInputError([&] {
      build(distopt::logisticProblemEntry(), json{{"train", "bad.svm"}}, context);
    });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), bad + ":2");

    // A test file using a feature the training file lacks.
    const std::string wide = context.baseDirectory + "/wide.t";
    std::ofstream(wide) << "+1 1:1 9:1\n";
    error = captureInputError([&] {
      build(distopt::logisticProblemEntry(), json{{"train", "good.svm"}, {"test", "wide.t"}}, context);
    });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), wide + ":1");

    error = captureInputError([&] { build(distopt::logisticProblemEntry(), json::object(), context); });
    QVERIFY(error.has_value());
    QVERIFY(std::string(error->what()).find("problem.params.train") != std::string::npos);
  }

  void softmaxAndMlpEntries() {
    ProblemBuildContext context;
    context.baseDirectory = m_dir.path().toStdString();
    const json files = {{"train_images", "idx/train-images.gz"},
                        {"train_labels", "idx/train-labels.gz"},
                        {"test_images", "idx/test-images.gz"},
                        {"test_labels", "idx/test-labels.gz"}};
    const auto softmax = build(distopt::softmaxProblemEntry(), files, context);
    QCOMPARE(softmax->name(), std::string("softmax"));
    QCOMPARE(softmax->numSamples(), std::int64_t{50});
    QCOMPARE(softmax->dimension(), Eigen::Index{7850});
    QCOMPARE(softmax->label(13), 3);
    QVERIFY(softmax->testAccuracy(Vector::Zero(7850)).has_value());

    json mlpParams = files;
    mlpParams["limit"] = 30;
    mlpParams["activation"] = "tanh";
    mlpParams["pixel_mean"] = 0.1307;
    mlpParams["pixel_std"] = 0.3081;
    const auto mlp = build(distopt::mlpProblemEntry(), mlpParams, context);
    QCOMPARE(mlp->name(), std::string("mlp"));
    QCOMPARE(mlp->numSamples(), std::int64_t{30});
    QCOMPARE(mlp->dimension(), Eigen::Index{25450});
    mlpParams["hidden"] = {16, 8};
    QCOMPARE(build(distopt::mlpProblemEntry(), mlpParams, context)->dimension(),
             Eigen::Index{784 * 16 + 16 + 16 * 8 + 8 + 8 * 10 + 10});

    // A few gradient steps on the separable toy images reach perfect test accuracy.
    Vector x = Vector::Zero(7850);
    Vector g;
    for (int k = 0; k < 30; ++k) {
      softmax->gradient(x, g);
      x -= 0.5 * g;
    }
    QCOMPARE(*softmax->testAccuracy(x), 1.0);
  }

  void networkEntryErrors() {
    ProblemBuildContext context;
    context.baseDirectory = m_dir.path().toStdString();
    context.path = "problem.params";
    const json files = {{"train_images", "idx/train-images.gz"}, {"train_labels", "idx/train-labels.gz"}};
    json params = files;
    params["train_images"] = "idx/none.gz";
    auto error = captureInputError([&] { build(distopt::softmaxProblemEntry(), params, context); });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), std::string("problem.params.train_images"));

    params = files;
    params["test_images"] = "idx/test-images.gz";
    error = captureInputError([&] { build(distopt::mlpProblemEntry(), params, context); });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), std::string("problem.params.test_labels"));

    params = files;
    params["hidden"] = json::array({4, 4, 4});
    error = captureInputError([&] { build(distopt::mlpProblemEntry(), params, context); });
    QVERIFY(error.has_value());
    QCOMPARE(error->where(), std::string("problem.params.hidden"));

    // Images and labels swapped: the reader names the file and the bad magic.
    params = files;
    params["train_images"] = "idx/train-labels.gz";
    error = captureInputError([&] { build(distopt::softmaxProblemEntry(), params, context); });
    QVERIFY(error.has_value());
    QVERIFY(error->where().find("train-labels.gz") != std::string::npos);
    QVERIFY(std::string(error->what()).find("bad magic") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestProblemsEntries)
#include "test_problems_entries.moc"
