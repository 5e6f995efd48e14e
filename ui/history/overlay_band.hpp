#pragma once
// Overlaid runs that are seeds of one configuration drawn as one mean line and a band, on a common
// time grid (core/analysis/seed_band), rather than N tangled lines. The band is built against time; the
// updates and bytes of each grid point are the seeds' means at that time, so the chart's x choice
// (time, updates, bytes) still works.
// Thread: any (pure data); the chart that draws it is the GUI thread's.

#include <QString>
#include <QStringList>
#include <cstdint>
#include <string>
#include <vector>

#include "core/analysis/seed_band.hpp"
#include "core/telemetry/telemetry.hpp"
#include "ui/charts/series_buffer.hpp"

namespace distopt::ui {

/// What the history overlay does with several seeds of one configuration.
enum class SeedDisplay {
  BandMinMax,  ///< mean line and min–max band
  BandStdDev,  ///< mean line and ± one standard deviation
  Lines,       ///< every run its own line
};

struct OverlayBand {
  QString label;  ///< e.g. "#12 quickstart (sgd), 3 seeds: mean, min–max"
  QString key;    ///< names the group for its colour (e.g. its runs' ids); the label when empty
  int seeds = 0;
  BandKind kind = BandKind::MinMax;
  std::vector<SeriesPoint> mean;  ///< finite points only
  std::vector<SeriesPoint> low;   ///< same x as `high`; may differ in length from `mean`
  std::vector<SeriesPoint> high;
};

/// The value the convergence chart shows for an evaluation: f − f* when known, else the loss.
double convergenceValue(const EvaluationPoint& point);

/// Mean and band of `runs` (each a run's evaluations) on `intervals` + 1 times from 0 to the longest
/// run's end. Points where no run has data are left out.
OverlayBand overlayBand(const QString& label, const std::vector<std::vector<EvaluationPoint>>& runs,
                        BandKind kind, int intervals = 200);

/// A configuration's identity for grouping seeds: the experiment document without its "seed" (text
/// that does not parse is its own group).
std::string configurationKey(const std::string& experimentJson);

/// The legend text that says what the band is.
QString bandDescription(BandKind kind, int seeds);

}  // namespace distopt::ui
