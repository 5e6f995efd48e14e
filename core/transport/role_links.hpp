#pragma once
// A method family as two roles that exchange typed messages, and what a transport offers each of them.
// The roles hold the method's whole protocol (who sends what when, what a message of the wrong round
// means, when the run cannot go on); a transport only carries their messages: the virtual network of
// core/transport/virtual_network.hpp (the simulator) or ZeroMQ (net/families/role_sockets.hpp, live).
// So a simulated and a live run of a family execute the same role code, and "live equals simulated"
// holds by construction rather than by two implementations kept in step (docs/architecture.md, rule 3).
//
// Roles never block, never read a clock and never touch a socket: a worker that needs time to compute
// says how long its emulated compute lasts (sendAfterCompute) and the transport waits for it, in virtual
// time or on the wall clock. One thread calls a role; no method is re-entered. (One reading of a clock is
// allowed because nothing depends on it: the Kronecker roles measure their own CPU seconds for the
// iteration_seconds metric; virtual time, the messages and the iterates never see it.)

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/async_sgd/server.hpp"
#include "core/problems/problem.hpp"
#include "core/telemetry/evaluation.hpp"
#include "core/telemetry/telemetry.hpp"
#include "core/transport/vector_payload.hpp"

namespace distopt {

/// What every engine reads from a family's coordinator role to keep the run's ledger: stop rules,
/// evaluations, the summary.
class CoordinatorState {
 public:
  virtual ~CoordinatorState() = default;
  /// The algorithm's name, as in the registry.
  virtual std::string name() const = 0;
  /// Completed iterations (rounds, updates): the stop rule's "updates" and the evaluation points'.
  virtual std::uint64_t iterations() const = 0;
  /// Stochastic gradients the workers computed so far, counted as the family's paper counts them
  /// (RunSummary::gradientEvaluations): the gradient budget's measure.
  virtual std::uint64_t gradientEvaluations() const = 0;
  /// The model to evaluate now, or nullptr while there is none yet (e.g. node states still arriving).
  virtual const Vector* model() const = 0;
  /// Family metrics for the evaluation taken now (EvaluationPoint::metrics), e.g. over the window
  /// since the previous call.
  virtual void takeMetrics(std::map<std::string, double>& metrics) { (void)metrics; }
  /// True when takeMetrics() would report something no evaluation has reported yet: the run's last
  /// state then gets an evaluation of its own even when the schedule had just taken one.
  virtual bool metricsPending() const { return false; }
  /// What the objective adds to the problem's loss at model() now (a composite problem's regularizer,
  /// e.g. the decentralized family's non-smooth term), so every engine's curve shows the same Ψ(x̄).
  virtual double lossOffset() const { return 0.0; }
  /// The measure stop.target_grad_norm_sq applies to at `point` (its metrics filled by takeMetrics), when
  /// the family's is not ‖∇f‖²: a composite problem's proximal-gradient mapping ‖G_β(x̄)‖² (the smooth
  /// gradient does not vanish at a solution of f + h).
  virtual std::optional<double> stationarity(const EvaluationPoint& point) const {
    (void)point;
    return std::nullopt;
  }
  /// Why the run cannot go on (a synchronous round lost a worker, a replica diverged); empty if fine.
  virtual std::string failure() const { return {}; }
  /// True when a non-finite value appeared (the run ends as diverged).
  virtual bool diverged() const { return false; }
  /// Where the non-finite value appeared, for the summary; empty when the evaluation found it.
  virtual std::string divergence() const { return {}; }
  /// Bytes the workers sent and received among themselves (WorkerLink::sendToPeer), as their roles
  /// report them: no coordinator socket carries them, so a live engine adds them to what its sockets
  /// counted. (The virtual network counts those messages as they leave and does not ask.)
  struct PeerBytes {
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
  };
  virtual PeerBytes peerBytes() const { return {}; }
  /// Per-worker counters for the status rows and the summary's totals.
  virtual WorkCounters counters(int worker) const {
    (void)worker;
    return {};
  }

