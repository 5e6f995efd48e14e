#pragma once
// What the session tests share: a watchdog that turns a hung or runaway GUI into a failure (the GUI
// thread itself cannot notice it is stuck inside Qt), the process's resident memory, and waiting on the
// event loop.

#include <QElapsedTimer>
#include <QFile>
#include <QtTest>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <unistd.h>

namespace session_test {

/// Resident set size of this process in MB (0 when /proc is not readable).
inline double residentMb() {
  QFile statm(QStringLiteral("/proc/self/statm"));
  if (!statm.open(QIODevice::ReadOnly)) return 0.0;
  const QList<QByteArray> fields = statm.readAll().split(' ');
  if (fields.size() < 2) return 0.0;
  return static_cast<double>(fields[1].toLongLong()) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

/// Ends the process with a message if a step takes longer than its deadline or memory passes a limit.
/// A GUI stuck inside Qt (an axis laying out millions of ticks) never returns to QtTest, so the test
/// could only hang or eat the machine's memory; this thread makes it fail instead, naming the step.
class Watchdog {
 public:
  explicit Watchdog(double memoryLimitMb) : m_limitMb(memoryLimitMb) {
    m_thread = std::thread([this] { loop(); });
  }
  ~Watchdog() {
    {
      std::lock_guard lock(m_mutex);
      m_quit = true;
    }
    m_wake.notify_all();
    m_thread.join();
  }
  /// Starts a step that must end (the next arm() or disarm()) within `seconds`.
  void arm(const std::string& step, double seconds) {
    std::lock_guard lock(m_mutex);
    m_step = step;
    m_deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
    m_armed = true;
  }
  void disarm() {
    std::lock_guard lock(m_mutex);
    m_armed = false;
  }
  double peakMb() const { return m_peakMb.load(); }

 private:
  void loop() {
    std::unique_lock lock(m_mutex);
    while (!m_quit) {
      m_wake.wait_for(lock, std::chrono::milliseconds(100));
      if (m_quit) break;
      const double rss = residentMb();
      if (rss > m_peakMb.load()) m_peakMb.store(rss);
      if (rss > m_limitMb) fail("memory passed %.0f MB (%.0f MB)", m_limitMb, rss);
      if (m_armed && std::chrono::steady_clock::now() > m_deadline)
        fail("no progress within the step's deadline", 0, 0);
    }
  }
  void fail(const char* format, double a, double b) {
    std::fprintf(stderr, "FAIL! watchdog: step '%s': ", m_step.c_str());
    std::fprintf(stderr, format, a, b);
    std::fprintf(stderr, "\n");
    std::fflush(stderr);
    std::_Exit(3);
  }

  const double m_limitMb;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_quit = false;
  bool m_armed = false;
  std::string m_step = "(none)";
  std::chrono::steady_clock::time_point m_deadline;
  std::atomic<double> m_peakMb{0.0};
  std::thread m_thread;
};

/// Runs the event loop until `condition` holds; false after `timeoutMs`.
inline bool waitFor(const std::function<bool()>& condition, int timeoutMs) {
  QElapsedTimer timer;
  timer.start();
  while (!condition()) {
    if (timer.elapsed() > timeoutMs) return false;
    QTest::qWait(30);
  }
  return true;
}

}  // namespace session_test
