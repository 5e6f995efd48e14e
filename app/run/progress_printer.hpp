#pragma once
// Progress on stderr while a run goes: a redrawn bar on a terminal, plain lines (at most one a second)
// otherwise, so logs stay readable. Throttled by wall time, never by event rate. Each line carries the
// rate (applied updates per wall second) and, from the stop rule's fraction done, the time left.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/telemetry/telemetry.hpp"

namespace distopt::app {

/// "rate 1.23e+04 upd/s  ETA 0:42" while running, "rate ...  took 1:05" at the end; "ETA ?" until a
/// fraction is known. Seconds as M:SS, or H:MM:SS past an hour.
std::string rateAndEta(std::uint64_t updates, double fraction, double elapsedSeconds, bool final);

class ProgressPrinter : public TelemetrySink {
 public:
  /// `timeBudget` / `updateBudget` / `byteBudget`: the stop rules, for the percentage (any may be absent:
  /// 0 or nullopt). A gradient budget shows no percentage (evaluation points do not count gradients).
  ProgressPrinter(std::optional<double> timeBudget, std::uint64_t updateBudget, std::uint64_t byteBudget = 0);

  void onEvaluation(const EvaluationPoint& point) override;
  void onFinish(const RunSummary& summary) override;

 private:
  void print(const EvaluationPoint& point, bool final);

  std::optional<double> m_timeBudget;
  std::uint64_t m_updateBudget = 0;
  std::uint64_t m_byteBudget = 0;
  bool m_terminal = false;
  std::chrono::steady_clock::time_point m_start{};
  bool m_started = false;
  std::chrono::steady_clock::time_point m_lastPrint{};
  EvaluationPoint m_last;
  bool m_printedAny = false;
};

}  // namespace distopt::app
