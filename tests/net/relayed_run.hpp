#pragma once
// A live run whose last worker reaches the coordinator through a LinkRelay (tests/net/link_relay.hpp):
// the coordinator starts the others itself (--local-workers), this one is started here on the relay's
// port, so the test can slow, stall or cut that one link. Shared by the slow-link and cut-link tests.

#include <chrono>
#include <memory>
#include <string>

#include "link_relay.hpp"
#include "live_test_support.hpp"

namespace live_test {

struct RelayedRun {
  Coordinator coordinator;
  std::unique_ptr<LinkRelay> relay;
  QProcess worker;

  /// Runs `experiment` (results in `out`, no store) with `localWorkers` spawned by the coordinator and
  /// one worker behind a relay that holds every byte `delay` each way; returns once the run is running
  /// with at least `updates` applied. False with the reason in *why otherwise.
  bool start(const QString& experiment, const QString& out, int localWorkers, std::chrono::milliseconds delay,
             std::uint64_t updates, std::string* why) {
    if (!coordinator.start(QStringList{experiment, "--local-workers", QString::number(localWorkers), "--out",
                                       out, "--quiet", "--no-store"}) ||
        !coordinator.waitForEndpoints()) {
      *why = coordinator.describe();
      return false;
    }
    const auto colon = coordinator.workerEndpoint.rfind(':');
    relay = std::make_unique<LinkRelay>(std::stoi(coordinator.workerEndpoint.substr(colon + 1)), delay);
    worker.start(kWorkerProgram, {"--connect", QStringLiteral("tcp://127.0.0.1:%1").arg(relay->port())});
    if (!worker.waitForStarted()) {
      *why = "distopt-worker did not start";
      return false;
    }
    if (!waitUntilRunning(coordinator.controlEndpoint, updates, why)) return false;
    return true;
  }
};

}  // namespace live_test
