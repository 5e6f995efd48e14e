#pragma once
// The simulated run of the Kronecker family (kron-naive, kron-fast): the neuron-sharded roles of
// kron_roles driven in virtual time (docs/papers.md, kronecker-async §3.9).
//
// - Each worker processes its messages strictly in arrival order. A BATCH occupies it for the time
//   model's duration(worker, iteration, start); a RESID is applied at once (its cost is measured in
//   CPU time, not charged in virtual time). Messages travel in zero virtual time.
// - Staleness τ = 0: BATCH(t+1) goes out only after RESID(t), every worker answers from the current
//   model, delay 0: exactly the sequential algorithm (the round waits for the slowest block).
// - τ >= 1: up to τ + 1 iterations await their RESID; each PARTIAL's UpdateEvent carries the delay
//   t − applied_version ∈ [0, τ], so the delay histogram shows the pipeline.
// - Evaluation: on RunRules' schedule (every k iterations, or the first iteration boundary past each
//   grid time) every worker sends LOSS (and COFIRE for ||∇L||²) when it has applied exactly that many
//   steps, so an evaluation is always of one consistent model, W(t). At the end, iterations still
//   awaiting PARTIALs are abandoned (they changed no state) and RESIDs already sent are applied.
// - EvaluationPoint::metrics: fired_fraction (mean k_i/m over the batches since the last point),
//   fired_fraction_all (over all (r, i) now), iteration_seconds (measured CPU seconds per iteration of
//   the roles' work, evaluation excluded), nnz, updated_neurons, flips (fast only), batch_loss, eta.

#include <memory>
#include <optional>
#include <vector>

#include "core/registry/algorithm_entry.hpp"
#include "core/kronecker/kron_driver.hpp"
#include "core/registry/component.hpp"
#include "core/sim/sim_run.hpp"

namespace distopt {

class KronSimRun final : public SimRun {
 public:
  struct Settings {
    KronAlgorithm algorithm = KronAlgorithm::Fast;
    KronFastOptions fast;       ///< index, Gram mode, resync (fast only)
    std::optional<double> eta;  ///< absent: 0.5/(S·p̂)
    int staleness = 0;
  };

  /// References must outlive the run. Throws InputError when workers > m.
  KronSimRun(const KronTwoLayerProblem& problem, const TimeModel& timeModel, int workers, RunRules options,
             Settings settings, const std::string& path = "algorithm.params");

  RunSummary run(TelemetrySink& sink) override;

 private:
  class Impl;
  const KronTwoLayerProblem& m_problem;
  const TimeModel& m_timeModel;
  int m_workers;
  RunRules m_options;
  Settings m_settings;
};

}  // namespace distopt
