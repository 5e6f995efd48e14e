#pragma once
// Several seeds of one configuration as one curve: mean and a band (min–max or ± standard deviation)
// on a common x grid, instead of N tangled lines. Each run is sampled at its own x (evaluation times),
// so the runs are compared at the same x by linear interpolation; a run does not count where it has no
// data (before its first or after its last sample), so a shorter run narrows the band's support rather
// than pulling the mean towards zero. One function for the command line's comparison report and the
// workbench's overlays and sweep panel. Pure: no files, no Qt.

#include <cstddef>
#include <span>
#include <vector>

namespace distopt {

/// One run's curve: samples at non-decreasing x.
struct SampledCurve {
  std::vector<double> x;
  std::vector<double> y;
};

/// How wide the band around the mean is drawn.
enum class BandKind {
  MinMax,  ///< from the lowest to the highest seed
  StdDev,  ///< mean ± the sample standard deviation (n − 1; 0 for one seed)
};

/// The seeds' statistics at one x; every value is NaN when no curve has data there (count 0).
struct BandPoint {
  double mean;
  double min;
  double max;
  double stddev;
  int count = 0;  ///< curves with data at this x

  double low(BandKind kind) const { return kind == BandKind::MinMax ? min : mean - stddev; }
  double high(BandKind kind) const { return kind == BandKind::MinMax ? max : mean + stddev; }
};

/// The band on a grid: points[i] is the statistics at x[i].
struct SeedBand {
  std::vector<double> x;
  std::vector<BandPoint> points;
};

/// Linear between samples, NaN outside [first x, last x] or for an empty curve. The caller drops
/// samples whose x goes backwards.
double curveValueAt(const SampledCurve& curve, double x);

/// `intervals` + 1 evenly spaced x from 0 to the largest last x of the curves; empty when there is no
/// positive extent (no data, or every curve ends at 0) or intervals < 1.
std::vector<double> commonGrid(std::span<const SampledCurve> curves, int intervals = 200);

/// Mean, min, max and sample standard deviation of `values`; non-finite values are left out (missing
/// data, not a number to average).
BandPoint summarize(std::span<const double> values);

/// The statistics of the curves at x (non-finite curve values are left out, as missing data).
BandPoint bandAt(std::span<const SampledCurve> curves, double x);

/// bandAt at every x of `grid`.
SeedBand seedBand(std::span<const SampledCurve> curves, std::span<const double> grid);

/// commonGrid then seedBand: the usual call.
SeedBand seedBand(std::span<const SampledCurve> curves, int intervals = 200);

}  // namespace distopt
