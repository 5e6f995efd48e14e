#pragma once
// The coordinator's part of a method family that the parameter-server LiveEngine does not drive
// (compressed rounds, decentralized nodes, curvature work split across workers, the neuron-sharded
// Kronecker network). A family writes one CoordinatorRole that turns its transport-free core roles
// (docs/architecture.md, rule 3) into the family's messages (net/PROTOCOL.md, its kind range); the FamilyEngine gives
// it the worker sessions, the clock, the stop rules, evaluation and telemetry.
//
// Thread: the engine's loop thread; no method is re-entered.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

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
using CoordinatorHost = CoordinatorLink<Message>;

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
