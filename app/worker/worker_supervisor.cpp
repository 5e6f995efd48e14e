#include "worker_supervisor.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "net/launcher/local_launcher.hpp"
#include "net/launcher/worker_exit_report.hpp"

namespace distopt::app {

namespace {

std::atomic<int> g_stopSignal{0};
void onStopSignal(int signal) { g_stopSignal.store(signal); }

void report(const net::WorkerExitInfo& exit) {
  // One write per line: the reports of a host reach the coordinator whole, between the workers' lines.
  const std::string line = net::formatWorkerExitReport(exit.workerId, exit.pid, exit.description) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

bool SupervisorOptions::isValid(std::string* why) const {
  auto fail = [why](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  if (program.empty()) return fail("no worker program");
  if (count < 1 || count > kMaxSupervisedWorkers)
    return fail("--count: " + std::to_string(count) + " is not from 1 to " +
                std::to_string(kMaxSupervisedWorkers));
  if (firstId && (*firstId < 0 || *firstId > 1'000'000'000 - count))
    return fail("--id: the workers' ids would leave 0 to 1000000000");
  return true;
}

int superviseWorkers(const SupervisorOptions& options) {
  for (const int signal : {SIGINT, SIGTERM, SIGHUP}) std::signal(signal, onStopSignal);
  net::LocalLauncher launcher(options.program);
  int firstFailure = 0;
  auto noteFailure = [&](int status) {
    if (firstFailure == 0 && status != 0) firstFailure = status;
  };
  for (int k = 0; k < options.count; ++k) {
    std::vector<std::string> argv{options.program};
    // Without ids the coordinator assigns them; the report then names the supervisor's own index.
    const int id = options.firstId ? *options.firstId + k : k;
    if (options.firstId) argv.insert(argv.end(), {"--id", std::to_string(id)});
    argv.insert(argv.end(), options.workerArguments.begin(), options.workerArguments.end());
    std::string why;
    const net::ProcessSpec spec{.workerId = id,
                                .argv = std::move(argv),
                                .environment = options.environment,
                                .stdinText = {},
                                .label = {},
                                .supervisedWorkers = {}};
    if (!launcher.spawn(spec, &why)) {
      report({id, 0, "could not be started: " + why, -1});
      noteFailure(1);
    }
  }
  using Clock = std::chrono::steady_clock;
  std::optional<Clock::time_point> killAt;
  while (launcher.running() > 0) {
    if (g_stopSignal.load() != 0 && !killAt) {
      launcher.signalAll(SIGTERM);
      killAt = Clock::now() + std::chrono::seconds(5);  // then whoever did not stop is killed
    }
    if (killAt && Clock::now() > *killAt) {
      launcher.signalAll(SIGKILL);
      killAt = Clock::time_point::max();
    }
    for (const auto& exit : launcher.reap()) {
      report(exit);
      noteFailure(exit.exitCode < 0 ? 1 : exit.exitCode);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (const auto& exit : launcher.reap()) {
    report(exit);
    noteFailure(exit.exitCode < 0 ? 1 : exit.exitCode);
  }
  if (g_stopSignal.load() != 0) return 130;
  return firstFailure;
}

}  // namespace distopt::app
