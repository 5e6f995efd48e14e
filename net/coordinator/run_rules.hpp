#pragma once
// The stop rules and evaluation schedule of a live run, one piece for both live engines (the
// parameter-server LiveEngine and the FamilyEngine), so they end runs and evaluate on exactly the same
// terms.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/sim/sim_engine.hpp"
#include "core/telemetry/telemetry.hpp"

namespace distopt::net {

/// What a run loop knows at one turn.
struct LoopFacts {
  bool stopRequested = false;
  double now = 0.0;       ///< engine time, units
  bool diverged = false;  ///< a non-finite value in the method or an evaluation
  bool targetReached = false;
  std::uint64_t updates = 0;  ///< updates or iterations completed
  std::string failure;        ///< why the method cannot go on; empty if it can
  int aliveWorkers = 1;
};

/// The rule that ends the run now, checked in this order: stop request, time limit, divergence, target,
/// update limit, the method's failure, no worker left. nullopt while none holds; *detail says why for
/// failures.
std::optional<Termination> liveStopRule(const SimOptions& rules, const LoopFacts& facts, std::string* detail);

/// Evaluations due on the time grid (every evalInterval units) and every evalEveryUpdates updates.
class EvaluationSchedule {
 public:
  explicit EvaluationSchedule(const SimOptions& rules);
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

}  // namespace distopt::net
