// Experiment files (core/config/experiment): every kind of bad input is refused with an InputError naming the
// field path (docs/architecture.md, rule 7), defaults are filled into the normalised document, `--set`
// overrides are applied as typed JSON, and every shipped preset parses and builds.

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/experiment.hpp"
#include "core/data/shards.hpp"
#include "core/registry/option_spec.hpp"
#include "core/registry/registry.hpp"
#include "core/util/input_error.hpp"

using distopt::Experiment;
using distopt::InputError;
using distopt::OptionSpec;
using distopt::OptionType;
using nlohmann::json;

namespace {

/// A small, valid experiment (sim engine, quadratic, Ringmaster) that each test then breaks.
json validDocument() {
  return json::parse(R"({
    "name": "unit",
    "seed": 7,
    "engine": "sim",
    "problem": {"name": "quadratic", "params": {"d": 16, "noise_std": 0.01}},
    "algorithm": {"name": "ringmaster", "params": {"gamma": 0.5, "R": 4}},
    "workers": {"count": 4, "time_model": {"name": "ringmaster", "params": {}}},
    "stop": {"time": 50}
  })");
}

/// Runs `action`, which must throw InputError; returns it (or fails the test).
std::optional<InputError> catchInputError(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error;
  } catch (const std::exception& other) {
    qWarning("expected InputError, got another exception: %s", other.what());
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<InputError> parseError(const json& document) {
  return catchInputError([&] { (void)distopt::parseExperiment(document, "."); });
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// Checks where() and that what() is "WHERE: ..." and contains every piece of `parts`.
#define EXPECT_INPUT_ERROR(errorOpt, expectedWhere, ...)                                                  \
  do {                                                                                                    \
    const auto& error_ = (errorOpt);                                                                      \
    QVERIFY2(error_.has_value(), "no InputError was thrown");                                             \
    QCOMPARE(error_->where(), std::string(expectedWhere));                                                \
    const std::string what_ = error_->what();                                                             \
    QVERIFY2(std::string(expectedWhere).empty() || what_.starts_with(std::string(expectedWhere) + ": "),  \
             what_.c_str());                                                                              \
    for (const std::string& part_ : std::vector<std::string>{__VA_ARGS__})                                \
      QVERIFY2(contains(what_, part_), (what_ + "  [missing: " + part_ + "]").c_str());                    \
  } while (false)

std::string writeFile(const QTemporaryDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
  std::ofstream out(path, std::ios::binary);
  out << text;
  return path;
}

std::vector<std::string> splitNames(const std::string& list) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = list.find(", ", start);
    names.push_back(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 2;
  }
  return names;
}

/// A sharding rule other than the default "iid".
std::string otherSharding() {
  const auto names = distopt::shardRuleNames();
  return names.empty() ? std::string("iid") : names.back();
}

const std::string kTestData = DISTOPT_TEST_DATA_DIR;
const std::string kPresets = std::string(DISTOPT_SOURCE_DIR) + "/resources/experiments";

}  // namespace

class TestExperimentConfig : public QObject {
  Q_OBJECT

 private slots:
  // ---- a valid document and its defaults ----

  void validDocumentParses() {
    const Experiment experiment = distopt::parseExperiment(validDocument(), ".");
    QCOMPARE(experiment.name, std::string("unit"));
    QCOMPARE(experiment.seed, std::uint64_t{7});
    QCOMPARE(experiment.engine, std::string("sim"));
    QCOMPARE(experiment.problem.name, std::string("quadratic"));
    QCOMPARE(experiment.algorithm.name, std::string("ringmaster"));
    QCOMPARE(experiment.workers, 4);
    QCOMPARE(experiment.timeModel.name, std::string("ringmaster"));
    QVERIFY(experiment.stopTime.has_value());
    QCOMPARE(*experiment.stopTime, 50.0);
    QCOMPARE(experiment.algorithm.params.at("R").get<int>(), 4);
  }

  void defaultsAreFilled() {
    json minimal = json::parse(R"({
      "problem": {"name": "quadratic"},
      "algorithm": {"name": "ringmaster", "params": {"gamma": 0.5}},
      "workers": {"count": 3},
      "stop": {"time": 400}
    })");
    const Experiment experiment = distopt::parseExperiment(minimal, "");
    const json& doc = experiment.document;
    QCOMPARE(doc.at("algorithm").at("params").at("variant"), json("B"));
    QVERIFY(!doc.at("algorithm").at("params").contains("R"));  // "auto": decided when built
    QCOMPARE(doc.at("problem").at("params").at("d"), json(1729));
    QCOMPARE(doc.at("problem").at("params").at("noise"), json("scalar"));
    QCOMPARE(doc.at("problem").at("params").at("noise_std"), json(0.01));
    QCOMPARE(doc.at("name"), json("experiment"));
    QCOMPARE(doc.at("description"), json(""));
    QCOMPARE(doc.at("seed"), json(1));
    QCOMPARE(doc.at("engine"), json("live"));
    QCOMPARE(doc.at("data").at("sharding"), json("iid"));
    QCOMPARE(doc.at("workers").at("time_model").at("name"), json("natural"));
    QCOMPARE(doc.at("workers").at("time_model").at("params").at("c"), json(1.0));
    QCOMPARE(doc.at("workers").at("unit_ms"), json(10.0));
    QVERIFY(doc.at("stop").at("target_gap").is_null());
    QCOMPARE(doc.at("stop").at("updates"), json(0));
    // No eval schedule: about 200 points over the time budget.
    QCOMPARE(doc.at("eval").at("interval"), json(2.0));
    QCOMPARE(doc.at("eval").at("grad_norm"), json(true));
    QCOMPARE(experiment.baseDirectory, std::string("."));

