#include "ui/dashboard/dashboard.hpp"

#include <QFont>
#include <QGridLayout>
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
#include "core/telemetry/evaluation.hpp"
#include "ui/charts/bandwidth_chart.hpp"
#include "ui/charts/convergence_chart.hpp"
#include "ui/charts/delay_histogram.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/charts/units.hpp"
#include "ui/dashboard/big_number_label.hpp"
#include "ui/family/family_view.hpp"
#include "ui/history/overlay_band.hpp"

namespace distopt::ui {
namespace {

QLabel* bigNumber(const QString& caption, QGridLayout* grid, int row, int column) {
  auto* title = new QLabel(caption);
  title->setWordWrap(true);  // the manager view must not set the window's minimum width
  QFont small = title->font();
  small.setPointSizeF(small.pointSizeF() * 1.4);
  title->setFont(small);
  title->setStyleSheet(QStringLiteral("color: #555;"));
  // Shrinks to its column rather than widening the window (a 1024-px screen) or being cut.
  auto* value = new BigNumberLabel(3.2);
  value->setText(QStringLiteral("–"));
  grid->addWidget(title, row * 2, column);
  grid->addWidget(value, row * 2 + 1, column);
  return value;
}

// Metric series take colours in this order.
QColor paletteColor(std::size_t index) { return overlayPalette()[index % overlayPalette().size()]; }

}  // namespace

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

  m_metrics = new LiveChart();
  m_metrics->setTitle(tr("Family metrics"));
  m_metrics->setLogY(true);
  m_tabs->addTab(m_metrics, tr("Metrics"));

  // The family tab is inserted after Metrics only while a run of a family is shown (beginFamily), so
  // the other tabs keep the indices they always had when there is none (e.g. at start-up, when the
  // remembered tab is restored).
  m_familyHost = new QStackedWidget(this);
  m_familyHost->hide();

  // Manager's view: a few large numbers readable across a room, and two charts: progress and traffic,
  // each against the chosen baseline run.
  m_managerView = new QWidget();
  auto* grid = new QGridLayout(m_managerView);
  m_bigGap = bigNumber(tr("Distance to optimum (f − f*)"), grid, 0, 0);
  m_bigTarget = bigNumber(tr("Time to target"), grid, 0, 1);
  m_bigSpeedUp = bigNumber(tr("Speed-up vs baseline"), grid, 0, 2);
  m_bigWorkers = bigNumber(tr("Workers alive"), grid, 1, 0);
  m_bigSaved = bigNumber(tr("Bytes saved vs baseline"), grid, 1, 1);
  m_bigBytes = bigNumber(tr("Traffic per update"), grid, 1, 2);
  m_bigTime = bigNumber(tr("Elapsed (time units)"), grid, 2, 0);
  m_bigUpdates = bigNumber(tr("Model updates"), grid, 2, 1);
  m_managerChart = new LiveChart();
  m_managerChart->setTitle(tr("Progress"));
  m_managerChart->setLogY(true);
  m_managerTraffic = new LiveChart();
  m_managerTraffic->setTitle(tr("Traffic (bytes, cumulative)"));
  auto* charts = new QSplitter(Qt::Horizontal);
  charts->addWidget(m_managerChart);
  charts->addWidget(m_managerTraffic);
  grid->addWidget(charts, 6, 0, 1, 3);
  grid->setRowStretch(6, 1);
  m_tabs->addTab(m_managerView, tr("Manager view"));
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
  for (ChartPanel* chart : std::initializer_list<ChartPanel*>{m_convergence, m_bandwidth, m_metrics,
                                                              m_managerChart, m_managerTraffic})
    chart->setTimeTitle(timeAxisTitle(experiment));
  m_managerChart->removeSeriesFrom(0);
  m_managerTraffic->removeSeriesFrom(0);
  m_metrics->removeSeriesFrom(0);
  m_metricSeries.clear();
  m_points.clear();
  m_speedUp.reset();
  m_bytesSaved.reset();
  m_delays->clear();
  m_bandwidth->clear();
  m_workers->clear();
  m_accepted = 0;
  m_last = EvaluationPoint{};
  m_timeToTarget.reset();
  m_managerSeries = m_managerChart->addSeries(tr("this run"), QColor(31, 119, 180));
  m_trafficSeries = m_managerTraffic->addSeries(tr("this run"), QColor(31, 119, 180));
  if (m_baseline) setBaseline(*m_baseline);  // re-adds its series to the cleared charts

