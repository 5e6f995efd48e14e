// One window through a working session, as a person uses it: run after run, Stop midway, another
// method, opening stored runs. After each step the charts hold that run's data and memory stays bounded.
// A watchdog turns a GUI stuck inside Qt into a failure instead of a test that never ends.
#include <QAbstractButton>
#include <QApplication>
#include <QMessageBox>
#include <QProgressBar>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <algorithm>
#include <optional>

#include "core/store/run_store.hpp"
#include "core/store/stored_run.hpp"
#include "session_test_support.hpp"
#include "ui/charts/delay_histogram.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/client/run_client.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/editor/experiment_editor.hpp"
#include "ui/main_window/main_window.hpp"
#include "ui/session/active_runs.hpp"
#include "ui/session/notice_bar.hpp"
#include "window_test_support.hpp"

using distopt::ui::MainWindow;
using distopt::ui::RunClient;
using session_test::waitFor;

namespace {

const QString kQuickstart = QStringLiteral(DISTOPT_SOURCE_DIR "/resources/experiments/quickstart.json");
constexpr double kMemoryLimitMb = 1500.0;

bool runEnded(const MainWindow& window) {
  const auto state = window.client()->state();
  return state == RunClient::State::Finished || state == RunClient::State::Failed;
}

std::string formAlgorithm(const MainWindow& window) {
  return window.editor()->document()["algorithm"].value("name", std::string());
}

std::string shownAlgorithm(const MainWindow& window) {
  return window.shown().experiment.value("algorithm", nlohmann::json::object()).value("name", std::string());
}

// The form shows the shown run's experiment, read-only.
bool formShowsShownRun(const MainWindow& window) {
  const auto form = window.editor()->document();
  const auto& shown = window.shown().experiment;
  return window.formReadOnly() && form.value("name", std::string()) == shown.value("name", std::string()) &&
         form.value("engine", std::string("live")) == shown.value("engine", std::string("live")) &&
         formAlgorithm(window) == shownAlgorithm(window) &&
         form["workers"].value("count", 0) == shown["workers"].value("count", -1);
}

// Edits a copy of what the form shows: `change` gets the document.
void editForm(MainWindow& window, const std::function<void(nlohmann::json&)>& change) {
  window.editCopy();
  auto document = window.editor()->document();
  change(document);
  QString why;
  QVERIFY2(window.editor()->setDocument(document, &why), qPrintable(why));
}

std::optional<distopt::StoredRun> storedRunOf(const QString& runDirectory) {
  const auto location = distopt::readStoreLocation(runDirectory.toStdString());
  if (!location) return std::nullopt;
  auto store = distopt::RunStore::open(location->path);
  return distopt::loadStoredRun(*store, location->runId);
}

// Accepts the next modal box (the "run goes on" question on close) once it shows.
void acceptNextModal() {
  QTimer::singleShot(200, [] {
    if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
      for (QAbstractButton* button : box->buttons())
        if (box->buttonRole(button) == QMessageBox::AcceptRole) button->click();
    }
  });
}

}  // namespace

class TestSession : public QObject {
  Q_OBJECT

  QTemporaryDir m_home;

 private slots:
  void initTestCase() { QVERIFY(window_test::useOwnHome(m_home)); }

  // The blocker of issue 18: the quickstart run twice in one window. The second run's first frames used
  // to give an axis a tick interval left from the first run's range, and Qt laid out ticks without end.
  void theSameRunTwiceInOneWindow() {
    session_test::Watchdog watchdog(kMemoryLimitMb);
    MainWindow window;
    QVERIFY(window_test::showAt(window));
    QString why;
    QVERIFY2(window.openExperiment(kQuickstart, &why), qPrintable(why));
    for (int run = 1; run <= 2; ++run) {
      watchdog.arm("quickstart run " + std::to_string(run), 90);
      QVERIFY2(window.startRun(&why), qPrintable(why));
      QVERIFY2(waitFor([&] { return runEnded(window); }, 80000), "the run did not end");
      QCOMPARE(window.client()->state(), RunClient::State::Finished);
      // Some frames after the end, with the final data.
      QTest::qWait(200);
      window.dashboard()->refreshNow();
      const auto& gap = window.dashboard()->convergence()->buffer(0);
      // The evaluation grid t = 0, 5, ..., 500 of this run (not the first run's points too).
      QVERIFY2(gap.size() >= 90 && gap.size() <= 101, qPrintable(QString::number(gap.size())));
      QVERIFY(window.dashboard()->convergence()->drawnPointCount(0) > 0);
      const auto x = window.dashboard()->convergence()->xRange();
      QVERIFY2(x.min >= -1.0 && x.max <= 520.0 && x.max >= 400.0,
               qPrintable(QStringLiteral("%1..%2").arg(x.min).arg(x.max)));
    }
    watchdog.disarm();
  }

