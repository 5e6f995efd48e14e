#include "ui/charts/series_buffer.hpp"

#include <algorithm>
#include <cmath>

namespace distopt::ui {

namespace {

void pushMonotone(std::vector<double>& column, double value) {
  if (!std::isfinite(value)) value = column.empty() ? 0.0 : column.back();
  if (!column.empty() && value < column.back()) value = column.back();
  column.push_back(value);
}

}  // namespace

void SeriesBuffer::reserve(std::size_t points) {
  m_time.reserve(points);
  m_updates.reserve(points);
  m_bytes.reserve(points);
  m_y.reserve(points);
  m_blocks.reserve(points);
}

void SeriesBuffer::append(double time, double updates, double bytes, double y) {
  pushMonotone(m_time, time);
  pushMonotone(m_updates, updates);
  pushMonotone(m_bytes, bytes);
  m_y.push_back(y);
  m_blocks.add(m_y.size() - 1, y);
  if (!std::isfinite(y)) return;
  if (!m_stats.any) {
    m_stats.min = m_stats.max = y;
    m_stats.any = true;
  } else {
    m_stats.min = std::min(m_stats.min, y);
    m_stats.max = std::max(m_stats.max, y);
  }
  if (y > 0.0) {
    if (!m_stats.anyPositive) {
      m_stats.minPositive = m_stats.maxPositive = y;
      m_stats.anyPositive = true;
    } else {
      m_stats.minPositive = std::min(m_stats.minPositive, y);
      m_stats.maxPositive = std::max(m_stats.maxPositive, y);
    }
  }
}

void SeriesBuffer::append(std::span<const SeriesPoint> points) {
  // Grow once for the batch; push_back alone would also be amortised O(1) but may reallocate
  // several times inside one large batch.
  const std::size_t needed = size() + points.size();
  if (needed > m_y.capacity()) reserve(std::max(needed, 2 * m_y.capacity()));
  for (const SeriesPoint& point : points) append(point);
}

void SeriesBuffer::clear() {
  m_time.clear();
  m_updates.clear();
  m_bytes.clear();
  m_y.clear();
  m_blocks.clear();
  m_stats = {};
}

const std::vector<double>& SeriesBuffer::x(XAxis axis) const {
  switch (axis) {
    case XAxis::Updates:
      return m_updates;
    case XAxis::Bytes:
      return m_bytes;
    case XAxis::Time:
      break;
  }
  return m_time;
}

std::size_t SeriesBuffer::nearestIndex(XAxis axis, double value) const {
  const std::vector<double>& xs = x(axis);
  if (xs.empty()) return 0;
  const auto it = std::lower_bound(xs.begin(), xs.end(), value);
  if (it == xs.begin()) return 0;
  if (it == xs.end()) return xs.size() - 1;
  const auto after = static_cast<std::size_t>(it - xs.begin());
  return (value - xs[after - 1] <= xs[after] - value) ? after - 1 : after;
}

}  // namespace distopt::ui
