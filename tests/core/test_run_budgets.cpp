// Budgets in bytes and gradient evaluations (core/run/run_rules): the stop rule's order, the experiment
// fields, and every family's simulator and live engine ending on them at the first moment the budget is
// spent, not before and not a step later.

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <nlohmann/json.hpp>

#include "core/config/experiment.hpp"
#include "core/run/run_rules.hpp"
#include "core/sim/sim_engine.hpp"
#include "core/util/input_error.hpp"
#include "program_run.hpp"

using namespace distopt;
using nlohmann::json;

namespace {

const std::string kExperiments = DISTOPT_SOURCE_DIR "/resources/experiments/";

json experimentFile(const std::string& name) { return readExperimentFile(kExperiments + name + ".json"); }

// One small experiment per family, as the shipped files have them (the compressed family's files train
// on Fashion-MNIST: a small quadratic keeps this test quick).
json familyExperiment(const std::string& family) {
  if (family == "async") return experimentFile("quickstart");
  if (family == "compressed") {
    return json::parse(R"({"name": "compressed-budget", "seed": 3,
        "problem": {"name": "quadratic", "params": {"d": 64, "noise": "scalar", "noise_std": 0.01}},
        "algorithm": {"name": "sparse-signsgd-mv", "params": {"gamma": 0.001, "rho": 16, "alpha": 1.0}},
        "workers": {"count": 4, "time_model": {"name": "fixed", "params": {"h": "one"}}},
        "stop": {"updates": 200}, "eval": {"every_updates": 20}})");
  }
  if (family == "decentralized") return experimentFile("decentralized-live-ring8");
  if (family == "hybrid") return experimentFile("hybrid-live-quadratic-spectrum");
  return experimentFile("kron-live-fast");
}

RunSummary runSim(json document) {
  document["engine"] = "sim";
  const Experiment experiment = parseExperiment(document, kExperiments);
  BuiltRun run = buildRun(experiment);
  TelemetrySink discard;
  return run.simRun->run(discard);
}

json withStop(json document, const json& stop) {
  document["stop"] = stop;
  return document;
}

std::uint64_t bytesOf(const RunSummary& s) { return s.bytesUplink + s.bytesDownlink; }

}  // namespace

class TestRunBudgets : public QObject {
  Q_OBJECT

 private slots:
  void theStopRuleNamesTheSpentBudget() {
    RunRules rules;
    rules.maxBytes = 1000;
    rules.maxGradients = 50;
    QVERIFY(!budgetSpent(rules, {.updates = 10, .bytes = 999, .gradients = 49}));
    QCOMPARE(*budgetSpent(rules, {.updates = 10, .bytes = 1000, .gradients = 0}), Termination::ByteLimit);
    QCOMPARE(*budgetSpent(rules, {.updates = 10, .bytes = 0, .gradients = 50}), Termination::GradientLimit);
    rules.maxUpdates = 10;
    QCOMPARE(*budgetSpent(rules, {.updates = 10, .bytes = 1000, .gradients = 50}), Termination::UpdateLimit);
    // 0 is no limit, whatever was spent.
    QVERIFY(!budgetSpent(RunRules{}, {.updates = 1u << 30, .bytes = 1u << 30, .gradients = 1u << 30}));

    // A fault or a target outranks a budget; a budget outranks the method's failure.
    std::string detail;
    LoopFacts facts{.spent = {.bytes = 1000}, .failure = "worker 2 lost"};
    QCOMPARE(*stopRule(rules, facts, &detail), Termination::ByteLimit);
    facts.targetReached = true;
    QCOMPARE(*stopRule(rules, facts, &detail), Termination::TargetReached);
    facts.diverged = true;
    QCOMPARE(*stopRule(rules, facts, &detail), Termination::Diverged);
    QCOMPARE(QString(terminationName(Termination::ByteLimit)), QString("byte_limit"));
    QCOMPARE(QString(terminationName(Termination::GradientLimit)), QString("gradient_limit"));

    // A budget alone is a stop rule.
    RunRules bytesOnly;
    bytesOnly.maxBytes = 1;
    std::string why;
    QVERIFY2(bytesOnly.isValid(&why), why.c_str());
    QVERIFY(!RunRules{}.isValid(&why));
  }

  void theExperimentReadsItsBudgets() {
    json document = withStop(familyExperiment("async"), {{"bytes", 5000000}, {"gradients", 300}});
    const Experiment experiment = parseExperiment(document, kExperiments);
    QCOMPARE(experiment.stopBytes, std::uint64_t{5000000});
    QCOMPARE(experiment.stopGradients, std::uint64_t{300});
    QCOMPARE(experiment.document.at("stop").at("bytes"), json(5000000));
    QCOMPARE(experiment.document.at("stop").at("gradients"), json(300));
    QCOMPARE(buildRun(experiment).rules.maxBytes, std::uint64_t{5000000});

    // Without them the normal document reads as it always did.
    const Experiment plain = parseExperiment(familyExperiment("async"), kExperiments);
    QVERIFY(!plain.document.at("stop").contains("bytes"));
    QVERIFY(!plain.document.at("stop").contains("gradients"));

    for (const json& bad : {json(-1), json(2.5), json("1e6"), json(1e19), json::array()}) {
      for (const char* key : {"bytes", "gradients"}) {
        try {
          (void)parseExperiment(withStop(familyExperiment("async"), {{key, bad}}), kExperiments);
          QFAIL(("accepted stop." + std::string(key) + " = " + bad.dump()).c_str());
        } catch (const InputError& e) {
          QCOMPARE(QString::fromStdString(e.where()), QString("stop.") + key);
        }
      }
    }
  }

