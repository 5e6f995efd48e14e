#pragma once
// SimRun: a simulated run of a method family that the parameter-server SimEngine does not drive —
// synchronous compressed rounds, decentralized node roles exchanging with neighbours, curvature work
// split across workers, the neuron-sharded Kronecker network. Each family writes its roles once
// (transport-free, docs/architecture.md, rule 3). A family whose roles are FamilyCoordinator/FamilyWorker
// pairs (core/transport/role_links.hpp) gets its SimRun for free: RolesOnVirtualNetwork
// (core/transport/virtual_network.hpp); the others still write a SimRun that drives their roles in
// virtual time while the live runtime drives the same roles over sockets.
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
#include "core/sim/sim_engine.hpp"
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

 private:
  std::atomic<bool> m_stopRequested{false};
};

}  // namespace distopt
