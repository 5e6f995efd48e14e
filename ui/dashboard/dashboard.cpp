#include "ui/dashboard/dashboard.hpp"

#include <QFont>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "ui/charts/bandwidth_chart.hpp"
#include "ui/charts/delay_histogram.hpp"
#include "ui/charts/live_chart.hpp"

namespace distopt::ui {
namespace {

QLabel* bigNumber(const QString& caption, QGridLayout* grid, int row, int column) {
  auto* title = new QLabel(caption);
  QFont small = title->font();
  small.setPointSizeF(small.pointSizeF() * 1.4);
  title->setFont(small);
  title->setStyleSheet(QStringLiteral("color: #555;"));
  auto* value = new QLabel(QStringLiteral("–"));
  QFont big = value->font();
  big.setPointSizeF(big.pointSizeF() * 3.2);
  big.setBold(true);
  value->setFont(big);
  grid->addWidget(title, row * 2, column);
  grid->addWidget(value, row * 2 + 1, column);
  return value;
}

}  // namespace

Dashboard::Dashboard(QWidget* parent) : QWidget(parent) {
  m_tabs = new QTabWidget(this);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_tabs);

  // Researcher's view: the three chart kinds and the workers table.
  m_convergence = new LiveChart();
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
  auto* researcher = new QSplitter(Qt::Vertical);
  researcher->addWidget(top);
  researcher->addWidget(bottom);
  researcher->setStretchFactor(0, 3);
  researcher->setStretchFactor(1, 2);
  m_tabs->addTab(researcher, tr("Dashboard"));

  // Manager's view: a few large numbers readable across a room, and the convergence curve.
  auto* manager = new QWidget();
  auto* grid = new QGridLayout(manager);
  m_bigGap = bigNumber(tr("Distance to optimum (f − f*)"), grid, 0, 0);
  m_bigTarget = bigNumber(tr("Time to target"), grid, 0, 1);
  m_bigTime = bigNumber(tr("Elapsed (time units)"), grid, 0, 2);
  m_bigUpdates = bigNumber(tr("Model updates"), grid, 1, 0);
  m_bigWorkers = bigNumber(tr("Workers alive"), grid, 1, 1);
  m_bigBytes = bigNumber(tr("Traffic per update"), grid, 1, 2);
  m_managerChart = new LiveChart();
  m_managerChart->setTitle(tr("Progress"));
  m_managerChart->setLogY(true);
  grid->addWidget(m_managerChart, 4, 0, 1, 3);
  grid->setRowStretch(4, 1);
  m_tabs->addTab(manager, tr("Manager view"));
}

void Dashboard::beginRun(const nlohmann::json& experiment) {
  m_convergence->clear();
  m_managerChart->clear();
  m_delays->clear();
  m_bandwidth->clear();
  m_workers->clear();
  m_accepted = 0;
  m_last = EvaluationPoint{};
  m_timeToTarget.reset();
  m_haveGap = false;
  m_gapSeries = m_convergence->addSeries(tr("f − f* (or loss)"), QColor(31, 119, 180));
  m_gradSeries = m_convergence->addSeries(tr("‖∇f‖²"), QColor(214, 39, 40));
  m_managerSeries = m_managerChart->addSeries(tr("f − f*"), QColor(31, 119, 180));

  m_workerTotal = experiment.contains("workers") ? experiment["workers"].value("count", 0) : 0;
  std::optional<int> threshold;
  if (experiment.contains("algorithm") && experiment["algorithm"].value("name", std::string()) == "ringmaster") {
    const auto& params = experiment["algorithm"].value("params", nlohmann::json::object());
    if (params.contains("R") && params["R"].is_number_integer()) threshold = params["R"].get<int>();
  }
  m_delays->setMarkers(threshold, m_workerTotal);
  m_targetGap.reset();
  if (experiment.contains("stop") && experiment["stop"].contains("target_gap") && experiment["stop"]["target_gap"].is_number())
    m_targetGap = experiment["stop"]["target_gap"].get<double>();
  updateManagerView();
}

void Dashboard::addUpdates(const std::vector<UpdateEvent>& events) {
  m_delays->addEvents(events);
  for (const auto& e : events)
    if (e.outcome == Outcome::Accepted) {
      ++m_accepted;
      m_bandwidth->setAcceptedUpdates(e.time, m_accepted);
    }
}

void Dashboard::addEvaluations(const std::vector<EvaluationPoint>& points) {
  for (const auto& p : points) {
    const double bytes = static_cast<double>(p.bytesUp + p.bytesDown);
    const double y = p.gap ? *p.gap : p.loss;
    m_haveGap = m_haveGap || p.gap.has_value();
    m_convergence->append(m_gapSeries, p.time, static_cast<double>(p.updates), bytes, y);
    if (p.gradNormSq) m_convergence->append(m_gradSeries, p.time, static_cast<double>(p.updates), bytes, *p.gradNormSq);
    m_managerChart->append(m_managerSeries, p.time, static_cast<double>(p.updates), bytes, y);
    if (m_targetGap && p.gap && *p.gap <= *m_targetGap && !m_timeToTarget) m_timeToTarget = p.time;
    m_last = p;
  }
  updateManagerView();
}

void Dashboard::addBandwidth(const std::vector<BandwidthSample>& samples) { m_bandwidth->addSamples(samples); }

void Dashboard::updateWorkers(const std::vector<WorkerStatus>& workers) {
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
}

void Dashboard::updateManagerView() {
  m_bigGap->setText(m_last.gap ? QString::number(*m_last.gap, 'e', 2) : QString::number(m_last.loss, 'g', 4));
  m_bigTime->setText(QString::number(m_last.time, 'f', 0));
  m_bigUpdates->setText(QString::number(m_last.updates));
  m_bigTarget->setText(m_timeToTarget ? QString::number(*m_timeToTarget, 'f', 1)
                                      : (m_targetGap ? tr("not yet") : tr("no target")));
  const int dead = m_workers->countInState(QStringLiteral("dead"));
  const int known = static_cast<int>(m_workers->workers().size());
  m_bigWorkers->setText(QStringLiteral("%1 / %2").arg(std::max(0, (known ? known : m_workerTotal) - dead)).arg(m_workerTotal));
  const double bytes = static_cast<double>(m_last.bytesUp + m_last.bytesDown);
  m_bigBytes->setText(m_last.updates ? formatBytes(bytes / static_cast<double>(m_last.updates)) : QStringLiteral("–"));
}

}  // namespace distopt::ui
