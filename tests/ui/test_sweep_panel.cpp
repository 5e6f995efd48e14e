// The sweep panel (ui/sweep) through the real distopt-run: "Sweep this…" on a field of the form, a
// 2-value × 2-seed simulated sweep of the quickstart run from the panel, the results table filled from
// sweep.csv with mean ± sd over seeds (checked against the runs' own summaries), the metric plot, the
// best point's curves as one band, and the best point opened as an ordinary stored run through the
// history panel's open path; Stop ends the sweep cleanly and Start resumes it.
#include <QAction>
#include <QApplication>
#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFont>
#include <QImage>
#include <QLineEdit>
#include <QLineSeries>
#include <QMenu>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>

#include "core/analysis/seed_band.hpp"
#include "core/store/run_store.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/editor/experiment_editor.hpp"
#include "ui/editor/option_form.hpp"
#include "ui/history/run_history_panel.hpp"
#include "ui/main_window/main_window.hpp"
#include "ui/sweep/sweep_panel.hpp"
#include "ui/sweep/sweep_results.hpp"

using namespace distopt;
using namespace distopt::ui;

namespace {

const QString kProgram = QStringLiteral(DISTOPT_BIN_DIR "/distopt-run");
const QString kWorkbench = QStringLiteral(DISTOPT_BIN_DIR "/distopt-workbench");
const QString kExperiments = QStringLiteral(DISTOPT_SOURCE_DIR "/resources/experiments");

nlohmann::json quickstartSim(double stopTime) {
  std::ifstream in((kExperiments + "/quickstart.json").toStdString());
  nlohmann::json experiment = nlohmann::json::parse(in);
  experiment["engine"] = "sim";
  experiment["stop"] = {{"time", stopTime}};
  return experiment;
}

nlohmann::json readJson(const QString& path) {
  std::ifstream in(path.toStdString());
  return nlohmann::json::parse(in, nullptr, false);
}

// Opens the context menu of `field` and chooses "Sweep this…" in it; false when the menu has no such
// action. The menu is closed again, so the next call finds its own.
bool chooseSweepThis(QWidget* field) {
  for (QWidget* top : QApplication::topLevelWidgets())
    if (auto* menu = qobject_cast<QMenu*>(top)) menu->close();
  emit field->customContextMenuRequested(QPoint(2, 2));
  for (QWidget* top : QApplication::topLevelWidgets())
    if (auto* menu = qobject_cast<QMenu*>(top); menu && menu->isVisible())
      for (QAction* action : menu->actions())
        if (action->objectName() == QLatin1String("sweepThis")) {
          action->trigger();
          menu->close();
          return true;
        }
  return false;
}

}  // namespace

