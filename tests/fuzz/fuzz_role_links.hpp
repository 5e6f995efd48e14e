#pragma once
// The links of a roles harness (fuzz_*_roles): a family's coordinator and worker roles exchange their
// own messages through queues, and the fuzzer's bytes choose which queued message is delivered next,
// between the hostile ones they inject. Queues are bounded, so no input grows them without limit.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "core/transport/role_links.hpp"

namespace distopt::fuzz {

/// The coordinator's link: what the coordinator role sends waits per worker in `down`, what the workers
/// send it in `up`, until a step delivers it. A worker marked `lost` gets nothing more.
template <class Down, class Up>
struct QueuedCoordinatorLink : CoordinatorLink<Down> {
  QueuedCoordinatorLink(int workers, std::size_t bound)
      : down(static_cast<std::size_t>(workers)), lost(static_cast<std::size_t>(workers), false), bound(bound) {}

  bool send(int worker, Down&& message) override {
    if (!alive(worker)) return false;
    auto& queue = down[static_cast<std::size_t>(worker)];
    if (queue.size() >= bound) return false;
    queue.push_back(std::move(message));
    return true;
  }
  double now() const override { return time; }
  int numWorkers() const override { return static_cast<int>(down.size()); }
  bool alive(int worker) const override {
    return worker >= 0 && worker < numWorkers() && !lost[static_cast<std::size_t>(worker)];
  }
  std::size_t lastMessageBytes() const override { return 0; }
  std::size_t lastSentBytes() const override { return 0; }
  bool losesMessages() const override { return true; }  // the harnesses inject refusals and lost links
  TelemetrySink& sink() override { return nullSink; }
  void countMalformed() override { ++malformed; }
  /// A worker's message to the coordinator, queued (dropped beyond the bound).
  void queueUp(int worker, Up&& message) {
    if (up.size() < bound) up.emplace_back(worker, std::move(message));
  }

  std::vector<std::deque<Down>> down;
  std::deque<std::pair<int, Up>> up;
  std::vector<bool> lost;
  TelemetrySink nullSink;
  double time = 0.0;
  std::uint64_t malformed = 0;
  std::size_t bound;
};

/// A worker's link: its messages join the coordinator's queue at once (a compute takes no time here; a
/// harness that needs otherwise overrides), a failure is kept.
template <class Down, class Up>
struct QueuedWorkerLink : WorkerLink<Up> {
  QueuedWorkerLink(QueuedCoordinatorLink<Down, Up>& wires, int id) : wires(wires), id(id) {}

  int workerId() const override { return id; }
  void send(Up&& message) override { wires.queueUp(id, std::move(message)); }
  void sendAfterCompute(double, Up&& message) override { send(std::move(message)); }
  double now() const override { return wires.time; }
  double computeSeconds() const override { return 0.0; }
  void fail(const std::string& code, const std::string& message) override {
    failed = true;
    failure = code + ": " + message;
  }
  void countMalformed() override { ++wires.malformed; }

  QueuedCoordinatorLink<Down, Up>& wires;
  int id;
  bool failed = false;
  std::string failure;
};

}  // namespace distopt::fuzz
