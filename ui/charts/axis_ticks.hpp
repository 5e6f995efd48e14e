#pragma once
// Where an axis's tick labels go and what they say, as people write numbers in a paper: "10⁻⁵" and
// "2 × 10⁻³" on a log axis, "15000" or "6 M" on a linear one, never C's "1e-05" / "1e+08" (Qt Charts
// formats tick labels with printf only, so TickLabelAxis draws these instead). Pure functions: no
// widgets. Thread: any.

#include <QString>
#include <vector>

#include "ui/charts/axis_range.hpp"

namespace distopt::ui {

struct AxisTick {
  double value = 0.0;  ///< where the tick is, in the data's units (not log10 of them)
  QString label;
  bool operator==(const AxisTick&) const = default;
};

/// An integer in superscript digits: "⁻⁵", "¹²".
QString superscript(int exponent);
/// mantissa × 10^exponent as printed: "10⁻⁵" for mantissa 1, else "2 × 10⁻³", "2.5 × 10⁴"; the mantissa
/// with `decimals` decimals.
QString powerOfTenLabel(double mantissa, int exponent, int decimals = 0);

/// Linear axes from this magnitude on label with SI prefixes ("150 k", "6 M"); below it in fixed notation.
inline constexpr double kSiLabelsFrom = 1e5;

/// The label of a tick at `value` on a linear axis over values up to `magnitude` (the larger end's absolute
/// value) with ticks every `step`: fixed notation with the step's decimals ("0.25", "15000"), from
/// kSiLabelsFrom on an SI prefix ("6 M", "1.5 G"; the axis title carries the unit), beyond the largest
/// prefix "2 × 10²¹". Zero is "0"; negatives take a minus sign (U+2212).
QString linearTickLabel(double value, double magnitude, double step);

/// Ticks of a linear axis over `range`: every multiple of niceTickStep(span, maxTicks), or of `minStep` when
/// that is larger (1 for an axis of whole numbers, such as delays), inside it, labelled by linearTickLabel().
/// At most kMaxAxisTicks; none for a range that is not finite and increasing.
std::vector<AxisTick> linearAxisTicks(AxisRange range, int maxTicks = kRoomyAxisTicks, double minStep = 0.0);

/// Ticks of a log axis over `range` (0 < min < max), at most max(maxLabels, 2) and at least two for any
/// range: powers of ten ("10⁻⁵"; every k-th one when they do not fit); over less than three of them,
/// 1, 2 and 5 or every digit times a power ("2 × 10⁻³"); within one digit's step, round linear steps
/// written in that power ("2.4 × 10⁻³"). None for a range a log axis cannot draw.
std::vector<AxisTick> logAxisTicks(AxisRange range, int maxLabels = kMaxAxisTicks);

}  // namespace distopt::ui
