#include "ui/charts/decimation.hpp"

#include <algorithm>
#include <cmath>

namespace distopt::ui {

namespace {

// Bounds the backwards/forwards search for a neighbour so a long run of NaNs next to the range
// cannot turn a frame into an O(total) scan.
constexpr std::size_t kNeighbourSearchLimit = 64;

}  // namespace

void BlockExtremes::add(std::size_t index, double y) {
  const std::size_t block = index / kBlock;
  if (block >= m_blocks.size()) m_blocks.resize(block + 1);
  Block& b = m_blocks[block];
  if (!std::isfinite(y)) return;
  const auto lower = [&](Extreme& e) {
    if (e.index == kNone || y < e.value) e = {index, y};
  };
  const auto higher = [&](Extreme& e) {
    if (e.index == kNone || y > e.value) e = {index, y};
  };
  lower(b.minFinite);
  higher(b.maxFinite);
  if (y <= 0.0) return;
  lower(b.minPositive);
  higher(b.maxPositive);
}

IndexRange findRange(std::span<const double> x, double xMin, double xMax) {
  if (!(xMin <= xMax)) return {};
  const auto first = std::lower_bound(x.begin(), x.end(), xMin);
  const auto last = std::upper_bound(first, x.end(), xMax);
  return {static_cast<std::size_t>(first - x.begin()), static_cast<std::size_t>(last - x.begin())};
}

namespace {

inline bool drawablePoint(double x, double y, YFilter filter) {
  if (!std::isfinite(x) || !std::isfinite(y)) return false;
  return filter != YFilter::Positive || y > 0.0;
}

}  // namespace

bool isDrawable(double x, double y, YFilter filter) { return drawablePoint(x, y, filter); }

void decimateMinMax(std::span<const double> x, std::span<const double> y, double xMin, double xMax,
                    int pixelWidth, YFilter filter, QList<QPointF>& out, bool includeNeighbours,
                    const BlockExtremes* blocks) {
  out.clear();
  const std::size_t n = std::min(x.size(), y.size());
  x = x.first(n);
  const IndexRange range = findRange(x, xMin, xMax);
  const int columns = std::max(pixelWidth, 1);
  const auto drawable = [&](std::size_t i) { return drawablePoint(x[i], y[i], filter); };
  const auto push = [&](std::size_t i) { out.append(QPointF(x[i], y[i])); };

  const auto emitLeftNeighbour = [&] {
    if (!includeNeighbours) return;
    for (std::size_t k = 0; k < kNeighbourSearchLimit && k < range.begin; ++k) {
      const std::size_t i = range.begin - 1 - k;
      if (drawable(i)) {
        push(i);
        return;
      }
    }
  };
  const auto emitRightNeighbour = [&] {
    if (!includeNeighbours) return;
    for (std::size_t i = range.end; i < n && i < range.end + kNeighbourSearchLimit; ++i) {
      if (drawable(i)) {
        push(i);
        return;
      }
    }
  };

  const std::size_t budget = 2 * static_cast<std::size_t>(columns) + 2;
  out.reserve(static_cast<qsizetype>(std::min(range.size(), budget) + 2));
  emitLeftNeighbour();
  if (range.size() <= budget) {
    for (std::size_t i = range.begin; i < range.end; ++i)
      if (drawable(i)) push(i);
    emitRightNeighbour();
    return;
  }

  std::size_t first = range.begin;
  while (first < range.end && !drawable(first)) ++first;
  if (first == range.end) {
    emitRightNeighbour();
    return;
  }
  std::size_t last = range.end - 1;
  while (last > first && !drawable(last)) --last;

  push(first);
  const double span = xMax - xMin;
  const double scale = span > 0.0 ? columns / span : 0.0;
  int column = -1;
  std::size_t minIndex = 0;
  std::size_t maxIndex = 0;
  const auto flush = [&] {
    if (column < 0) return;
    if (minIndex == maxIndex) {
      push(minIndex);
    } else {
      push(std::min(minIndex, maxIndex));
      push(std::max(minIndex, maxIndex));
    }
  };
  const auto columnOf = [&](double xv) { return std::min(static_cast<int>((xv - xMin) * scale), columns - 1); };
  constexpr std::size_t kBlock = BlockExtremes::kBlock;
  constexpr std::size_t kNone = BlockExtremes::kNone;
  // Worth it only when columns hold many points: each column costs a binary search.
  if (blocks && range.size() > 8 * kBlock && range.size() > 16 * static_cast<std::size_t>(columns) &&
      blocks->blocks().size() * kBlock >= last) {
    const auto summaries = blocks->blocks();
    const bool positive = filter == YFilter::Positive;
    BlockExtremes::Extreme lo;
    BlockExtremes::Extreme hi;
    const auto consider = [&](const BlockExtremes::Extreme& low, const BlockExtremes::Extreme& high) {
      if (low.index != kNone && (lo.index == kNone || low.value < lo.value)) lo = low;
      if (high.index != kNone && (hi.index == kNone || high.value > hi.value)) hi = high;
    };
    const auto scan = [&](std::size_t from, std::size_t to) {
      for (std::size_t i = from; i < to; ++i)
        if (drawable(i)) consider({i, y[i]}, {i, y[i]});
    };
    std::size_t begin = first + 1;
    while (begin < last) {
      const int c = columnOf(x[begin]);
      // Column ends use the same arithmetic as the per-point path, so both paths put every point
      // in the same column. Galloping from the column start keeps the search local (a column
      // holds ~range/columns points) instead of starting over the whole remaining range.
      const auto inColumn = [&](double xv) { return columnOf(xv) <= c; };
      std::size_t step = 1;
      std::size_t known = begin;  // x[known] is in the column
      while (known + step < last && inColumn(x[known + step])) {
        known += step;
        step *= 2;
      }
      const std::size_t limit = std::min(known + step, last);
      const auto end = static_cast<std::size_t>(
          std::partition_point(x.begin() + static_cast<std::ptrdiff_t>(known + 1),
                               x.begin() + static_cast<std::ptrdiff_t>(limit), inColumn) -
          x.begin());
      lo = hi = {};
      const std::size_t firstFull = (begin + kBlock - 1) / kBlock;
      const std::size_t endFull = end / kBlock;
      if (firstFull >= endFull) {
        scan(begin, end);
      } else {
        scan(begin, firstFull * kBlock);
        for (std::size_t b = firstFull; b < endFull; ++b) {
          const BlockExtremes::Block& block = summaries[b];
          if (positive) {
            consider(block.minPositive, block.maxPositive);
          } else {
            consider(block.minFinite, block.maxFinite);
          }
        }
        scan(endFull * kBlock, end);
      }
      if (lo.index != kNone) {
        column = c;
        minIndex = lo.index;
        maxIndex = hi.index;
        flush();
      }
      begin = end;
    }
  } else {
    for (std::size_t i = first + 1; i < last; ++i) {
      if (!drawable(i)) continue;
      const int c = columnOf(x[i]);
      if (c != column) {
        flush();
        column = c;
        minIndex = maxIndex = i;
      } else if (y[i] < y[minIndex]) {
        minIndex = i;
      } else if (y[i] > y[maxIndex]) {
        maxIndex = i;
      }
    }
    flush();
  }
  if (last != first) push(last);
  emitRightNeighbour();
}

}  // namespace distopt::ui
