#include "progress_printer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <unistd.h>

namespace distopt::app {
namespace {

std::string clockText(double seconds) {
  const auto total =
      static_cast<long long>(std::clamp(std::isfinite(seconds) ? seconds : 0.0, 0.0, 1e8) + 0.5);
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
  return text;
}

}  // namespace

std::string rateAndEta(std::uint64_t updates, double fraction, double elapsedSeconds, bool final) {
  char rate[48];
  if (elapsedSeconds > 0.0)
    std::snprintf(rate, sizeof rate, "%.3g upd/s", static_cast<double>(updates) / elapsedSeconds);
  else
    std::snprintf(rate, sizeof rate, "- upd/s");
  if (final) return std::string(rate) + "  took " + clockText(elapsedSeconds);
  // Too early to tell: a rate from the first hundredth of a run says little about the rest.
  if (!(fraction >= 0.01) || elapsedSeconds <= 0.0) return std::string(rate) + "  ETA ?";
  return std::string(rate) + "  ETA " + clockText(elapsedSeconds * (1.0 - fraction) / fraction);
}

ProgressPrinter::ProgressPrinter(std::optional<double> timeBudget, std::uint64_t updateBudget,
                                 std::uint64_t byteBudget)
    : m_timeBudget(timeBudget),
      m_updateBudget(updateBudget),
      m_byteBudget(byteBudget),
      m_terminal(isatty(STDERR_FILENO) == 1) {}

void ProgressPrinter::onEvaluation(const EvaluationPoint& point) {
  m_last = point;
  const auto now = std::chrono::steady_clock::now();
  // The clock starts with the run's first evaluation, not with a live run's wait for its workers.
  if (!m_started) {
    m_start = now;
    m_started = true;
  }
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
  if (m_byteBudget > 0)
    fraction = std::max(fraction, static_cast<double>(point.bytesUp + point.bytesDown) / m_byteBudget);
  fraction = std::clamp(fraction, 0.0, 1.0);
  char metric[64];
  if (point.gap) std::snprintf(metric, sizeof metric, "f-f* %.3e", *point.gap);
  else std::snprintf(metric, sizeof metric, "loss %.4e", point.loss);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  const std::string pace = rateAndEta(point.updates, fraction, elapsed, final);
  if (m_terminal) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    char bar[kWidth + 1];
    for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
    bar[kWidth] = '\0';
    std::fprintf(stderr, "\r[%s] %3.0f%%  t=%-10.4g updates=%-9llu %s  %s   ", bar, fraction * 100.0,
                 point.time, static_cast<unsigned long long>(point.updates), pace.c_str(), metric);
    if (final) std::fputc('\n', stderr);
  } else {
    std::fprintf(stderr, "progress %3.0f%%  t=%.4g  updates=%llu  %s  %s\n", fraction * 100.0, point.time,
                 static_cast<unsigned long long>(point.updates), pace.c_str(), metric);
  }
  std::fflush(stderr);
  m_printedAny = true;
}

}  // namespace distopt::app
