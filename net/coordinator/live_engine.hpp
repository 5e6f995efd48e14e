#pragma once
// LiveEngine: runs a method family's CoordinatorRole with real distopt-worker processes, in real time,
// in the experiment's time units (wall seconds / unit) — the live counterpart of the simulator. Every
// family's is its core coordinator role on sockets (net/families/role_sockets.hpp);
// net/families/live_families builds it. The
// worker sessions (hello, heartbeats, liveness, bytes at the socket) are a WorkerPool's; this engine
// adds the run ledger (core/run: stop rules, the evaluation schedule on a background thread on
// snapshots of role.model() with the role's metrics attached, termination, the summary).
//
// One thread: a poll loop with deadlines over the worker ROUTER socket (and the control socket).

#include <memory>
#include <string>

#include "core/config/experiment.hpp"
#include "core/problems/problem.hpp"
#include "core/sim/sim_engine.hpp"
#include "core/telemetry/telemetry.hpp"
#include "net/coordinator/coordinator_role.hpp"
#include "net/coordinator/worker_pool.hpp"

namespace distopt::net {

class LiveEngine {
 public:
  /// All references must outlive the engine. `rules`: stop rules and evaluation schedule (time in units).
  LiveEngine(const Experiment& experiment, const Problem& problem, CoordinatorRole& role,
               const RunRules& rules, LiveOptions options, TelemetrySink& sink);
  ~LiveEngine();

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
