#pragma once
// SimRun: a simulated run of any family. Each family writes its roles once (transport-free,
// docs/architecture.md, rule 3) as FamilyCoordinator/FamilyWorker pairs (core/transport/role_links.hpp)
// and gets its SimRun for free: RolesOnVirtualNetwork (core/transport/virtual_network.hpp), the same
// roles the live runtime drives over sockets. The parameter-server family's usual SimRun is its fast path,
// the SimEngine (core/sim/sim_engine.hpp), held equal to its roles on the virtual network.
//
// Contract for implementations:
// - time is in the experiment's time units; a worker's compute time comes from the TimeModel
//   (`duration(worker, jobSeq, start)`), so heterogeneous speeds shape a synchronous round too;
// - stop by the RunRules (horizon, budgetSpent: updates, bytes, gradients; targets) or requestStop(), and report why in
//   RunSummary::termination; NaN/Inf ends the run with Termination::Diverged, never a crash;
// - evaluate on RunRules' schedule with evaluateModel() (telemetry/evaluation.hpp) and put family
//   measurements in EvaluationPoint::metrics; bytes are the exact sizes of the encoded messages;
// - random draws come from RandomStream keyed by (seed, purpose, worker, job), never from a global.

#include <atomic>
#include <memory>
#include <vector>

#include "core/problems/problem.hpp"
#include "core/run/run_rules.hpp"
#include "core/telemetry/telemetry.hpp"
#include "core/timing/time_model.hpp"

namespace distopt {

/// What a family's simulated run is built from. `problem` and `timeModel` are owned by the caller and
/// outlive the run; the shards are shared, so a run may keep them (the caller's BuiltRun may move).
struct SimRunContext {
  const Problem* problem = nullptr;
  std::shared_ptr<const std::vector<Shard>> shards;  ///< one per worker
  const TimeModel* timeModel = nullptr;
  int numWorkers = 1;
  Vector x0;                                   ///< the problem's seeded initial point
  RunRules options;                          ///< stop rules, evaluation schedule, seed
  std::string path = "algorithm.params";       ///< field path prefix for InputError
};

class SimRun {
 public:
  virtual ~SimRun() = default;
  /// Runs to a stopping rule; sends every event to `sink` and returns the summary (also given to
  /// sink.onFinish). Called once.
  virtual RunSummary run(TelemetrySink& sink) = 0;
  /// Asks a running run() to stop soon (any thread).
  void requestStop() { m_stopRequested.store(true, std::memory_order_relaxed); }

 protected:
  bool stopRequested() const { return m_stopRequested.load(std::memory_order_relaxed); }
  /// The flag itself, for a loop that reads it on every event without a call.
  const std::atomic<bool>& stopFlag() const { return m_stopRequested; }

 private:
  std::atomic<bool> m_stopRequested{false};
};

}  // namespace distopt
