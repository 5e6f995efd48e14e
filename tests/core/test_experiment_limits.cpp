// Hostile values in experiment files and --set overrides (issue 17, item 10): numbers JSON cannot hold,
// integers that would be rounded or wrapped into another value, runs the machine cannot hold, and
// fields that must agree across sections. Each is refused with an InputError naming the field, before
// anything is built.

#include <QTemporaryDir>
#include <QtTest>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/config/experiment.hpp"
#include "core/config/memory_estimate.hpp"
#include "core/registry/option_spec.hpp"
#include "core/util/input_error.hpp"
#include "input_error_capture.hpp"

using distopt::InputError;
using nlohmann::json;

namespace {

json quadraticDocument() {
  return json::parse(R"({
    "name": "limits", "seed": 7, "engine": "sim",
    "problem": {"name": "quadratic", "params": {"d": 16}},
    "algorithm": {"name": "asgd", "params": {}},
    "workers": {"count": 4},
    "stop": {"time": 50}
  })");
}

using test_support::inputError;

std::optional<InputError> parseError(const json& document, const distopt::MemoryLimits& limits = {}) {
  return inputError([&] { (void)distopt::parseExperiment(document, ".", limits); });
}

#define EXPECT_REFUSED(errorOpt, expectedWhere, expectedPart)                                      \
  do {                                                                                             \
    const auto& error_ = (errorOpt);                                                               \
    QVERIFY2(error_.has_value(), "no InputError was thrown");                                      \
    QCOMPARE(error_->where(), std::string(expectedWhere));                                         \
    QVERIFY2(std::string(error_->what()).find(expectedPart) != std::string::npos, error_->what()); \
  } while (false)

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

}  // namespace

class TestExperimentLimits : public QObject {
  Q_OBJECT

 private slots:
  // ---- numbers JSON cannot hold ----
  void hugeNumberInTheTextIsAnInputError() {
    // nlohmann reports 1e999 as out_of_range (not a parse_error): it used to escape and abort.
    EXPECT_REFUSED(inputError([] { (void)distopt::parseExperimentText(R"({"seed": 1e999})", "x.json"); }),
                   "x.json", "invalid JSON");
    QTemporaryDir dir;
    const std::string path = dir.filePath("huge.json").toStdString();
    std::ofstream(path) << R"({"problem": {"name": "quadratic", "params": {"noise_std": -1e999}}})";
    EXPECT_REFUSED(inputError([&] { (void)distopt::readExperimentFile(path); }), path, "number overflow");
  }

  void hugeNumberInAnOverrideIsRefusedByItsField() {
    json document = quadraticDocument();
    distopt::applyOverride(document, "problem.params.noise_std=1e999");  // not JSON: taken as a string
    EXPECT_REFUSED(parseError(document), "problem.params.noise_std", "must be a number");
  }

  // ---- integers are read exactly or refused ----
  void seedAboveTwoToThe53IsKeptExactly() {
    json document = quadraticDocument();
    document["seed"] = std::numeric_limits<std::uint64_t>::max();
    const auto experiment = distopt::parseExperiment(document, ".");
    QCOMPARE(experiment.seed, std::numeric_limits<std::uint64_t>::max());
    QCOMPARE(experiment.document.at("seed").get<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());
    document["seed"] = std::uint64_t{9007199254740993};  // 2^53 + 1: no double holds it
    QCOMPARE(distopt::parseExperiment(document, ".").seed, std::uint64_t{9007199254740993});
  }

  void seedThatCannotBeExactIsRefused() {
    json document = quadraticDocument();
    distopt::applyOverride(document, "seed=18446744073709551616");  // 2^64: nlohmann reads a float
    EXPECT_REFUSED(parseError(document), "seed", "must be an integer");
    document["seed"] = 1e19;
    EXPECT_REFUSED(parseError(document), "seed", "must be an integer");
    document["seed"] = 2.5;
    EXPECT_REFUSED(parseError(document), "seed", "must be an integer");
    document["seed"] = -1;
    EXPECT_REFUSED(parseError(document), "seed", "must be an integer");
    document["seed"] = 4096.0;  // integral and exact: accepted as 4096
    QCOMPARE(distopt::parseExperiment(document, ".").seed, std::uint64_t{4096});
  }

  void integerOptionBeyondInt64IsRefused() {
    // least-squares' batch has no upper bound; its consumer reads int64 (2^64 - 1 would become -1).
    json document = quadraticDocument();
    document["problem"] = {
        {"name", "least-squares"},
        {"params", {{"m", 100}, {"d", 4}, {"batch", std::numeric_limits<std::uint64_t>::max()}}}};
    EXPECT_REFUSED(parseError(document), "problem.params.batch", "must be an integer");
    QVERIFY(!distopt::exactInt64(json(std::numeric_limits<std::uint64_t>::max())));
    QCOMPARE(*distopt::exactInt64(json(std::numeric_limits<std::int64_t>::max())),
             std::numeric_limits<std::int64_t>::max());
    QVERIFY(!distopt::exactInt64(json(1e300)));
    QVERIFY(!distopt::exactUint64(json(-3)));
  }

