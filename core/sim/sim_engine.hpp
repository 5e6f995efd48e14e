#pragma once
// SimEngine: discrete-event, virtual-time driver of a parameter-server algorithm (docs/architecture.md, rule 3,
// docs/papers.md, async-sgd §2.0). One process, deterministic, thousands of workers. It is the family's
// fast path: a SimRun like every family's simulator, equal bit for bit to the family's roles on the
// virtual network (ParameterServerRolesRun, test_core_parameter_server_roles) without their messages.
//
// Event order: completions are processed by (time, worker index); a cancellation issued at time t
// removes the victim's pending completion even when it is also stamped t. A job's gradient is a pure
// function of (model at the job's version, worker shard, stream (seed, Gradient, worker, job)); it is
// evaluated lazily, only when the server applies it, from a snapshot of the model shared by every job
// sent at that version — identical to computing it at job start, at a fraction of the cost when most
// work is cancelled or discarded (Ringmaster B cancels ~1000x more jobs than it applies in E1).

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/async_sgd/server.hpp"
#include "core/problems/problem.hpp"
#include "core/run/run_rules.hpp"
#include "core/sim/sim_run.hpp"
#include "core/telemetry/telemetry.hpp"
#include "core/timing/time_model.hpp"

namespace distopt {

/// Message sizes the simulator charges, in bytes; they mirror the live protocol's dense float64
/// encoding (a 16-byte header plus fixed fields plus 8 bytes per coordinate). Live runs count bytes at
/// the socket instead.
struct WireSizeModel {
  std::uint64_t jobFixed = 16 + 32;
  std::uint64_t gradFixed = 16 + 48;
  std::uint64_t cancel = 16 + 8;
  std::uint64_t bytesPerScalar = 8;
};

class SimEngine final : public SimRun {
 public:
  /// `server` (built for context.numWorkers workers) and the problem and time model in `context` must
  /// outlive the engine; the context's shards (one per worker) are shared.
  SimEngine(const SimRunContext& context, AsyncServer& server);
  ~SimEngine() override;

  /// Runs to a stopping rule and returns the summary (also sent to the sink's onFinish). A stop request
  /// (SimRun::requestStop) ends it after the current event.
  RunSummary run(TelemetrySink& sink) override;

 private:
  class Impl;
  SimRunContext m_context;
  AsyncServer& m_server;
};

}  // namespace distopt
