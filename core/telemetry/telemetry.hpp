#pragma once
// The telemetry a run emits, identical for the simulator and the live runtime (docs/architecture.md, rule 4):
// update events (one per outcome), evaluation points, and a final summary with a termination reason. Sinks
// receive them on the engine's thread; a sink that forwards elsewhere must batch.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/async_sgd/server.hpp"

namespace distopt {

struct UpdateEvent {
  double time = 0.0;            ///< engine time (virtual units in sim, seconds since start live)
  int worker = 0;
  std::uint64_t jobId = 0;
  std::uint64_t jobVersion = 0;
  std::int64_t delay = 0;       ///< k - jobVersion when the outcome happened
  Outcome outcome = Outcome::Accepted;
  std::uint64_t versionAfter = 0;
  double age = 0.0;             ///< time since the job was sent
  std::uint64_t bytes = 0;      ///< the message that carried this outcome: GRAD up, or CANCEL down
};

/// The event for a server's outcome record, stamped by the engine with its time, the job's age and
/// the bytes of the message that carried it.
inline UpdateEvent makeUpdateEvent(const OutcomeRecord& record, double time, double age, std::uint64_t bytes) {
  UpdateEvent event;
  event.time = time;
  event.worker = record.worker;
  event.jobId = record.jobId;
  event.jobVersion = record.jobVersion;
  event.delay = record.delay;
  event.outcome = record.outcome;
  event.versionAfter = record.versionAfter;
  event.age = age;
  event.bytes = bytes;
  return event;
}

struct EvaluationPoint {
  double time = 0.0;
  std::uint64_t updates = 0;
  double loss = 0.0;
  std::optional<double> gap;            ///< loss - f*, when f* is known
  std::optional<double> gradNormSq;     ///< ||grad f(x)||^2 of the smooth part
  std::optional<double> testAccuracy;
  std::uint64_t bytesUp = 0;            ///< cumulative
  std::uint64_t bytesDown = 0;          ///< cumulative
  /// Family-specific measurements by name (snake_case), e.g. "consensus_error" (decentralized),
  /// "vote_agreement" (majority vote), "fired_fraction" (Kronecker), "lambda_max" (hybrid order),
  /// "bits_up_per_iteration" (compressed). Charts offer every name that appears; the store keeps them.
  std::map<std::string, double> metrics;
};

/// A worker's state as the coordinator sees it (live runs; the simulator's workers are always alive).
struct WorkerStatus {
  double time = 0.0;
  int worker = 0;
  std::string host;
  int pid = 0;
  std::string state;            ///< "starting", "alive", "slow", "suspect", "dead"
  std::string reason;           ///< why dead or suspect, e.g. "killed by signal 9 (Killed)"
  WorkCounters counters;
  std::uint64_t bytesUp = 0;    ///< cumulative, worker -> coordinator
  std::uint64_t bytesDown = 0;  ///< cumulative, coordinator -> worker
  double meanDelay = 0.0;       ///< over this worker's accepted gradients
  double meanJobSeconds = 0.0;  ///< measured wall time per answered job
  /// The worker's clock minus the coordinator's (seconds), the round trip it was measured with, and the
  /// mean time its gradients took from leaving the worker to arriving, on one clock: estimated from
  /// heartbeat clock probes (net/PROTOCOL.md §4.3); unset until measured, and in simulated runs.
  std::optional<double> clockOffset;
  std::optional<double> roundTrip;
  std::optional<double> uplinkTransit;
};

/// Cumulative bytes counted at the socket for one worker, direction and message kind.
struct BandwidthSample {
  double time = 0.0;
  int worker = 0;
  bool uplink = true;           ///< worker -> coordinator
  std::string kind;             ///< message kind name, e.g. "GRAD"
  std::uint64_t bytes = 0;      ///< cumulative
  std::uint64_t messages = 0;   ///< cumulative
};

enum class Termination {
  TimeLimit,
  UpdateLimit,
  TargetReached,
  Diverged,
  Stopped,       ///< stopped by the user
  Stalled,       ///< nothing left to happen (no work in flight)
  Failed,        ///< the run could not go on (e.g. every worker lost)
  ByteLimit,     ///< the run moved its budget of bytes
  GradientLimit, ///< the workers computed their budget of stochastic gradients
};
/// Every termination, for readers that map names back.
inline constexpr Termination kTerminations[] = {
    Termination::TimeLimit, Termination::UpdateLimit, Termination::TargetReached, Termination::Diverged,
    Termination::Stopped,   Termination::Stalled,     Termination::Failed,        Termination::ByteLimit,
    Termination::GradientLimit};
const char* terminationName(Termination termination);

struct RunSummary {
  std::string algorithm;
  std::string engine;                   ///< "sim" or "live"
  int workers = 0;
  Termination termination = Termination::Stalled;
  std::string terminationDetail;        ///< free text, e.g. which worker failed
  WorkCounters counters;
  std::uint64_t updatesApplied = 0;
  /// Stochastic gradients the workers computed (oracle calls, a minibatch counting one): every answered
  /// job's gradients in the parameter-server family, one per worker per round or iteration in the
  /// synchronous and decentralized ones, one per update in the Kronecker network.
  std::uint64_t gradientEvaluations = 0;
  double finalLoss = 0.0;
  std::optional<double> finalGap;
  std::optional<double> finalGradNormSq;
  std::optional<double> finalTestAccuracy;
  double time = 0.0;                    ///< engine time at the end
  std::optional<double> timeToTarget;
  double delayMean = 0.0;               ///< over accepted gradients
  std::int64_t delayMax = 0;            ///< over accepted gradients
  std::uint64_t bytesUplink = 0;
  std::uint64_t bytesDownlink = 0;
  double wallSeconds = 0.0;             ///< real time the engine ran
  std::vector<WorkerStatus> workerStatus;  ///< final state per worker (live runs)
  std::uint64_t malformedDropped = 0;      ///< messages refused by the decoder (live runs)

  /// The final model's figures, from the run's last evaluation.
  void setFinalEvaluation(const EvaluationPoint& last) {
    finalLoss = last.loss;
    finalGap = last.gap;
    finalGradNormSq = last.gradNormSq;
    finalTestAccuracy = last.testAccuracy;
  }
};

class TelemetrySink {
 public:
  virtual ~TelemetrySink() = default;
  virtual void onUpdate(const UpdateEvent& /*event*/) {}
  virtual void onEvaluation(const EvaluationPoint& /*point*/) {}
  virtual void onFinish(const RunSummary& /*summary*/) {}
  virtual void onWorkerStatus(const WorkerStatus& /*status*/) {}
  virtual void onBandwidth(const BandwidthSample& /*sample*/) {}
};

/// Forwards to several sinks (e.g. CSV writer and progress printer).
class TelemetryFanout : public TelemetrySink {
 public:
  void add(TelemetrySink* sink) { m_sinks.push_back(sink); }
  void onUpdate(const UpdateEvent& event) override {
    for (auto* sink : m_sinks) sink->onUpdate(event);
  }
  void onEvaluation(const EvaluationPoint& point) override {
    for (auto* sink : m_sinks) sink->onEvaluation(point);
  }
  void onFinish(const RunSummary& summary) override {
    for (auto* sink : m_sinks) sink->onFinish(summary);
  }
  void onWorkerStatus(const WorkerStatus& status) override {
    for (auto* sink : m_sinks) sink->onWorkerStatus(status);
  }
  void onBandwidth(const BandwidthSample& sample) override {
    for (auto* sink : m_sinks) sink->onBandwidth(sample);
  }

 private:
  std::vector<TelemetrySink*> m_sinks;
};

}  // namespace distopt
