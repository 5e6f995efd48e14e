#pragma once
// What the families' metric keys (EvaluationPoint::metrics, snake_case) mean to a reader: a name in
// words and the unit the value is in. The one table of them: the Metrics tab draws one chart per
// unit from it (bits, bytes, counts and eigenvalues on one axis would hide each other), and its names
// label the series. Keys not in the table get a readable name from the key and the unit Other.

#include <QString>
#include <string>
#include <vector>

namespace distopt::ui {

enum class MetricUnit {
  Bits,         ///< data volume in bits (per iteration or cumulative)
  Bytes,        ///< data volume in bytes
  Count,        ///< how many: rounds, messages, gradient calls, neurons, steps
  TimeUnits,    ///< the run's time units (virtual time; live: unit_ms each)
  Seconds,      ///< measured seconds (wall clock or CPU)
  Eigenvalue,   ///< eigenvalues of a mixing matrix or of a curvature estimate, and gaps between them
  SquaredNorm,  ///< squared distances and norms: consensus error, ‖G‖², tracking error
  Fraction,     ///< a share between 0 and 1
  Ratio,        ///< a dimensionless factor (compression ratio, step size, scale)
  Loss,         ///< a loss value
  Other,        ///< a key the table does not know
};

struct MetricName {
  QString words;  ///< e.g. "Consensus error"
  MetricUnit unit = MetricUnit::Other;
};

/// The name and unit of `key`; indexed keys ("NAME.<i>", per node or worker) are named after NAME with
/// the index ("Node consensus error, node 3").
MetricName metricName(const std::string& key);
/// The unit's name for an axis title and a chart's caption, e.g. "bits", "count", "squared norm".
QString metricUnitTitle(MetricUnit unit);
/// An axis title for one metric: its words with its unit, "CPU time per iteration [seconds]" (the words
/// alone for a key the table does not know).
QString metricTitleWithUnit(const std::string& key);
/// A chart's title for the metrics in `unit`, e.g. "Squared errors and norms", "Counts".
QString metricUnitCaption(MetricUnit unit);
/// Every unit, in the order the Metrics tab shows its charts.
const std::vector<MetricUnit>& metricUnitOrder();
/// The keys the table knows (tests: every one has words and a unit).
std::vector<std::string> knownMetricKeys();

}  // namespace distopt::ui