  // Issue 18, items 2 and 8: a simulated run with tens of thousands of workers keeps the GUI's memory
  // bounded (per-worker histograms only for the first workers), and the delay axis follows the delays
  // seen, with n − 1 noted at its edge.
  void aHugeSimulatedRunStaysBounded() {
    session_test::Watchdog watchdog(kMemoryLimitMb);
    MainWindow window;
    QVERIFY(window_test::showAt(window));
    QString why;
    QVERIFY2(window.openExperiment(kQuickstart, &why), qPrintable(why));
    editForm(window, [](nlohmann::json& d) {
      d["engine"] = "sim";
      d["workers"]["count"] = 20000;
      d["stop"] = {{"time", 60}};
    });
    watchdog.arm("20000 simulated workers", 120);
    QVERIFY2(window.startRun(&why), qPrintable(why));
    QVERIFY(waitFor([&] { return runEnded(window); }, 110000));
    QTest::qWait(300);
    window.dashboard()->refreshNow();
    auto* delays = window.dashboard()->delays();
    QVERIFY(delays->total(distopt::Outcome::Accepted) > 0);
    const double right = delays->xRange().max;
    QVERIFY2(right < 19999.0 || delays->maxDelay() > 5000, qPrintable(QString::number(right)));
    if (right < 19999.0) QVERIFY(delays->markerOffScale(distopt::ui::DelayHistogram::Marker::LastWorker));
    QVERIFY(session_test::residentMb() < 1000.0);
    watchdog.disarm();
    qInfo("peak resident memory: %.0f MB, delay axis to %.0f", watchdog.peakMb(), right);
  }

