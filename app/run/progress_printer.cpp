#include "progress_printer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace distopt::app {

ProgressPrinter::ProgressPrinter(std::optional<double> timeBudget, std::uint64_t updateBudget)
    : m_timeBudget(timeBudget), m_updateBudget(updateBudget), m_terminal(isatty(STDERR_FILENO) == 1) {}

void ProgressPrinter::onEvaluation(const EvaluationPoint& point) {
  m_last = point;
  const auto now = std::chrono::steady_clock::now();
  const auto interval = m_terminal ? std::chrono::milliseconds(100) : std::chrono::milliseconds(1000);
  if (m_printedAny && now - m_lastPrint < interval) return;
  m_lastPrint = now;
  print(point, false);
}

void ProgressPrinter::onFinish(const RunSummary& /*summary*/) {
  if (m_printedAny) print(m_last, true);
}

void ProgressPrinter::print(const EvaluationPoint& point, bool final) {
  double fraction = 0.0;
  if (m_timeBudget && *m_timeBudget > 0) fraction = std::max(fraction, point.time / *m_timeBudget);
  if (m_updateBudget > 0) fraction = std::max(fraction, static_cast<double>(point.updates) / m_updateBudget);
  fraction = std::clamp(fraction, 0.0, 1.0);
  char metric[64];
  if (point.gap) std::snprintf(metric, sizeof metric, "f-f* %.3e", *point.gap);
  else std::snprintf(metric, sizeof metric, "loss %.4e", point.loss);
  if (m_terminal) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    char bar[kWidth + 1];
    for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
    bar[kWidth] = '\0';
    std::fprintf(stderr, "\r[%s] %3.0f%%  t=%-10.4g updates=%-9llu %s   ", bar, fraction * 100.0, point.time,
                 static_cast<unsigned long long>(point.updates), metric);
    if (final) std::fputc('\n', stderr);
  } else {
    std::fprintf(stderr, "progress %3.0f%%  t=%.4g  updates=%llu  %s\n", fraction * 100.0, point.time,
                 static_cast<unsigned long long>(point.updates), metric);
  }
  std::fflush(stderr);
  m_printedAny = true;
}

}  // namespace distopt::app
