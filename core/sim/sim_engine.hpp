#pragma once
// SimEngine: discrete-event, virtual-time driver of a parameter-server algorithm (docs/architecture.md, rule 3,
// docs/papers.md, async-sgd §2.0). One process, deterministic, thousands of workers.
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

class SimEngine {
 public:
  /// All references must outlive the engine. `shards` has one entry per worker.
  SimEngine(const Problem& problem, const std::vector<Shard>& shards, const TimeModel& timeModel,
            AsyncServer& server, RunRules options, TelemetrySink& sink);
  ~SimEngine();

  /// Runs to a stopping rule and returns the summary (also sent to the sink's onFinish).
  RunSummary run();
  /// Asks a running run() to stop after the current event (any thread).
  void requestStop() { m_stopRequested.store(true); }

 private:
  class Impl;
  std::unique_ptr<Impl> m_impl;
  std::atomic<bool> m_stopRequested{false};
};

}  // namespace distopt
