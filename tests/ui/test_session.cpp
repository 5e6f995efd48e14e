// One window through a working session, as a person uses it: run after run in
// one window. A watchdog turns a GUI stuck inside Qt into a failure instead of
// a test that never ends.
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "session_test_support.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/client/run_client.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/editor/experiment_editor.hpp"
#include "ui/main_window/main_window.hpp"

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

}  // namespace

class TestSession : public QObject {
  Q_OBJECT

  QTemporaryDir m_home;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    qputenv("DISTOPT_RUN", QByteArray(DISTOPT_BIN_DIR "/distopt-run"));
    QVERIFY(m_home.isValid());
    qputenv("XDG_DATA_HOME", m_home.path().toUtf8());
  }

  // The blocker of issue 18: the quickstart run twice in one window. The second
  // run's first frames used to give an axis a tick interval left from the first
  // run's range, and Qt laid out ticks without end.
  void theSameRunTwiceInOneWindow() {
    session_test::Watchdog watchdog(kMemoryLimitMb);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
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
      // The evaluation grid t = 0, 5, ..., 500 of this run (not the first run's
      // points too).
      QVERIFY2(gap.size() >= 90 && gap.size() <= 101, qPrintable(QString::number(gap.size())));
      QVERIFY(window.dashboard()->convergence()->drawnPointCount(0) > 0);
      const auto x = window.dashboard()->convergence()->xRange();
      QVERIFY2(x.min >= -1.0 && x.max <= 520.0 && x.max >= 400.0,
               qPrintable(QStringLiteral("%1..%2").arg(x.min).arg(x.max)));
    }
    watchdog.disarm();
  }
};

QTEST_MAIN(TestSession)
#include "test_session.moc"
