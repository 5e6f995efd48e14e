#pragma once
// Progress on stderr while a run goes: a redrawn bar on a terminal, plain lines (at most one a second)
// otherwise, so logs stay readable. Throttled by wall time, never by event rate.

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/telemetry/telemetry.hpp"

namespace distopt::app {

class ProgressPrinter : public TelemetrySink {
 public:
  /// `timeBudget` / `updateBudget`: the stop rules, for the percentage (either may be absent).
  ProgressPrinter(std::optional<double> timeBudget, std::uint64_t updateBudget);

  void onEvaluation(const EvaluationPoint& point) override;
  void onFinish(const RunSummary& summary) override;

 private:
  void print(const EvaluationPoint& point, bool final);

  std::optional<double> m_timeBudget;
  std::uint64_t m_updateBudget = 0;
  bool m_terminal = false;
  std::chrono::steady_clock::time_point m_lastPrint{};
  EvaluationPoint m_last;
  bool m_printedAny = false;
};

}  // namespace distopt::app