  m_simNote->setVisible(experiment.is_object() && experiment.value("engine", std::string()) == "sim");
  m_workerTotal = experiment.contains("workers") ? experiment["workers"].value("count", 0) : 0;
  std::optional<int> threshold;
  if (experiment.contains("algorithm") && experiment["algorithm"].value("name", std::string()) == "ringmaster") {
    const auto& params = experiment["algorithm"].value("params", nlohmann::json::object());
    if (params.contains("R") && params["R"].is_number_integer()) threshold = params["R"].get<int>();
  }
  m_delays->setMarkers(threshold, m_workerTotal);
  beginFamily(experiment);
  m_targetGap.reset();
  if (experiment.contains("stop") && experiment["stop"].contains("target_gap") && experiment["stop"]["target_gap"].is_number())
    m_targetGap = experiment["stop"]["target_gap"].get<double>();
  updateManagerView();
}

void Dashboard::beginFamily(const nlohmann::json& experiment) {
  const std::string family = familyOf(experiment);
  FamilyView* view = nullptr;
  if (auto found = m_familyViews.find(family); found != m_familyViews.end()) {
    view = found->second;
  } else if ((view = makeFamilyView(family))) {
    m_familyHost->addWidget(view);
    m_familyViews.emplace(family, view);
  }
  m_familyView = view;
  const int tab = familyTabIndex();
  if (!view) {
    if (tab >= 0) m_tabs->removeTab(tab);
    return;
  }
  view->beginRun(experiment);
  m_familyHost->setCurrentWidget(view);
  if (tab < 0) m_tabs->insertTab(m_tabs->indexOf(m_metrics) + 1, m_familyHost, view->title());
  else m_tabs->setTabText(tab, view->title());
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
  for (const auto& p : points) {
    const double bytes = static_cast<double>(p.bytesUp + p.bytesDown);
    const double y = p.gap ? *p.gap : p.loss;
    m_managerChart->append(m_managerSeries, p.time, static_cast<double>(p.updates), bytes, y);
    m_managerTraffic->append(m_trafficSeries, p.time, static_cast<double>(p.updates), bytes, bytes);
    if (m_targetGap && p.gap && *p.gap <= *m_targetGap && !m_timeToTarget) m_timeToTarget = p.time;
    addMetrics(p);
    m_points.push_back(p);
    m_last = p;
  }
  if (m_familyView) m_familyView->addEvaluations(points);
  updateComparison();
  updateManagerView();
}

void Dashboard::addMetrics(const EvaluationPoint& p) {
  for (const auto& [name, value] : p.metrics) {
    // Per node or per worker: dozens of series that would drown the rest; the family view shows them.
    if (isIndexedMetric(name)) continue;
    auto found = m_metricSeries.find(name);
    if (found == m_metricSeries.end())
      found = m_metricSeries
                  .emplace(name, m_metrics->addSeries(QString::fromStdString(name), paletteColor(m_metricSeries.size())))
                  .first;
    m_metrics->append(found->second, p.time, static_cast<double>(p.updates), static_cast<double>(p.bytesUp + p.bytesDown),
                      value);
  }
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

void Dashboard::setBaseline(Baseline baseline) {
  m_managerChart->removeSeriesFrom(1);
  m_managerTraffic->removeSeriesFrom(1);
  const QString label = tr("baseline: %1").arg(baseline.label);
  const int progress = m_managerChart->addSeries(label, QColor(127, 127, 127));
  const int traffic = m_managerTraffic->addSeries(label, QColor(127, 127, 127));
  for (const auto& p : baseline.points) {
    const double bytes = static_cast<double>(p.bytesUp + p.bytesDown);
    m_managerChart->append(progress, p.time, static_cast<double>(p.updates), bytes, p.gap ? *p.gap : p.loss);
    m_managerTraffic->append(traffic, p.time, static_cast<double>(p.updates), bytes, bytes);
  }
  m_baseline = std::move(baseline);
  updateComparison();
  updateManagerView();
}

void Dashboard::clearBaseline() {
  m_managerChart->removeSeriesFrom(1);
  m_managerTraffic->removeSeriesFrom(1);
  m_baseline.reset();
  updateComparison();
  updateManagerView();
}

void Dashboard::updateComparison() {
  m_speedUp.reset();
  m_bytesSaved.reset();
  if (!m_baseline) return;
  const auto ours = bestGap(m_points);
  const auto theirs = bestGap(m_baseline->points);
  if (!ours || !theirs) return;
  // Compare at the finer accuracy both runs have reached (the target once both reach it): time and
  // bytes each needed to get there.
  const double level = std::max(*ours, *theirs);
  const EvaluationPoint* a = firstPointAtGap(m_points, level);
  const EvaluationPoint* b = firstPointAtGap(m_baseline->points, level);
  if (!a || !b) return;
  if (a->time > 0.0) m_speedUp = b->time / a->time;
  m_bytesSaved = static_cast<double>(b->bytesUp + b->bytesDown) - static_cast<double>(a->bytesUp + a->bytesDown);
}

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
  updateManagerView();
}

