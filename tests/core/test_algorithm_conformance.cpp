// Registry-driven conformance: every algorithm the registry lists, not a hand-kept list, is held to the
// same rules, so a new method cannot be registered half-done. For each entry: its metadata is complete;
// its defaults are accepted (in a shipped preset of its family, with only the options it shares with the
// preset's method taken from there); it runs a few
// updates in the simulator to a stop rule with finite results; and the same experiment run twice gives
// the same result (a seeded simulator is a function of its experiment).

#include <QtTest>
#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/experiment.hpp"
#include "core/registry/registry.hpp"
#include "core/sim/sim_engine.hpp"
#include "core/telemetry/telemetry.hpp"
#include "core/util/input_error.hpp"

namespace fs = std::filesystem;
using distopt::AlgorithmEntry;
using nlohmann::json;

namespace {

class CountingSink : public distopt::TelemetrySink {
 public:
  void onUpdate(const distopt::UpdateEvent& event) override {
    ++events;
    if (event.outcome == distopt::Outcome::Accepted) ++accepted;
  }
  void onEvaluation(const distopt::EvaluationPoint& point) override {
    ++evaluations;
    allFinite = allFinite && std::isfinite(point.loss);
  }
  std::uint64_t events = 0;
  std::uint64_t accepted = 0;
  std::uint64_t evaluations = 0;
  bool allFinite = true;
};

struct Outcome {
  distopt::RunSummary summary;
  CountingSink sink;
};

Outcome runInSimulator(const distopt::Experiment& experiment) {
  distopt::BuiltRun run = distopt::buildRun(experiment);
  Outcome outcome;
  outcome.summary = run.simRun->run(outcome.sink);
  return outcome;
}

std::string presetDirectory() { return std::string(DISTOPT_SOURCE_DIR) + "/resources/experiments"; }

// The shipped presets, cheapest first: those on synthetic problems before those that read a data set.
std::vector<std::pair<std::string, json>> presets() {
  std::vector<std::pair<std::string, json>> found;
  for (const auto& file : fs::directory_iterator(presetDirectory()))
    if (file.path().extension() == ".json")
      found.emplace_back(file.path().filename().string(), distopt::readExperimentFile(file.path().string()));
  auto readsData = [](const json& document) {
    return document.at("problem").value("params", json::object()).dump().find("data") != std::string::npos;
  };
  std::sort(found.begin(), found.end(), [&](const auto& a, const auto& b) {
    return std::pair(readsData(a.second), a.first) < std::pair(readsData(b.second), b.first);
  });
  return found;
}

const AlgorithmEntry& entryNamed(const std::string& name) {
  const AlgorithmEntry* entry = distopt::findAlgorithm(name);
  if (!entry) throw std::runtime_error("no algorithm " + name);
  return *entry;
}

// The first preset of the entry's family that takes the entry with default params, made small: a few
// updates in the simulator. Empty with the refusals in *why when none does.
std::optional<distopt::Experiment> smallExperimentFor(const AlgorithmEntry& entry, std::string* why) {
  for (const auto& [file, preset] : presets()) {
    const AlgorithmEntry* presetEntry = distopt::findAlgorithm(preset.at("algorithm").at("name"));
    if (!presetEntry || presetEntry->family != entry.family) continue;
    // The preset's values for the options both methods have (a step size tuned to that problem: the
    // generic default of a heavy-ball lr diverges on an ill-conditioned quadratic), the defaults for
    // the rest.
    json params = json::object();
    const json presetParams = preset.at("algorithm").value("params", json::object());
    for (const distopt::OptionSpec& option : entry.options)
      if (presetParams.contains(option.name)) params[option.name] = presetParams[option.name];
    json document = preset;
    document["algorithm"] = {{"name", entry.name}, {"params", params}};
    document["engine"] = "sim";
    document.erase("hosts");
    document["stop"] = {{"updates", 12}};
    try {
      return distopt::parseExperiment(document, presetDirectory());
    } catch (const distopt::InputError& error) {
      *why += file + ": " + error.what() + "\n";
    }
  }
  return std::nullopt;
}

}  // namespace

