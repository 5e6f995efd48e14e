// The main window, frame included, lies inside its screen's available area: when it opens (on a 1024×768
// and on a 1280×800 screen), when it comes back from maximized, and when a geometry saved on a larger
// screen is restored. Before, it asked for the whole available size for its client area, and the
// window manager's frame pushed its bottom (status and progress bars) off an 800-px screen.
//
// On the offscreen platform (the test suite's) the program gives itself those two screens, side by
// side, with Qt's 2-px offscreen window frames; under a real X server it checks the screens it has.
#include <QApplication>
#include <QFile>
#include <QScreen>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

#include "ui/main_window/main_window.hpp"
#include "ui/main_window/screen_fit.hpp"
#include "window_test_support.hpp"

using distopt::ui::fitFrame;
using distopt::ui::MainWindow;

namespace {

QString describe(const QRect& r) {
  return QStringLiteral("%1×%2 at (%3, %4)").arg(r.width()).arg(r.height()).arg(r.x()).arg(r.y());
}

/// Waits for the window manager (and the fit after it) to settle, then says whether the frame lies inside
/// the available area of the window's screen.
bool frameInsideScreen(const QWidget& window, QString* why) {
  QTest::qWait(400);
  const QRect available = window.screen()->availableGeometry();
  const QRect frame = window.frameGeometry();
  *why = QStringLiteral("frame %1, geometry %2, screen '%3' available %4")
             .arg(describe(frame), describe(window.geometry()), window.screen()->name(), describe(available));
  return available.contains(frame);
}

}  // namespace

class TestScreenFit : public QObject {
  Q_OBJECT

  QTemporaryDir m_home;

 private slots:
  void initTestCase() { QVERIFY(window_test::useOwnHome(m_home)); }

  void init() { QSettings().clear(); }

  void theFrameIsFittedIntoTheArea() {
    const QRect area(0, 0, 1280, 800);
    const QMargins frame(1, 20, 1, 5);  // openbox's
    // Asked for the whole area: shrunk by the frame.
    QCOMPARE(fitFrame(QRect(0, 0, 1282, 825), frame, area, QSize(900, 400)), QRect(0, 0, 1280, 800));
    // Fits already: unchanged.
    QCOMPARE(fitFrame(QRect(10, 10, 1002, 725), frame, area, QSize(900, 400)), QRect(10, 10, 1002, 725));
    // Partly outside: moved back, not shrunk.
    QCOMPARE(fitFrame(QRect(600, 300, 1002, 725), frame, area, QSize(900, 400)), QRect(278, 75, 1002, 725));
    // A screen narrower than the minimum: the minimum, from the area's corner.
    QCOMPARE(fitFrame(QRect(50, 50, 1002, 725), frame, QRect(0, 0, 800, 600), QSize(900, 400)),
             QRect(0, 0, 902, 600));
    // An area that does not start at the origin (a second screen, a panel on the left).
    QCOMPARE(fitFrame(QRect(0, 0, 1282, 825), frame, QRect(1024, 30, 1280, 770), QSize(900, 400)),
             QRect(1024, 30, 1280, 770));
  }

  void opensInsideEveryScreen() {
    for (QScreen* screen : QGuiApplication::screens()) {
      MainWindow window;
      window.setScreen(screen);
      window.move(screen->availableGeometry().topLeft());
      QVERIFY(window_test::showAt(window));
      QString why;
      QVERIFY2(frameInsideScreen(window, &why), qPrintable(why));
      // Not needlessly small either: as large as the screen it was made on (the one at the origin)
      // lets a 1280×800 window be.
      if (!screen->geometry().contains(QPoint(0, 0))) continue;
      const QSize wanted = QSize(1280, 800).boundedTo(screen->availableGeometry().size() -
                                                      (window.frameGeometry().size() - window.size()));
      QVERIFY2(window.size() == wanted, qPrintable(why));
    }
  }

  // Closed maximized, its normal geometry one made for a larger screen: it opens maximized, and when the
  // person restores it, it comes back inside the screen.
  void comesBackInsideFromMaximized() {
    {
      MainWindow larger;
      QVERIFY(window_test::showAt(larger, QSize(1800, 1100)));
      larger.showMaximized();
      QTest::qWait(200);
      larger.close();  // saves its geometry
    }
    MainWindow window;
    QVERIFY(window_test::showAt(window));
    QVERIFY(window.isMaximized());
    window.showNormal();
    QString why;
    QVERIFY2(frameInsideScreen(window, &why), qPrintable(why));
  }

  void aGeometrySavedOnALargerScreenIsFitted() {
    {
      MainWindow larger;
      QVERIFY(window_test::showAt(larger, QSize(1800, 1100)));
      larger.close();  // saves its geometry
    }
    QVERIFY(QSettings().contains("geometry"));
    MainWindow window;
    QVERIFY(window_test::showAt(window));
    QString why;
    QVERIFY2(frameInsideScreen(window, &why), qPrintable(why));
  }
};

int main(int argc, char** argv) {
  // Two screens of the sizes a person may have, with window frames, for the offscreen platform.
  const QByteArray platform = qgetenv("QT_QPA_PLATFORM");
  QTemporaryDir configDir;
  if (platform == "offscreen" && configDir.isValid()) {
    const QString path = configDir.filePath("screens.json");
    QFile config(path);
    if (config.open(QIODevice::WriteOnly)) {
      config.write(R"({"windowFrameMargins": true, "screens": [
        {"name": "small", "x": 0, "y": 0, "width": 1024, "height": 768},
        {"name": "low", "x": 1024, "y": 0, "width": 1280, "height": 800}]})");
      config.close();
      qputenv("QT_QPA_PLATFORM", "offscreen:configfile=" + path.toUtf8());
    }
  }
  QApplication app(argc, argv);
  TestScreenFit test;
  QTEST_SET_MAIN_SOURCE_PATH
  return QTest::qExec(&test, argc, argv);
}

#include "test_screen_fit.moc"
