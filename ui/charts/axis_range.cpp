#include "ui/charts/axis_range.hpp"

#include <QLogValueAxis>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <utility>

namespace distopt::ui {
namespace {

// Below this a span is treated as empty whatever its magnitude (denormals, underflow).
constexpr double kTinySpan = 1e-290;
constexpr double kMinLogValue = 1e-300;

}  // namespace

AxisRange sanitizeLinearRange(AxisRange range, AxisRange fallback) {
  if (!std::isfinite(fallback.min) || !std::isfinite(fallback.max) || !(fallback.max > fallback.min))
    fallback = {0.0, 1.0};
  double lo = std::isfinite(range.min) ? range.min : fallback.min;
  double hi = std::isfinite(range.max) ? range.max : fallback.max;
  lo = std::clamp(lo, -kMaxAxisMagnitude, kMaxAxisMagnitude);
  hi = std::clamp(hi, -kMaxAxisMagnitude, kMaxAxisMagnitude);
  if (lo > hi) std::swap(lo, hi);
  const double magnitude = std::max(std::abs(lo), std::abs(hi));
  const double minSpan = std::max(magnitude * kMinRelativeSpan, kTinySpan);
  if (hi - lo < minSpan) {
    const double centre = lo / 2.0 + hi / 2.0;
    // 5 % either side of a constant, as the charts pad a flat line; a constant 0 gets ±0.5.
    const double half = std::abs(centre) < kTinySpan ? 0.5 : std::max(std::abs(centre) * 0.05, minSpan);
    // Values that are never negative (a time, a byte count, a run stopped before its first update) are
    // not drawn on an axis that reaches below 0: the widening goes upward from 0 instead.
    const bool nonNegative = lo >= 0.0;
    lo = centre - half;
    hi = centre + half;
    if (nonNegative && lo < 0.0) {
      lo = 0.0;
      hi = 2.0 * half;
    }
  }
  return {lo, hi};
}

AxisRange sanitizeLogRange(AxisRange range, AxisRange fallback) {
  const auto usable = [](double v) { return std::isfinite(v) && v > 0.0; };
  if (!usable(fallback.min) || !usable(fallback.max) || !(fallback.max > fallback.min))
    fallback = {0.1, 10.0};
  double lo = range.min;
  double hi = range.max;
  if (!usable(lo) && !usable(hi)) return fallback;
  if (!usable(lo)) lo = hi / 100.0;
  if (!usable(hi)) hi = lo * 100.0;
  lo = std::clamp(lo, kMinLogValue, kMaxAxisMagnitude);
  hi = std::clamp(hi, kMinLogValue, kMaxAxisMagnitude);
  if (lo > hi) std::swap(lo, hi);
  if (hi < lo * (1.0 + kMinRelativeSpan)) {
    // A flat line: half a decade either side (clamped, so a line at the bounds still gets room).
    lo = std::max(lo / std::sqrt(10.0), kMinLogValue);
    hi = std::min(hi * std::sqrt(10.0), kMaxAxisMagnitude);
  }
  if (std::log10(hi) - std::log10(lo) > kMaxLogDecades) lo = hi / std::pow(10.0, kMaxLogDecades);
  return {lo, hi};
}

int verticalLabelRoom(double length, double labelHeight) {
  const double slot = std::max(labelHeight, 1.0) + 2.0 * kAxisLabelPadding;
  if (!std::isfinite(length) || !(length > 0.0)) return 2;
  return static_cast<int>(std::clamp(std::floor(length / slot), 2.0, static_cast<double>(kMaxAxisTicks)));
}

double niceTickStep(double span, int maxTicks) {
  // Rounding the step up only makes fewer ticks: span / step intervals, plus one.
  const double raw = span / std::clamp(maxTicks - 1, 1, kRoomyAxisTicks - 1);
  if (!(raw > 0.0) || !std::isfinite(raw)) return 1.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / magnitude;
  return magnitude * (fraction <= 1.0 ? 1.0 : fraction <= 2.0 ? 2.0 : fraction <= 5.0 ? 5.0 : 10.0);
}

long long dynamicTickCount(AxisRange range, double interval, long long cap) {
  const double span = range.max - range.min;
  if (!(interval > 0.0) || !std::isfinite(interval) || !std::isfinite(span) || span < 0.0) return cap + 1;
  // Qt steps value += interval; a step lost in the values' rounding never ends.
  const double magnitude = std::max(std::abs(range.min), std::abs(range.max));
  if (magnitude + interval == magnitude) return cap + 1;
  const double count = std::floor(span / interval) + 1.0;
  return count > static_cast<double>(cap) ? cap + 1 : static_cast<long long>(count);
}

AxisRange setValueAxisRange(QValueAxis* axis, AxisRange range, int maxTicks) {
  const AxisRange target = sanitizeLinearRange(range);
  const double step = niceTickStep(target.span(), maxTicks);
  const AxisRange current = sanitizeLinearRange({axis->min(), axis->max()});
  // Qt lays the axis out inside setRange() with whatever interval it has then, and again (later) after
  // each tick property changes. So first an interval coarse enough for both the range it has and the
  // one it gets, with the anchor at 0 (near any sanitized range in units of the interval, so Qt's
  // floor((anchor - min) / interval) stays exact); only then the range, then the fine interval.
  const double interim = std::max(step, niceTickStep(current.span(), maxTicks));
  axis->setTickInterval(interim);
  axis->setTickAnchor(0.0);
  axis->setRange(target.min, target.max);
  axis->setTickInterval(step);
  axis->setTickType(QValueAxis::TicksDynamic);
  return {axis->min(), axis->max()};
}

AxisRange setLogAxisRange(QLogValueAxis* axis, AxisRange range, int maxLabels) {
  // A log axis has one major tick per power of its base: bounded once the decades are.
  const AxisRange target = sanitizeLogRange(range);
  const double decades = std::log10(target.max) - std::log10(target.min);
  // Labels sit on every power of the base inside the range: at most decades / k + 1 of them.
  const int room = std::max(maxLabels, 2);
  int decadesPerLabel = 1;
  while (decades / decadesPerLabel + 1.0 > room) ++decadesPerLabel;
  const double base = std::pow(10.0, decadesPerLabel);
  // Fewer labels first, then the range: the axis never holds more ticks than either layout.
  if (axis->base() != base) axis->setBase(base);
  // Qt's automatic minor ticks are base - 2 a step (2, 3, ... 9 for base 10): 98 grid lines a step
  // for base 100.
  const int minorTicks = decadesPerLabel == 1 ? -1 : 0;
  if (axis->minorTickCount() != minorTicks) axis->setMinorTickCount(minorTicks);
  axis->setRange(target.min, target.max);
  return {axis->min(), axis->max()};
}

AxisRange retickValueAxis(QValueAxis* axis, int maxTicks) {
  const AxisRange current{axis->min(), axis->max()};
  const AxisRange safe = sanitizeLinearRange(current);
  if (!(safe == current)) return setValueAxisRange(axis, safe, maxTicks);
  // Qt moved the range with the old interval, which a zoom only ever leaves coarser than needed; a
  // zoom out is bounded by the view's own factor limit.
  axis->setTickAnchor(0.0);
  axis->setTickInterval(niceTickStep(current.span(), maxTicks));
  axis->setTickType(QValueAxis::TicksDynamic);
  return current;
}

}  // namespace distopt::ui
