#include <QChart>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include "ui/charts/bandwidth_chart.hpp"
#include "ui/charts/delay_histogram.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/client/run_client.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/editor/experiment_editor.hpp"
#include "ui/main_window/main_window.hpp"
#include "ui/session/active_runs.hpp"
#include "window_test_support.hpp"

class TestMainWindow : public QObject {
  Q_OBJECT

  QTemporaryDir m_home;

 private slots:
  // Settings and runs of the test's own, not the user's nor those other test programs share.
  void initTestCase() { QVERIFY(window_test::useOwnHome(m_home)); }

  // End to end through the GUI's own objects: the editor's experiment, Start, the client object, the
  // coordinator process, telemetry into the dashboard, the summary at the end.
  void aRunStartedFromTheWindowFillsTheDashboard() {
    distopt::ui::MainWindow window;
    nlohmann::json document = {{"name", "gui-e2e"},
                               {"seed", 3},
                               {"engine", "sim"},
                               {"problem", {{"name", "quadratic"}, {"params", {{"d", 16}}}}},
                               {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 0.02}}}}},
                               {"workers", {{"count", 8}}},
                               {"stop", {{"time", 400}}},
                               {"eval", {{"interval", 5}}}};
    window.editor()->setDocument(document);
    QSignalSpy finished(window.client(), &distopt::ui::RunClient::finished);
    QString why;
    QVERIFY2(window.startRun(&why), qPrintable(why));
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().first().toJsonObject().value("termination").toString(), QString("time_limit"));
    // Every evaluation of the grid (t = 0, 5, ..., 400) reached the chart, streamed or from the store.
    QVERIFY2(window.dashboard()->convergence()->buffer(0).size() >= 81,
             qPrintable(QString::number(window.dashboard()->convergence()->buffer(0).size())));
    QVERIFY(window.dashboard()->delays()->total(distopt::Outcome::Accepted) > 0);
  }

  void chartChoicesAreRemembered() {
    {
      distopt::ui::MainWindow window;
      window.dashboard()->convergence()->setXAxis(distopt::ui::XAxis::Bytes);
      window.dashboard()->convergence()->setLogY(false);
      window.dashboard()->delays()->setLogY(true);
      window.dashboard()->bandwidth()->setMode(distopt::ui::BandwidthChart::Mode::ByKind);
      window.dashboard()->tabs()->setCurrentIndex(2);
      window.close();
    }
    distopt::ui::MainWindow again;
    QCOMPARE(again.dashboard()->convergence()->xAxis(), distopt::ui::XAxis::Bytes);
    QVERIFY(!again.dashboard()->convergence()->logY());
    QVERIFY(again.dashboard()->delays()->logY());
    QCOMPARE(again.dashboard()->bandwidth()->mode(), distopt::ui::BandwidthChart::Mode::ByKind);
    QCOMPARE(again.dashboard()->tabs()->currentIndex(), 2);
    // Back to the defaults for the other tests.
    again.dashboard()->convergence()->setXAxis(distopt::ui::XAxis::Time);
    again.dashboard()->convergence()->setLogY(true);
    again.dashboard()->delays()->setLogY(false);
    again.dashboard()->bandwidth()->setMode(distopt::ui::BandwidthChart::Mode::Rate);
    again.dashboard()->tabs()->setCurrentIndex(0);
    again.close();
  }

  void aSimulatedFamilyRunShowsItsMetrics() {
    distopt::ui::MainWindow window;
    QString why;
    QVERIFY2(window.openExperiment(DISTOPT_SOURCE_DIR "/resources/experiments/decentralized-e0-p0-proxgt-sr-e.json", &why),
             qPrintable(why));
    QSignalSpy finished(window.client(), &distopt::ui::RunClient::finished);
    QVERIFY2(window.startRun(&why), qPrintable(why));
    QVERIFY(finished.wait(60000));
    QVERIFY(window.dashboard()->convergence()->buffer(0).size() > 10);
    QVERIFY2(window.dashboard()->metrics()->seriesCount() >= 5, "consensus error, IFO calls, ... each a series");
  }

  void opensWithEditorAndDashboard() {
    distopt::ui::MainWindow window;
    QVERIFY(window_test::showAt(window));
    QVERIFY(window.windowTitle().startsWith("DistOpt Workbench"));
    QVERIFY(window.editor());
    QVERIFY(window.dashboard());
    QCOMPARE(window.dashboard()->convergence()->chart()->animationOptions(), QChart::NoAnimation);
  }

  void startIsDisabledWithTheReasonWhenInvalid() {
    distopt::ui::MainWindow window;
    nlohmann::json document = {{"name", "bad"},
                               {"problem", {{"name", "quadratic"}, {"params", {{"d", 8}}}}},
                               {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", -1}}}}},
                               {"workers", {{"count", 2}}},
                               {"stop", {{"time", 10}}}};
    window.editor()->setDocument(document);
    QString why;
    QVERIFY(!window.startRun(&why));
    QVERIFY2(why.contains("gamma"), qPrintable(why));
    // A pair the algorithm cannot run on is refused with its reason, not started to fail.
    document["algorithm"] = {{"name", "kron-fast"}};
    document["problem"] = {{"name", "least-squares"}};
    document["engine"] = "sim";
    window.editor()->setDocument(document);
    QVERIFY(!window.startRun(&why));
    QVERIFY2(why.contains("needs a problem with the Kronecker two-layer network"), qPrintable(why));
  }

  // A coordinator that cannot be started (a build relinking it, a broken install) leaves the form as it
  // was: editable, no run shown, no half-made run folder.
  void aStartThatFailsLeavesTheFormEditableAndNoRunFolder() {
    const QByteArray saved = qgetenv("DISTOPT_RUN");
    qputenv("DISTOPT_RUN", QFile::encodeName(m_home.filePath("no-such-distopt-run")));
    distopt::ui::MainWindow window;
    nlohmann::json document = {{"name", "cannot-start"},
                               {"engine", "sim"},
                               {"problem", {{"name", "quadratic"}, {"params", {{"d", 8}}}}},
                               {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 0.02}}}}},
                               {"workers", {{"count", 2}}},
                               {"stop", {{"time", 10}}}};
    window.editor()->setDocument(document);
    const QStringList before = QDir(distopt::ui::workbenchRunsRoot()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QString why;
    const bool started = window.startRun(&why);
    qputenv("DISTOPT_RUN", saved);
    QVERIFY(!started);
    QVERIFY2(why.contains("no-such-distopt-run"), qPrintable(why));
    QVERIFY(!window.formReadOnly());
    QCOMPARE(QDir(distopt::ui::workbenchRunsRoot()).entryList(QDir::Dirs | QDir::NoDotAndDotDot), before);
    // The form still holds the experiment, and a Start with a coordinator that exists works.
    QCOMPARE(window.editor()->document().value("name", std::string()), std::string("cannot-start"));
    QVERIFY2(window.startRun(&why), qPrintable(why));
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
