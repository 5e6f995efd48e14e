#include "core/telemetry/run_tally.hpp"

#include <algorithm>

#include "core/telemetry/evaluation.hpp"

namespace distopt {

void RunTally::countAccepted(std::int64_t delay) {
  delaySum += static_cast<double>(delay);
  ++delayCount;
  delayMax = std::max(delayMax, delay);
}

bool RunTally::noteEvaluation(const EvaluationPoint& point, const std::optional<double>& targetGap,
                              const std::optional<double>& targetGradNormSq,
                              const std::optional<double>& stationarity) {
  lastEvaluation = point;
  haveEvaluation = true;
  const bool met = meetsTarget(point, targetGap, targetGradNormSq, stationarity);
  if (met && !timeToTarget) timeToTarget = point.time;
  return met;
}

void RunTally::fill(RunSummary& summary, const AsyncServer& server, Termination termination, double endTime) const {
  fill(summary, server.totals(), server.version(), termination, endTime);
}

void RunTally::fill(RunSummary& summary, const WorkCounters& totals, std::uint64_t updates, Termination termination,
                    double endTime) const {
  summary.termination = termination;
  summary.counters = totals;
  summary.updatesApplied = updates;
  summary.gradientEvaluations = gradients;
  summary.setFinalEvaluation(lastEvaluation);
  summary.time = endTime;
  summary.timeToTarget = timeToTarget;
  summary.delayMean = delayCount ? delaySum / static_cast<double>(delayCount) : 0.0;
  summary.delayMax = delayMax;
  summary.bytesUplink = bytesUp;
  summary.bytesDownlink = bytesDown;
}

}  // namespace distopt
