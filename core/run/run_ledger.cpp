#include "core/run/run_ledger.hpp"

namespace distopt {

RunLedger::RunLedger(const RunRules& rules, TelemetrySink& sink) : m_rules(rules), m_sink(sink) {}

EvaluationRequest RunLedger::request(double time, std::uint64_t updates) const {
  return EvaluationRequest{.time = time,
                           .updates = updates,
                           .bytesUp = m_tally.bytesUp,
                           .bytesDown = m_tally.bytesDown,
                           .gradNorm = m_rules.evalGradNorm || m_rules.targetGradNormSq.has_value(),
                           .accuracy = m_rules.evalAccuracy};
}

Verdict RunLedger::note(const EvaluationPoint& point, std::optional<double> stationarity) {
  m_sink.onEvaluation(point);
  const bool met = m_tally.noteEvaluation(point, m_rules.targetGap, m_rules.targetGradNormSq, stationarity);
  if (m_divergence.note(point)) return Verdict::Diverged;
  return met ? Verdict::TargetReached : Verdict::GoOn;
}

bool RunLedger::finalEvaluationDue(double endTime, std::uint64_t updates) const {
  return distopt::finalEvaluationDue(m_tally.haveEvaluation, m_tally.lastEvaluation, endTime, updates);
}

Termination RunLedger::settle(Termination termination) const {
  if (termination == Termination::Failed || !m_divergence.diverged()) return termination;
  return Termination::Diverged;
}

void RunLedger::fill(RunSummary& summary, const WorkCounters& totals, std::uint64_t updates, Termination termination,
                     double endTime, const std::string& methodReason, double wallSeconds) const {
  m_tally.fill(summary, totals, updates, termination, endTime);
  if (termination == Termination::Diverged && summary.terminationDetail.empty())
    summary.terminationDetail = methodReason.empty() ? m_divergence.reason() : methodReason;
  summary.wallSeconds = wallSeconds;
}

}  // namespace distopt
