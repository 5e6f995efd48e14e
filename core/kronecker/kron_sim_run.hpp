#pragma once
// The simulated run of the Kronecker family (kron-naive, kron-fast): its roles (kron_family_coordinator,
// kron_family_worker) on the virtual network (core/transport/virtual_network.hpp); live, the same roles
// run on ZeroMQ (net/families/kronecker). docs/papers.md, kronecker-async §3.9.
//
// - Each worker handles its messages strictly in arrival order. A BATCH occupies it for the time model's
//   duration(worker, iteration, start); a RESID is applied at once (its cost is measured in CPU time,
//   not charged in virtual time). Messages travel in zero virtual time.
// - Staleness τ = 0: BATCH(t+1) goes out only after RESID(t), every worker answers from the current
//   model, delay 0: exactly the sequential algorithm (the round waits for the slowest block).
// - τ >= 1: up to τ + 1 iterations await their RESID; each PARTIAL's UpdateEvent carries the delay
//   t − applied_version ∈ [0, τ], so the delay histogram shows the pipeline.
// - Evaluation: the model lives on the workers, so the run ledger's schedule (every k iterations, grid
//   times) asks the coordinator, which sends EVAL(v) with v the iterations completed then; every worker
//   answers LOSS (and COFIRE for ||∇L||²) and STATS once it has applied exactly v steps, so a point is
//   always of one consistent model W(v), labelled with the time it was asked at. At the end the
//   coordinator stops sending BATCHes, ignores the PARTIALs still coming, and asks once more: every
//   RESID already sent is applied before the workers answer.
// - EvaluationPoint::metrics: fired_fraction (mean k_i/m over the batches since the last point),
//   fired_fraction_all (over all (r, i) now), iteration_seconds (measured CPU seconds per iteration of
//   the roles' work, evaluation excluded), nnz, updated_neurons, flips (fast only), batch_loss, eta.

#include "core/kronecker/kron_driver.hpp"
#include "core/kronecker/kron_family_messages.hpp"
#include "core/sim/sim_run.hpp"
#include "core/transport/virtual_network.hpp"

namespace distopt {

class KronSimRun final : public RolesOnVirtualNetwork<KronDown, KronUp> {
 public:
  using Settings = KronRunSettings;

  /// `problem` is context.problem as the Kronecker problem; it and the time model must outlive the run.
  /// Throws InputError when workers > m or a setting is out of range.
  KronSimRun(const KronTwoLayerProblem& problem, const Settings& settings, const SimRunContext& context);

 private:
  struct Checked {};  ///< the settings were validated against the context (the public constructor)
  KronSimRun(Checked, const KronTwoLayerProblem& problem, const Settings& settings,
             const SimRunContext& context);
};

}  // namespace distopt
