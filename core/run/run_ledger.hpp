#pragma once
// The run ledger every engine keeps (the parameter-server simulator, the virtual network every family's
// simulator runs on, and the two live engines): what an evaluation answers, how a point is noted (to the
// sink, kept as the latest, checked against the targets and the divergence rule), whether the run's end
// needs a point of its own, how its termination settles once the last point is in, and the summary's
// common part. One copy, so a simulated and a live run end, report and explain themselves alike; the
// engines keep only what is theirs (their clock, their loop, their workers).

#include <cstdint>
#include <string>

#include "core/run/evaluation_grid.hpp"
#include "core/run/run_rules.hpp"
#include "core/sim/divergence.hpp"
#include "core/telemetry/evaluation.hpp"
#include "core/telemetry/run_tally.hpp"
#include "core/telemetry/telemetry.hpp"

namespace distopt {

class RunLedger {
 public:
  /// `sink` gets every point noted; it must outlive the ledger.
  RunLedger(const RunRules& rules, TelemetrySink& sink);

  const RunRules& rules() const { return m_rules; }
  /// Bytes, gradients and delays as the engine counts them.
  RunTally& tally() { return m_tally; }
  const RunTally& tally() const { return m_tally; }

  /// What an evaluation taken now reports beside its point: `updates` done, the bytes counted so far,
  /// and what the rules ask of it (the gradient norm when a target needs it).
  EvaluationRequest request(double time, std::uint64_t updates) const;
  /// Sends `point` on and keeps it as the latest. Diverged once any point noted showed the run diverged
  /// (core/sim/divergence.hpp), TargetReached when this one meets a target, GoOn otherwise.
  /// `stationarity`: the family's own measure the gradient-norm target applies to (CoordinatorState::
  /// stationarity), when it is not the point's ‖∇f‖².
  Verdict note(const EvaluationPoint& point, std::optional<double> stationarity = std::nullopt);
  /// True once a point met a target.
  bool targetReached() const { return m_tally.timeToTarget.has_value(); }
  bool diverged() const { return m_divergence.diverged(); }
  /// True when the run ending at `endTime` with `updates` done has no point of that state yet: every run
  /// ends with an evaluation of its final state.
  bool finalEvaluationDue(double endTime, std::uint64_t updates) const;
  /// The termination once the last point is in: a run whose points diverged ended Diverged, unless it
  /// failed (the failure is its cause).
  Termination settle(Termination termination) const;
  /// Fills the summary's common fields (RunTally::fill), the divergence detail when the run diverged and
  /// none is set (`methodReason`, where the method said where, else the divergence rule's), and the wall
  /// time.
  void fill(RunSummary& summary, const WorkCounters& totals, std::uint64_t updates, Termination termination,
            double endTime, const std::string& methodReason, double wallSeconds) const;

 private:
  RunRules m_rules;
  TelemetrySink& m_sink;
  RunTally m_tally;
  DivergenceWatch m_divergence;
};

}  // namespace distopt
