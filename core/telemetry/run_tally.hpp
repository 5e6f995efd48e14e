#pragma once
// What every engine counts while a run goes (bytes, accepted delays, the latest evaluation, time to
// target) and how that becomes the run summary — one place, so the simulator and the live runtime
// report the same quantities the same way.

#include <cstdint>
#include <optional>

#include "core/async_sgd/server.hpp"
#include "core/run/run_rules.hpp"
#include "core/telemetry/telemetry.hpp"

namespace distopt {

struct RunTally {
  std::uint64_t bytesUp = 0;
  std::uint64_t bytesDown = 0;
  std::uint64_t gradients = 0;  ///< stochastic gradients computed (RunSummary::gradientEvaluations)
  double delaySum = 0.0;
  std::uint64_t delayCount = 0;
  std::int64_t delayMax = 0;
  std::optional<double> timeToTarget;
  EvaluationPoint lastEvaluation;
  bool haveEvaluation = false;

  void countAccepted(std::int64_t delay);
  /// The counted budgets as they stand with `updates` done (RunRules' update, byte and gradient limits).
  BudgetFacts spent(std::uint64_t updates) const { return {updates, bytesUp + bytesDown, gradients}; }
  /// Keeps `point` as the latest; true when it meets a target (the first such point sets timeToTarget).
  bool noteEvaluation(const EvaluationPoint& point, const std::optional<double>& targetGap,
                      const std::optional<double>& targetGradNormSq,
                      const std::optional<double>& stationarity = std::nullopt);
  /// Fills the summary fields common to every engine.
  void fill(RunSummary& summary, const AsyncServer& server, Termination termination, double endTime) const;
  /// The same for engines without an AsyncServer: their totals and completed iterations.
  void fill(RunSummary& summary, const WorkCounters& totals, std::uint64_t updates, Termination termination,
            double endTime) const;
};

/// A role's telemetry on its way to `next`, with the accepted updates' delays counted in `tally` for the
/// summary (mean and max delay), as every engine counts them.
class TallyingSink final : public TelemetrySink {
 public:
  TallyingSink(TelemetrySink& next, RunTally& tally) : m_next(next), m_tally(tally) {}
  void onUpdate(const UpdateEvent& event) override {
    if (event.outcome == Outcome::Accepted) m_tally.countAccepted(event.delay);
    m_next.onUpdate(event);
  }
  void onEvaluation(const EvaluationPoint& point) override { m_next.onEvaluation(point); }
  void onFinish(const RunSummary& summary) override { m_next.onFinish(summary); }
  void onWorkerStatus(const WorkerStatus& status) override { m_next.onWorkerStatus(status); }
  void onBandwidth(const BandwidthSample& sample) override { m_next.onBandwidth(sample); }

 private:
  TelemetrySink& m_next;
  RunTally& m_tally;
};

}  // namespace distopt
