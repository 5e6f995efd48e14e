#pragma once
// The evaluation grid a simulator walks in virtual time and the rule it closes a run at its time limit
// by: one copy for every family's simulator, which each had their own and closed differently (one
// stopped at a target met after the last event and still said "time limit", one went on to the horizon
// past it, one ended there with the target).
//
// The rule: a grid time sees the model as it stands then, so the points strictly before an event are
// evaluated before the event is applied; at the time limit the points up to the horizon all see the
// final model. The first point that meets the target or diverges ends the run there, as any evaluation
// during the run would.

#include <functional>
#include <optional>

#include "core/run/run_rules.hpp"
#include "core/telemetry/telemetry.hpp"

namespace distopt {

/// What one evaluation says about the run.
enum class Verdict { GoOn, TargetReached, Diverged };

/// The termination a verdict ends the run with (none for GoOn).
std::optional<Termination> terminationOf(Verdict verdict);

/// How a run that reached its time limit ends: at the horizon, or at the grid time whose point met the
/// target or diverged.
struct RunEnd {
  Termination termination = Termination::TimeLimit;
  double time = 0.0;
};

class EvaluationGrid {
 public:
  using Evaluate = std::function<Verdict(double time)>;

  /// The grid of `rules` (every evalInterval units from evalInterval on; none when it is 0).
  explicit EvaluationGrid(const RunRules& rules);

  /// Evaluates every grid time before `time` and not past the horizon; stops at the first verdict that
  /// ends the run and returns it (GoOn when none did).
  Verdict walkBefore(double time, const Evaluate& evaluate);
  /// The run reached its time limit: evaluates the grid times up to the horizon (the final model) and says
  /// how it ends. Without a finite horizon (a completion that never comes) it ends at `now`.
  RunEnd closeAtHorizon(double now, const Evaluate& evaluate);
  /// The next grid time (infinity when there is none).
  double next() const { return m_next; }

 private:
  double m_interval;
  double m_horizon;
  double m_next;
};

/// True when a run's last evaluation is not of the state it ends in (time `endTime`, `updates` done):
/// every run ends with an evaluation of its final state.
bool finalEvaluationDue(bool haveEvaluation, const EvaluationPoint& last, double endTime,
                        std::uint64_t updates);

}  // namespace distopt
