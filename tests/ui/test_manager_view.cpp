// The manager view (plain words, hints instead of large "no target", wall-clock time and time left,
// accuracy for classifiers, presentation mode) and the Metrics tab (metrics named in words, one chart
// per unit, a note for families without metrics): issue 23, items 2 and 5. Some drive real runs through
// the main window as a person would (distopt-run, a sim run of a preset, a short live run).

#include <QAbstractAxis>
#include <QAbstractButton>
#include <QChart>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolBar>
#include <QXYSeries>
#include <QtTest>

#include "ui/charts/live_chart.hpp"
#include "ui/charts/metric_names.hpp"
#include "ui/charts/tick_label_axis.hpp"
#include "ui/client/run_client.hpp"
#include "ui/dashboard/big_number_label.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/dashboard/manager_view.hpp"
#include "ui/dashboard/metrics_panel.hpp"
#include "ui/dashboard/workers_model.hpp"
#include "ui/editor/experiment_editor.hpp"
#include "ui/main_window/main_window.hpp"
#include "window_test_support.hpp"

using distopt::EvaluationPoint;
using distopt::ui::BigNumberLabel;
using distopt::ui::Dashboard;
using distopt::ui::MainWindow;
using distopt::ui::ManagerView;
using distopt::ui::MetricUnit;

namespace {

EvaluationPoint point(double time, double gap, std::uint64_t bytes) {
  EvaluationPoint p;
  p.time = time;
  p.updates = static_cast<std::uint64_t>(time);
  p.loss = gap + 1.0;
  p.gap = gap;
  p.bytesUp = bytes;
  return p;
}

// What a figure says: its value in large type, or the hint standing in for it.
QString said(const ManagerView::Figure& figure) {
  return figure.value->isHidden() ? figure.hint->text() : figure.value->text();
}

// Large figures whose text names something missing ("no target") instead of a value.
QStringList largeMissingTexts(const QWidget& root) {
  QStringList found;
  for (const BigNumberLabel* figure : root.findChildren<BigNumberLabel*>())
    if (!figure->isHidden() && (figure->text().contains("no ", Qt::CaseInsensitive) ||
                                figure->text().contains("baseline", Qt::CaseInsensitive) ||
                                figure->text().contains("target", Qt::CaseInsensitive)))
      found << figure->text();
  return found;
}

// The title of the y axis Qt draws (the one the series use is hidden: tick_label_axis.hpp).
QString yTitle(const distopt::ui::ChartPanel& chart) { return chart.yLabels()->title(); }

}  // namespace

class TestManagerView : public QObject {
  Q_OBJECT

  QTemporaryDir m_home;

 private slots:
  void initTestCase() { QVERIFY(window_test::useOwnHome(m_home)); }

  // The one table: every key a family reports has words (no snake_case) and a unit; an indexed key is
  // named after its base with the index; an unknown key is still readable.
  void metricNamesAreWordsWithUnits() {
    const auto keys = distopt::ui::knownMetricKeys();
    QVERIFY(keys.size() >= 40);
    for (const std::string& key : keys) {
      const auto name = distopt::ui::metricName(key);
      QVERIFY2(!name.words.isEmpty() && !name.words.contains('_'), key.c_str());
      QVERIFY2(name.words != QString::fromStdString(key), key.c_str());
      QVERIFY2(name.unit != MetricUnit::Other, key.c_str());
    }
    QCOMPARE(distopt::ui::metricName("consensus_error").words, QString("Consensus error"));
    QCOMPARE(distopt::ui::metricName("consensus_error").unit, MetricUnit::SquaredNorm);
    QCOMPARE(distopt::ui::metricName("cumulative_bits_up").unit, MetricUnit::Bits);
    QCOMPARE(distopt::ui::metricName("gossip_rounds").unit, MetricUnit::Count);
    QCOMPARE(distopt::ui::metricName("lambda_max").unit, MetricUnit::Eigenvalue);
    QCOMPARE(distopt::ui::metricName("wire_bytes").unit, MetricUnit::Bytes);
    QCOMPARE(distopt::ui::metricName("node_consensus_error.3").words, QString("Node consensus error, #3"));
    QCOMPARE(distopt::ui::metricName("some_new_key").words, QString("Some new key"));
    QCOMPARE(distopt::ui::metricName("some_new_key").unit, MetricUnit::Other);
    // Every unit has its own title (the charts' captions and axis titles).
    QSet<QString> titles;
    for (MetricUnit unit : distopt::ui::metricUnitOrder()) titles.insert(distopt::ui::metricUnitTitle(unit));
    QCOMPARE(titles.size(), static_cast<qsizetype>(distopt::ui::metricUnitOrder().size()));
  }

