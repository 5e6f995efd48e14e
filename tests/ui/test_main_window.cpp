#include <QChart>
#include <QChartView>
#include <QImage>
#include <QtTest>

#include "ui/main_window/main_window.hpp"

class TestMainWindow : public QObject {
  Q_OBJECT

 private slots:
  void opensWithConvergenceChart() {
    distopt::ui::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.windowTitle().startsWith("DistOpt Workbench"));
    QVERIFY(window.convergenceView());
    QCOMPARE(window.convergenceView()->chart()->title(), QString("Convergence"));
    QCOMPARE(window.convergenceView()->chart()->animationOptions(), QChart::NoAnimation);
  }

  void rendersSomethingVisible() {
    distopt::ui::MainWindow window;
    window.resize(800, 600);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QImage image = window.grab().toImage();
    QVERIFY(!image.isNull());
    // Axis labels and the title draw dark pixels on a light chart: count distinct colours.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 4)
      for (int x = 0; x < image.width(); x += 4) colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 3, qPrintable(QString::number(colours.size())));
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
