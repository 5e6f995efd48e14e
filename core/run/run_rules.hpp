#pragma once
// The rules that end a run and schedule its evaluations, one piece for every engine (the simulators of
// the five families and the live engines), so every run stops and evaluates on exactly the same terms:
// a budget of time, updates, bytes or gradient evaluations, a target, or a fault.

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/telemetry/telemetry.hpp"

namespace distopt {

struct RunRules {
  /// Process every event with time <= horizon (time units); +inf for no time limit.
  double horizon = std::numeric_limits<double>::infinity();
  /// Stop after this many applied updates (rounds, iterations); 0 = no limit.
  std::uint64_t maxUpdates = 0;
  /// Stop once the run has moved this many bytes, both directions together (the messages' encoded sizes
  /// in the simulator, the socket's count live); 0 = no limit. Communication-bound methods compare on it.
  std::uint64_t maxBytes = 0;
  /// Stop once the workers have computed this many stochastic gradients (oracle calls; a minibatch is
  /// one, what each family counts is in its RunSummary::gradientEvaluations); 0 = no limit.
  std::uint64_t maxGradients = 0;
  /// Stop at the first evaluation with f - f* <= targetGap (needs f*).
  std::optional<double> targetGap;
  /// Stop at the first evaluation with ||grad f||^2 <= targetGradNormSq.
  std::optional<double> targetGradNormSq;
  /// Evaluate on the grid 0, dt, 2dt, ... (time units); 0 = no grid.
  double evalInterval = 0.0;
  /// Also evaluate after every k-th applied update; 0 = never.
  std::uint64_t evalEveryUpdates = 0;
  /// Compute ||grad f||^2 at evaluations (a full gradient: costly on large data).
  bool evalGradNorm = true;
  /// Compute test accuracy at evaluations when the problem has a test set.
  bool evalAccuracy = true;
  /// Run seed: keys every gradient stream.
  std::uint64_t seed = 0;

  /// True when one of the counted budgets (updates, bytes, gradients) is used up.
  bool hasBudget() const { return maxUpdates > 0 || maxBytes > 0 || maxGradients > 0; }
  bool isValid(std::string* why) const;
};

/// What a run's counted budgets stand at.
struct BudgetFacts {
  std::uint64_t updates = 0;    ///< updates or iterations completed
  std::uint64_t bytes = 0;      ///< both directions
  std::uint64_t gradients = 0;  ///< stochastic gradients computed
};

/// The counted budget that is used up (update, byte or gradient limit, in that order); nullopt while
/// none is.
std::optional<Termination> budgetSpent(const RunRules& rules, const BudgetFacts& facts);

/// A run's status (the control socket's reply) gains its byte and gradient budgets and what it has spent
/// of them, only for the budgets it has: "byte_limit" and "bytes", "gradient_limit" and "gradients".
void addBudgetStatus(nlohmann::json& status, const RunRules& rules, const BudgetFacts& spent);

/// What a live run loop knows at one turn.
struct LoopFacts {
  bool stopRequested = false;
  double now = 0.0;       ///< engine time, units
  bool diverged = false;  ///< a non-finite value in the method or an evaluation
  bool targetReached = false;
  BudgetFacts spent;
  std::string failure;  ///< why the method cannot go on; empty if it can
  int aliveWorkers = 1;
};

/// The rule that ends the run now, checked in this order: stop request, time limit, divergence, target,
/// the counted budgets, the method's failure, no worker left. nullopt while none holds; *detail says why
/// for failures.
std::optional<Termination> stopRule(const RunRules& rules, const LoopFacts& facts, std::string* detail);

/// Evaluations due on the time grid (every evalInterval units) and every evalEveryUpdates updates.
class EvaluationSchedule {
 public:
  explicit EvaluationSchedule(const RunRules& rules);
  /// Calls submit(time) for every evaluation due at `now` with `updates` done.
  void due(double now, std::uint64_t updates, const std::function<void(double time)>& submit);
  /// The next grid time (infinity without a grid), for how long a loop may sleep.
  double nextGrid() const { return m_nextGrid; }

 private:
  double m_interval;
  std::uint64_t m_everyUpdates;
  double m_nextGrid;
  std::uint64_t m_lastUpdates = 0;
};

}  // namespace distopt