  // Two units, two charts: bits and counts never share an axis; series are named in words.
  void metricsTabDrawsOneChartPerUnit() {
    Dashboard dashboard;
    dashboard.beginRun({{"algorithm", {{"name", "prox-dsgd"}}}});
    EvaluationPoint p = point(1, 0.5, 10);
    p.metrics = {{"cumulative_bits_up", 1000.0},
                 {"bits_down_per_iteration", 10.0},
                 {"gossip_rounds", 3.0},
                 {"node_consensus_error.0", 0.1}};
    dashboard.addEvaluations({p});
    const auto* panel = dashboard.metrics();
    QCOMPARE(panel->charts().size(), std::size_t(2));
    QVERIFY(panel->chart(MetricUnit::Bits));
    QVERIFY(panel->chart(MetricUnit::Count));
    QCOMPARE(panel->chart(MetricUnit::Bits)->seriesCount(), 2);
    QCOMPARE(panel->chart(MetricUnit::Count)->series(0)->name(), QString("Gossip rounds per step"));
    QCOMPARE(yTitle(*panel->chart(MetricUnit::Bits)), QString("bits"));
    auto* choice = panel->findChild<QComboBox*>("xAxisChoice");
    QVERIFY(choice);
    choice->setCurrentIndex(choice->findData(static_cast<int>(distopt::ui::XAxis::Bytes)));
    QCOMPARE(panel->chart(MetricUnit::Count)->xAxis(), distopt::ui::XAxis::Bytes);
    QCOMPARE(panel->chart(MetricUnit::Bits)->xAxis(), distopt::ui::XAxis::Bytes);
    for (const QString& name : panel->seriesNames()) QVERIFY2(!name.contains('_'), qPrintable(name));
    QVERIFY(panel->note().isEmpty());
    // One export item per unit chart.
    QCOMPARE(panel->exportItems().size(), std::size_t(2));
    // A new run starts without the old run's charts.
    dashboard.beginRun({{"algorithm", {{"name", "prox-dsgd"}}}});
    QCOMPARE(panel->charts().size(), std::size_t(0));
    QVERIFY(!panel->note().isEmpty());
  }

  // The async family reports no family metrics: the tab says what it shows and where the rest is.
  void metricsTabOfAnAsyncRunSaysWhatItShows() {
    Dashboard dashboard;
    dashboard.beginRun({{"algorithm", {{"name", "asgd"}}}});
    dashboard.addEvaluations({point(1, 0.5, 10), point(2, 0.25, 20)});
    QCOMPARE(dashboard.metrics()->charts().size(), std::size_t(0));
    QVERIFY2(dashboard.metrics()->note().contains("Parameter-server"),
             qPrintable(dashboard.metrics()->note()));
    QVERIFY(dashboard.metrics()->note().contains("Dashboard tab"));
  }

