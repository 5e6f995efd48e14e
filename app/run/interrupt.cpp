#include "interrupt.hpp"

#include <atomic>
#include <csignal>
#include <cstring>

#include <unistd.h>

namespace distopt::app {
namespace {

std::function<void()> g_stop;
std::atomic<int> g_signal{0};
std::atomic<bool> g_stopSet{false};

void onStopSignal(int signal) {
  g_signal.store(signal);
  if (g_stopSet.load()) g_stop();
  static constexpr char kNote[] = "\ndistopt-run: stopping (a second Ctrl-C ends it at once)\n";
  const ssize_t written = write(STDERR_FILENO, kNote, sizeof kNote - 1);  // write(2) is signal-safe
  (void)written;
}

}  // namespace

void catchStopSignals() {
  struct sigaction action {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  // Once caught, the signal's default comes back: a second Ctrl-C ends the process at once.
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  struct sigaction previous {};
  if (sigaction(SIGINT, nullptr, &previous) == 0 && previous.sa_handler != SIG_IGN)
    sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void stopOnSignals(std::function<void()> stop) {
  g_stopSet.store(false);
  g_stop = std::move(stop);
  g_stopSet.store(true);
  if (g_signal.load() != 0) g_stop();
}

void forgetStop() { g_stopSet.store(false); }

int stopSignal() { return g_signal.load(); }

int signalExitStatus(int signal) { return 128 + signal; }

std::string interruptionDetail(int signal) {
  if (signal == SIGINT) return "interrupted by the user (SIGINT, Ctrl-C)";
  return std::string("interrupted by ") + (signal == SIGTERM ? "SIGTERM" : strsignal(signal));
}

void noteInterruption(RunSummary& summary) {
  const int signal = stopSignal();
  if (signal == 0 || summary.termination != Termination::Stopped) return;
  summary.terminationDetail = interruptionDetail(signal);
}

void InterruptAwareFanout::onFinish(const RunSummary& summary) {
  if (stopSignal() == 0) return TelemetryFanout::onFinish(summary);
  RunSummary noted = summary;
  noteInterruption(noted);
  TelemetryFanout::onFinish(noted);
}

}  // namespace distopt::app
