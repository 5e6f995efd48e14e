#include "core/run/evaluation_grid.hpp"

#include <cmath>
#include <limits>

namespace distopt {

std::optional<Termination> terminationOf(Verdict verdict) {
  switch (verdict) {
    case Verdict::TargetReached:
      return Termination::TargetReached;
    case Verdict::Diverged:
      return Termination::Diverged;
    case Verdict::GoOn:
      break;
  }
  return std::nullopt;
}

EvaluationGrid::EvaluationGrid(const RunRules& rules)
    : m_interval(rules.evalInterval),
      m_horizon(rules.horizon),
      m_next(rules.evalInterval > 0.0 ? rules.evalInterval : std::numeric_limits<double>::infinity()) {}

Verdict EvaluationGrid::walkBefore(double time, const Evaluate& evaluate) {
  while (m_next < time && m_next <= m_horizon) {
    const double at = m_next;
    m_next += m_interval;
    const Verdict verdict = evaluate(at);
    if (verdict != Verdict::GoOn) return verdict;
  }
  return Verdict::GoOn;
}

RunEnd EvaluationGrid::closeAtHorizon(double now, const Evaluate& evaluate) {
  // Without a finite horizon the limit was a completion that never comes: the run ends where it stands,
  // and there is no grid beyond it to walk.
  if (!std::isfinite(m_horizon)) return {Termination::TimeLimit, now};
  while (m_next <= m_horizon) {
    const double at = m_next;
    m_next += m_interval;
    if (const auto ended = terminationOf(evaluate(at))) return {*ended, at};
  }
  return {Termination::TimeLimit, m_horizon};
}

bool finalEvaluationDue(bool haveEvaluation, const EvaluationPoint& last, double endTime,
                        std::uint64_t updates) {
  return !haveEvaluation || last.time != endTime || last.updates != updates;
}

}  // namespace distopt