class TestSweepPanel : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  QString store() const { return m_dir.filePath("runs.sqlite"); }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFileInfo(kProgram).isExecutable(), qPrintable(kProgram + " is not built"));
  }

  void sweepThisOnAFieldOfTheForm() {
    ExperimentEditor editor;
    QString why;
    QVERIFY2(editor.loadFile(kExperiments + "/quickstart.json", &why), qPrintable(why));
    QSignalSpy requested(&editor, &ExperimentEditor::sweepRequested);
    QWidget* gamma = editor.algorithmForm()->fieldWidget("gamma");
    QVERIFY(gamma);
    QVERIFY(chooseSweepThis(gamma));
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested[0][0].toString(), QString("algorithm.params.gamma"));
    QCOMPARE(requested[0][1].toString(), QString("0.5"));
    // The editor's own fields too, with their path.
    QWidget* seed = editor.findChild<QLineEdit*>();
    QVERIFY(seed);
    requested.clear();
    for (QLineEdit* line : editor.findChildren<QLineEdit*>())
      if (line->toolTip().startsWith("Run seed")) seed = line;
    QVERIFY(chooseSweepThis(seed));
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested[0][0].toString(), QString("seed"));
  }

  // In the window: "Sweep this…" on a form field shows the sweep dock with that field in it.
  void sweepThisOpensThePanelInTheWindow() {
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    QString why;
    QVERIFY2(window.openExperiment(kExperiments + "/quickstart.json", &why), qPrintable(why));
    auto* dock = qobject_cast<QDockWidget*>(window.sweepPanel()->parentWidget());
    QVERIFY(dock);
    QVERIFY(!dock->isVisible());
    QCOMPARE(window.sweepPanel()->fieldCount(), 0);
    QVERIFY(chooseSweepThis(window.editor()->algorithmForm()->fieldWidget("R")));
    QVERIFY(dock->isVisible());
    QCOMPARE(window.sweepPanel()->fieldCount(), 1);
  }

  // The best point follows the stated rule over seeds, as a comparison file's "select": the median is
  // not fooled by one lucky seed, the worst seed by a failed one, and a failed seed counts as the worst.
  void theBestPointFollowsTheStatedRule() {
    const QString csv =
        "run,point,seed,algorithm.params.gamma,state,termination,final_gap\n"
        "p000-s1,0,1,0.1,done,time_limit,1e-9\n"  // one lucky seed: the lowest mean
        "p000-s2,0,2,0.1,done,time_limit,0.9\n"
        "p000-s3,0,3,0.1,done,time_limit,0.8\n"
        "p001-s1,1,1,0.2,done,time_limit,0.3\n"  // the lowest median
        "p001-s2,1,2,0.2,done,time_limit,0.3\n"
        "p001-s3,1,3,0.2,done,time_limit,1.5\n"
        "p002-s1,2,1,0.3,done,time_limit,0.58\n"  // the best worst seed
        "p002-s2,2,2,0.3,done,time_limit,0.58\n"
        "p002-s3,2,3,0.3,done,time_limit,0.58\n"
        "p003-s1,3,1,0.4,done,time_limit,0.01\n"  // best in everything but one seed failed
        "p003-s2,3,2,0.4,failed,,\n"
        "p003-s3,3,3,0.4,failed,,\n";
    SweepResults results;
    QString why;
    QVERIFY2(parseSweepResults(csv, &results, &why), qPrintable(why));
    QCOMPARE(results.statistic, std::string("median"));
    QCOMPARE(results.best(), 1);
    QVERIFY(parseSweepResults(csv, &results, &why, QString(), "mean"));
    QCOMPARE(results.best(), 0);
    QVERIFY(parseSweepResults(csv, &results, &why, QString(), "max"));
    QCOMPARE(results.best(), 2);
    // Point 3's two failed seeds count as infinitely bad: its median and mean are infinite.
    QVERIFY(std::isinf(results.score(3)));
    QCOMPARE(results.points[3].seedValues.size(), std::size_t{3});

    // The table shows the rule's score and follows a change of rule.
    SweepResultsModel model;
    QVERIFY(parseSweepResults(csv, &results, &why));
    model.setResults(results);
    const int score = model.trailingColumn(SweepResultsModel::Score);
    QVERIFY(model.headerData(score, Qt::Horizontal).toString().startsWith("median"));
    QCOMPARE(model.data(model.index(1, score)).toString(), QString("0.3"));
    QVERIFY(model.data(model.index(1, 0), Qt::FontRole).value<QFont>().bold());
    model.setStatistic("max");
    QVERIFY(model.headerData(score, Qt::Horizontal).toString().startsWith("worst seed"));
    QCOMPARE(model.data(model.index(0, score)).toString(), QString("0.9"));
    QVERIFY(model.data(model.index(2, 0), Qt::FontRole).value<QFont>().bold());
    QVERIFY(!model.data(model.index(1, 0), Qt::FontRole).value<QFont>().bold());
  }

  void badFieldsAreRefusedBeforeAnythingStarts() {
    SweepPanel panel(store());
    panel.setProgram(kProgram);
    panel.setOutputRoot(m_dir.filePath("refused"));
    QString why;
    QVERIFY(!panel.start(quickstartSim(20), kExperiments, &why));
    QVERIFY2(why.contains("choose a field"), qPrintable(why));
    panel.addField("algorithm.params.gamma", "1..0.1/log:x");
    QVERIFY(!panel.start(quickstartSim(20), kExperiments, &why));
    QVERIFY2(why.contains("--sweep"), qPrintable(why));
    QVERIFY(!panel.isRunning());
    QVERIFY(!QDir(m_dir.filePath("refused")).exists());
  }

  void twoValuesTwoSeedsFromThePanel() {
    SweepPanel panel(store());
    panel.resize(900, 800);
    panel.setProgram(kProgram);
    panel.setOutputRoot(m_dir.filePath("sweeps"));
    panel.addField("algorithm.params.gamma", "0.5");
    panel.addField("algorithm.params.gamma", "0.05,0.5");  // the same field again: new values, one row
    QCOMPARE(panel.fieldCount(), 1);
    panel.setSeeds("1..2");
    panel.setJobs(2);
    QSignalSpy finished(&panel, &SweepPanel::finished);
    QSignalSpy changed(&panel, &SweepPanel::resultsChanged);
    QSignalSpy curvesShown(&panel, &SweepPanel::curvesShown);
    QString why;
    QVERIFY2(panel.start(quickstartSim(60), kExperiments, &why), qPrintable(why));
    QVERIFY(panel.isRunning());
    QVERIFY(panel.commandLine().contains("--sweep"));
    QVERIFY(panel.commandLine().contains("algorithm.params.gamma=0.05,0.5"));
    QCOMPARE(panel.commandLine()[panel.commandLine().indexOf("--jobs") + 1], QString("2"));
    QVERIFY(finished.wait(240'000));
    QVERIFY2(finished[0][0].toInt() == 0, qPrintable(panel.statusText()));
    QVERIFY(!changed.isEmpty());

    // Two rows, one per point, each with both seeds and the mean ± sd of their final f − f*.
    SweepResultsModel* model = panel.model();
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(model->results().metric, QString("final_gap"));
    const QString folder = panel.sweepFolder();
    std::vector<BandPoint> expected;
    for (int row = 0; row < 2; ++row) {
      const SweepPointResult& p = model->results().points[static_cast<std::size_t>(row)];
      QCOMPARE(model->data(model->index(row, model->trailingColumn(SweepResultsModel::Seeds))).toString(),
               QString("2/2"));
      std::vector<double> gaps;
      for (const QString& run : p.folders)
        gaps.push_back(readJson(folder + "/" + run + "/summary.json").at("final_gap").get<double>());
      QCOMPARE(gaps.size(), std::size_t{2});
      QVERIFY(gaps[0] != gaps[1]);  // two seeds, two results
      expected.push_back(summarize(gaps));
      QCOMPARE(p.metric.mean, expected.back().mean);
      QCOMPARE(p.metric.stddev, expected.back().stddev);
      const QString shown =
          model->data(model->index(row, model->trailingColumn(SweepResultsModel::Metric))).toString();
      QVERIFY2(shown.contains(" ± ") && shown.startsWith(QString::number(expected.back().mean, 'g', 4)),
               qPrintable(shown));
    }
    QCOMPARE(model->results().points[0].values[0], QString("0.05"));
    QCOMPARE(model->results().points[1].values[0], QString("0.5"));

    // Sorting by the metric puts the best point first (with two seeds the median is the mean).
    const int best = expected[0].mean < expected[1].mean ? 0 : 1;
    QCOMPARE(panel.bestPoint(), best);
    panel.view()->sortByColumn(model->trailingColumn(SweepResultsModel::Metric), Qt::AscendingOrder);
    QCOMPARE(panel.view()->model()->index(0, 0).data().toString(), QString("p00%1").arg(best));

    // The plot: the final metric against gamma, one line with both points; log x (0.05 to 0.5 is a decade).
    const auto series = panel.metricChart()->series();
    QCOMPARE(series.size(), 1);
    QCOMPARE(static_cast<QLineSeries*>(series[0])->count(), 2);
    QVERIFY(panel.metricChart()->axes(Qt::Horizontal).front()->inherits("QLogValueAxis"));
    // Its labels as people write them, several within the one decade (Qt's own: "0.1" alone).
    QStringList xLabels;
    for (QAbstractAxis* axis : panel.metricChart()->axes(Qt::Horizontal))
      if (auto* shown = qobject_cast<QCategoryAxis*>(axis); shown && shown->isVisible())
        xLabels << shown->categoriesLabels();
    QVERIFY2(xLabels.contains("5 × 10⁻²") && xLabels.contains("10⁻¹") && xLabels.size() >= 3,
             qPrintable(xLabels.join(" | ")));

    // The chosen point's seeds as one mean line with a band, not two lines, loaded off the GUI thread.
    QTRY_VERIFY_WITH_TIMEOUT(!curvesShown.isEmpty() && curvesShown.last()[0].toInt() == best, 20'000);
    QVERIFY2(curvesShown.last()[1].toString().isEmpty(), qPrintable(curvesShown.last()[1].toString()));
    LiveChart* curves = panel.curveChart();
    QCOMPARE(curves->seriesCount(), 1);
    QVERIFY(curves->band(0) != nullptr);
    QVERIFY(curves->series(0)->name().contains("min–max of 2 seeds"));
    QVERIFY(curves->series(0)->name().contains(best == 0 ? "gamma=0.05" : "gamma=0.5"));
    QVERIFY(curves->band(0)->upperSeries()->count() > 100);
    // The band the person chooses: ± sd instead of min–max, for the same point.
    curvesShown.clear();
    panel.setBandKind(BandKind::StdDev);
    QTRY_VERIFY_WITH_TIMEOUT(!curvesShown.isEmpty(), 20'000);
    QCOMPARE(curves->seriesCount(), 1);
    QVERIFY2(curves->series(0)->name().contains("± sd of 2 seeds"), qPrintable(curves->series(0)->name()));
    QVERIFY(curves->series(0)->name().contains(best == 0 ? "gamma=0.05" : "gamma=0.5"));

    // The figure in every format: distopt-run wrote sweep.svg, the panel added PNG and PDF beside it.
    QImage png(folder + "/sweep.png");
    QVERIFY(!png.isNull() && png.width() >= 1000);
    // Drawn as the SVG means: a white plot with a few lines, not a filled (black) clip rectangle.
    int dark = 0;
    for (int y = 0; y < png.height(); y += 4)
      for (int x = 0; x < png.width(); x += 4) dark += qGray(png.pixel(x, y)) < 60;
    QVERIFY2(dark < png.width() * png.height() / 16 / 20, qPrintable(QString::number(dark)));
    QFile pdf(folder + "/sweep.pdf");
    QVERIFY(pdf.open(QIODevice::ReadOnly) && pdf.read(5) == "%PDF-");
    pdf.close();
    // The same from the command line: distopt-workbench --export-figures, without a display.
    QVERIFY(QFile::remove(folder + "/sweep.png") && QFile::remove(folder + "/sweep.pdf"));
    QProcess figures;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove("DISPLAY");
    environment.remove("WAYLAND_DISPLAY");
    environment.remove("QT_QPA_PLATFORM");
    figures.setProcessEnvironment(environment);
    figures.start(kWorkbench, {"--export-figures", folder});
    QVERIFY(figures.waitForFinished(60'000));
    QVERIFY2(figures.exitCode() == 0, figures.readAllStandardError().constData());
    QVERIFY(QFile::exists(folder + "/sweep.png") && QFile::exists(folder + "/sweep.pdf"));
    QVERIFY(!QImage(folder + "/sweep.png").isNull());
    figures.start(kWorkbench, {"--export-figures", m_dir.filePath("no-such-folder")});
    QVERIFY(figures.waitForFinished(60'000));
    QCOMPARE(figures.exitCode(), 1);
    QVERIFY(figures.readAllStandardError().contains("no SVG figure"));

    // The best point opens as an ordinary stored run, through the history panel's open path.
    RunHistoryPanel history(store());
    connect(&panel, &SweepPanel::openRunRequested, &history, &RunHistoryPanel::openRun);
    QSignalSpy opened(&history, &RunHistoryPanel::openRequested);
    QVERIFY(panel.openPoint(best));
    QVERIFY(opened.wait(20'000));
    const auto run = opened[0][0].value<StoredRun>();
    QCOMPARE(run.experiment.at("algorithm").at("params").at("gamma").get<double>(), best == 0 ? 0.05 : 0.5);
    QCOMPARE(run.experiment.at("seed").get<int>(), 1);
    QVERIFY(!run.evaluations.empty());
  }

  void stopEndsTheRunsCleanlyAndStartResumes() {
    SweepPanel panel(store());
    panel.setProgram(kProgram);
    panel.setOutputRoot(m_dir.filePath("stopped"));
    panel.addField("algorithm.params.gamma", "0.1,0.2,0.3");
    panel.setSeeds("1..2");
    panel.setJobs(1);
    QSignalSpy finished(&panel, &SweepPanel::finished);
    QSignalSpy changed(&panel, &SweepPanel::resultsChanged);
    // Long enough (about 2 s of wall time a run) that Stop comes while the second run is running.
    nlohmann::json experiment = quickstartSim(300'000);
    experiment["eval"] = {{"interval", 1000}};
    QString why;
    QVERIFY2(panel.start(experiment, kExperiments, &why), qPrintable(why));
    QVERIFY(changed.wait(120'000));  // the first run ended and sweep.csv says so
    panel.stop();
    QVERIFY(finished.wait(60'000));
    QCOMPARE(finished[0][0].toInt(), 130);
    const QString folder = panel.sweepFolder();
    // Not every run ran: the rest is left for the resume.
    QVERIFY(panel.model()->results().done < 6);
    QVERIFY2(panel.statusText().contains("resumes"), qPrintable(panel.statusText()));
    QVERIFY2(panel.start(experiment, kExperiments, &why), qPrintable(why));
    QCOMPARE(panel.sweepFolder(), folder);
    QVERIFY(finished.wait(240'000));
    QCOMPARE(finished[1][0].toInt(), 0);
    QCOMPARE(panel.model()->results().done, 6);
    QCOMPARE(panel.model()->rowCount(), 3);
  }

  void tableTextThatIsNotASweepIsRefused() {
    SweepResults results;
    QString why;
    QVERIFY(!parseSweepResults("", &results, &why));
    QVERIFY(!parseSweepResults("a,b,c\n1,2,3\n", &results, &why));
    QVERIFY(
        !parseSweepResults("run,point,seed,\"x\",state,final_loss\np000-s1,0,1,1,done\n", &results, &why));
    QVERIFY2(why.contains("cells"), qPrintable(why));
    QVERIFY(!parseSweepResults("run,point,seed,\"x\",state,final_loss\np000-s1,zero,1,1,done,2\n", &results,
                               &why));
    QVERIFY(!parseSweepResults("run,point,seed,\"x\",state,final_loss,reason\np0,0,1,1,done,2,\"open\n",
                               &results, &why));
    // A reason with a comma and a line break inside quotes is one cell.
    QVERIFY2(parseSweepResults("run,point,seed,\"x\",state,final_loss,reason\n"
                               "p000-s1,0,1,\"\"\"a\"\"\",failed,,\"exit 1: no, \nreally\"\n"
                               "p000-s2,0,2,\"\"\"a\"\"\",done,4,\"\"\n",
                               &results, &why),
             qPrintable(why));
    QCOMPARE(results.points.size(), std::size_t{1});
    QCOMPARE(results.points[0].values[0], QString("a"));
    QCOMPARE(results.points[0].failed, 1);
    QCOMPARE(results.points[0].done, 1);
    QCOMPARE(results.points[0].metric.mean, 4.0);
  }
};

QTEST_MAIN(TestSweepPanel)
#include "test_sweep_panel.moc"
