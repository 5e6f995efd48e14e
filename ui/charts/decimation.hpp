#pragma once
// Min/max decimation for live charts (DESIGN.md §6): every point stays in memory, but a series is
// drawn with at most ~2 points per pixel column. Keeping each column's min and max (in x order)
// preserves spikes and the envelope of noisy curves, which plain subsampling would lose.
// Pure functions; thread-safe; no state.

#include <cstddef>
#include <span>

#include <QList>
#include <QPointF>

namespace distopt::ui {

/// Which y values may be drawn. Log axes cannot show y <= 0, so those points are skipped rather
/// than clamped (a clamped point would invent a value).
enum class YFilter { Finite, Positive };

/// Half-open index range [begin, end).
struct IndexRange {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const { return end - begin; }
  bool empty() const { return end <= begin; }
};

/// Indices of the points with xMin <= x <= xMax in non-decreasing x, by binary search.
IndexRange findRange(std::span<const double> x, double xMin, double xMax);

/// True when (x, y) may be drawn under the filter (both finite, and y > 0 for Positive).
bool isDrawable(double x, double y, YFilter filter);

/// Decimates the points with x in [xMin, xMax] (x non-decreasing, y the same length) into `out`
/// (cleared first): the first and last drawable points of the range, plus, for each of
/// `pixelWidth` equal columns of the range, the points holding the column's min and max y, all in
/// x order. So out.size() <= 2 * pixelWidth + 2. When the range holds no more than that many points
/// they are all copied. With includeNeighbours, the nearest drawable point just outside each end
/// is added too (up to 2 more), so a zoomed-in line reaches the plot edges instead of stopping at
/// the last point inside.
void decimateMinMax(std::span<const double> x, std::span<const double> y, double xMin, double xMax,
                    int pixelWidth, YFilter filter, QList<QPointF>& out,
                    bool includeNeighbours = false);

}  // namespace distopt::ui
