#pragma once
// LiveEngine: drives a parameter-server algorithm's state machine with real distopt-worker processes
// over ZeroMQ, in real time (docs/architecture.md, rules 3–5; net/PROTOCOL.md). The same AsyncServer the simulator
// drives; only the clock and the transport differ.
//
// One thread: a poll loop with deadlines over the worker ROUTER socket (and the control socket); the
// sessions themselves (hello, heartbeats, liveness, bytes at the socket) are the WorkerPool's.
// Evaluation of the model runs on a background thread on snapshots, so curves never stall the loop.
// Engine time is measured in the experiment's time units (wall seconds / unit), like the simulator's.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "core/async_sgd/server.hpp"
#include "core/config/experiment.hpp"
#include "core/problems/problem.hpp"
#include "core/sim/sim_engine.hpp"
#include "core/telemetry/telemetry.hpp"
#include "net/coordinator/worker_pool.hpp"

namespace distopt::net {

class LiveEngine {
 public:
  /// `rules`: stop rules and evaluation schedule (the same fields the simulator uses; time in units).
  /// All references must outlive the engine.
  LiveEngine(const Experiment& experiment, const Problem& problem, AsyncServer& server, const RunRules& rules,
             LiveOptions options, TelemetrySink& sink);
  ~LiveEngine();

  /// Binds the sockets; false with *why if an endpoint cannot be bound. Call before run().
  bool bind(std::string* why);
  /// Bound endpoints (after bind): workers, telemetry, control.
  std::string workerEndpoint() const;
  std::string telemetryEndpoint() const;
  std::string controlEndpoint() const;
  /// The command line a remote worker runs to join (with the server key and join token when secured).
  std::string joinCommand() const;
  /// The worker sessions and feeds (dashboard endpoint, attach command, status).
  const WorkerPool& pool() const;

  /// Starts workers, waits for them, runs to a stopping rule, stops the workers. Never throws for
  /// peer or network failures: they end up in the summary (termination "failed" with a reason) and
  /// in the workers' status.
  RunSummary run();
  /// Stops a running run after the current event (any thread, or a signal handler).
  void requestStop();

 private:
  class Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace distopt::net
