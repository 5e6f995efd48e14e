#pragma once
// A sweep's results as the workbench shows them: sweep.csv (written by distopt-run after every run that
// ends, see app/run/sweep_table) read back into one row per point, with the main final metric as mean,
// sd, min and max over the seeds that finished. The file is another process's output, read while it is
// being replaced: anything that does not parse refuses the whole read (the previous table stays shown)
// rather than showing half a row.
// Thread: any (pure data).

#include <QString>
#include <QStringList>
#include <vector>

#include "core/analysis/seed_band.hpp"
#include "core/config/comparison_spec.hpp"

namespace distopt::ui {

/// One point of the sweep: its values and what its seeds gave.
struct SweepPointResult {
  int point = 0;
  QStringList values;           ///< one per axis, as written in sweep.csv (JSON text, strings unquoted)
  std::vector<double> numbers;  ///< the same as numbers; NaN where a value is not a number
  QStringList folders;          ///< its runs' folders (relative to the sweep folder), in seed order
  int runs = 0;                 ///< seeds planned
  int done = 0;                 ///< seeds with a result (diverged included)
  int failed = 0;
  BandPoint metric;  ///< the main metric over the finished seeds (count = seeds with a value)
  /// One per ended seed (done or failed), in table order: its metric, or the worst possible value when
  /// it has none (failed, diverged), as a comparison's selection rule counts it.
  std::vector<double> seedValues;
  QStringList terminations;  ///< distinct terminations of its finished runs
};

struct SweepResults {
  QStringList axes;  ///< the swept fields' paths
  /// The final metric summarised: "final_gap" when some run knows f*, else "final_loss", or
  /// "final_test_accuracy" when asked for.
  QString metric;
  std::vector<SweepPointResult> points;  ///< by point index
  int runs = 0;
  int done = 0;
  int failed = 0;

  /// The metric as a person reads it: "final f − f*", "final loss", "final test accuracy".
  QString metricLabel() const;
  /// How the best point is chosen: the statistic over seeds (median by default, as comparison files);
  /// its metric is `metric`.
  std::string statistic = "median";

  /// Whether a larger metric is better (test accuracy).
  bool higherIsBetter() const { return metric == QLatin1String("final_test_accuracy"); }
  /// The selection rule of a comparison file with this metric and statistic (one rule for both).
  SelectionRule rule() const { return SelectionRule{metric.toStdString(), statistic}; }
  /// The rule's score of point `index` over its ended seeds; NaN before any seed ended.
  double score(std::size_t index) const;
  /// Index into points of the best score; -1 when no point has a finite one. Ties keep the earlier point.
  int best() const;
};

/// Parses sweep.csv text. `metric` empty = choose (see SweepResults::metric); `statistic` is the
/// selection rule's (median, mean or max). False with *why when the text is not a sweep table.
bool parseSweepResults(const QString& csv, SweepResults* results, QString* why,
                       const QString& metric = QString(), const std::string& statistic = "median");

/// One CSV record split into cells (RFC 4180 quotes); false when a quote is left open.
bool splitCsvLine(const QString& line, QStringList* cells);

}  // namespace distopt::ui
