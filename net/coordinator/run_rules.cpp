#include "net/coordinator/run_rules.hpp"

#include <cmath>

namespace distopt::net {

std::optional<Termination> liveStopRule(const SimOptions& rules, const LoopFacts& facts,
                                        std::string* detail) {
  if (facts.stopRequested) return Termination::Stopped;
  if (facts.now >= rules.horizon) return Termination::TimeLimit;
  if (facts.diverged) return Termination::Diverged;
  if (facts.targetReached) return Termination::TargetReached;
  if (rules.maxUpdates > 0 && facts.updates >= rules.maxUpdates) return Termination::UpdateLimit;
  if (!facts.failure.empty()) {
    *detail = facts.failure;
    return Termination::Failed;
  }
  if (facts.aliveWorkers == 0) {
    *detail = "every worker was lost";
    return Termination::Failed;
  }
  return std::nullopt;
}

EvaluationSchedule::EvaluationSchedule(const SimOptions& rules)
    : m_interval(rules.evalInterval),
      m_everyUpdates(rules.evalEveryUpdates),
      m_nextGrid(rules.evalInterval > 0 ? rules.evalInterval : INFINITY) {}

void EvaluationSchedule::due(double now, std::uint64_t updates, const std::function<void(double)>& submit) {
  while (m_nextGrid <= now) {
    submit(m_nextGrid);
    m_nextGrid += m_interval;
  }
  if (m_everyUpdates > 0 && updates - m_lastUpdates >= m_everyUpdates) {
    m_lastUpdates = updates;
    submit(now);
  }
}

}  // namespace distopt::net
