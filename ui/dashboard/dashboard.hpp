#pragma once
// The live dashboard: convergence, delay histogram, bandwidth and the workers table for one run, plus
// the Metrics tab (MetricsPanel), the family tab and the manager view (ManagerView). It only consumes
// telemetry batches handed to it (from RunClient or from the run store); keeping every point and drawing at a
// fixed frame rate is the charts' job.

#include <QJsonObject>
#include <QString>
#include <QWidget>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry/family.hpp"
#include "core/telemetry/run_digest.hpp"
#include "core/telemetry/telemetry.hpp"
#include "ui/charts/convergence_chart.hpp"
#include "ui/charts/series_colors.hpp"
#include "ui/dashboard/manager_view.hpp"
#include "ui/dashboard/metrics_panel.hpp"
#include "ui/dashboard/workers_model.hpp"

class QLabel;
class QStackedWidget;
class QTabWidget;
class QTableView;

namespace distopt::ui {

struct OverlayBand;

class BandwidthChart;
class DelayHistogram;
class FamilyView;
class LiveChart;

class Dashboard : public QWidget {
  Q_OBJECT

 public:
  explicit Dashboard(QWidget* parent = nullptr);

  /// Clears everything for a new run of `experiment` (markers: R, n - 1).
  void beginRun(const nlohmann::json& experiment);
  void addUpdates(const std::vector<distopt::UpdateEvent>& events);
  /// A stored run's accepted-update timeline, then `total` accepted updates by `lastTime` (the exact
  /// count of the stored aggregates, which the thinned timeline may not reach). Updates added later count
  /// on from `total`, so a reattached run's curve continues where the store left it.
  void addAcceptedTimeline(const std::vector<distopt::AcceptedPoint>& points, std::uint64_t total,
                           std::optional<double> lastTime);
  /// Accepted updates shown so far.
  std::uint64_t acceptedUpdates() const { return m_accepted; }
  void addEvaluations(const std::vector<distopt::EvaluationPoint>& points);
  void addBandwidth(const std::vector<distopt::BandwidthSample>& samples);
  void updateWorkers(const std::vector<distopt::WorkerStatus>& workers);
  void finishRun(const QJsonObject& summary);
  /// The run is over: workers still listed as alive are shown as ended.
  void markWorkersEnded();

  /// Overlays another (stored) run's convergence curve, labelled, for comparison; stays until
  /// clearOverlays() or the next beginRun(). `key` names the run (e.g. "#12", the label when empty): a
  /// run keeps its colour while others come and go.
  void addOverlay(const QString& label, const std::vector<distopt::EvaluationPoint>& points,
                  const QString& key = QString());
  /// Several seeds of one configuration as one overlay: their mean line and band on the convergence
  /// chart (the family view, which draws single runs, does not get it).
  void addOverlayBand(const OverlayBand& band);
  void clearOverlays();
  int overlayCount() const;

  /// The run the manager view measures speed-up and bytes saved against (a stored run's curve).
  using Baseline = ManagerView::Baseline;
  void setBaseline(Baseline baseline) { m_manager->setBaseline(std::move(baseline)); }
  void clearBaseline() { m_manager->clearBaseline(); }
  const std::optional<Baseline>& baseline() const { return m_manager->baseline(); }
  /// The manager view's figures against the baseline (ManagerView::speedUp, bytesSaved).
  std::optional<double> speedUp() const { return m_manager->speedUp(); }
  std::optional<double> bytesSaved() const { return m_manager->bytesSaved(); }

  LiveChart* convergence() const { return m_convergence; }
  /// The same chart with its choice of quantity.
  ConvergenceChart* convergenceChart() const { return m_convergence; }
  /// The Metrics tab: family-specific measurements (EvaluationPoint::metrics) named in words, one chart
  /// per unit; indexed names (NAME.<i>, per node or worker) are the family view's.
  MetricsPanel* metrics() const { return m_metrics; }
  /// The family view of the current run (its tab, after Metrics, titled by the family, e.g.
  /// "Topology"), nullptr when the run's algorithm has none (parameter-server methods).
  FamilyView* familyView() const { return m_familyView; }
  /// Index of the family tab in tabs(); -1 while there is none.
  int familyTabIndex() const;
  LiveChart* managerProgress() const { return m_manager->progress(); }
  LiveChart* managerTraffic() const { return m_manager->traffic(); }
  /// The manager view's tab (with its controls).
  ManagerView* manager() const { return m_manager; }
  /// What the manager view shows, without its controls: what exports record.
  QWidget* managerView() const { return m_manager->figure(); }
  DelayHistogram* delays() const { return m_delays; }
  BandwidthChart* bandwidth() const { return m_bandwidth; }
  const WorkersModel& workersModel() const { return *m_workers; }
  QTabWidget* tabs() const { return m_tabs; }
  /// Redraws every chart now (screenshots, tests); normally the charts' own 30 Hz timers do it.
  void refreshNow();

 private:
  /// Shows the family view of the experiment's algorithm (or hides the family tab).
  void beginFamily(const nlohmann::json& experiment);

  QTabWidget* m_tabs = nullptr;
  ConvergenceChart* m_convergence = nullptr;
  StableColors m_overlayColors;
  DelayHistogram* m_delays = nullptr;
  BandwidthChart* m_bandwidth = nullptr;
  WorkersModel* m_workers = nullptr;
  QTableView* m_workersView = nullptr;
  QLabel* m_simNote = nullptr;  ///< under the charts: why a simulated run's bandwidth and workers are empty

  MetricsPanel* m_metrics = nullptr;
  QStackedWidget* m_familyHost = nullptr;
  std::map<FamilyId, FamilyView*> m_familyViews;  ///< made on first use, kept for later runs
  FamilyView* m_familyView = nullptr;

  ManagerView* m_manager = nullptr;
  std::uint64_t m_accepted = 0;
};

}  // namespace distopt::ui
