#include "core/analysis/seed_band.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace distopt {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

double curveValueAt(const SampledCurve& curve, double x) {
  const std::size_t n = std::min(curve.x.size(), curve.y.size());
  if (n == 0 || !(x >= curve.x.front()) || !(x <= curve.x[n - 1])) return kNaN;
  const auto end = curve.x.begin() + static_cast<std::ptrdiff_t>(n);
  const std::size_t i = static_cast<std::size_t>(std::lower_bound(curve.x.begin(), end, x) - curve.x.begin());
  if (i >= n) return curve.y[n - 1];
  if (curve.x[i] == x || i == 0) return curve.y[i];
  const double x0 = curve.x[i - 1], x1 = curve.x[i];
  return curve.y[i - 1] + (curve.y[i] - curve.y[i - 1]) * (x - x0) / (x1 - x0);
}

std::vector<double> commonGrid(std::span<const SampledCurve> curves, int intervals) {
  double end = 0;
  for (const auto& curve : curves)
    if (!curve.x.empty() && std::isfinite(curve.x.back())) end = std::max(end, curve.x.back());
  std::vector<double> grid;
  if (!(end > 0) || intervals < 1) return grid;
  grid.reserve(static_cast<std::size_t>(intervals) + 1);
  for (int i = 0; i <= intervals; ++i) grid.push_back(end * i / intervals);
  return grid;
}

BandPoint summarize(std::span<const double> values) {
  BandPoint point{kNaN, kNaN, kNaN, kNaN, 0};
  double sum = 0;
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  for (const double v : values) {
    if (!std::isfinite(v)) continue;
    ++point.count;
    sum += v;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  if (point.count == 0) return point;
  const double n = point.count;
  point.mean = sum / n;
  point.min = low;
  point.max = high;
  double squares = 0;
  for (const double v : values)
    if (std::isfinite(v)) squares += (v - point.mean) * (v - point.mean);
  point.stddev = point.count > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
  return point;
}

BandPoint bandAt(std::span<const SampledCurve> curves, double x) {
  std::vector<double> values;
  values.reserve(curves.size());
  for (const auto& curve : curves) values.push_back(curveValueAt(curve, x));
  return summarize(values);
}

SeedBand seedBand(std::span<const SampledCurve> curves, std::span<const double> grid) {
  SeedBand band;
  band.x.assign(grid.begin(), grid.end());
  band.points.reserve(grid.size());
  for (const double x : grid) band.points.push_back(bandAt(curves, x));
  return band;
}

SeedBand seedBand(std::span<const SampledCurve> curves, int intervals) {
  const auto grid = commonGrid(curves, intervals);
  return seedBand(curves, grid);
}

}  // namespace distopt
