#pragma once
// The dashboard's Metrics tab: a family's own measurements (EvaluationPoint::metrics) named in words
// and drawn as one small chart per unit (metric_names.hpp), so bits, counts, eigenvalues and squared
// norms never share an axis. A run without such metrics (the parameter-server methods) gets a note
// saying what the tab would show and where its other figures are, not an empty chart.
// Thread: GUI thread only.

#include <QWidget>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/telemetry/telemetry.hpp"
#include "ui/charts/series_buffer.hpp"
#include "ui/charts/metric_names.hpp"
#include "ui/family/family_view.hpp"

class QComboBox;
class QGridLayout;
class QLabel;
class QScrollArea;

namespace distopt::ui {

class LiveChart;

class MetricsPanel : public QWidget {
  Q_OBJECT

 public:
  explicit MetricsPanel(QWidget* parent = nullptr);

  /// Clears every chart for a new run of `experiment` (its family decides the note shown until a metric
  /// arrives).
  void beginRun(const nlohmann::json& experiment);
  /// The time axis' title of every chart, those made later included (timeAxisTitle()).
  void setTimeTitle(const QString& title);
  void addEvaluations(const std::vector<distopt::EvaluationPoint>& points);

  /// The charts with at least one series, in the tab's order (metricUnitOrder()).
  std::vector<LiveChart*> charts() const;
  /// The chart of `unit`, nullptr while the run has reported no metric in it.
  LiveChart* chart(MetricUnit unit) const;
  /// Series over all charts.
  int seriesCount() const;
  /// The series' names over all charts, in the tab's order.
  QStringList seriesNames() const;
  /// The note shown instead of charts ("" while charts are shown).
  QString note() const;
  /// The charts alone, without the shared x-axis choice (exports).
  QWidget* figure() const { return m_figure; }
  /// One chart per unit for "Export report" (file "metrics-<unit>").
  std::vector<FamilyView::ExportItem> exportItems() const;

  void setXAxis(XAxis axis);
  XAxis xAxis() const { return m_xAxis; }
  void refreshNow();

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  struct UnitChart {
    LiveChart* chart = nullptr;
    std::map<std::string, int> series;  ///< metric key -> series index
  };

  /// Charts side by side at the panel's width.
  int columns() const;
  UnitChart& unitChart(MetricUnit unit);
  void relayout();
  void showNote(const QString& text);

  QWidget* m_figure = nullptr;
  QGridLayout* m_grid = nullptr;
  QLabel* m_note = nullptr;
  QWidget* m_controls = nullptr;  ///< the x choice shared by every chart
  QScrollArea* m_scroll = nullptr;
  QComboBox* m_xChoice = nullptr;
  std::map<MetricUnit, UnitChart> m_charts;  ///< made on first use, kept (empty) for later runs
  std::size_t m_colours = 0;
  int m_columns = 1;
  XAxis m_xAxis = XAxis::Time;
  QString m_timeTitle;
};

}  // namespace distopt::ui
