#include "ui/charts/axis_ticks.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

namespace distopt::ui {
namespace {

// Tick positions within this fraction of a step (or of a value, on a log axis) of a range's end are in it:
// the ends are computed, not exact.
constexpr double kEdgeTolerance = 1e-9;
constexpr int kMaxDecimals = 12;
const QString kMinus = QStringLiteral("\u2212");

int decimalsFor(double step) {
  if (!(step > 0.0) || !std::isfinite(step)) return 0;
  return std::clamp(static_cast<int>(std::ceil(-std::log10(step) - kEdgeTolerance)), 0, kMaxDecimals);
}

// Decades beyond which a log axis's values are written as powers of ten only.
constexpr int kDecadesForPowersOnly = 3;

// Ticks at mantissa × 10^e, for every mantissa of `mantissas`, inside [min, max].
std::vector<AxisTick> mantissaTicks(AxisRange range, const std::vector<int>& mantissas) {
  std::vector<AxisTick> ticks;
  const int from = static_cast<int>(std::floor(std::log10(range.min))) - 1;
  const int to = static_cast<int>(std::ceil(std::log10(range.max)));
  for (int e = from; e <= to && ticks.size() <= static_cast<std::size_t>(kMaxAxisTicks); ++e)
    for (int m : mantissas) {
      const double value = m * std::pow(10.0, e);
      if (value < range.min * (1.0 - kEdgeTolerance) || value > range.max * (1.0 + kEdgeTolerance)) continue;
      ticks.push_back({value, powerOfTenLabel(m, e)});
    }
  return ticks;
}

// Every k-th power of ten inside the range, k as small as `room` allows; on multiples of k while that
// still gives two, else from the lowest power.
std::vector<AxisTick> decadeTicks(int lowest, int highest, int room) {
  const int powers = highest - lowest + 1;
  const auto build = [highest](int first, int step) {
    std::vector<AxisTick> ticks;
    for (int e = first; e <= highest; e += step)
      ticks.push_back({std::pow(10.0, e), powerOfTenLabel(1.0, e)});
    return ticks;
  };
  for (int step = 1; step < powers; ++step) {
    const int first = static_cast<int>(std::ceil(static_cast<double>(lowest) / step)) * step;
    const int count = first > highest ? 0 : (highest - first) / step + 1;
    if (count < 2) break;
    if (count <= room) return build(first, step);
  }
  // (powers - 1) / step + 1 labels: at most room, at least two.
  return build(lowest, (powers - 1 + room - 2) / (room - 1));
}

// The next smaller round step: 5 -> 2 -> 1 -> 0.5 × 10^k.
double smallerStep(double step) {
  const double fraction = step / std::pow(10.0, std::floor(std::log10(step)));
  return fraction > 3.0 ? step / 2.5 : step / 2.0;
}

// Round linear steps inside a range narrower than one digit's step, written in the power of its top end.
std::vector<AxisTick> narrowLogTicks(AxisRange range, int room) {
  const int exponent = static_cast<int>(std::floor(std::log10(range.max)));
  const double scale = std::pow(10.0, exponent);
  double step = niceTickStep(range.span(), room);
  std::vector<AxisTick> ticks;
  // A round step can exceed half the span: smaller round steps until two ticks fall inside.
  for (int attempt = 0; attempt < 8; ++attempt) {
    ticks.clear();
    const double first = std::ceil(range.min / step - kEdgeTolerance);
    const double last = std::floor(range.max / step + kEdgeTolerance);
    if (last - first + 1.0 > kMaxAxisTicks) break;
    for (double k = first; k <= last; k += 1.0)
      ticks.push_back({k * step, powerOfTenLabel(k * step / scale, exponent, decimalsFor(step / scale))});
    if (ticks.size() >= 2) break;
    step = smallerStep(step);
  }
  // The smaller step may give more than the room: every k-th of them, the first and the last kept apart.
  if (ticks.size() > static_cast<std::size_t>(room)) {
    const std::size_t stride = (ticks.size() - 1 + room - 2) / static_cast<std::size_t>(room - 1);
    std::vector<AxisTick> thinned;
    for (std::size_t i = 0; i < ticks.size(); i += stride) thinned.push_back(ticks[i]);
    ticks = std::move(thinned);
  }
  return ticks;
}

}  // namespace

QString superscript(int exponent) {
  static const std::array<char16_t, 10> kDigits = {u'\u2070', u'\u00B9', u'\u00B2', u'\u00B3', u'\u2074',
                                                   u'\u2075', u'\u2076', u'\u2077', u'\u2078', u'\u2079'};
  const QString digits = QString::number(std::abs(static_cast<long long>(exponent)));
  QString text = exponent < 0 ? QStringLiteral("\u207B") : QString();
  for (QChar digit : digits) text += QChar(kDigits[static_cast<std::size_t>(digit.digitValue())]);
  return text;
}

QString powerOfTenLabel(double mantissa, int exponent, int decimals) {
  const QString power = QStringLiteral("10") + superscript(exponent);
  if (decimals <= 0 && mantissa == 1.0) return power;
  return QString::number(mantissa, 'f', std::clamp(decimals, 0, kMaxDecimals)) + QStringLiteral(" \u00D7 ") +
         power;
}

QString linearTickLabel(double value, double magnitude, double step) {
  if (!std::isfinite(value)) return QString::number(value);
  if (std::abs(value) <= std::abs(step) * kEdgeTolerance || value == 0.0) return QStringLiteral("0");
  const QString sign = value < 0.0 ? kMinus : QString();
  const double size = std::abs(value);
  if (!std::isfinite(magnitude) || magnitude < kSiLabelsFrom)
    return sign + QString::number(size, 'f', decimalsFor(step));
  static const std::array<const char*, 6> kPrefixes = {"k", "M", "G", "T", "P", "E"};
  const int thousands = static_cast<int>(std::floor(std::log10(magnitude) / 3.0));
  if (thousands > static_cast<int>(kPrefixes.size())) {
    const int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
    const double scale = std::pow(10.0, exponent);
    return sign + powerOfTenLabel(size / scale, exponent, decimalsFor(step / scale));
  }
  const double scale = std::pow(1000.0, thousands);
  return sign + QString::number(size / scale, 'f', decimalsFor(step / scale)) + QLatin1Char(' ') +
         QLatin1String(kPrefixes[static_cast<std::size_t>(thousands - 1)]);
}

std::vector<AxisTick> linearAxisTicks(AxisRange range, int maxTicks, double minStep) {
  if (!std::isfinite(range.min) || !std::isfinite(range.max) || !(range.max > range.min)) return {};
  const double step = std::max(niceTickStep(range.span(), maxTicks), std::isfinite(minStep) ? minStep : 0.0);
  if (dynamicTickCount(range, step) > kMaxAxisTicks) return {};
  const double magnitude = std::max(std::abs(range.min), std::abs(range.max));
  std::vector<AxisTick> ticks;
  const double first = std::ceil(range.min / step - kEdgeTolerance);
  const double last = std::floor(range.max / step + kEdgeTolerance);
  // k × step, not a running sum: 0.1 + 0.2 would print as 0.30000000000000004 given the decimals.
  for (double k = first; k <= last && ticks.size() < static_cast<std::size_t>(kMaxAxisTicks); k += 1.0)
    ticks.push_back({k * step, linearTickLabel(k * step, magnitude, step)});
  return ticks;
}

std::vector<AxisTick> logAxisTicks(AxisRange range, int maxLabels) {
  if (!std::isfinite(range.min) || !std::isfinite(range.max) || !(range.min > 0.0) ||
      !(range.max > range.min))
    return {};
  const int room = std::clamp(maxLabels, 2, kMaxAxisTicks);
  const int lowest = static_cast<int>(std::ceil(std::log10(range.min) - kEdgeTolerance));
  const int highest = static_cast<int>(std::floor(std::log10(range.max) + kEdgeTolerance));
  if (highest - lowest + 1 >= kDecadesForPowersOnly) return decadeTicks(lowest, highest, room);
  // Less than three powers of ten: those, else 1-2-5, else every digit, the first with three labels
  // that fit; else the sparsest with two; else linear steps.
  const std::vector<std::vector<AxisTick>> candidates = {mantissaTicks(range, {1}),
                                                         mantissaTicks(range, {1, 2, 5}),
                                                         mantissaTicks(range, {1, 2, 3, 4, 5, 6, 7, 8, 9})};
  for (std::size_t least : {std::size_t{3}, std::size_t{2}})
    for (const auto& ticks : candidates)
      if (ticks.size() >= least && ticks.size() <= static_cast<std::size_t>(room)) return ticks;
  return narrowLogTicks(range, room);
}

}  // namespace distopt::ui