    json byUpdates = minimal;
    byUpdates["stop"] = {{"updates", 1000}};
    const Experiment counted = distopt::parseExperiment(byUpdates, ".");
    QCOMPARE(counted.evalEveryUpdates, std::uint64_t{5});
    QCOMPARE(counted.evalInterval, 0.0);
  }

  void normalisedDocumentRoundTrips() {
    std::vector<json> documents = {validDocument()};
    json infinite = validDocument();
    infinite["algorithm"]["params"]["R"] = "inf";
    infinite["stop"] = {{"updates", 300}, {"target_grad_norm_sq", 1e-6}};
    infinite["eval"] = {{"every_updates", 10}, {"accuracy", false}};
    infinite["data"] = {{"sharding", otherSharding()}};
    documents.push_back(infinite);
    json integralFloats = validDocument();
    integralFloats["algorithm"]["params"]["R"] = 3.0;
    integralFloats["workers"]["count"] = 5.0;
    documents.push_back(integralFloats);
    for (const auto& entry : std::filesystem::directory_iterator(kPresets))
      if (entry.path().extension() == ".json") documents.push_back(distopt::readExperimentFile(entry.path().string()));

    for (const auto& document : documents) {
      const Experiment first = distopt::parseExperiment(document, ".");
      const Experiment second = distopt::parseExperiment(first.document, ".");
      QVERIFY2(first.document == second.document, first.document.dump().c_str());
      QCOMPARE(second.document.dump(), first.document.dump());
    }
    // Integral floats are normalised to integers.
    const Experiment normal = distopt::parseExperiment(integralFloats, ".");
    QVERIFY(normal.document.at("algorithm").at("params").at("R").is_number_integer());
    QCOMPARE(normal.workers, 5);
  }

  // ---- top level ----

  void unknownTopLevelField() {
    json document = validDocument();
    document["colour"] = "blue";
    EXPECT_INPUT_ERROR(parseError(document), "colour", "unknown field", "known:", "algorithm", "workers", "stop");
  }

  void nonObjectDocument() {
    EXPECT_INPUT_ERROR(parseError(json::array({1, 2})), "", "must be a JSON object");
    QCOMPARE(std::string(parseError(json(3))->what()), std::string("an experiment must be a JSON object"));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = writeFile(dir, "list.json", "[1, 2, 3]\n");
    EXPECT_INPUT_ERROR(catchInputError([&] { (void)distopt::readExperimentFile(path); }), path, "one JSON object");
  }

  void jsonSyntaxErrorNamesFileLineColumn() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Line 3, column 13 is the second comma.
    const std::string path = writeFile(dir, "broken.json", "{\n  \"name\": \"x\",\n  \"seed\": 1,,\n  \"engine\": \"sim\"\n}\n");
    EXPECT_INPUT_ERROR(catchInputError([&] { (void)distopt::readExperimentFile(path); }), path + ":3:13",
                       "invalid JSON");
    // Truncated file: the error is at the end, on the last line.
    const std::string truncated = writeFile(dir, "truncated.json", "{\n  \"name\": \"x\",\n  \"seed\": ");
    const auto error = catchInputError([&] { (void)distopt::readExperimentFile(truncated); });
    QVERIFY(error.has_value());
    QVERIFY2(error->where().starts_with(truncated + ":3:"), error->where().c_str());
    // Missing file.
    const std::string missing = dir.filePath("missing.json").toStdString();
    EXPECT_INPUT_ERROR(catchInputError([&] { (void)distopt::readExperimentFile(missing); }), missing, "cannot open");
  }

  void readsAValidFile() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = writeFile(dir, "ok.json", validDocument().dump(2));
    QCOMPARE(distopt::readExperimentFile(path), validDocument());
  }

  void badScalarFields() {
    json document = validDocument();
    document["engine"] = "gpu";
    EXPECT_INPUT_ERROR(parseError(document), "engine", "\"sim\" or \"live\"");
    document["engine"] = 3;
    EXPECT_INPUT_ERROR(parseError(document), "engine", "must be a string");

    document = validDocument();
    document["seed"] = -1;
    EXPECT_INPUT_ERROR(parseError(document), "seed", "integer >= 0");
    document["seed"] = "one";
    EXPECT_INPUT_ERROR(parseError(document), "seed", "integer >= 0");

    document = validDocument();
    document["name"] = 12;
    EXPECT_INPUT_ERROR(parseError(document), "name", "must be a string");
  }

  // ---- problem ----

  void missingProblem() {
    json document = validDocument();
    document.erase("problem");
    EXPECT_INPUT_ERROR(parseError(document), "problem", "is required");
    document["problem"] = "quadratic";
    EXPECT_INPUT_ERROR(parseError(document), "problem", "must be an object");
    document["problem"] = json::object();
    EXPECT_INPUT_ERROR(parseError(document), "problem.name", "is required");
    document["problem"] = {{"name", "quadratic"}, {"parms", json::object()}};
    EXPECT_INPUT_ERROR(parseError(document), "problem.parms", "unknown field", "name", "params");
  }

  void unknownProblemNameListsKnownNames() {
    json document = validDocument();
    document["problem"]["name"] = "quadratik";
    const auto error = parseError(document);
    EXPECT_INPUT_ERROR(error, "problem.name", "unknown name \"quadratik\"", "known:", "quadratic", "logistic");
    for (const auto& entry : distopt::problemEntries())
      QVERIFY2(contains(error->what(), entry.name), entry.name.c_str());
  }

  void badProblemParam() {
    json document = validDocument();
    document["problem"]["params"]["d"] = 0;
    EXPECT_INPUT_ERROR(parseError(document), "problem.params.d", "must be an integer >= 1");
    document["problem"]["params"]["d"] = 2.5;
    EXPECT_INPUT_ERROR(parseError(document), "problem.params.d", "must be an integer");
    document = validDocument();
    document["problem"]["params"]["noise"] = "loud";
    EXPECT_INPUT_ERROR(parseError(document), "problem.params.noise", "one of", "\"scalar\"", "\"coordinate\"");
    document = validDocument();
    document["problem"]["params"] = json::array();
    EXPECT_INPUT_ERROR(parseError(document), "problem.params", "must be an object");
    // Logistic needs its training file.
    document = validDocument();
    document["problem"] = {{"name", "logistic"}};
    EXPECT_INPUT_ERROR(parseError(document), "problem.params.train", "is required");
  }

  // ---- algorithm ----

  void unknownAlgorithm() {
    json document = validDocument();
    document["algorithm"]["name"] = "sgd-turbo";
    const auto error = parseError(document);
    EXPECT_INPUT_ERROR(error, "algorithm.name", "unknown name \"sgd-turbo\"", "known:");
    for (const char* name : {"ringmaster", "asgd", "da-asgd", "rennala", "minibatch", "naive-optimal"})
      QVERIFY2(contains(error->what(), name), name);

    document.erase("algorithm");
    EXPECT_INPUT_ERROR(parseError(document), "algorithm", "is required");
  }

  void ringmasterRZeroIsRefused() {
    json document = validDocument();
    document["algorithm"]["params"]["R"] = 0;
    const auto error = parseError(document);
    EXPECT_INPUT_ERROR(error, "algorithm.params.R");
    QCOMPARE(std::string(error->what()), std::string("algorithm.params.R: must be an integer >= 1 or \"inf\""));

    for (const json& bad : {json(-3), json(2.5), json("infinite"), json(true), json::array()}) {
      document["algorithm"]["params"]["R"] = bad;
      EXPECT_INPUT_ERROR(parseError(document), "algorithm.params.R", "must be an integer >= 1 or \"inf\"");
    }
  }

  void ringmasterRInfIsAccepted() {
    json document = validDocument();
    document["algorithm"]["params"]["R"] = "inf";
    const Experiment experiment = distopt::parseExperiment(document, ".");
    QCOMPARE(experiment.algorithm.params.at("R"), json("inf"));
    QCOMPARE(experiment.document.at("algorithm").at("params").at("R"), json("inf"));
    (void)distopt::buildRun(experiment);
  }

  void gammaNegativeOrString() {
    json document = validDocument();
    document["algorithm"]["params"]["gamma"] = -0.1;
    EXPECT_INPUT_ERROR(parseError(document), "algorithm.params.gamma", "must be a number > 0");
    document["algorithm"]["params"]["gamma"] = 0;
    EXPECT_INPUT_ERROR(parseError(document), "algorithm.params.gamma", "must be a number > 0");
    document["algorithm"]["params"]["gamma"] = "0.1";
    EXPECT_INPUT_ERROR(parseError(document), "algorithm.params.gamma", "must be a number > 0");
  }

  void unknownParamKeyNamesItAndListsKnown() {
    json document = validDocument();
    document["algorithm"]["params"].erase("gamma");
    document["algorithm"]["params"]["gamm"] = 0.1;
    EXPECT_INPUT_ERROR(parseError(document), "algorithm.params.gamm", "unknown option", "known:", "gamma", "R",
                       "variant");
    document = validDocument();
    document["algorithm"]["params"]["variant"] = "C";
    EXPECT_INPUT_ERROR(parseError(document), "algorithm.params.variant", "\"A\"", "\"B\"");
  }

  void everyAlgorithmAcceptsEmptyParams() {
    for (const auto& entry : distopt::algorithmEntries()) {
      json document = validDocument();
      document["algorithm"] = {{"name", entry.name}, {"params", json::object()}};
      // On the first registered problem that has what the algorithm always needs (all of them build
      // from their defaults up to logistic, which needs a file).
      for (const auto& problem : distopt::problemEntries()) {
        bool fits = true;
        for (const auto& need : entry.problemNeeds)
          fits = fits && (!need.option.empty() || problem.has(need.capability));
        if (!fits) continue;
        document["problem"] = {{"name", problem.name}};
        break;
      }
      const Experiment experiment = distopt::parseExperiment(document, ".");
      QCOMPARE(experiment.algorithm.name, entry.name);
      QVERIFY(experiment.algorithm.params.is_object());
    }
  }

  // ---- workers ----

  void workersCount() {
    json document = validDocument();
    document["workers"]["count"] = 0;
    EXPECT_INPUT_ERROR(parseError(document), "workers.count", "must be an integer >= 1");
    document["workers"]["count"] = -2;
    EXPECT_INPUT_ERROR(parseError(document), "workers.count", "must be an integer >= 1");
    document["workers"]["count"] = 2.5;
    EXPECT_INPUT_ERROR(parseError(document), "workers.count", "must be an integer >= 1");
    document["workers"]["count"] = "four";
    EXPECT_INPUT_ERROR(parseError(document), "workers.count", "must be an integer >= 1");
    document["workers"]["count"] = 2'000'000;
    EXPECT_INPUT_ERROR(parseError(document), "workers.count", "<= 1000000");
    document["workers"].erase("count");
    EXPECT_INPUT_ERROR(parseError(document), "workers.count", "is required");
    document.erase("workers");
    EXPECT_INPUT_ERROR(parseError(document), "workers", "is required");
    document["workers"] = 4;
    EXPECT_INPUT_ERROR(parseError(document), "workers", "must be an object");
    document["workers"] = {{"count", 4}, {"speed", 1}};
    EXPECT_INPUT_ERROR(parseError(document), "workers.speed", "unknown field", "count", "time_model", "unit_ms");
    document["workers"] = {{"count", 4}, {"unit_ms", 0.5}};
    EXPECT_INPUT_ERROR(parseError(document), "workers.unit_ms", "must be a number >= 1");
  }

  void remoteHosts() {
    json document = validDocument();
    document["workers"]["count"] = 4;
    document["workers"]["hosts"] = json::array({{{"host", "alice@box1"}, {"count", 2}}, {{"host", "box2"}}});
    const distopt::Experiment experiment = distopt::parseExperiment(document, ".");
    QCOMPARE(experiment.hosts.size(), std::size_t{2});
    QCOMPARE(experiment.hosts[0].host, std::string("alice@box1"));
    QCOMPARE(experiment.hosts[0].count, 2);
    QCOMPARE(experiment.hosts[1].count, 1);
    QCOMPARE(experiment.hosts[1].program, std::string("distopt-worker"));
    QCOMPARE(experiment.document["workers"]["hosts"].size(), std::size_t{2});
    // An ssh option smuggled in as a destination is refused, as is a host list larger than the run.
    document["workers"]["hosts"][1]["host"] = "-oProxyCommand=sh";
    EXPECT_INPUT_ERROR(parseError(document), "workers.hosts[1].host", "ssh destination");
    document["workers"]["hosts"][1]["host"] = "box2; rm -rf ~";
    EXPECT_INPUT_ERROR(parseError(document), "workers.hosts[1].host", "ssh destination");
    document["workers"]["hosts"][1] = {{"host", "box2"}, {"count", 3}};
    EXPECT_INPUT_ERROR(parseError(document), "workers.hosts", "5 workers on other hosts but workers.count is 4");
    document["workers"]["hosts"] = json::array({{{"host", "box2"}, {"cores", 3}}});
    EXPECT_INPUT_ERROR(parseError(document), "workers.hosts[0].cores", "unknown field");
    document["workers"]["hosts"] = "box2";
    EXPECT_INPUT_ERROR(parseError(document), "workers.hosts", "must be a list");
  }

  void timeModel() {
    json document = validDocument();
    document["workers"]["time_model"]["name"] = "warp";
    const auto error = parseError(document);
    EXPECT_INPUT_ERROR(error, "workers.time_model.name", "unknown name \"warp\"", "known:");
    for (const auto& entry : distopt::timeModelEntries())
      QVERIFY2(contains(error->what(), entry.name), entry.name.c_str());

    document = validDocument();
    document["workers"]["time_model"]["params"]["shuffle"] = "yes";
    EXPECT_INPUT_ERROR(parseError(document), "workers.time_model.params.shuffle", "must be true or false");
    document = validDocument();
    document["workers"]["time_model"]["params"]["c"] = "1";
    EXPECT_INPUT_ERROR(parseError(document), "workers.time_model.params.c", "must be a number > 0");
    document = validDocument();
    document["workers"]["time_model"] = {{"name", "fixed"}, {"params", {{"times", {1, "two"}}}}};
    EXPECT_INPUT_ERROR(parseError(document), "workers.time_model.params.times", "a list of numbers");
    document = validDocument();
    document["workers"]["time_model"]["params"]["tau"] = 1;
    EXPECT_INPUT_ERROR(parseError(document), "workers.time_model.params.tau", "unknown option", "c", "shuffle");
  }

  // ---- stop, data, eval ----

  void stopMissingOrEmpty() {
    json document = validDocument();
    document.erase("stop");
    EXPECT_INPUT_ERROR(parseError(document), "stop", "is required");
    document["stop"] = json::object();
    EXPECT_INPUT_ERROR(parseError(document), "stop", "needs at least one of", "time", "updates", "target_gap");
    document["stop"] = {{"time", nullptr}, {"updates", 0}};
    EXPECT_INPUT_ERROR(parseError(document), "stop", "needs at least one of");
    document["stop"] = 100;
    EXPECT_INPUT_ERROR(parseError(document), "stop", "must be an object");
  }

  void stopValues() {
    json document = validDocument();
    document["stop"]["time"] = -5;
    EXPECT_INPUT_ERROR(parseError(document), "stop.time", "must be a number > 0");
    document["stop"]["time"] = 0;
    EXPECT_INPUT_ERROR(parseError(document), "stop.time", "must be a number > 0");
    document["stop"]["time"] = "long";
    EXPECT_INPUT_ERROR(parseError(document), "stop.time", "must be a number > 0");
    document["stop"] = {{"updates", -1}};
    EXPECT_INPUT_ERROR(parseError(document), "stop.updates", "must be an integer >= 0");
    document["stop"] = {{"target_gap", -1e-3}};
    EXPECT_INPUT_ERROR(parseError(document), "stop.target_gap", "must be a number > 0");
    document["stop"] = {{"time_limit", 10}};
    EXPECT_INPUT_ERROR(parseError(document), "stop.time_limit", "unknown field", "time", "target_grad_norm_sq");
  }

  // Each declared problem need is refused by the parser, before anything is built, with the reason:
  // the examples of each family, then every (algorithm, problem) pair the declarations rule out.
  void algorithmsRefuseProblemsWithoutWhatTheyNeed() {
    // The problems' required fields (files are only named here: the parser does not read them).
    const std::map<std::string, json> required = {
        {"logistic", {{"train", "train.libsvm"}}},
        {"softmax", {{"train_images", "images.gz"}, {"train_labels", "labels.gz"}}},
        {"mlp", {{"train_images", "images.gz"}, {"train_labels", "labels.gz"}}},
        {"logistic-p0", {{"nodes", 4}}}};
    const auto pair = [&required](const std::string& problem, const std::string& algorithm,
                                  const json& params = {}) {
      json document = validDocument();
      document["problem"] = {{"name", problem}};
      if (const auto fields = required.find(problem); fields != required.end())
        document["problem"]["params"] = fields->second;
      document["algorithm"] = {{"name", algorithm}};
      if (!params.is_null()) document["algorithm"]["params"] = params;
      return document;
    };
    for (const std::string kron : {"kron-naive", "kron-fast"})
      EXPECT_INPUT_ERROR(parseError(pair("least-squares", kron)), "problem.name", "\"" + kron + "\"",
                         "the Kronecker two-layer network", "\"least-squares\" has none", "kron-two-layer");
    for (const std::string hybrid : {"fosi", "dho2", "mr-dho2"})
      EXPECT_INPUT_ERROR(parseError(pair("kron-two-layer", hybrid)), "problem.name", "\"" + hybrid + "\"",
                         "a Hessian-vector product", "\"kron-two-layer\" has none", "quadratic");
    EXPECT_INPUT_ERROR(parseError(pair("quadratic", "proxgt-sr-e")), "problem.name", "a finite data set",
                       "\"quadratic\" has none", "least-squares");
    // A need an option asks for names that option; without it the pair is fine.
    EXPECT_INPUT_ERROR(parseError(pair("least-squares", "fosi", {{"ese_batch", 8}})),
                       "algorithm.params.ese_batch", "\"ese_batch\" as set",
                       "a per-batch Hessian-vector product", "softmax, mlp");
    QVERIFY(!parseError(pair("least-squares", "fosi")).has_value());
    QVERIFY(!parseError(pair("least-squares", "proxgt-sr-e")).has_value());

    int refused = 0;
    for (const auto& algorithm : distopt::algorithmEntries())
      for (const auto& need : algorithm.problemNeeds) {
        if (!need.option.empty()) continue;
        for (const auto& problem : distopt::problemEntries()) {
          if (problem.has(need.capability)) continue;
          const auto error = parseError(pair(problem.name, algorithm.name));
          QVERIFY2(
              error && error->where() == "problem.name",
              (algorithm.name + " on " + problem.name + ": " + (error ? error->what() : "accepted")).c_str());
          ++refused;
        }
      }
    QVERIFY2(refused >= 14, std::to_string(refused).c_str());
  }

  void badSharding() {
    json document = validDocument();
    document["data"] = {{"sharding", "random"}};
    const auto error = parseError(document);
    EXPECT_INPUT_ERROR(error, "data.sharding", "not one of", "\"iid\"");
    for (const auto& name : distopt::shardRuleNames())
      QVERIFY2(contains(error->what(), "\"" + name + "\""), name.c_str());
    document["data"] = {{"sharding", 1}};
    EXPECT_INPUT_ERROR(parseError(document), "data.sharding", "must be a string");
    document["data"] = {{"shards", "iid"}};
    EXPECT_INPUT_ERROR(parseError(document), "data.shards", "unknown field", "sharding");
    document["data"] = "iid";
    EXPECT_INPUT_ERROR(parseError(document), "data", "must be an object");
  }

  void badEval() {
    json document = validDocument();
    document["eval"] = {{"interval", -1}};
    EXPECT_INPUT_ERROR(parseError(document), "eval.interval", "must be a number >= 0");
    document["eval"] = {{"grad_norm", "yes"}};
    EXPECT_INPUT_ERROR(parseError(document), "eval.grad_norm", "must be true or false");
    document["eval"] = {{"every", 10}};
    EXPECT_INPUT_ERROR(parseError(document), "eval.every", "unknown field", "every_updates");
  }

  // ---- --set overrides ----

  void overrideCreatesNestedObjects() {
    json document = json::object();
    distopt::applyOverride(document, "a.b.c=3");
    QCOMPARE(document, json::parse(R"({"a": {"b": {"c": 3}}})"));
    distopt::applyOverride(document, "a.b.d=x");
    QCOMPARE(document.at("a").at("b").at("d"), json("x"));
    QCOMPARE(document.at("a").at("b").at("c"), json(3));  // siblings kept

    json experiment = validDocument();
    distopt::applyOverride(experiment, "algorithm.params.gamma=0.04");
    QCOMPARE(experiment.at("algorithm").at("params").at("gamma"), json(0.04));
    QCOMPARE(experiment.at("algorithm").at("params").at("R"), json(4));
    distopt::applyOverride(experiment, "data.sharding=" + otherSharding());
    QCOMPARE(distopt::parseExperiment(experiment, ".").sharding, otherSharding());
  }

  void overrideValuesAreTypedJson() {
    json document = json::object();
    distopt::applyOverride(document, "n=3");
    QVERIFY(document.at("n").is_number_integer());
    distopt::applyOverride(document, "x=2.5e-3");
    QVERIFY(document.at("x").is_number_float());
    QCOMPARE(document.at("x").get<double>(), 2.5e-3);
    distopt::applyOverride(document, "flag=true");
    QCOMPARE(document.at("flag"), json(true));
    distopt::applyOverride(document, "off=false");
    QCOMPARE(document.at("off"), json(false));
    distopt::applyOverride(document, "R=inf");
    QCOMPARE(document.at("R"), json("inf"));
    distopt::applyOverride(document, "quoted=\"12\"");
    QCOMPARE(document.at("quoted"), json("12"));
    distopt::applyOverride(document, "list=[1, 2.5, 3]");
    QCOMPARE(document.at("list"), json::parse("[1, 2.5, 3]"));
    distopt::applyOverride(document, "object={\"k\": [true]}");
    QCOMPARE(document.at("object"), json::parse(R"({"k": [true]})"));
    distopt::applyOverride(document, "nothing=null");
    QVERIFY(document.at("nothing").is_null());
    distopt::applyOverride(document, "path=data/a9a");
    QCOMPARE(document.at("path"), json("data/a9a"));
    distopt::applyOverride(document, "eq=a=b");  // first '=' splits
    QCOMPARE(document.at("eq"), json("a=b"));

    // "inf" via --set is accepted as Ringmaster's R.
    json experiment = validDocument();
    distopt::applyOverride(experiment, "algorithm.params.R=inf");
    QCOMPARE(distopt::parseExperiment(experiment, ".").algorithm.params.at("R"), json("inf"));
    // An empty params object replaces the old one.
    distopt::applyOverride(experiment, "algorithm.name=asgd");
    distopt::applyOverride(experiment, "algorithm.params={}");
    QCOMPARE(distopt::parseExperiment(experiment, ".").algorithm.name, std::string("asgd"));
  }

  void malformedOverrides() {
    json document = validDocument();
    const json before = document;
    EXPECT_INPUT_ERROR(catchInputError([&] { distopt::applyOverride(document, "=3"); }), "--set =3", "PATH=VALUE");
    EXPECT_INPUT_ERROR(catchInputError([&] { distopt::applyOverride(document, "gamma"); }), "--set gamma",
                       "PATH=VALUE");
    EXPECT_INPUT_ERROR(catchInputError([&] { distopt::applyOverride(document, "a..b=1"); }), "--set a..b=1",
                       "empty field name", "a..b");
    EXPECT_INPUT_ERROR(catchInputError([&] { distopt::applyOverride(document, ".a=1"); }), "--set .a=1",
                       "empty field name");
    EXPECT_INPUT_ERROR(catchInputError([&] { distopt::applyOverride(document, "a.=1"); }), "--set a.=1",
                       "empty field name");
    EXPECT_INPUT_ERROR(catchInputError([&] { distopt::applyOverride(document, "seed.x=1"); }), "--set seed.x=1",
                       "\"seed\" is not an object");
    EXPECT_INPUT_ERROR(catchInputError([&] { distopt::applyOverride(document, "problem.name.x=1"); }),
                       "--set problem.name.x=1", "\"problem.name\" is not an object");
    QCOMPARE(document.at("seed"), before.at("seed"));
    QCOMPARE(document.at("problem"), before.at("problem"));
  }

  void overrideEntersListsByIndex() {
    json document =
        json::parse(R"({"workers": {"hosts": [{"host": "a", "count": 2}, {"host": "b", "count": 3}]},
                                    "empty": []})");
    distopt::applyOverride(document, "workers.hosts.1.count=1");
    QCOMPARE(document.at("workers").at("hosts").at(1).at("count"), json(1));
    QCOMPARE(document.at("workers").at("hosts").at(0).at("count"), json(2));  // the other element kept
    distopt::applyOverride(document, "workers.hosts.0={\"host\": \"c\"}");
    QCOMPARE(document.at("workers").at("hosts").at(0), json::parse(R"({"host": "c"})"));
    QCOMPARE(document.at("workers").at("hosts").size(), std::size_t(2));

    // An index that is not there is refused with the list's length; nothing is added.
    const json before = document;
    EXPECT_INPUT_ERROR(catchInputError([&] { distopt::applyOverride(document, "workers.hosts.2.count=1"); }),
                       "--set workers.hosts.2.count=1", "\"workers.hosts\" is a list of 2",
                       "\"2\" is not an index in it (0 to 1)");
    EXPECT_INPUT_ERROR(catchInputError([&] { distopt::applyOverride(document, "workers.hosts.x=1"); }),
                       "--set workers.hosts.x=1", "\"x\" is not an index");
    EXPECT_INPUT_ERROR(catchInputError([&] { distopt::applyOverride(document, "workers.hosts.-1.count=1"); }),
                       "--set workers.hosts.-1.count=1", "\"-1\" is not an index");
    EXPECT_INPUT_ERROR(
        catchInputError([&] { distopt::applyOverride(document, "workers.hosts.99999999999=1"); }),
        "--set workers.hosts.99999999999=1", "is not an index");
    EXPECT_INPUT_ERROR(catchInputError([&] { distopt::applyOverride(document, "empty.0=1"); }),
                       "--set empty.0=1", "\"empty\" is a list of 0; \"0\" is not an index in it");
    QCOMPARE(document, before);
  }

  void overrideThenValidateNamesTheField() {
    json document = validDocument();
    distopt::applyOverride(document, "algorithm.params.R=0");
    EXPECT_INPUT_ERROR(parseError(document), "algorithm.params.R", "must be an integer >= 1 or \"inf\"");
    document = validDocument();
    distopt::applyOverride(document, "algorithm.params.gamm=0.1");
    EXPECT_INPUT_ERROR(parseError(document), "algorithm.params.gamm", "unknown option");
  }

  // ---- buildRun ----

  void buildsAValidExperiment() {
    const Experiment experiment = distopt::parseExperiment(validDocument(), ".");
    const distopt::BuiltRun run = distopt::buildRun(experiment);
    QVERIFY(run.problem);
    QVERIFY(run.timeModel);
    QVERIFY(run.server);
    QCOMPARE(static_cast<int>(run.shards.size()), 4);
    QCOMPARE(run.rules.horizon, 50.0);
    QCOMPARE(run.rules.seed, std::uint64_t{7});
  }

  void targetGapWithoutOptimalValueIsRefused() {
    const std::string train = kTestData + "/a9a.gz";
    json document = validDocument();
    document["problem"] = {{"name", "logistic"}, {"params", {{"train", train}}}};
    document["stop"] = {{"time", 10}, {"target_gap", 1e-3}};
    const Experiment experiment = distopt::parseExperiment(document, ".");
    EXPECT_INPUT_ERROR(catchInputError([&] { (void)distopt::buildRun(experiment); }), "stop.target_gap", "f*",
                       "logistic", "target_grad_norm_sq");
    // The same problem with a gradient-norm target builds.
    document["stop"] = {{"time", 10}, {"target_grad_norm_sq", 1e-3}};
    const distopt::BuiltRun run = distopt::buildRun(distopt::parseExperiment(document, "."));
    QVERIFY(run.problem);
    QVERIFY(!run.problem->optimalValue().has_value());
  }

  void missingDataFileIsRefused() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    json document = validDocument();
    document["problem"] = {{"name", "logistic"}, {"params", {{"train", "does-not-exist.libsvm"}}}};
    // Parsing does not read data: it succeeds; building names the field and the resolved path.
    const Experiment experiment = distopt::parseExperiment(document, dir.path().toStdString());
    EXPECT_INPUT_ERROR(catchInputError([&] { (void)distopt::buildRun(experiment); }), "problem.params.train",
                       "does-not-exist.libsvm", dir.path().toStdString());
    document["problem"]["params"]["train"] = "";
    EXPECT_INPUT_ERROR(catchInputError([&] { (void)distopt::buildRun(distopt::parseExperiment(document, ".")); }),
                       "problem.params.train");
  }

  void everyPresetParsesAndBuilds() {
    int presets = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kPresets)) {
      if (entry.path().extension() != ".json") continue;
      ++presets;
      const std::string path = entry.path().string();
      json document = distopt::readExperimentFile(path);
      distopt::applyOverride(document, "engine=sim");
      const Experiment experiment = distopt::parseExperiment(document, entry.path().parent_path().string());
      QCOMPARE(experiment.engine, std::string("sim"));
      QVERIFY2(!experiment.name.empty(), path.c_str());
      QVERIFY2(!experiment.description.empty(), path.c_str());
      QVERIFY2(experiment.stopTime || experiment.stopUpdates > 0, path.c_str());
      const distopt::BuiltRun run = distopt::buildRun(experiment);
      QVERIFY2(run.problem && run.timeModel && (run.server || run.simRun), path.c_str());
      QCOMPARE(static_cast<int>(run.shards.size()), experiment.workers);
    }
    QVERIFY2(presets >= 6, "expected the shipped presets in resources/experiments");
  }

  // ---- option metadata (core/registry/option_spec) ----

  void optionSpecAcceptsAndDescribes() {
    OptionSpec r{.name = "R", .type = OptionType::IntOrInf, .minValue = 1};
    std::string why;
    QVERIFY(r.accepts(json(1), &why));
    QVERIFY(r.accepts(json("inf"), &why));
    QVERIFY(r.accepts(json(4.0), &why));
    QVERIFY(!r.accepts(json(0), &why));
    QCOMPARE(why, std::string("must be an integer >= 1 or \"inf\""));
    QCOMPARE(r.describe(), std::string("an integer >= 1 or \"inf\""));

    OptionSpec gamma{.name = "gamma", .type = OptionType::Double, .minValue = 0.0, .minExclusive = true};
    QVERIFY(gamma.accepts(json(1e-9), nullptr));
    QVERIFY(!gamma.accepts(json(0.0), nullptr));
    QVERIFY(!gamma.accepts(json("0.1"), nullptr));
    QCOMPARE(gamma.describe(), std::string("a number > 0"));

    OptionSpec d{.name = "d", .type = OptionType::Int, .minValue = 1, .maxValue = 10};
    QCOMPARE(d.describe(), std::string("an integer >= 1 and <= 10"));
    QVERIFY(!d.accepts(json(11), nullptr));
    QVERIFY(!d.accepts(json(2.5), nullptr));

    OptionSpec mode{.name = "mode", .type = OptionType::Enum, .choices = {"a", "b"}};
    QCOMPARE(mode.describe(), std::string("one of \"a\" or \"b\""));
    QVERIFY(mode.accepts(json("b"), nullptr));
    QVERIFY(!mode.accepts(json("c"), nullptr));

    OptionSpec list{.name = "times", .type = OptionType::DoubleList, .minValue = 0.0, .minExclusive = true};
    QVERIFY(list.accepts(json::parse("[1, 2.5]"), nullptr));
    QVERIFY(list.accepts(json::array(), nullptr));
    QVERIFY(!list.accepts(json::parse("[1, 0]"), nullptr));
    QVERIFY(!list.accepts(json(1.0), nullptr));
    QCOMPARE(list.describe(), std::string("a list of numbers, each > 0"));

    OptionSpec ints{.name = "who", .type = OptionType::IntList, .minValue = 0};
    QVERIFY(ints.accepts(json::parse("[0, 3]"), nullptr));
    QVERIFY(!ints.accepts(json::parse("[0.5]"), nullptr));
    QVERIFY(!ints.accepts(json::parse("[-1]"), nullptr));
  }

  void validateAndFillOptions() {
    const std::vector<OptionSpec> specs = {
        OptionSpec{.name = "gamma", .type = OptionType::Double, .minValue = 0.0, .minExclusive = true,
                   .optional = true},
        OptionSpec{.name = "R", .type = OptionType::IntOrInf, .defaultValue = 2, .minValue = 1},
        OptionSpec{.name = "file", .type = OptionType::String},
    };
    std::string why;
    json params = {{"file", "x"}};
    QVERIFY(distopt::validateAndFillOptions(specs, params, "algorithm.params", &why));
    QCOMPARE(params, json::parse(R"({"file": "x", "R": 2})"));

    params = {{"file", "x"}, {"R", 3.0}};
    QVERIFY(distopt::validateAndFillOptions(specs, params, "p", &why));
    QVERIFY(params.at("R").is_number_integer());

    params = json();
    QVERIFY(!distopt::validateAndFillOptions(specs, params, "p", &why));
    QCOMPARE(why, std::string("p.file: is required (a string)"));

    params = json::array();
    QVERIFY(!distopt::validateAndFillOptions(specs, params, "p", &why));
    QCOMPARE(why, std::string("p: must be an object"));

    params = {{"file", "x"}, {"gama", 1}};
    QVERIFY(!distopt::validateAndFillOptions(specs, params, "p", &why));
    QCOMPARE(why, std::string("p.gama: unknown option (known: gamma, R, file)"));

    params = {{"file", "x"}, {"R", 0}};
    QVERIFY(!distopt::validateAndFillOptions(specs, params, "p", &why));
    QCOMPARE(why, std::string("p.R: must be an integer >= 1 or \"inf\""));

    params = {{"x", 1}};
    QVERIFY(!distopt::validateAndFillOptions({}, params, "p", &why));
    QCOMPARE(why, std::string("p.x: unknown option (known: none)"));
  }

  void registryLookups() {
    QVERIFY(distopt::findAlgorithm("ringmaster") != nullptr);
    QVERIFY(distopt::findAlgorithm("nope") == nullptr);
    QVERIFY(distopt::findProblem("quadratic") != nullptr);
    QVERIFY(distopt::findTimeModel("natural") != nullptr);
    const auto names = splitNames(distopt::algorithmNames());
    QCOMPARE(names.size(), distopt::algorithmEntries().size());
    for (std::size_t i = 0; i < names.size(); ++i) QCOMPARE(names[i], distopt::algorithmEntries()[i].name);
    QCOMPARE(splitNames(distopt::problemNames()).size(), distopt::problemEntries().size());
    QCOMPARE(splitNames(distopt::timeModelNames()).size(), distopt::timeModelEntries().size());
  }

  void inputErrorFormat() {
    const InputError withPlace("a.b", "bad");
    QCOMPARE(withPlace.where(), std::string("a.b"));
    QCOMPARE(std::string(withPlace.what()), std::string("a.b: bad"));
    const InputError noPlace("", "bad");
    QCOMPARE(std::string(noPlace.what()), std::string("bad"));
  }
};

QTEST_APPLESS_MAIN(TestExperimentConfig)
#include "test_experiment_config.moc"
