#pragma once
// Family-specific dashboard views: the charts a user of one method family (compressed, decentralized,
// hybrid-order, Kronecker) looks at, shown as the dashboard's "Family" tab only when the run's
// algorithm belongs to that family (AlgorithmEntry::family; makeFamilyView has one case per FamilyId).
// The parameter-server family has none: its charts are the dashboard's own. Like the rest of the
// dashboard they only consume telemetry handed to them (from RunClient or from the run store), and
// draw through the live chart machinery of ui/charts. Thread: GUI thread only.

#include <QColor>
#include <QString>
#include <QWidget>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry/family.hpp"
#include "core/telemetry/telemetry.hpp"

namespace distopt::ui {

class ChartPanel;
class LiveChart;

class FamilyView : public QWidget {
  Q_OBJECT

 public:
  /// What "Export report" and the Export menu write for this view: a chart, or a plain widget
  /// (exactly one of panel / widget is set).
  struct ExportItem {
    QString file;  ///< base name, e.g. "family-topology"
    QString title;
    ChartPanel* panel = nullptr;
    QWidget* widget = nullptr;
  };

  using QWidget::QWidget;

  /// The family this view is for (test_ui_family checks makeFamilyView against it).
  virtual distopt::FamilyId family() const = 0;
  /// The tab's title, e.g. "Topology".
  virtual QString title() const = 0;
  /// Clears everything for a new run of `experiment`.
  virtual void beginRun(const nlohmann::json& experiment) = 0;
  virtual void addEvaluations(const std::vector<distopt::EvaluationPoint>& points) = 0;
  virtual void addBandwidth(const std::vector<distopt::BandwidthSample>& samples) { (void)samples; }
  /// Another (stored) run for comparison, as Dashboard::addOverlay; views that compare runs draw it.
  virtual void addOverlay(const QString& label, const std::vector<distopt::EvaluationPoint>& points) {
    (void)label;
    (void)points;
  }
  virtual void clearOverlays() {}
  /// Redraws now (screenshots, tests, exports); normally the charts' 30 Hz timers do it.
  virtual void refreshNow() = 0;
  /// The charts currently shown, in reading order.
  virtual std::vector<ExportItem> exportItems() const = 0;
};

/// The family of the experiment's algorithm from the registry; nullopt when the name is unknown.
std::optional<distopt::FamilyId> familyOf(const nlohmann::json& experiment);
/// The algorithm name of an experiment document; "" when absent.
std::string algorithmOf(const nlohmann::json& experiment);
/// A new view for `family`, or nullptr for the parameter-server family (the convergence, delay and
/// bandwidth charts of the dashboard are its views).
FamilyView* makeFamilyView(distopt::FamilyId family, QWidget* parent = nullptr);

/// True for a per-entity metric "NAME.<i>" (i a non-negative integer), e.g. node_consensus_error.3.
bool isIndexedMetric(const std::string& name);
/// i when `name` is `prefix` + "." + i.
std::optional<int> metricIndex(const std::string& name, std::string_view prefix);

/// One LiveChart series per named metric, created when the metric first appears (so a chart only
/// shows what the run reports), in the order the specs list them; named from the one table of metric
/// names (ui/charts/metric_names), as the Metrics tab and the convergence chart name them.
class MetricLines {
 public:
  struct Spec {
    std::string metric;
    QColor color;
  };

  MetricLines(LiveChart* chart, std::vector<Spec> specs);

  /// Drops the series (beginRun).
  void clear();
  /// Appends p's value of every listed metric it has; true when it had any.
  bool add(const distopt::EvaluationPoint& p);
  /// The chart series of `metric`, -1 before it appeared.
  int seriesOf(const std::string& metric) const;
  int seriesCount() const { return static_cast<int>(m_series.size()); }
  /// The y title for the listed metrics: their units ("bits", "squared norm"; the legend names the
  /// lines); one metric's words with its unit when it is alone.
  QString axisTitle() const;
  LiveChart* chart() const { return m_chart; }

 private:
  LiveChart* m_chart;
  std::vector<Spec> m_specs;
  std::map<std::string, int> m_series;
};

/// The dashboard's colours for family series, after the current run's blue (Tableau 10).
QColor familyColor(std::size_t index);

}  // namespace distopt::ui
