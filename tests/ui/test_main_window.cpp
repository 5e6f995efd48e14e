#include <QChart>
#include <QImage>
#include <QStandardPaths>
#include <QtTest>

#include "ui/charts/live_chart.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/editor/experiment_editor.hpp"
#include "ui/main_window/main_window.hpp"

class TestMainWindow : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    // Keep the test's QSettings away from the user's.
    QStandardPaths::setTestModeEnabled(true);
  }

  void opensWithEditorAndDashboard() {
    distopt::ui::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
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
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
