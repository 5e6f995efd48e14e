#pragma once
// Append-only storage for one chart series. Each point is stored against every x the user can
// choose (time, updates, bytes), so switching the x-axis is a redraw, not a re-ingest.
// Thread: owned and used by one thread (the GUI thread in the app).

#include <cstddef>
#include <span>
#include <vector>

#include "ui/charts/decimation.hpp"

namespace distopt::ui {

/// What the x-axis of a live chart measures.
enum class XAxis { Time, Updates, Bytes };

struct SeriesPoint {
  double time = 0.0;
  double updates = 0.0;
  double bytes = 0.0;
  double y = 0.0;
};

/// Running min/max over the finite y values, kept on append so auto-ranging never scans the data.
struct YStats {
  double min = 0.0;
  double max = 0.0;
  double minPositive = 0.0;
  double maxPositive = 0.0;
  bool any = false;          ///< at least one finite y
  bool anyPositive = false;  ///< at least one finite y > 0 (what a log axis can show)
};

class SeriesBuffer {
 public:
  void reserve(std::size_t points);
  /// Amortised O(1). x values must be non-decreasing per axis; a smaller or non-finite x is
  /// replaced by the previous one (0 for the first point), because decimation and hover look-ups binary-search x and a single
  /// out-of-order point would otherwise break them for the whole series.
  void append(double time, double updates, double bytes, double y);
  void append(const SeriesPoint& point) { append(point.time, point.updates, point.bytes, point.y); }
  void append(std::span<const SeriesPoint> points);
  void clear();

  std::size_t size() const { return m_y.size(); }
  bool empty() const { return m_y.empty(); }
  const std::vector<double>& x(XAxis axis) const;
  const std::vector<double>& y() const { return m_y; }
  const YStats& yStats() const { return m_stats; }
  /// Per-block y extremes for fast decimation (see decimateMinMax).
  const BlockExtremes& blocks() const { return m_blocks; }
  /// Index of the point whose x (on `axis`) is nearest to `value`; size() when empty.
  std::size_t nearestIndex(XAxis axis, double value) const;

 private:
  std::vector<double> m_time;
  std::vector<double> m_updates;
  std::vector<double> m_bytes;
  std::vector<double> m_y;
  YStats m_stats;
  BlockExtremes m_blocks;
};

}  // namespace distopt::ui
