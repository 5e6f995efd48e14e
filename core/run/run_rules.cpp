#include "core/run/run_rules.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

namespace distopt {

bool RunRules::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (!(horizon > 0.0)) return fail("horizon: must be > 0");
  if (!std::isfinite(horizon) && !hasBudget() && !targetGap && !targetGradNormSq)
    return fail("stop: needs at least one of a time limit, an update, byte or gradient limit, or a target");
  if (evalInterval < 0.0) return fail("eval_interval: must be >= 0");
  if (targetGap && !(*targetGap > 0.0)) return fail("target_gap: must be > 0");
  if (targetGradNormSq && !(*targetGradNormSq > 0.0)) return fail("target_grad_norm_sq: must be > 0");
  return true;
}

std::optional<Termination> budgetSpent(const RunRules& rules, const BudgetFacts& facts) {
  if (rules.maxUpdates > 0 && facts.updates >= rules.maxUpdates) return Termination::UpdateLimit;
  if (rules.maxBytes > 0 && facts.bytes >= rules.maxBytes) return Termination::ByteLimit;
  if (rules.maxGradients > 0 && facts.gradients >= rules.maxGradients) return Termination::GradientLimit;
  return std::nullopt;
}

void addBudgetStatus(nlohmann::json& status, const RunRules& rules, const BudgetFacts& spent) {
  if (rules.maxBytes > 0) {
    status["byte_limit"] = rules.maxBytes;
    status["bytes"] = spent.bytes;
  }
  if (rules.maxGradients > 0) {
    status["gradient_limit"] = rules.maxGradients;
    status["gradients"] = spent.gradients;
  }
}

std::optional<Termination> stopRule(const RunRules& rules, const LoopFacts& facts, std::string* detail) {
  if (facts.stopRequested) return Termination::Stopped;
  if (facts.now >= rules.horizon) return Termination::TimeLimit;
  if (facts.diverged) return Termination::Diverged;
  if (facts.targetReached) return Termination::TargetReached;
  if (const auto spent = budgetSpent(rules, facts.spent)) return spent;
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

EvaluationSchedule::EvaluationSchedule(const RunRules& rules)
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

}  // namespace distopt
