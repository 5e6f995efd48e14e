#include "ui/dashboard/dashboard.hpp"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

#include "core/analysis/run_labels.hpp"
#include "ui/charts/bandwidth_chart.hpp"
#include "ui/charts/convergence_chart.hpp"
#include "ui/charts/delay_histogram.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/charts/units.hpp"
#include "ui/family/family_view.hpp"
#include "ui/history/overlay_band.hpp"

namespace distopt::ui {

Dashboard::Dashboard(QWidget* parent) : QWidget(parent) {
  m_tabs = new QTabWidget(this);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_tabs);

  // Researcher's view: the three chart kinds and the workers table.
  m_convergence = new ConvergenceChart();
  m_convergence->setTitle(tr("Convergence"));
  m_convergence->setLogY(true);
  m_delays = new DelayHistogram();
  m_bandwidth = new BandwidthChart();
  m_workers = new WorkersModel(this);
  auto* proxy = new QSortFilterProxyModel(this);
  proxy->setSourceModel(m_workers);
  proxy->setSortRole(Qt::UserRole);
  m_workersView = new QTableView();
  m_workersView->setModel(proxy);
  m_workersView->setSortingEnabled(true);
  m_workersView->sortByColumn(WorkersModel::Id, Qt::AscendingOrder);
  m_workersView->verticalHeader()->hide();
  m_workersView->horizontalHeader()->setStretchLastSection(true);
  m_workersView->setAlternatingRowColors(true);

  auto* top = new QSplitter(Qt::Horizontal);
  top->addWidget(m_convergence);
  top->addWidget(m_delays);
  auto* bottom = new QSplitter(Qt::Horizontal);
  bottom->addWidget(m_bandwidth);
  bottom->addWidget(m_workersView);
  // A simulated run may send neither traffic samples nor worker states: the empty panes say why.
  auto* bottomPane = new QWidget();
  auto* bottomLayout = new QVBoxLayout(bottomPane);
  bottomLayout->setContentsMargins(0, 0, 0, 0);
  m_simNote = new QLabel(tr("Simulated run: its workers are not processes and its messages are not sent, so "
                            "the bandwidth chart and the workers table stay empty. The summary counts the "
                            "bytes a live run would send."),
                         bottomPane);
  m_simNote->setObjectName(QStringLiteral("simulatedRunNote"));
  m_simNote->setWordWrap(true);
  m_simNote->setStyleSheet(QStringLiteral("color: palette(mid); padding: 2px 4px;"));
  m_simNote->hide();
  bottomLayout->addWidget(m_simNote);
  bottomLayout->addWidget(bottom, 1);
  auto* researcher = new QSplitter(Qt::Vertical);
  researcher->addWidget(top);
  researcher->addWidget(bottomPane);
  researcher->setStretchFactor(0, 3);
  researcher->setStretchFactor(1, 2);
  m_tabs->addTab(researcher, tr("Dashboard"));

  m_metrics = new MetricsPanel();
  m_tabs->addTab(m_metrics, tr("Metrics"));

  // The family tab is inserted after Metrics only while a run of a family is shown (beginFamily), so
  // the other tabs keep the indices they always had when there is none (e.g. at start-up, when the
  // remembered tab is restored).
  m_familyHost = new QStackedWidget(this);
  m_familyHost->hide();

  m_manager = new ManagerView(*m_workers);
  m_tabs->addTab(m_manager, tr("Manager view"));
  // The charts' own series exist from the start, so overlays and a baseline chosen before any run sit
  // after them like they do later.
  beginRun(nlohmann::json::object());
}

void Dashboard::beginRun(const nlohmann::json& experiment) {
  // The run named by its method and experiment, as the history's legends name it.
  const std::string runLabel = runLabels({{0, experiment}}).front();
  m_convergence->beginRun(experiment.is_object() && experiment.contains("algorithm")
                              ? QString::fromStdString(runLabel)
                              : tr("this run"),
                          QColor(31, 119, 180));
  m_overlayColors.clearShown();
  m_delays->clear();
  m_bandwidth->clear();
  m_workers->clear();
  m_accepted = 0;

  m_simNote->setVisible(experiment.is_object() && experiment.value("engine", std::string()) == "sim");
  const int workerTotal = experiment.contains("workers") ? experiment["workers"].value("count", 0) : 0;
  std::optional<int> threshold;
  if (experiment.contains("algorithm") &&
      experiment["algorithm"].value("name", std::string()) == "ringmaster") {
    const auto& params = experiment["algorithm"].value("params", nlohmann::json::object());
    if (params.contains("R") && params["R"].is_number_integer()) threshold = params["R"].get<int>();
  }
  m_delays->setMarkers(threshold, workerTotal);
  beginFamily(experiment);
  m_metrics->beginRun(experiment);
  m_manager->beginRun(experiment);
  const QString timeTitle = timeAxisTitle(experiment);
  for (ChartPanel* chart : std::initializer_list<ChartPanel*>{m_convergence, m_bandwidth,
                                                              m_manager->progress(), m_manager->traffic()})
    chart->setTimeTitle(timeTitle);
  m_metrics->setTimeTitle(timeTitle);
}