  void everySimulatorEndsWhenItsBudgetIsSpent_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("budget");
    for (const char* family : {"async", "compressed", "decentralized", "hybrid", "kron"})
      for (const char* budget : {"bytes", "gradients"})
        QTest::newRow((std::string(family) + " " + budget).c_str()) << family << budget;
  }
  void everySimulatorEndsWhenItsBudgetIsSpent() {
    QFETCH(QString, family);
    QFETCH(QString, budget);
    const json document = familyExperiment(family.toStdString());
    const RunSummary whole = runSim(document);
    const bool bytes = budget == "bytes";
    auto spent = [bytes](const RunSummary& s) { return bytes ? bytesOf(s) : s.gradientEvaluations; };
    QVERIFY2(spent(whole) > 0 && whole.updatesApplied > 4, "the whole run counts nothing");

    // Half of what the whole run spent: the run ends on that budget, at the first step that reaches it.
    const std::uint64_t limit = spent(whole) / 2;
    const RunSummary budgeted = runSim(withStop(document, {{budget.toStdString(), limit}}));
    QCOMPARE(QString(terminationName(budgeted.termination)), bytes ? QString("byte_limit") : QString("gradient_limit"));
    QVERIFY2(spent(budgeted) >= limit, (std::to_string(spent(budgeted)) + " < " + std::to_string(limit)).c_str());
    QVERIFY(budgeted.updatesApplied < whole.updatesApplied);
    // One update fewer had not spent it: the run did not go on past the budget. (Not for the Kronecker
    // network's bytes: its close sends the final evaluation's messages, counted after the stop.)
    const RunSummary before = runSim(withStop(document, {{"updates", budgeted.updatesApplied - 1}}));
    if (family != "kron" || !bytes)
      QVERIFY2(spent(before) < limit, (std::to_string(spent(before)) + " >= " + std::to_string(limit)).c_str());
    else
      QVERIFY(before.updatesApplied + 1 == budgeted.updatesApplied);
    // The gradient count is the same in every run of one configuration: the whole run's is the sum of its
    // steps, so the budgeted run's prefix counts the same.
    QVERIFY(budgeted.gradientEvaluations <= whole.gradientEvaluations);
  }

  void liveRunsEndWhenTheirBudgetIsSpent_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("budget");
    QTest::newRow("async bytes") << "async" << "bytes";
    QTest::newRow("async gradients") << "async" << "gradients";
    QTest::newRow("decentralized gradients") << "decentralized" << "gradients";
    QTest::newRow("kron bytes") << "kron" << "bytes";
  }
  void liveRunsEndWhenTheirBudgetIsSpent() {
    QFETCH(QString, family);
    QFETCH(QString, budget);
    const bool bytes = budget == "bytes";
    json document = familyExperiment(family.toStdString());
    const RunSummary simulated = runSim(document);
    // A quarter of the simulated run's: the live run counts the same messages at the socket (plus
    // heartbeats), so it spends the budget well before its own time or update limit.
    const std::uint64_t limit = (bytes ? bytesOf(simulated) : simulated.gradientEvaluations) / 4;
    document["stop"][budget.toStdString()] = limit;

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath("experiment.json");
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(QByteArray::fromStdString(document.dump()));
    out.close();
    const QString results = dir.filePath("out");
    const ProgramResult r = runProgram(QStringLiteral(DISTOPT_BIN_DIR "/distopt-run"),
                                       {file, "--engine", "live", "--out", results, "--no-store", "--quiet"}, 120'000);
    QVERIFY2(r.exitCode == 0, r.describe().c_str());
    QFile summaryFile(results + "/summary.json");
    QVERIFY(summaryFile.open(QIODevice::ReadOnly));
    const json summary = json::parse(summaryFile.readAll().toStdString());
    QCOMPARE(QString::fromStdString(summary.at("termination").get<std::string>()),
             bytes ? QString("byte_limit") : QString("gradient_limit"));
    const std::uint64_t spent =
        bytes ? summary.at("bytes_uplink").get<std::uint64_t>() + summary.at("bytes_downlink").get<std::uint64_t>()
              : summary.at("gradient_evaluations").get<std::uint64_t>();
    QVERIFY2(spent >= limit, summary.dump().c_str());
    QVERIFY(summary.at("updates_applied").get<std::uint64_t>() < simulated.updatesApplied);
  }
};

QTEST_GUILESS_MAIN(TestRunBudgets)
#include "test_run_budgets.moc"
