#pragma once
// The coordinator's part of a method family on ZeroMQ: a CoordinatorRole turns the family's transport-free
// core roles (docs/architecture.md, rule 3) into its messages (net/PROTOCOL.md, its kind range); the live
// engine gives it the worker sessions, the clock, the stop rules, evaluation and telemetry. A family of
// FamilyCoordinator/FamilyWorker roles gets its CoordinatorRole from a codec (CoordinatorOnSockets,
// net/families/role_sockets.hpp); the parameter server's is net/families/parameter_server.
//
// Thread: the engine's loop thread; no method is re-entered.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/async_sgd/server.hpp"
#include "core/problems/problem.hpp"
#include "core/telemetry/evaluation.hpp"
#include "core/telemetry/telemetry.hpp"
#include "core/transport/role_links.hpp"
#include "net/protocol/message.hpp"

namespace distopt::net {

/// What the engine offers a role: the transport link of core/transport/role_links.hpp for raw frames.
/// Sends are counted at the socket (false when the worker is dead or unreachable), lastMessageBytes()
/// is the socket's count, and a message that does not parse is dropped and counted (PROTOCOL.md §8).
class CoordinatorHost : public CoordinatorLink<Message> {
 public:
  /// The message being handled left `worker` at `workerClockSeconds` on its own clock: its transit goes
  /// into the worker's status.
  virtual void noteSentAt(int worker, double workerClockSeconds) {
    (void)worker;
    (void)workerClockSeconds;
  }
};

/// The transport-independent part (iterations, model, metrics, failure, counters) is CoordinatorState;
/// the part below is this transport's: messages as frames, ticks, evaluation through the workers.
class CoordinatorRole : public CoordinatorState {
 public:
  /// Every worker is ready and the clock runs: send the first messages.
  virtual void start(CoordinatorHost& host) = 0;
  /// A message of the family's kinds from `worker`.
  virtual void onMessage(int worker, Message&& message, CoordinatorHost& host) = 0;
  /// `worker` is gone. A role that cannot go on without it says so through failure().
  virtual void onWorkerLost(int worker, const std::string& reason, CoordinatorHost& host) = 0;
  /// Called every loop turn (at least every 50 ms): time-driven work such as resends or deadlines.
  virtual void onTick(CoordinatorHost& host) { (void)host; }
  /// `worker`'s link was cut and made again within the liveness window (PROTOCOL.md §4.4): what was in
  /// flight either way may be lost. True when the role sent again what the worker needs; false (the
  /// default: a role that cannot replay its messages) declares the worker dead.
  virtual bool onWorkerResumed(int worker, CoordinatorHost& host) {
    (void)worker;
    (void)host;
    return false;
  }
  /// The role's figures in a worker's status row; the default: its counters.
  virtual void fillStatus(WorkerStatus& status) const { status.counters = counters(status.worker); }
  /// The role's own fields in the control socket's "status" answer, beyond the engine's.
  virtual void fillControlStatus(nlohmann::json& status) const { (void)status; }
  /// A core is free beside the engine's loop (local workers + 1 <= cores): a role whose step can share
  /// its work with a second thread may take one.
  virtual void useSpareCore() {}

  /// For a role that evaluatesRemotely() (CoordinatorState): evaluate through the workers now.
  /// `atEnd`: the run has ended; stop the method's traffic and evaluate the iterate as it stands.
  virtual void requestEvaluation(const EvaluationRequest& request, bool atEnd, CoordinatorHost& host) {
    (void)request;
    (void)atEnd;
    (void)host;
  }

  /// Bytes of the largest frame a worker of this run sends legitimately, when it exceeds two float64
  /// vectors of the model's dimension (the default the worker socket's frame limit is set from).
  virtual std::int64_t largestUplinkFrame() const { return 0; }
};

}  // namespace distopt::net