  // Without a target or a baseline, the view says how to set them, in normal type; numbers read as
  // people write them; what the export gets has no controls.
  void managerViewSaysHowToSetWhatIsMissing() {
    Dashboard dashboard;
    dashboard.beginRun({{"name", "plain"}, {"workers", {{"count", 4}}}, {"stop", {{"time", 100}}}});
    dashboard.addEvaluations({point(0, 1.0, 0), point(10, 0.00599, 1000)});
    const ManagerView& view = *dashboard.manager();
    QCOMPARE(view.runName(), QString("plain"));
    QVERIFY(view.target().value->isHidden());
    QVERIFY2(said(view.target()).contains("Stop when"), qPrintable(said(view.target())));
    QVERIFY(view.speedUpFigure().value->isHidden());
    QVERIFY2(said(view.speedUpFigure()).contains("Run history"), qPrintable(said(view.speedUpFigure())));
    QVERIFY(said(view.bytesSavedFigure()).contains("Run history"));
    QVERIFY2(largeMissingTexts(view).isEmpty(), qPrintable(largeMissingTexts(view).join(", ")));
    QCOMPARE(view.quality().caption->text(), QString("Distance to the best possible loss"));
    QVERIFY(view.quality().box->toolTip().contains("f − f*"));
    QCOMPARE(said(view.quality()), QString("5.99 × 10⁻³"));
    QVERIFY(view.speedUpFigure().box->toolTip().contains("divided by"));
    QVERIFY(view.bytesSavedFigure().box->toolTip().contains("minus"));
    QVERIFY(view.accuracy().box->isHidden());  // no test accuracy: not a classifier
    QCOMPARE(yTitle(*view.progress()), QString("f − f* (distance to best)"));
    // A baseline: figures instead of hints.
    dashboard.setBaseline({"slow", {point(0, 1.0, 0), point(40, 0.001, 4000)}});
    QVERIFY(!view.speedUpFigure().value->isHidden());
    QVERIFY2(said(view.speedUpFigure()).endsWith("×"), qPrintable(said(view.speedUpFigure())));
    // A target not reached yet.
    dashboard.beginRun({{"name", "targeted"}, {"stop", {{"time", 100}, {"target_gap", 1e-9}}}});
    dashboard.addEvaluations({point(0, 1.0, 0)});
    QCOMPARE(said(view.target()), QString("not yet"));
    // What exports and presentation get: the figures and charts, no combo box, no button drawn (a widget
    // drawn with render() leaves out what is hidden in it).
    QWidget* exported = dashboard.managerView();
    const auto drawnIn = [](QWidget* root) {
      QStringList controls;
      for (const QWidget* control : root->findChildren<QComboBox*>())
        if (control->isVisibleTo(root)) controls << "combo box";
      for (const QAbstractButton* control : root->findChildren<QAbstractButton*>())
        if (control->isVisibleTo(root)) controls << control->text();
      return controls;
    };
    QVERIFY2(drawnIn(exported).isEmpty(), qPrintable(drawnIn(exported).join(", ")));
    QVERIFY(!drawnIn(dashboard.manager()).isEmpty());  // the controls are beside it
    // The one x choice beside the figure serves both charts, and shows a choice made elsewhere.
    auto* choice = dashboard.manager()->findChild<QComboBox*>("xAxisChoice");
    QVERIFY(choice);
    choice->setCurrentIndex(choice->findData(static_cast<int>(distopt::ui::XAxis::Updates)));
    QCOMPARE(view.progress()->xAxis(), distopt::ui::XAxis::Updates);
    QCOMPARE(view.traffic()->xAxis(), distopt::ui::XAxis::Updates);
    dashboard.manager()->setXAxis(distopt::ui::XAxis::Bytes);
    QCOMPARE(choice->currentData().toInt(), static_cast<int>(distopt::ui::XAxis::Bytes));
  }

  void readableNumbers() {
    QCOMPARE(distopt::ui::readableNumber(12345.0), QString("12345"));
    QCOMPARE(distopt::ui::readableNumber(0.0123), QString("0.0123"));
    QCOMPARE(distopt::ui::readableNumber(1.5e-7), QString("1.50 × 10⁻⁷"));
    QCOMPARE(distopt::ui::readableNumber(2.5e6), QString("2.50 × 10⁶"));
    QCOMPARE(distopt::ui::readableDuration(75), QString("1 min 15 s"));
    QCOMPARE(distopt::ui::readableDuration(7260), QString("2 h 1 min"));
  }

