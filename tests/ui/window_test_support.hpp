#pragma once
// What the tests that open the main window share: a home of the test's own (QSettings in test mode,
// runs recorded in a store inside a temporary folder, this build's distopt-run), and showing a window
// at a size, laid out.

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QWidget>
#include <QtTest>
#include <functional>
#include <type_traits>

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

/// Runs the event loop until `condition` holds; false after `timeoutMs`.
inline bool waitFor(const std::function<bool()>& condition, int timeoutMs) {
  QElapsedTimer timer;
  timer.start();
  while (!condition()) {
    if (timer.elapsed() > timeoutMs) return false;
    QTest::qWait(20);
  }
  return true;
}

/// Starts the experiment in a main window's form (Window: MainWindow, a template so this header needs
/// none of the GUI's headers) and waits for the run's summary. False with *why when it did not start
/// or did not end within `timeoutMs`.
template <typename Window>
bool runToTheEnd(Window& window, int timeoutMs, QString* why) {
  using Client = std::remove_pointer_t<decltype(window.client())>;
  QSignalSpy finished(window.client(), &Client::finished);
  QSignalSpy messages(window.client(), &Client::message);
  QSignalSpy states(window.client(), &Client::stateChanged);
  if (!window.startRun(why)) return false;
  if (!finished.wait(timeoutMs)) {
    // Say what the client went through, so a run that never ends in CI says where it stopped.
    QStringList seen;
    for (const auto& state : states) seen << QString::number(static_cast<int>(state.at(0).value<typename Client::State>()));
    for (const auto& text : messages) seen << text.at(0).toString();
    *why = QStringLiteral("the run did not end within %1 ms (client states and messages: %2; endpoints: %3)")
               .arg(timeoutMs)
               .arg(seen.join(QStringLiteral(" | ")))
               .arg(window.client()->endpoints().control);
    return false;
  }
  QTest::qWait(50);  // the main window's own handlers of the summary
  return true;
}

}  // namespace window_test
