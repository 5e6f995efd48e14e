#pragma once
// Min/max decimation for live charts (docs/architecture.md, rule 6): every point stays in memory, but a series is
// drawn with at most ~2 points per pixel column. Keeping each column's min and max (in x order)
// preserves spikes and the envelope of noisy curves, which plain subsampling would lose.
// Pure functions; thread-safe; no state.

#include <cstddef>
#include <span>
#include <vector>

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

/// Per-block extremes of a y array (blocks of kBlock consecutive points), kept up to date on
/// append in O(1), so decimating a long range reads ~1/kBlock of its points: whole blocks inside a
/// pixel column are summarised, only the partial blocks at column edges are scanned. Without it a
/// frame would touch every visible point of every series.
class BlockExtremes {
 public:
  static constexpr std::size_t kBlock = 64;
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  /// One extreme: where it is and its value (kept here so a frame reads the summaries as one
  /// sequential stream instead of chasing each index into y).
  struct Extreme {
    std::size_t index = kNone;
    double value = 0.0;
  };
  struct Block {
    Extreme minFinite;
    Extreme maxFinite;
    Extreme minPositive;
    Extreme maxPositive;
  };

  /// Records y at `index`, which must be the next point (index == number of points seen so far).
  void add(std::size_t index, double y);
  void clear() { m_blocks.clear(); }
  void reserve(std::size_t points) { m_blocks.reserve(points / kBlock + 1); }
  std::span<const Block> blocks() const { return m_blocks; }

 private:
  std::vector<Block> m_blocks;
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
/// `blocks`, when given, must describe `y` and x must then be finite; it changes the cost, never
/// the result.
void decimateMinMax(std::span<const double> x, std::span<const double> y, double xMin, double xMax,
                    int pixelWidth, YFilter filter, QList<QPointF>& out,
                    bool includeNeighbours = false, const BlockExtremes* blocks = nullptr);

}  // namespace distopt::ui