void Dashboard::beginFamily(const nlohmann::json& experiment) {
  const std::optional<FamilyId> family = familyOf(experiment);
  FamilyView* view = nullptr;
  if (family) {
    if (auto found = m_familyViews.find(*family); found != m_familyViews.end()) {
      view = found->second;
    } else if ((view = makeFamilyView(*family))) {
      m_familyHost->addWidget(view);
      m_familyViews.emplace(*family, view);
    }
  }
  m_familyView = view;
  const int tab = familyTabIndex();
  if (!view) {
    if (tab >= 0) m_tabs->removeTab(tab);
    return;
  }
  view->beginRun(experiment);
  m_familyHost->setCurrentWidget(view);
  if (tab < 0)
    m_tabs->insertTab(m_tabs->indexOf(m_metrics) + 1, m_familyHost, view->title());
  else
    m_tabs->setTabText(tab, view->title());
}

int Dashboard::familyTabIndex() const { return m_tabs->indexOf(m_familyHost); }

void Dashboard::addUpdates(const std::vector<UpdateEvent>& events) {
  m_delays->addEvents(events);
  // One point per batch, not per update: what the bytes-per-update view needs, and bounded by the
  // telemetry cadence instead of growing with every update of a huge run.
  const UpdateEvent* lastAccepted = nullptr;
  for (const auto& e : events)
    if (e.outcome == Outcome::Accepted) {
      ++m_accepted;
      lastAccepted = &e;
    }
  if (lastAccepted) m_bandwidth->setAcceptedUpdates(lastAccepted->time, m_accepted);
}

void Dashboard::addAcceptedTimeline(const std::vector<AcceptedPoint>& points, std::uint64_t total,
                                    std::optional<double> lastTime) {
  for (const AcceptedPoint& p : points) m_bandwidth->setAcceptedUpdates(p.time, p.count);
  const std::uint64_t drawn = points.empty() ? 0 : points.back().count;
  if (total > drawn && lastTime) m_bandwidth->setAcceptedUpdates(*lastTime, total);
  m_accepted = std::max({m_accepted, drawn, total});
}

void Dashboard::addEvaluations(const std::vector<EvaluationPoint>& points) {
  m_convergence->addRunPoints(points);
  m_metrics->addEvaluations(points);
  m_manager->addEvaluations(points);
  if (m_familyView) m_familyView->addEvaluations(points);
}

void Dashboard::addOverlay(const QString& label, const std::vector<EvaluationPoint>& points,
                           const QString& key) {
  m_convergence->addOverlay(label, m_overlayColors.colorFor(key.isEmpty() ? label : key), points);
  if (m_familyView) m_familyView->addOverlay(label, points);
}

void Dashboard::addOverlayBand(const OverlayBand& band) {
  const QString label = band.label + QStringLiteral(" — ") + bandDescription(band.kind, band.seeds);
  m_convergence->addOverlayBand(label, m_overlayColors.colorFor(band.key.isEmpty() ? band.label : band.key),
                                band);
}

void Dashboard::clearOverlays() {
  m_convergence->clearOverlays();
  m_overlayColors.clearShown();
  if (m_familyView) m_familyView->clearOverlays();
}

int Dashboard::overlayCount() const { return m_convergence->overlayCount(); }

void Dashboard::addBandwidth(const std::vector<BandwidthSample>& samples) {
  // Per-edge samples ("peer:<j>") count the bytes the per-kind samples already count; the bandwidth
  // chart would add them twice. They are the topology view's.
  const bool anyPeer = std::any_of(samples.begin(), samples.end(),
                                   [](const BandwidthSample& s) { return s.kind.starts_with("peer:"); });
  if (!samples.empty()) m_simNote->hide();
  if (!anyPeer) {
    m_bandwidth->addSamples(samples);
  } else {
    std::vector<BandwidthSample> own;
    own.reserve(samples.size());
    for (const auto& s : samples)
      if (!s.kind.starts_with("peer:")) own.push_back(s);
    m_bandwidth->addSamples(own);
  }
  if (m_familyView) m_familyView->addBandwidth(samples);
}

void Dashboard::updateWorkers(const std::vector<WorkerStatus>& workers) {
  if (!workers.empty()) m_simNote->hide();
  m_workers->update(workers);
  m_manager->workersChanged();
}

void Dashboard::finishRun(const QJsonObject& summary) { m_manager->finishRun(summary); }

void Dashboard::refreshNow() {
  m_convergence->refreshNow();
  m_delays->refreshNow();
  m_bandwidth->refreshNow();
  m_manager->refreshNow();
  m_metrics->refreshNow();
  if (m_familyView) m_familyView->refreshNow();
}

void Dashboard::markWorkersEnded() {
  m_workers->markEnded(QStringLiteral("ended"));
  m_manager->workersChanged();
}

}  // namespace distopt::ui