  void hostCountBeyondIntIsRefused() {
    json document = quadraticDocument();
    document["engine"] = "live";
    document["workers"]["hosts"] = json::array({{{"host", "box"}, {"count", 4294967297ULL}}});
    EXPECT_REFUSED(parseError(document), "workers.hosts[0].count", "<= 1000000");
  }

  // ---- what the machine cannot hold ----
  void billionFeaturesAreRefusedBeforeAnythingIsRead() {
    json document = quadraticDocument();
    document["problem"] = {{"name", "logistic"},
                           {"params", {{"train", "no-such-file.svm"}, {"features", 1e9}}}};
    // 8 GB per model vector, several per process: refused against a 16 GiB machine...
    EXPECT_REFUSED(parseError(document, distopt::MemoryLimits{.bytes = 16 * kGiB}), "problem.params",
                   "needs at least");
    // ...and against this one, unless it holds the 128 GB the estimate asks for.
    if (distopt::kMemoryShare * static_cast<double>(distopt::physicalMemoryBytes()) < 128e9)
      EXPECT_REFUSED(parseError(document), "problem.params", "% of physical memory");
    // A small problem passes the same check.
    document["problem"]["params"]["features"] = 123;
    QVERIFY(!parseError(document, distopt::MemoryLimits{.bytes = 16 * kGiB}).has_value());
  }

  void estimateCountsEveryProcessOnThisMachine() {
    json document = quadraticDocument();
    document["problem"]["params"]["d"] = 1000;
    document["workers"]["count"] = 10;
    const distopt::ProblemFootprint footprint{.dataBytes = 100.0, .dimension = 1000.0};
    const double vector = 8000.0;
    auto sim = distopt::parseExperiment(document, ".");
    QCOMPARE(distopt::estimateRunBytes(sim, footprint, distopt::MemoryScope::WholeRun),
             100.0 + distopt::kServerVectors * vector + 10 * distopt::kWorkerVectors * vector);
    document["engine"] = "live";
    document["workers"]["hosts"] = json::array({{{"host", "box"}, {"count", 4}}});
    auto live = distopt::parseExperiment(document, ".");
    const double worker = 100.0 + distopt::kWorkerVectors * vector;
    QCOMPARE(distopt::estimateRunBytes(live, footprint, distopt::MemoryScope::WholeRun),
             100.0 + distopt::kServerVectors * vector + 6 * worker);
    QCOMPARE(distopt::estimateRunBytes(live, footprint, distopt::MemoryScope::OneWorker), worker);
    // The limit is the machine's physical memory.
    QVERIFY(distopt::physicalMemoryBytes() > 0);
    // A remote worker checks only itself: a run too big for this machine as a whole may still fit one worker.
    document["problem"]["params"]["d"] = 100'000'000;
    document["workers"]["count"] = 100;
    document["workers"].erase("hosts");
    const distopt::MemoryLimits small{.bytes = 8 * kGiB};
    EXPECT_REFUSED(parseError(document, small), "problem.params", "needs at least");
    QVERIFY(!inputError([&] {
               (void)distopt::parseExperiment(
                   document, ".",
                   distopt::MemoryLimits{.bytes = 8 * kGiB, .scope = distopt::MemoryScope::OneWorker});
             }).has_value());
  }

  // ---- fields that must agree ----
  void decentralizedNodesMustMatchWorkers() {
    json document = quadraticDocument();
    document["problem"] = {{"name", "logistic-p0"}, {"params", {{"nodes", 5}}}};
    document["algorithm"] = {{"name", "dsgd"}, {"params", json::object()}};
    document["data"] = {{"sharding", "contiguous"}};
    document["workers"]["count"] = 8;
    EXPECT_REFUSED(parseError(document), "problem.params.nodes", "workers.count is 8");
    document["workers"]["count"] = 5;
    QVERIFY(!parseError(document).has_value());
  }

  // ---- hostile --set assignments ----
  void hostileOverridesAreInputErrors() {
    json document = quadraticDocument();
    for (const char* assignment : {"=5", "seed", "a..b=1", ".a=1", "a.=1", "seed.x=1"})
      QVERIFY2(inputError([&] { distopt::applyOverride(document, assignment); }).has_value(), assignment);
    // Not JSON, so taken as a string: it must still be text every later dump() can write.
    EXPECT_REFUSED(inputError([&] { distopt::applyOverride(document, "name=\xff\xfe"); }), "--set", "UTF-8");
    EXPECT_REFUSED(inputError([&] { distopt::applyOverride(document, "na\xffme=x"); }), "--set", "UTF-8");
    document = quadraticDocument();  // a refused path may have created objects on its way
    distopt::applyOverride(document, "workers.count=1e999");
    EXPECT_REFUSED(parseError(document), "workers.count", "must be an integer");
    document = quadraticDocument();
    distopt::applyOverride(document, "workers.count=18446744073709551615");
    EXPECT_REFUSED(parseError(document), "workers.count", "<= 1000000");
    document = quadraticDocument();
    distopt::applyOverride(document, "stop.updates=-0");
    QVERIFY(!parseError(document).has_value());
  }
};

QTEST_APPLESS_MAIN(TestExperimentLimits)
#include "test_experiment_limits.moc"
