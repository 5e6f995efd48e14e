// The run history as a tracker (ui/history: run_columns, run_filter, history_proxy, run_history_model,
// run_history_panel) on a store of real simulated runs of several families (distopt-run into the test's
// store): columns from experiment fields, the summary and family metrics with the runs' own values,
// "–" only where a run has no such value, filter by text and per column, numeric sort, groups, and the
// chosen columns restored in a new panel.
#include <QAbstractButton>
#include <QLineEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "core/store/run_store.hpp"
#include "ui/history/history_proxy.hpp"
#include "ui/history/run_history_model.hpp"
#include "ui/history/run_history_panel.hpp"

using namespace distopt;
using namespace distopt::ui;

namespace {

nlohmann::json readJson(const QString& path) {
  std::ifstream in(path.toStdString());
  return nlohmann::json::parse(in, nullptr, false);
}

}  // namespace

class TestHistoryTracker : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;

  struct Run {
    QString name;  // also its output folder
    QString preset;
    QStringList args;
    nlohmann::json summary;     // summary.json as distopt-run wrote it
    nlohmann::json experiment;  // the experiment as run (summary.json's "experiment")
    std::int64_t id = 0;
  };
  std::vector<Run> m_runs;

  QString store() const { return m_dir.filePath("runs.sqlite"); }

  const Run& run(const QString& name) const {
    for (const Run& r : m_runs)
      if (r.name == name) return r;
    qFatal("no run %s", qPrintable(name));
  }

  /// The shown text of a run's cell in column `key` (ungrouped panel).
  static QString textOf(const RunHistoryPanel& panel, std::int64_t runId, const QString& key) {
    const int column = panel.model()->columnOf(key);
    if (column < 0) return QStringLiteral("<no column %1>").arg(key);
    return panel.model()->data(panel.model()->indexOfRun(runId, column)).toString();
  }
  static QVariant valueOf(const RunHistoryPanel& panel, std::int64_t runId, const QString& key) {
    const int column = panel.model()->columnOf(key);
    return column < 0 ? QVariant()
                      : panel.model()->data(panel.model()->indexOfRun(runId, column), Qt::UserRole);
  }

  /// Run ids in the view's order (ungrouped).
  static std::vector<std::int64_t> shownRuns(const RunHistoryPanel& panel) {
    std::vector<std::int64_t> ids;
    const HistoryProxy* proxy = panel.proxy();
    for (int row = 0; row < proxy->rowCount(); ++row)
      ids.push_back(panel.model()->runIdOf(proxy->mapToSource(proxy->index(row, 0))));
    return ids;
  }

  std::set<std::int64_t> idsWhere(const std::function<bool(const Run&)>& keep) const {
    std::set<std::int64_t> ids;
    for (const Run& r : m_runs)
      if (keep(r)) ids.insert(r.id);
    return ids;
  }

  static std::set<std::int64_t> asSet(const std::vector<std::int64_t>& ids) {
    return {ids.begin(), ids.end()};
  }

  static std::optional<double> gammaOf(const Run& r) {
    const auto& params = r.experiment["algorithm"]["params"];
    if (params.contains("gamma") && params["gamma"].is_number()) return params["gamma"].get<double>();
    return std::nullopt;
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    const QStringList mnist = {"--set", "stop.updates=40",          "--set", "eval.every_updates=20",
                               "--set", "problem.params.limit=1000"};
    // One per family, two Ringmaster runs that differ in γ (and so in nothing else), shortened.
    m_runs = {{"ring-a", "quickstart", {"--engine", "sim", "--set", "stop.time=60"}, {}, {}, 0},
              {"ring-b",
               "quickstart",
               {"--engine", "sim", "--set", "stop.time=60", "--set", "algorithm.params.gamma=0.05"},
               {},
               {},
               0},
              {"compressed", "compressed-e1-signsgd-mv", mnist, {}, {}, 0},
              {"hybrid", "hybrid-fashion-mnist-mlp", mnist, {}, {}, 0},
              {"decentralized", "decentralized-e0-p0-proxgt-sr-e", {"--set", "stop.updates=40"}, {}, {}, 0}};
    // One at a time: they share the store, and the machine is shared.
    for (Run& r : m_runs) {
      QProcess process;
      QStringList args = {QStringLiteral(DISTOPT_SOURCE_DIR "/resources/experiments/") + r.preset + ".json",
                          "--quiet",
                          "--store",
                          store(),
                          "--out",
                          m_dir.filePath(r.name)};
      args << r.args;
      process.start(QStringLiteral(DISTOPT_BIN_DIR "/distopt-run"), args);
      QVERIFY2(process.waitForFinished(180000) && process.exitCode() == 0,
               qPrintable(r.name + ": " + process.readAllStandardError()));
      r.summary = readJson(m_dir.filePath(r.name + "/summary.json"));
      QVERIFY2(r.summary.is_object(), qPrintable(r.name));
      r.experiment = r.summary["experiment"];
    }
    auto runStore = RunStore::open(store().toStdString());
    const auto listed = runStore->listRuns();  // newest first: the runs were made in m_runs' order
    QCOMPARE(listed.size(), m_runs.size());
    for (std::size_t i = 0; i < m_runs.size(); ++i) m_runs[i].id = listed[listed.size() - 1 - i].id;
  }

  void init() { QSettings().clear(); }

  void columnsComeFromTheExperimentTheSummaryAndTheFamilyMetrics() {
    RunHistoryPanel panel(store());
    QVERIFY(panel.refresh());
    QCOMPARE(panel.model()->rows().size(), m_runs.size());
    QStringList offered;
    for (const HistoryColumn& column : panel.model()->availableColumns()) offered << column.key;
    // Every field of every experiment is offered by its path (lists as one value).
    for (const Run& r : m_runs) {
      const nlohmann::json leaves = r.experiment.flatten();
      for (const auto& [path, value] : leaves.items()) {
        if (value.is_null()) continue;  // an empty object: no field
        QString key = QString::fromStdString(path).mid(1).replace('/', '.');
        key = key.section(QRegularExpression("\\.\\d+(\\.|$)"), 0, 0);  // into a list: the list's path
        if (key == "description" || key.isEmpty()) continue;
        QVERIFY2(offered.contains(key), qPrintable(key));
      }
    }
    // Every number of every summary.
    for (const Run& r : m_runs)
      for (const auto& [name, value] : r.summary.items())
        if (value.is_number())
          QVERIFY2(offered.contains("summary." + QString::fromStdString(name)), name.c_str());
    // Named in words, not snake_case.
    const auto titleOf = [&](const QString& key) {
      for (const HistoryColumn& column : panel.model()->availableColumns())
        if (column.key == key) return column.title;
      return QString();
    };
    QCOMPARE(titleOf("algorithm.name"), QString("Method"));
    QCOMPARE(titleOf("algorithm.params.gamma"), QString("γ"));
    QCOMPARE(titleOf("summary.final_test_accuracy"), QString("Test accuracy"));
    QCOMPARE(titleOf("summary.final_gap"), QString("Final f − f*"));
    QCOMPARE(titleOf("metric.consensus_error"), QString("Consensus error"));
    QCOMPARE(titleOf("metric.bits_up_per_iteration"), QString("Bits up per iteration"));

    const QStringList metrics = {"summary.final_loss",          "summary.final_gap",
                                 "summary.final_test_accuracy", "summary.final_grad_norm_sq",
                                 "summary.wall_seconds",        "metric.consensus_error",
                                 "metric.bits_up_per_iteration"};
    panel.setColumns(QStringList{"run", "algorithm.name", "algorithm.params.gamma", "workers.count",
                                 "dataset", "bytes", "outcome", "tags"} +
                     metrics);
    for (const QString& key : metrics) QVERIFY2(panel.model()->columnOf(key) >= 0, qPrintable(key));

    auto runStore = RunStore::open(store().toStdString());
    for (const Run& r : m_runs) {
      const auto evaluations = runStore->loadEvaluations(r.id);
      QVERIFY(!evaluations.empty());
      // The summary's figures as the run wrote them; "–" exactly where the run has none.
      for (const QString& key : metrics.filter("summary.")) {
        const auto& value = r.summary[key.mid(8).toStdString()];
        const QString what = r.name + " " + key;
        if (value.is_number()) {
          QCOMPARE(valueOf(panel, r.id, key).toDouble(), value.get<double>());
          QVERIFY2(textOf(panel, r.id, key) != "–", qPrintable(what));
        } else {
          QVERIFY2(textOf(panel, r.id, key) == "–", qPrintable(what + " shows " + textOf(panel, r.id, key)));
        }
      }
      // The family metrics of the last evaluation.
      for (const QString& key : metrics.filter("metric.")) {
        const auto& last = evaluations.back().metrics;
        const auto it = last.find(key.mid(7).toStdString());
        if (it != last.end())
          QCOMPARE(valueOf(panel, r.id, key).toDouble(), it->second);
        else
          QCOMPARE(textOf(panel, r.id, key), QString("–"));
      }
      QCOMPARE(textOf(panel, r.id, "algorithm.name"),
               QString::fromStdString(r.experiment["algorithm"]["name"].get<std::string>()));
      QCOMPARE(valueOf(panel, r.id, "workers.count").toDouble(),
               r.experiment["workers"]["count"].get<double>());
      if (const auto gamma = gammaOf(r))
        QCOMPARE(valueOf(panel, r.id, "algorithm.params.gamma").toDouble(), *gamma);
      QCOMPARE(valueOf(panel, r.id, "bytes").toDouble(),
               r.summary["bytes_uplink"].get<double>() + r.summary["bytes_downlink"].get<double>());
      QCOMPARE(textOf(panel, r.id, "outcome"),
               QString::fromStdString(r.summary["termination"].get<std::string>()));
    }
    // What the issue found missing: the classifiers' test accuracy, the quadratic's f − f*, and the
    // family metrics, each shown where the run has it.
    for (const QString name : {"compressed", "hybrid"}) {
      const double accuracy = run(name).summary["final_test_accuracy"].get<double>();
      QCOMPARE(textOf(panel, run(name).id, "summary.final_test_accuracy"),
               QString("%1 %").arg(accuracy * 100.0, 0, 'f', 2));
      QCOMPARE(textOf(panel, run(name).id, "dataset"), QString("fashion-mnist"));
    }
    QVERIFY(run("ring-a").summary["final_gap"].is_number());
    QVERIFY(textOf(panel, run("ring-a").id, "summary.final_gap") != "–");
    QVERIFY(textOf(panel, run("decentralized").id, "metric.consensus_error") != "–");
    QVERIFY(textOf(panel, run("compressed").id, "metric.bits_up_per_iteration") != "–");
  }

  void filtersByTextAndPerColumn() {
    RunHistoryPanel panel(store());
    QVERIFY(panel.refresh());
    const std::set<std::int64_t> all = idsWhere([](const Run&) { return true; });
    QCOMPARE(asSet(shownRuns(panel)), all);

    // Text: looked for in the shown columns (the data set is one of them).
    QVERIFY(panel.setFilterText("FASHION"));
    const auto mnist = idsWhere([](const Run& r) {
      return r.experiment["problem"]["params"].value("train_images", std::string()).find("fashion") !=
             std::string::npos;
    });
    QCOMPARE(mnist.size(), std::size_t{2});
    QCOMPARE(asSet(shownRuns(panel)), mnist);

    // Per column, by header, by path and by parameter name; numbers compare as numbers.
    QVERIFY(panel.setFilterText("method = ringmaster"));
    const auto ringmaster =
        idsWhere([](const Run& r) { return r.experiment["algorithm"]["name"] == "ringmaster"; });
    QCOMPARE(asSet(shownRuns(panel)), ringmaster);
    const auto smallGamma = idsWhere([](const Run& r) { return gammaOf(r) && *gammaOf(r) < 0.1; });
    QVERIFY(smallGamma.size() >= 2);
    QVERIFY(panel.setFilterText("γ < 0.1"));
    QCOMPARE(asSet(shownRuns(panel)), smallGamma);
    QVERIFY(panel.setFilterText("algorithm.params.gamma < 0.1"));
    QCOMPARE(asSet(shownRuns(panel)), smallGamma);
    QVERIFY(panel.setFilterText("method = ringmaster; gamma < 0.1"));
    QCOMPARE(asSet(shownRuns(panel)), (std::set<std::int64_t>{run("ring-b").id}));
    // A hidden column filters too: workers 10 > 8 (as text "10" < "8").
    QVERIFY(panel.setFilterText("workers.time_model.name ~ fix, workers.count > 8"));
    const auto wide = idsWhere([](const Run& r) {
      return r.experiment["workers"]["count"].get<int>() > 8 &&
             r.experiment["workers"]["time_model"]["name"] == "fixed";
    });
    QCOMPARE(asSet(shownRuns(panel)), wide);

    // A term naming no column refuses the filter with the reason and leaves the rows alone.
    QString why;
    QVERIFY(!panel.setFilterText("colour = red", &why));
    QVERIFY2(why.contains("colour"), qPrintable(why));
    QCOMPARE(asSet(shownRuns(panel)), wide);
    QVERIFY(panel.setFilterText(""));
    QCOMPARE(asSet(shownRuns(panel)), all);
  }

  void sortsNumbersAsNumbers() {
    RunHistoryPanel panel(store());
    QVERIFY(panel.refresh());
    panel.setColumns({"run", "workers.count", "summary.final_gap"});
    const int workers = panel.model()->columnOf("workers.count");
    panel.view()->sortByColumn(workers, Qt::AscendingOrder);
    std::vector<double> counts;
    for (std::int64_t id : shownRuns(panel)) counts.push_back(valueOf(panel, id, "workers.count").toDouble());
    QVERIFY(std::is_sorted(counts.begin(), counts.end()));
    // As text they would sort otherwise (16 and 10 before 4 and 8): the check means something.
    std::vector<QString> asText;
    for (double c : counts) asText.push_back(QString::number(c));
    QVERIFY(!std::is_sorted(asText.begin(), asText.end()));

    // Runs without f − f* (no f* for their problem) come last, whichever way.
    const int gap = panel.model()->columnOf("summary.final_gap");
    for (const Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
      panel.view()->sortByColumn(gap, order);
      const auto ids = shownRuns(panel);
      bool missing = false;
      std::vector<double> gaps;
      for (std::int64_t id : ids) {
        const QVariant value = valueOf(panel, id, "summary.final_gap");
        if (!value.isValid()) {
          missing = true;
          continue;
        }
        QVERIFY2(!missing, "a run with f − f* after one without");
        gaps.push_back(value.toDouble());
      }
      QVERIFY(missing);
      QVERIFY(gaps.size() >= 2);
      if (order == Qt::AscendingOrder)
        QVERIFY(std::is_sorted(gaps.begin(), gaps.end()));
      else
        QVERIFY(std::is_sorted(gaps.rbegin(), gaps.rend()));
    }
  }

  void groupsByMethod() {
    RunHistoryPanel panel(store());
    QVERIFY(panel.refresh());
    panel.setGroupBy("algorithm.name");
    const HistoryProxy* proxy = panel.proxy();
    std::map<std::string, std::set<std::int64_t>> expected;
    for (const Run& r : m_runs) expected[r.experiment["algorithm"]["name"].get<std::string>()].insert(r.id);
    QCOMPARE(proxy->rowCount(), static_cast<int>(expected.size()));
    for (int g = 0; g < proxy->rowCount(); ++g) {
      const QModelIndex group = proxy->index(g, 0);
      QVERIFY(panel.model()->isGroup(proxy->mapToSource(group)));
      const QString header = group.data().toString();  // "Method: ringmaster (2 runs)"
      QVERIFY2(header.startsWith("Method: "), qPrintable(header));
      const std::string method = header.mid(8).section(" (", 0, 0).toStdString();
      QVERIFY2(expected.count(method), qPrintable(header));
      std::set<std::int64_t> members;
      for (int row = 0; row < proxy->rowCount(group); ++row)
        members.insert(panel.model()->runIdOf(proxy->mapToSource(proxy->index(row, 0, group))));
      QCOMPARE(members, expected[method]);
      QVERIFY2(header.endsWith(
                   (members.size() == 1 ? QString(" (1 run)") : QString(" (%1 runs)").arg(members.size()))),
               qPrintable(header));
    }
    // Selection, opening and comparing work on grouped rows; a selected group stands for its runs.
    const std::int64_t a = run("ring-a").id;
    const std::int64_t b = run("ring-b").id;
    panel.selectRuns({b, a});
    QCOMPARE(asSet(panel.selectedRuns()), (std::set<std::int64_t>{a, b}));
    QSignalSpy opened(&panel, &RunHistoryPanel::openRequested);
    QVERIFY(panel.openRun(a));
    QVERIFY(opened.wait(30000));
    QString why;
    const auto differences = panel.compare(a, b, &why);
    QVERIFY2(differences.has_value(), qPrintable(why));
    QStringList paths;
    for (const auto& d : *differences) paths << d.path;
    QVERIFY2(paths.contains("algorithm.params.gamma"), qPrintable(paths.join(", ")));
    const QModelIndex ringGroup = proxy->mapFromSource(panel.model()->indexOfRun(a)).parent();
    panel.view()->selectionModel()->select(ringGroup,
                                           QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QCOMPARE(asSet(panel.selectedRuns()), (std::set<std::int64_t>{a, b}));
    // Filtered, a group counts only its runs that pass.
    QVERIFY(panel.setFilterText("gamma < 0.1"));
    const QModelIndex filteredGroup = proxy->mapFromSource(panel.model()->indexOfRun(b)).parent();
    QCOMPARE(proxy->rowCount(filteredGroup), 1);
    QVERIFY2(filteredGroup.data().toString().endsWith("(1 run)"),
             qPrintable(filteredGroup.data().toString()));
  }

  // At 1024 px the dashboard beside the form is about 580 px wide: the filter row and the action row
  // fit it whole, no button squeezed or off the edge, and nothing scrolls sideways.
  void actionsFitTheDashboardAt1024() {
    RunHistoryPanel panel(store());
    QVERIFY(panel.refresh());
    panel.resize(560, 500);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY2(panel.minimumSizeHint().width() <= 560,
             qPrintable(QString::number(panel.minimumSizeHint().width())));
    const auto buttons = panel.findChildren<QAbstractButton*>();
    QVERIFY(buttons.size() >= 6);
    for (const QAbstractButton* button : buttons) {
      if (!button->isVisible() || button->text().isEmpty()) continue;
      const QRect at(button->mapTo(&panel, QPoint(0, 0)), button->size());
      QVERIFY2(panel.rect().contains(at), qPrintable(button->text()));
      QVERIFY2(button->width() >= button->minimumSizeHint().width(), qPrintable(button->text()));
    }
    for (const QScrollArea* area : panel.findChildren<QScrollArea*>())
      QVERIFY2(!area->horizontalScrollBar()->isVisible() || area->widget() == nullptr ||
                   !area->widget()->findChild<QAbstractButton*>(),
               "the buttons scroll sideways");
  }

  void columnSetAndGroupAreRestored() {
    const QStringList chosen = {"run", "metric.consensus_error", "algorithm.params.gamma",
                                "summary.final_test_accuracy"};
    {
      RunHistoryPanel panel(store());
      QVERIFY(panel.refresh());
      panel.setColumns(chosen);
      panel.setGroupBy("problem.name");
    }
    RunHistoryPanel again(store());
    QVERIFY(again.refresh());
    QCOMPARE(again.model()->chosenColumns(), chosen);
    QCOMPARE(again.model()->shownKeys(), chosen);
    QCOMPARE(again.model()->groupBy(), QString("problem.name"));
    // The default set when nothing was saved.
    QSettings().clear();
    RunHistoryPanel fresh(store());
    QVERIFY(fresh.refresh());
    QCOMPARE(fresh.model()->chosenColumns(), defaultHistoryColumns());
    QVERIFY(fresh.model()->groupBy().isEmpty());
  }
};

QTEST_MAIN(TestHistoryTracker)
#include "test_history_tracker.moc"
