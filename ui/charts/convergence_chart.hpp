#pragma once
// The dashboard's convergence chart: one measured quantity of the run at a time, chosen on the chart
// from those the run has (loss, f − f* where f* is known, ‖∇f‖², test accuracy, and the family's
// per-evaluation metrics), with overlaid runs in the same quantity and an axis title that names it with
// its notation and unit. The choice stays for the next run when that run has the quantity (a new run of
// the same problem). Thread: GUI thread only.

#include <QString>
#include <QStringList>
#include <optional>
#include <set>
#include <vector>

#include "core/telemetry/telemetry.hpp"
#include "ui/charts/live_chart.hpp"

namespace distopt::ui {

struct OverlayBand;
class ShortTextComboBox;

/// Keys of the quantities: "gap", "loss", "grad_norm_sq", "test_accuracy", or "metric:NAME" for a family
/// metric (EvaluationPoint::metrics).
namespace convergence_metric {
inline const QString kGap = QStringLiteral("gap");
inline const QString kLoss = QStringLiteral("loss");
inline const QString kGradNormSq = QStringLiteral("grad_norm_sq");
inline const QString kTestAccuracy = QStringLiteral("test_accuracy");
inline const QString kMetricPrefix = QStringLiteral("metric:");
}  // namespace convergence_metric

/// The quantity `key` of an evaluation, nullopt when the evaluation does not have it.
std::optional<double> metricValue(const EvaluationPoint& point, const QString& key);
/// The quantities some of `points` have, in the chart's order (f − f*, loss, ‖∇f‖², accuracy, family).
QStringList metricsOf(const std::vector<EvaluationPoint>& points);
/// In words with notation, for the choice ("f(x) − f*: distance to the optimum").
QString quantityName(const QString& key);
/// What the closed choice shows: the notation or the metric's words ("f(x) − f*", "Consensus error").
QString quantityShortName(const QString& key);
/// The y-axis title: notation and unit ("f(x) − f*", "test accuracy [fraction]", "bits per iteration [bit]").
QString metricAxisTitle(const QString& key);

class ConvergenceChart : public LiveChart {
  Q_OBJECT

 public:
  explicit ConvergenceChart(QWidget* parent = nullptr);

  /// Drops every run (this one and the overlays); the next run's curve is `label`, in `color`.
  void beginRun(const QString& label, const QColor& color);
  /// This run's evaluations, in time order.
  void addRunPoints(const std::vector<EvaluationPoint>& points);
  /// Another run's curve, in the quantity shown. Returns its series index.
  int addOverlay(const QString& label, const QColor& color, const std::vector<EvaluationPoint>& points);
  /// Seeds of one configuration as a mean line and band (of f − f*, or the loss where f* is unknown);
  /// shown while the chart shows f − f* or the loss.
  int addOverlayBand(const QString& label, const QColor& color, const OverlayBand& band);
  /// Removes the overlays (this run's curve stays).
  void clearOverlays();
  int overlayCount() const { return seriesCount() - 1; }

  /// The quantity shown (a key of convergence_metric).
  QString metric() const { return m_shown; }
  /// The quantities offered: what this run and the overlays have.
  QStringList metrics() const { return m_offered; }
  /// Shows `key` (when offered; otherwise it is shown as soon as a run has it).
  void setMetric(const QString& key);

 signals:
  void metricChanged(const QString& key);

 private:
  struct Run {
    std::vector<EvaluationPoint> points;  ///< empty for a band
    bool band = false;
  };

  void offer(const std::vector<EvaluationPoint>& points);
  void updateChoice();
  /// Re-fills every series with the quantity shown.
  void redraw();
  void fill(int series, const std::vector<EvaluationPoint>& points);
  void show(const QString& key);

  std::vector<Run> m_runs;  ///< one per series, in series order
  QStringList m_offered;
  QString m_wanted;  ///< what the person chose; shown whenever offered
  QString m_shown;
  ShortTextComboBox* m_choice = nullptr;
};

}  // namespace distopt::ui