  // The Traffic chart's bytes read "6 M" with the unit in the title, not "6000000".
  void trafficReadsInSiPrefixes() {
    distopt::ui::WorkersModel workers;
    ManagerView view(workers);
    view.resize(900, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.beginRun({{"name", "traffic"}, {"engine", "sim"}, {"workers", {{"count", 8}}}});
    std::vector<EvaluationPoint> points;
    for (int i = 0; i <= 60; ++i)
      points.push_back(point(i, 1.0 / (i + 1), static_cast<std::uint64_t>(i) * 100000));
    view.addEvaluations(points);
    view.refreshNow();
    const QStringList labels = view.traffic()->yLabels()->labels();
    QVERIFY2(labels.filter(QRegularExpression(" M$")).size() >= 2, qPrintable(labels.join(" | ")));
    QVERIFY2(labels.filter(QRegularExpression("[0-9]{5,}")).isEmpty(), qPrintable(labels.join(" | ")));
    QVERIFY(yTitle(*view.traffic()).contains("bytes"));
  }

  // A simulated run's workers are said to be simulated (it has no live workers to count, "– / 8" was
  // not true); a live run's are counted.
  void simulatedWorkersAreSaidToBe() {
    distopt::ui::WorkersModel workers;
    ManagerView view(workers);
    view.beginRun({{"name", "simulated"}, {"engine", "sim"}, {"workers", {{"count", 8}}}});
    QCOMPARE(view.workersFigure().caption->text(), QString("Workers (simulated)"));
    QCOMPARE(said(view.workersFigure()), QString("8"));
    QVERIFY(view.workersFigure().box->toolTip().contains("simulated"));
    view.beginRun({{"name", "live"}, {"engine", "live"}, {"workers", {{"count", 8}}}});
    QCOMPARE(view.workersFigure().caption->text(), QString("Workers alive"));
    QCOMPARE(said(view.workersFigure()), QString("– / 8"));
  }

  // A finished sim run of a problem that knows f*: plain words, its name, its state, its wall time.
  void finishedSimRunWithFStar() {
    MainWindow window;
    const nlohmann::json document = {{"name", "manager-fstar"},
                                     {"seed", 3},
                                     {"engine", "sim"},
                                     {"problem", {{"name", "quadratic"}, {"params", {{"d", 16}}}}},
                                     {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 0.02}}}}},
                                     {"workers", {{"count", 4}}},
                                     {"stop", {{"time", 200}}},
                                     {"eval", {{"interval", 5}}}};
    window.editor()->setDocument(document);
    QString why;
    QVERIFY2(window_test::runToTheEnd(window, 60000, &why), qPrintable(why));
    const ManagerView& view = *window.dashboard()->manager();
    QCOMPARE(view.runName(), QString("manager-fstar"));
    QCOMPARE(view.runState(), window.runStateText());
    QVERIFY2(view.runState().startsWith("Finished"), qPrintable(view.runState()));
    QCOMPARE(view.quality().caption->text(), QString("Distance to the best possible loss"));
    QVERIFY(!said(view.quality()).contains("e-"));
    QVERIFY(view.accuracy().box->isHidden());
    QVERIFY2(said(view.elapsed()).endsWith(" s"), qPrintable(said(view.elapsed())));
    QVERIFY2(said(view.timeLeft()).contains("ended"), qPrintable(said(view.timeLeft())));
    QVERIFY(said(view.target()).contains("Stop when"));
    QVERIFY2(largeMissingTexts(view).isEmpty(), qPrintable(largeMissingTexts(view).join(", ")));
    QVERIFY(yTitle(*view.progress()).contains("f − f*"));
    QVERIFY(view.progress()->logY());
    QCOMPARE(said(view.workersFigure()), QString("4"));
  }

  // A classifier preset (logistic regression on a9a, which has a test set): its test accuracy in the
  // view, and the loss named as such where the problem has no f*.
  void classifierPresetShowsTestAccuracy() {
    MainWindow window;
    QString why;
    QVERIFY2(window.openExperiment(
                 DISTOPT_SOURCE_DIR "/resources/experiments/decentralized-p1-a9a-proxgt-sa.json", &why),
             qPrintable(why));
    nlohmann::json document = window.editor()->document();
    document["stop"] = {{"updates", 200}};
    window.editor()->setDocument(document);
    QVERIFY2(window_test::runToTheEnd(window, 120000, &why), qPrintable(why));
    const ManagerView& view = *window.dashboard()->manager();
    QVERIFY(!view.accuracy().box->isHidden());
    QVERIFY2(said(view.accuracy()).endsWith(" %"), qPrintable(said(view.accuracy())));
    const double percent = said(view.accuracy()).chopped(2).toDouble();
    QVERIFY2(percent > 50.0 && percent <= 100.0, qPrintable(said(view.accuracy())));
    // Its regularized logistic loss has no known f*: the loss itself, named so.
    QCOMPARE(view.quality().caption->text(), QString("Training loss"));
    QCOMPARE(yTitle(*view.progress()), QString("training loss"));
    QVERIFY(!view.progress()->logY());  // a loss within a decade: no log axis without ticks
    QVERIFY2(largeMissingTexts(view).isEmpty(), qPrintable(largeMissingTexts(view).join(", ")));
  }

  // During a live run: the wall clock runs and the time left is estimated from the run's limit and its
  // progress; the estimate goes once the run ended.
  void timeLeftIsEstimatedDuringARun() {
    MainWindow window;
    const nlohmann::json document = {{"name", "manager-live"},
                                     {"seed", 1},
                                     {"engine", "live"},
                                     {"problem", {{"name", "quadratic"}, {"params", {{"d", 16}}}}},
                                     {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 0.02}}}}},
                                     {"workers", {{"count", 2}, {"unit_ms", 5}}},
                                     {"stop", {{"time", 20000}}},
                                     {"eval", {{"interval", 50}}}};
    window.editor()->setDocument(document);
    QString why;
    QVERIFY2(window.startRun(&why), qPrintable(why));
    const ManagerView& view = *window.dashboard()->manager();
    QVERIFY2(window_test::waitFor(
                 [&] { return !view.timeLeft().value->isHidden() && said(view.timeLeft()) != "–"; }, 60000),
             qPrintable(said(view.timeLeft())));
    // 20000 units of 5 ms: about 100 s in all, so well over a few seconds are left.
    QVERIFY2(said(view.timeLeft()).contains("min") || said(view.timeLeft()).endsWith(" s"),
             qPrintable(said(view.timeLeft())));
    QVERIFY2(said(view.elapsed()).endsWith(" s"), qPrintable(said(view.elapsed())));
    QCOMPARE(view.elapsed().caption->text(), QString("Elapsed (wall clock)"));
    QSignalSpy finished(window.client(), &distopt::ui::RunClient::finished);
    window.client()->requestStop();
    QVERIFY(finished.wait(60000));
    QTest::qWait(50);
    QVERIFY(said(view.timeLeft()).contains("ended"));
  }

  // View → Presentation mode: the manager view alone, full screen, large, no form; Esc leaves and the
  // window is as it was.
  void presentationModeShowsOnlyTheManagerView() {
    MainWindow window;
    QVERIFY(window_test::showAt(window, QSize(1024, 700)));
    QTabWidget* tabs = window.dashboard()->tabs();
    tabs->setCurrentIndex(0);
    auto* dock = window.findChild<QDockWidget*>("ExperimentDock");
    QVERIFY(dock && dock->isVisible());
    const QFont before = window.dashboard()->manager()->quality().caption->font();
    window.setPresentationMode(true);
    QTest::qWait(100);
    QVERIFY(window.presentationMode());
    QVERIFY(window.isFullScreen());
    QVERIFY(!dock->isVisible());
    QVERIFY(!window.editor()->isVisible());
    QVERIFY(!window.menuBar()->isVisible());
    QVERIFY(!window.statusBar()->isVisible());
    for (auto* toolbar : window.findChildren<QToolBar*>()) QVERIFY(!toolbar->isVisible());
    QVERIFY(!tabs->tabBar()->isVisible());
    QCOMPARE(tabs->currentWidget(), static_cast<QWidget*>(window.dashboard()->manager()));
    QVERIFY(window.dashboard()->managerView()->isVisible());
    // Read-only: no control of any kind is visible.
    for (const auto* control : window.findChildren<QComboBox*>()) QVERIFY(!control->isVisible());
    for (const auto* control : window.findChildren<QAbstractButton*>())
      QVERIFY2(!control->isVisible(), qPrintable(control->objectName() + " " + control->text()));
    QVERIFY(window.dashboard()->manager()->quality().caption->font().pointSizeF() >= before.pointSizeF());
    QTest::keyClick(&window, Qt::Key_Escape);
    QTest::qWait(100);
    QVERIFY(!window.presentationMode());
    QVERIFY(!window.isFullScreen());
    QVERIFY(dock->isVisible());
    QVERIFY(window.menuBar()->isVisible());
    QVERIFY(window.statusBar()->isVisible());
    QVERIFY(tabs->tabBar()->isVisible());
    QCOMPARE(tabs->currentIndex(), 0);
    // The menu's action (F11) enters it too.
    QAction* action = nullptr;
    for (QAction* a : window.findChildren<QAction*>())
      if (a->text().remove('&').startsWith("Presentation mode")) action = a;
    QVERIFY(action);
    QCOMPARE(action->shortcut(), QKeySequence(Qt::Key_F11));
    action->trigger();
    QVERIFY(window.presentationMode());
    QTest::keyClick(&window, Qt::Key_Escape);
    QVERIFY(!window.presentationMode());
  }
};

QTEST_MAIN(TestManagerView)
#include "test_manager_view.moc"