  // One window through an afternoon: three runs in a row (live, sim, live with another method), a Stop
  // midway, a stored run reopened, a run left going by a closed window reattached, and an ended run
  // attached to. After each step the charts hold that run's data and the form shows its experiment.
  void aWorkingSession() {
    session_test::Watchdog watchdog(kMemoryLimitMb);
    QString why;
    QString firstRunDirectory;
    QString detachedDirectory;
    {
      MainWindow window;
      QVERIFY(window_test::showAt(window));
      QVERIFY2(window.openExperiment(kQuickstart, &why), qPrintable(why));

      watchdog.arm("live quickstart", 90);
      QVERIFY2(window.startRun(&why), qPrintable(why));
      QVERIFY(formShowsShownRun(window));
      QVERIFY(waitFor([&] { return runEnded(window); }, 80000));
      firstRunDirectory = window.runDirectory();
      QVERIFY2(window.runStateText().startsWith("Finished"), qPrintable(window.runStateText()));
      const std::size_t liveEvaluations = window.dashboard()->convergence()->buffer(0).size();
      QVERIFY(liveEvaluations >= 90);
      QVERIFY(session_test::residentMb() < 800.0);

      watchdog.arm("sim run", 90);
      editForm(window, [](nlohmann::json& d) {
        d["engine"] = "sim";
        d["workers"]["count"] = 64;
      });
      QVERIFY2(window.startRun(&why), qPrintable(why));
      QVERIFY(formShowsShownRun(window));
      QVERIFY(waitFor([&] { return runEnded(window); }, 80000));
      QCOMPARE(window.shown().experiment.value("engine", std::string()), std::string("sim"));
      const auto sim = storedRunOf(window.runDirectory());
      QVERIFY(sim);
      // The charts hold the sim run's evaluations, none of the live run's.
      QCOMPARE(window.dashboard()->convergence()->buffer(0).size(), sim->evaluations.size());
      // (A default run keeps its delays as exact counts and only a sample of its events.)
      std::uint64_t acceptedInStore = 0;
      for (const auto& count : sim->delays)
        if (count.outcome == distopt::Outcome::Accepted) acceptedInStore += count.count;
      QVERIFY(acceptedInStore > 0);
      QCOMPARE(window.dashboard()->delays()->total(distopt::Outcome::Accepted), acceptedInStore);

      watchdog.arm("live asgd, stopped midway", 90);
      editForm(window, [](nlohmann::json& d) {
        d["engine"] = "live";
        d["workers"]["count"] = 8;
        d["algorithm"] = {{"name", "asgd"}, {"params", {{"gamma", 0.05}}}};
        d["stop"] = {{"time", 20000}};
      });
      QVERIFY2(window.startRun(&why), qPrintable(why));
      QCOMPARE(formAlgorithm(window), std::string("asgd"));
      QVERIFY(waitFor([&] { return window.dashboard()->convergence()->buffer(0).size() >= 5; }, 30000));
      window.client()->requestStop();
      QVERIFY(waitFor([&] { return runEnded(window); }, 30000));
      QCOMPARE(window.shown().summary.value("termination", std::string()), std::string("stopped"));
      QCOMPARE(window.runStateText(), QString("Stopped"));
      // The progress bar stops where the run stopped (it kept the last status's figure, 13 % for a run
      // stopped at 43 %).
      const auto* progress = window.statusBar()->findChild<QProgressBar*>();
      const double stoppedAt = window.shown().summary.value("time", 0.0) / 20000.0;
      QVERIFY2(stoppedAt >= 0.001, "stopped too early to tell");
      QCOMPARE(progress->value(), static_cast<int>(stoppedAt * 1000));
      // Reopened from the store, the same (it showed 0 %).
      const auto stopped = storedRunOf(window.runDirectory());
      QVERIFY(stopped);
      QVERIFY2(window.showStoredRun(*stopped, &why), qPrintable(why));
      QCOMPARE(progress->value(), static_cast<int>(stoppedAt * 1000));
      // Nobody is "alive" after the end.
      QCOMPARE(window.dashboard()->workersModel().countInState("alive"), 0);
      QVERIFY(formShowsShownRun(window));
      QVERIFY(window.dashboard()->convergence()->buffer(0).size() < liveEvaluations * 10);

      watchdog.arm("stored run reopened", 30);
      const auto first = storedRunOf(firstRunDirectory);
      QVERIFY(first);
      QVERIFY2(window.showStoredRun(*first, &why), qPrintable(why));
      QCOMPARE(window.dashboard()->convergence()->buffer(0).size(), first->evaluations.size());
      QCOMPARE(shownAlgorithm(window), std::string("ringmaster"));
      QVERIFY(formShowsShownRun(window));
      QCOMPARE(window.dashboard()->delays()->workerFilter(), -1);

      watchdog.arm("a run left going by a closed window", 60);
      editForm(window, [](nlohmann::json& d) { d["stop"] = {{"time", 1500}}; });
      QVERIFY2(window.startRun(&why), qPrintable(why));
      detachedDirectory = window.runDirectory();
      QVERIFY(waitFor([&] { return window.dashboard()->convergence()->buffer(0).size() >= 3; }, 30000));
      acceptNextModal();
      QVERIFY(window.close());
    }
    {
      MainWindow window;
      QVERIFY(window_test::showAt(window));
      watchdog.arm("reattach at start-up", 60);
      QVERIFY(waitFor([&] { return window.activeRunsNotice()->isVisible(); }, 5000));
      QVERIFY2(window.activeRunsNotice()->text().contains("quickstart"),
               qPrintable(window.activeRunsNotice()->text()));
      QVERIFY2(window.reattach(detachedDirectory, &why), qPrintable(why));
      QVERIFY(formShowsShownRun(window));
      // Reattached (here, not through the notice's own button): the notice about it goes.
      QVERIFY(window.activeRunsNotice()->isHidden());
      QVERIFY(waitFor([&] { return runEnded(window); }, 50000));
      const auto detached = storedRunOf(detachedDirectory);
      QVERIFY(detached);
      QCOMPARE(window.dashboard()->convergence()->buffer(0).size(), detached->evaluations.size());

      watchdog.arm("attach to an ended run", 30);
      QVERIFY2(window.reattach(firstRunDirectory, &why), qPrintable(why));
      QVERIFY(window.client()->state() != RunClient::State::Running);
      QVERIFY2(window.runStateText().startsWith("Finished"), qPrintable(window.runStateText()));
      QCOMPARE(shownAlgorithm(window), std::string("ringmaster"));
      QVERIFY(window.dashboard()->convergence()->buffer(0).size() >= 90);
      QVERIFY(session_test::residentMb() < 800.0);
      window.close();
    }
    watchdog.disarm();
    qInfo("peak resident memory: %.0f MB", watchdog.peakMb());
  }
};

QTEST_MAIN(TestSession)
#include "test_session.moc"
