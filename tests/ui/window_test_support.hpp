#pragma once
// What the tests that open the main window share: a home of the test's own (QSettings in test mode,
// runs recorded in a store inside a temporary folder, this build's distopt-run), and showing a window
// at a size, laid out.

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QWidget>
#include <QtTest>

namespace window_test {

/// Keeps the test's settings and runs away from the user's: QStandardPaths' test mode (QSettings),
/// XDG_DATA_HOME (the run store) in `home`, and runs started with this build's distopt-run. False when
/// `home` could not be made.
inline bool useOwnHome(const QTemporaryDir& home) {
  QStandardPaths::setTestModeEnabled(true);
  if (!home.isValid()) return false;
  qputenv("XDG_DATA_HOME", home.path().toUtf8());
  qputenv("DISTOPT_RUN", QByteArray(DISTOPT_BIN_DIR "/distopt-run"));
  return true;
}

/// Shows `window`, waits until it is exposed, then gives it `size` (an invalid size keeps its own) and
/// lets the layout settle. False when it was never exposed.
inline bool showAt(QWidget& window, QSize size = QSize()) {
  window.show();
  if (!QTest::qWaitForWindowExposed(&window)) return false;
  if (size.isValid()) window.resize(size);
  QTest::qWait(200);
  return true;
}

}  // namespace window_test