void Dashboard::finishRun(const QJsonObject& summary) {
  if (summary.value("time_to_target").isDouble()) m_timeToTarget = summary.value("time_to_target").toDouble();
  updateManagerView();
}

void Dashboard::refreshNow() {
  m_convergence->refreshNow();
  m_delays->refreshNow();
  m_bandwidth->refreshNow();
  m_managerChart->refreshNow();
  m_managerTraffic->refreshNow();
  m_metrics->refreshNow();
  if (m_familyView) m_familyView->refreshNow();
}

void Dashboard::markWorkersEnded() {
  m_workers->markEnded(QStringLiteral("ended"));
  updateManagerView();
}

void Dashboard::updateManagerView() {
  // Nothing measured yet is a dash, never a 0 that reads like a result.
  const bool measured = !m_points.empty();
  const QString none = QStringLiteral("–");
  m_bigGap->setText(!measured    ? none
                    : m_last.gap ? QString::number(*m_last.gap, 'e', 2)
                                 : QString::number(m_last.loss, 'g', 4));
  m_bigTime->setText(measured ? QString::number(m_last.time, 'f', 0) : none);
  m_bigUpdates->setText(measured ? QString::number(m_last.updates) : none);
  m_bigTarget->setText(m_timeToTarget ? QString::number(*m_timeToTarget, 'f', 1)
                                      : (m_targetGap ? tr("not yet") : tr("no target")));
  const int known = static_cast<int>(m_workers->workers().size());
  const int alive = m_workers->countInState(QStringLiteral("alive")) +
                    m_workers->countInState(QStringLiteral("slow")) +
                    m_workers->countInState(QStringLiteral("suspect"));
  // Alive as the workers report it; before any report (and for simulated runs, which have none) the
  // count is unknown, not zero.
  m_bigWorkers->setText(known ? QStringLiteral("%1 / %2").arg(alive).arg(std::max(m_workerTotal, known))
                        : m_workerTotal > 0 ? QStringLiteral("– / %1").arg(m_workerTotal)
                                            : none);
  const double bytes = static_cast<double>(m_last.bytesUp + m_last.bytesDown);
  m_bigBytes->setText(m_last.updates ? formatBytes(bytes / static_cast<double>(m_last.updates)) : QStringLiteral("–"));
  if (!m_baseline) {
    m_bigSpeedUp->setText(tr("no baseline"));
    m_bigSaved->setText(tr("no baseline"));
  } else {
    m_bigSpeedUp->setText(m_speedUp ? QStringLiteral("%1×").arg(*m_speedUp, 0, 'f', 2) : QStringLiteral("–"));
    m_bigSaved->setText(!m_bytesSaved ? QStringLiteral("–")
                                      : (*m_bytesSaved < 0 ? QStringLiteral("−") + formatBytes(-*m_bytesSaved)
                                                           : formatBytes(*m_bytesSaved)));
  }
}

}  // namespace distopt::ui
