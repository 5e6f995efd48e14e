#pragma once
// The one place every chart's axes get their ranges and ticks from. Qt Charts lays out an axis
// synchronously inside setRange() and makes graphics items (line, grid line, label, shade) for every
// tick it counts by stepping `value += interval` from the first tick to the range's end. So a range
// with a NaN or infinite end, an empty span, a span far below the precision of its values (the step
// never advances), or a tick interval left over from a wider range makes it allocate without end and
// hang the GUI thread. Everything here keeps an axis at a bounded number of ticks at every moment,
// including between the calls that move it. Thread: GUI thread only.

class QLogValueAxis;
class QValueAxis;

namespace distopt::ui {

struct AxisRange {
  double min = 0.0;
  double max = 1.0;
  bool operator==(const AxisRange&) const = default;
  double span() const { return max - min; }
};

/// Ends beyond this are clamped, so a span never overflows to infinity.
inline constexpr double kMaxAxisMagnitude = 1e300;
/// A linear span narrower than this fraction of its values' magnitude is widened: below it the
/// tick step vanishes in the values' rounding.
inline constexpr double kMinRelativeSpan = 1e-9;
/// A log axis shows at most this many decades (the upper ones), one tick each.
inline constexpr double kMaxLogDecades = 100.0;
/// Most major ticks an axis may ever hold (a nice step gives about six).
inline constexpr int kMaxAxisTicks = 64;

/// A range a linear axis can draw: finite ends within ±kMaxAxisMagnitude, min < max, and a span wide
/// enough for its values' precision. A NaN or infinite end takes `fallback`'s; an inverted range is
/// reordered; a degenerate one is widened about its centre, or upward from 0 when that would take values
/// that are all >= 0 below 0.
AxisRange sanitizeLinearRange(AxisRange range, AxisRange fallback = {0.0, 1.0});
/// A range a log axis can draw: 0 < min < max, finite, at most kMaxLogDecades decades (the top ones
/// are kept); anything else falls back (or is widened by a decade when degenerate).
AxisRange sanitizeLogRange(AxisRange range, AxisRange fallback = {0.1, 10.0});

/// Ticks a linear axis gets when there is room: a nice step gives 4 to 7.
inline constexpr int kRoomyAxisTicks = 7;
/// Padding Qt Charts keeps above and below each tick label of a vertical axis.
inline constexpr double kAxisLabelPadding = 4.0;

/// How many tick labels a vertical axis `length` px long holds without Qt Charts eliding them: it
/// gives each label the length over the label count, less the padding either side, and shows "..."
/// for a label taller than that (every label of a 9-decade log axis on a 150-px plot). `labelHeight`
/// is the height of one label's text item. At least 2, at most kMaxAxisTicks.
int verticalLabelRoom(double length, double labelHeight);
/// The same along a horizontal axis `length` px long whose widest label is `labelWidth` px: Qt gives each
/// label the length over the label count, less the padding either side.
inline int horizontalLabelRoom(double length, double labelWidth) {
  return verticalLabelRoom(length, labelWidth);
}

/// A round tick step (1, 2 or 5 × 10^k) giving at most `maxTicks` ticks over `span` (about six when
/// there is room); 1 for a span that is not a positive finite number.
double niceTickStep(double span, int maxTicks = kRoomyAxisTicks);
/// Ticks Qt lays out for a dynamic-tick linear axis over `range` every `interval` (as it counts them),
/// capped at `cap` + 1 so that the count itself cannot run away.
long long dynamicTickCount(AxisRange range, double interval, long long cap = kMaxAxisTicks);

/// Moves a linear axis to `range` (sanitized) with round dynamic ticks anchored near it, at most
/// `maxTicks` of them. The calls are ordered so that Qt's layout, whenever it runs, sees no more than
/// kMaxAxisTicks ticks. Returns the range the axis has afterwards.
AxisRange setValueAxisRange(QValueAxis* axis, AxisRange range, int maxTicks = kRoomyAxisTicks);
/// Moves a log axis to `range` (sanitized) with at most `maxLabels` labels: one per decade when they
/// fit, with Qt's automatic minor ticks, else one every k decades (the axis's base becomes 10^k,
/// without minor ticks). Returns the range it has afterwards.
AxisRange setLogAxisRange(QLogValueAxis* axis, AxisRange range, int maxLabels = kMaxAxisTicks);
/// Round dynamic ticks, at most `maxTicks`, for the range a linear axis has now (after Qt moved it:
/// zoom, pan); first widens a range too narrow to tick (a deep zoom). Returns the axis's range
/// afterwards.
AxisRange retickValueAxis(QValueAxis* axis, int maxTicks = kRoomyAxisTicks);

}  // namespace distopt::ui
