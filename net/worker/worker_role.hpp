#pragma once
// The worker's part of a method family (parameter-server jobs, compressed rounds, decentralized nodes
// with their peer links, curvature work, neuron shards). The WorkerRuntime keeps
// the session (HELLO, ASSIGN, heartbeats, liveness, STOP) and hands the family's messages to the role;
// the role runs the family's transport-free core roles (docs/architecture.md, rule 3) and its time model.
//
// Never block: a role that must wait (an emulated compute duration, a peer's message) returns and asks
// for a deadline or polls its own sockets through pollItems(); the runtime's loop calls back.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "core/config/experiment.hpp"
#include "net/protocol/message.hpp"

namespace distopt::net {

/// What the runtime offers a role.
class WorkerHost {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~WorkerHost() = default;
  /// Sends to the coordinator, counted at the socket.
  virtual void send(Message&& message) = 0;
  /// The process's ZeroMQ context, for a role's own sockets (peer links).
  virtual zmq::context_t& context() = 0;
  /// The coordinator endpoint this worker connected to (a peer socket binds on the same interface).
  virtual std::string coordinatorEndpoint() const = 0;
  virtual int workerId() const = 0;
  /// Seconds per time unit of the time model.
  virtual double unitSeconds() const = 0;
  /// The experiment as assigned, and what this worker built from it (problem, shards, time model,
  /// x0 and stop rules: the same pieces the simulator gets).
  virtual const Experiment& experiment() const = 0;
  virtual const BuiltRun& built() const = 0;
  /// A message that does not parse: dropped and counted (PROTOCOL.md §8), never a crash.
  virtual void countMalformed() = 0;
  /// Ends the session with an ERROR to the coordinator (code "internal" or "protocol").
  virtual void fail(const std::string& code, const std::string& message) = 0;
};

class WorkerRole {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~WorkerRole() = default;
  /// A message of the family's kinds from the coordinator.
  virtual void onMessage(Message&& message, WorkerHost& host) = 0;
  /// Bytes of the largest frame the coordinator sends this role legitimately, when it exceeds two float64
  /// vectors of the model's dimension (the default the worker socket's frame limit is set from): a curvature
  /// estimate, a neuron block's data.
  virtual std::int64_t largestDownlinkFrame() const { return 0; }
  /// The next moment the role wants onDeadline() (e.g. the end of an emulated compute), or none.
  virtual std::optional<Clock::time_point> deadline() const { return std::nullopt; }
  virtual void onDeadline(WorkerHost& host) { (void)host; }
  /// The role's own sockets to poll for input (peer links); onPolled() gets the same items back with
  /// revents filled, in the same order.
  virtual void pollItems(std::vector<zmq::pollitem_t>& items) { (void)items; }
  virtual void onPolled(const zmq::pollitem_t* items, std::size_t count, WorkerHost& host) {
    (void)items;
    (void)count;
    (void)host;
  }
};

/// When an emulated job that started at `received` and computed for `computeSeconds` is due:
/// a time model that injects delay stretches it to `tauUnits × unitSeconds` (real compute counts in
/// it, docs/papers.md, async-sgd §3); "natural" models only slow the real compute by the worker's factor.
/// `overrun` is set when the real compute alone was longer than the emulated duration.
WorkerHost::Clock::time_point emulatedDue(const TimeModel& timeModel, int worker, double tauUnits,
                                          double computeSeconds, double unitSeconds,
                                          WorkerHost::Clock::time_point computeEnd, bool* overrun = nullptr);

}  // namespace distopt::net