  /// Families whose model lives only on the workers (the neuron-sharded Kronecker network: no
  /// coordinator holds W) evaluate through their own messages. Such a role says true here; the engine
  /// then calls FamilyCoordinator::requestEvaluation() on its schedule instead of reading model(), takes
  /// finished points (metrics attached, time and bytes from the request) with takeEvaluations(), and at
  /// the end of a run that did not fail sends one `atEnd` request and waits (bounded) for it.
  virtual bool evaluatesRemotely() const { return false; }
  virtual bool evaluationPending() const { return false; }
  virtual std::vector<EvaluationPoint> takeEvaluations() { return {}; }
};

/// What a transport offers a coordinator role whose messages to workers are `Down`.
template <class Down>
class CoordinatorLink {
 public:
  virtual ~CoordinatorLink() = default;
  /// Sends to a worker; false when the worker is gone (the message is dropped).
  virtual bool send(int worker, Down&& message) = 0;
  /// Time in the experiment's units since the run started (virtual or the wall clock's).
  virtual double now() const = 0;
  virtual int numWorkers() const = 0;
  virtual bool alive(int worker) const = 0;
  /// Bytes of the message being handled as the transport counts them (UpdateEvent::bytes).
  virtual std::size_t lastMessageBytes() const = 0;
  /// Update events and extra bandwidth samples go here.
  virtual TelemetrySink& sink() = 0;
  /// A message that breaks the family's protocol: dropped and counted, never a crash.
  virtual void countMalformed() = 0;
  /// countMalformed() with the reason, for a transport that shows it (the live log and control status).
  virtual void refuse(const std::string& why) {
    (void)why;
    countMalformed();
  }
  /// True once `worker` was declared dead and the death is not applied yet (live: past the malformed
  /// limit): nothing sent to it now would be answered.
  virtual bool leaving(int worker) const {
    (void)worker;
    return false;
  }
  /// Bytes of the last message sent as the transport counts it (a CANCEL's, for its outcome event).
  virtual std::size_t lastSentBytes() const = 0;
  /// True when a message can be lost or refused on its way (live: a cut link, a broken or hostile peer),
  /// so a role keeps what it would have to send again (onRefused, onWorkerResumed). The virtual network
  /// loses nothing: a role there keeps nothing for it.
  virtual bool losesMessages() const { return false; }
  /// Room for a vector of `size` the role writes and then sends, possibly in many messages (the parameter
  /// server's model, written by its step): a heap vector, or where the transport will send it from (the
  /// live transport's frame, shared by every message that carries it).
  virtual VectorPayload outgoingVector(Eigen::Index size) { return VectorPayload(Vector(size)); }
};

/// A worker's result that a coordinator role accepted: counted in `counters` (an arrival, accepted) and
/// reported as an update event at the link's time and with the bytes of the message being handled. The
/// result is of job `jobId` computed on the model at `jobVersion` (its delay is the difference: 0 for a
/// synchronous round, up to τ in a pipeline), and the model is at `versionAfter` once it is applied;
/// `age` is the time since the job was sent.
template <class Down>
void reportAccepted(CoordinatorLink<Down>& link, WorkCounters& counters, int worker, std::uint64_t jobId,
                    std::uint64_t jobVersion, std::uint64_t versionAfter, double age = 0.0) {
  ++counters.arrivals;
  ++counters.accepted;
  UpdateEvent event;
  event.time = link.now();
  event.worker = worker;
  event.jobId = jobId;
  event.jobVersion = jobVersion;
  event.delay = static_cast<std::int64_t>(jobId - jobVersion);
  event.outcome = Outcome::Accepted;
  event.versionAfter = versionAfter;
  event.age = age;
  event.bytes = link.lastMessageBytes();
  link.sink().onUpdate(event);
}

/// What a transport offers a worker role whose messages to the coordinator are `Up`.
template <class Up>
class WorkerLink {
 public:
  virtual ~WorkerLink() = default;
  virtual int workerId() const = 0;
  /// Sends to the coordinator now.
  virtual void send(Up&& message) = 0;
  /// Sends `message` when the emulated compute that began with the message being handled has lasted
  /// `tauUnits` (the worker's time-model draw): `tauUnits` later in virtual time; live, the real compute
  /// counts in it (emulatedDue, net/worker/worker_role.hpp). A worker computes one thing at a time: until
  /// the message has left, messages to it wait, in order, and are handed to the role after it left.
  virtual void sendAfterCompute(double tauUnits, Up&& message) = 0;
  /// As sendAfterCompute, for a compute the coordinator may call off (the parameter server's CANCEL):
  /// the worker is not busy meanwhile (a message that reaches it is handed over at once) and
  /// cancelCompute() drops every such result that has not left yet.
  virtual void sendAfterCancellableCompute(double tauUnits, Up&& message) {
    (void)tauUnits;
    (void)message;
    fail("internal", "this transport cannot call a compute off");
  }
  virtual void cancelCompute() {}
  /// Room for a vector of `size` the role writes and then sends in a message: a heap vector, or where
  /// the transport will send it from (the live transport's frame: a large gradient is not copied into
  /// it afterwards).
  virtual VectorPayload outgoingVector(Eigen::Index size) { return VectorPayload(Vector(size)); }
  /// Sends `message` to worker `peer` (families whose workers talk to each other: decentralized nodes)
  /// when the emulated compute has lasted `tauUnits`, as sendAfterCompute does. The peer's role gets it
  /// through FamilyWorker::onPeerMessage; messages to a computing peer wait as the coordinator's do.
  virtual void sendToPeer(int peer, double tauUnits, Up&& message) {
    (void)peer;
    (void)tauUnits;
    (void)message;
    fail("internal", "this transport carries no messages between workers");
  }
  /// Keeps the worker computing for `tauUnits` without a message, then calls FamilyWorker::onWake: a role
  /// that goes on by itself (a node beginning its next iteration) yields there, so time passes between
  /// its steps on both transports and a stop rule can end the run.
  virtual void wakeAfterCompute(double tauUnits) {
    (void)tauUnits;
    fail("internal", "this transport cannot wake a worker");
  }
  /// Time in the experiment's units since the run started (virtual; live, since the run's first message
  /// reached this worker): the start a time-model draw is made at.
  virtual double now() const = 0;
  /// Seconds of real work since the message being handled arrived (0 in virtual time), for telemetry.
  virtual double computeSeconds() const = 0;
  /// Ends this worker: `code` "diverged" (a non-finite value), "protocol" (the coordinator broke the
  /// protocol) or "internal". The coordinator role learns it as onWorkerLost("code: message").
  virtual void fail(const std::string& code, const std::string& message) = 0;
  /// A message that breaks the family's protocol: dropped and counted, never a crash.
  virtual void countMalformed() = 0;
};

/// A family's coordinator role: sends `Down` to workers, receives `Up` from them.
template <class Down, class Up>
class FamilyCoordinator : public CoordinatorState {
 public:
  using DownMessage = Down;
  using UpMessage = Up;
  /// Every worker is ready and the clock runs: send the first messages.
  virtual void start(CoordinatorLink<Down>& link) = 0;
  virtual void onMessage(int worker, Up&& message, CoordinatorLink<Down>& link) = 0;
  /// `worker` is gone (`reason` "code: message"). A role that cannot go on without it says so through
  /// failure().
  virtual void onWorkerLost(int worker, const std::string& reason, CoordinatorLink<Down>& link) = 0;
  /// A message from `worker` that the transport could not decode (`why`) and that answers what the
  /// coordinator sent (its codec says so). `header`: what could be read of it (the job it names), or
  /// nullptr when that could not be read. A role whose worker waits for an answer gives it again what it
  /// answers; the default counts the refusal and nothing more.
  virtual void onRefused(int worker, const std::string& why, const Up* header, CoordinatorLink<Down>& link) {
    (void)worker;
    (void)header;
    link.refuse(why);
  }
  /// `worker`'s link was cut and made again (live, PROTOCOL.md §4.4): what was in flight either way may
  /// be lost. True when the role sent again what the worker needs; false (the default: a role that cannot
  /// replay its messages) declares the worker dead.
  virtual bool onWorkerResumed(int worker, CoordinatorLink<Down>& link) {
    (void)worker;
    (void)link;
    return false;
  }
  /// The role's figures in a worker's status row (live); the default: its counters.
  virtual void fillStatus(WorkerStatus& status) const { status.counters = counters(status.worker); }
  /// The role's own fields in the live control socket's "status" answer.
  virtual void fillControlStatus(nlohmann::json& status) const { (void)status; }
  /// A core is free beside the transport's thread: a role whose step can share its work with a second
  /// thread may take one (live, local workers + 1 <= cores).
  virtual void useSpareCore() {}
  /// Only for a role that evaluatesRemotely(): evaluate the model as it stands now through the workers.
  /// `atEnd`: the run has ended; stop the method's traffic and evaluate the iterate as it stands.
  virtual void requestEvaluation(const EvaluationRequest& request, bool atEnd, CoordinatorLink<Down>& link) {
    (void)request;
    (void)atEnd;
    (void)link;
  }
};

/// A family's worker role.
template <class Down, class Up>
class FamilyWorker {
 public:
  virtual ~FamilyWorker() = default;
  virtual void onMessage(Down&& message, WorkerLink<Up>& link) = 0;
  /// A message worker `from` sent with WorkerLink::sendToPeer.
  virtual void onPeerMessage(int from, Up&& message, WorkerLink<Up>& link) {
    (void)from;
    (void)message;
    link.countMalformed();
  }
  /// The compute asked for with WorkerLink::wakeAfterCompute has lasted its time.
  virtual void onWake(WorkerLink<Up>& link) { (void)link; }
};

}  // namespace distopt
