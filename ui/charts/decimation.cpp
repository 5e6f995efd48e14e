#include "ui/charts/decimation.hpp"

#include <algorithm>
#include <cmath>

namespace distopt::ui {

namespace {

// Bounds the backwards/forwards search for a neighbour so a long run of NaNs next to the range
// cannot turn a frame into an O(total) scan.
constexpr std::size_t kNeighbourSearchLimit = 64;

}  // namespace

IndexRange findRange(std::span<const double> x, double xMin, double xMax) {
  if (!(xMin <= xMax)) return {};
  const auto first = std::lower_bound(x.begin(), x.end(), xMin);
  const auto last = std::upper_bound(first, x.end(), xMax);
  return {static_cast<std::size_t>(first - x.begin()), static_cast<std::size_t>(last - x.begin())};
}

bool isDrawable(double x, double y, YFilter filter) {
  if (!std::isfinite(x) || !std::isfinite(y)) return false;
  return filter != YFilter::Positive || y > 0.0;
}

void decimateMinMax(std::span<const double> x, std::span<const double> y, double xMin, double xMax,
                    int pixelWidth, YFilter filter, QList<QPointF>& out, bool includeNeighbours) {
  out.clear();
  const std::size_t n = std::min(x.size(), y.size());
  x = x.first(n);
  const IndexRange range = findRange(x, xMin, xMax);
  const int columns = std::max(pixelWidth, 1);
  const auto drawable = [&](std::size_t i) { return isDrawable(x[i], y[i], filter); };
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
  for (std::size_t i = first + 1; i < last; ++i) {
    if (!drawable(i)) continue;
    const int c = std::min(static_cast<int>((x[i] - xMin) * scale), columns - 1);
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
  if (last != first) push(last);
  emitRightNeighbour();
}

}  // namespace distopt::ui