class TestAlgorithmConformance : public QObject {
  Q_OBJECT

 private slots:
  void metadataIsComplete() {
    const auto& entries = distopt::algorithmEntries();
    QVERIFY(entries.size() >= 20);
    std::set<std::string> names;
    for (const AlgorithmEntry& entry : entries) {
      const QByteArray name = QByteArray::fromStdString(entry.name);
      QVERIFY2(!entry.name.empty() && names.insert(entry.name).second, name.constData());
      QVERIFY2(!entry.summary.empty(), name.constData());
      QVERIFY2(static_cast<bool>(entry.make) != static_cast<bool>(entry.makeSimRun),
               (name + ": exactly one of make / makeSimRun").constData());
      std::set<std::string> options;
      for (const distopt::OptionSpec& option : entry.options) {
        const QByteArray what = name + "." + QByteArray::fromStdString(option.name);
        QVERIFY2(!option.name.empty() && options.insert(option.name).second, what.constData());
        QVERIFY2(!option.help.empty(), (what + ": no help").constData());
        if (option.minValue && option.maxValue)
          QVERIFY2(*option.minValue <= *option.maxValue, what.constData());
        if (option.type == distopt::OptionType::Enum) {
          QVERIFY2(!option.choices.empty(), (what + ": an enum without choices").constData());
          QVERIFY2(option.choiceHelp.empty() || option.choiceHelp.size() == option.choices.size(),
                   (what + ": choice help not parallel to the choices").constData());
        }
        // A default must be a value the option itself accepts.
        std::string why;
        if (!option.defaultValue.is_null())
          QVERIFY2(option.accepts(option.defaultValue, &why),
                   (what + ": default refused: " + why.c_str()).constData());
      }
      // Every option left out takes its default (or is optional): {} is a complete parameter set.
      json params = json::object();
      std::string why;
      QVERIFY2(distopt::validateAndFillOptions(entry.options, params, "params", &why),
               (name + ": defaults " + why.c_str()).constData());
    }
  }

  void runsWithItsDefaults_data() {
    QTest::addColumn<QString>("algorithm");
    for (const AlgorithmEntry& entry : distopt::algorithmEntries())
      QTest::newRow(entry.name.c_str()) << QString::fromStdString(entry.name);
  }

  void runsWithItsDefaults() {
    QFETCH(QString, algorithm);
    const AlgorithmEntry& entry = entryNamed(algorithm.toStdString());
    std::string why;
    const auto experiment = smallExperimentFor(entry, &why);
    QVERIFY2(experiment, ("no preset of its family takes it with default params:\n" + why).c_str());

    const Outcome first = runInSimulator(*experiment);
    const distopt::RunSummary& summary = first.summary;
    QVERIFY2(summary.termination == distopt::Termination::UpdateLimit,
             (std::string(distopt::terminationName(summary.termination)) + ": " + summary.terminationDetail)
                 .c_str());
    QVERIFY2(summary.updatesApplied >= 1, "no update applied");
    QVERIFY2(std::isfinite(summary.finalLoss), std::to_string(summary.finalLoss).c_str());
    QVERIFY(first.sink.allFinite);
    QVERIFY(first.sink.evaluations >= 1);
    QCOMPARE(summary.algorithm, entry.name);

    const Outcome second = runInSimulator(*experiment);
    QCOMPARE(second.summary.finalLoss, summary.finalLoss);
    QCOMPARE(second.summary.time, summary.time);
    QCOMPARE(second.sink.events, first.sink.events);
    QCOMPARE(second.sink.evaluations, first.sink.evaluations);
  }
};

QTEST_GUILESS_MAIN(TestAlgorithmConformance)
#include "test_algorithm_conformance.moc"
