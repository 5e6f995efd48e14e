#pragma once
// FamilyEngine: runs a method family's CoordinatorRole with real distopt-worker processes, in real
// time — the live counterpart of a family's SimRun. The worker sessions are a WorkerPool's, exactly
// as for the parameter-server LiveEngine; this engine adds the stop rules, the evaluation schedule
// (on a background thread, on snapshots of role.model(), with the role's metrics attached) and the
// run summary.

#include <memory>
#include <string>

#include "core/config/experiment.hpp"
#include "core/problems/problem.hpp"
#include "core/sim/sim_engine.hpp"
#include "core/telemetry/telemetry.hpp"
#include "net/coordinator/coordinator_role.hpp"
#include "net/coordinator/worker_pool.hpp"

namespace distopt::net {

class FamilyEngine {
 public:
  /// All references must outlive the engine. `rules`: stop rules and evaluation schedule (time in units).
  FamilyEngine(const Experiment& experiment, const Problem& problem, CoordinatorRole& role,
               const RunRules& rules, LiveOptions options, TelemetrySink& sink);
  ~FamilyEngine();

  bool bind(std::string* why);
  std::string workerEndpoint() const;
  std::string telemetryEndpoint() const;
  std::string controlEndpoint() const;
  /// The command line a remote worker runs to join (with the server key and join token when secured).
  std::string joinCommand() const;
  /// The worker sessions and feeds (dashboard endpoint, attach command, status).
  const WorkerPool& pool() const;

  /// Starts the workers, waits for them, runs to a stopping rule, stops the workers. Peer and network
  /// failures end in the summary (termination "failed" with a reason), never as an exception.
  RunSummary run();
  /// Any thread, or a signal handler.
  void requestStop();

 private:
  class Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace distopt::net
