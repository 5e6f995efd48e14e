#include "ui/dashboard/manager_view.hpp"

#include <QFont>
#include <QGridLayout>
#include <QLabel>
#include <QSplitter>
#include <algorithm>

#include "core/telemetry/evaluation.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/charts/units.hpp"
#include "ui/dashboard/big_number_label.hpp"
#include "ui/dashboard/workers_model.hpp"

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

}  // namespace

ManagerView::ManagerView(const WorkersModel& workers, QWidget* parent) : QWidget(parent), m_workers(workers) {
  auto* grid = new QGridLayout(this);
  m_bigGap = bigNumber(tr("Distance to optimum (f − f*)"), grid, 0, 0);
  m_bigTarget = bigNumber(tr("Time to target"), grid, 0, 1);
  m_bigSpeedUp = bigNumber(tr("Speed-up vs baseline"), grid, 0, 2);
  m_bigWorkers = bigNumber(tr("Workers alive"), grid, 1, 0);
  m_bigSaved = bigNumber(tr("Bytes saved vs baseline"), grid, 1, 1);
  m_bigBytes = bigNumber(tr("Traffic per update"), grid, 1, 2);
  m_bigTime = bigNumber(tr("Elapsed (time units)"), grid, 2, 0);
  m_bigUpdates = bigNumber(tr("Model updates"), grid, 2, 1);
  m_progress = new LiveChart();
  m_progress->setTitle(tr("Progress"));
  m_progress->setLogY(true);
  m_traffic = new LiveChart();
  m_traffic->setTitle(tr("Traffic (bytes, cumulative)"));
  auto* charts = new QSplitter(Qt::Horizontal);
  charts->addWidget(m_progress);
  charts->addWidget(m_traffic);
  grid->addWidget(charts, 6, 0, 1, 3);
  grid->setRowStretch(6, 1);
}

void ManagerView::beginRun(const nlohmann::json& experiment) {
  m_progress->removeSeriesFrom(0);
  m_traffic->removeSeriesFrom(0);
  m_points.clear();
  m_speedUp.reset();
  m_bytesSaved.reset();
  m_last = EvaluationPoint{};
  m_timeToTarget.reset();
  m_progressSeries = m_progress->addSeries(tr("this run"), QColor(31, 119, 180));
  m_trafficSeries = m_traffic->addSeries(tr("this run"), QColor(31, 119, 180));
  if (m_baseline) setBaseline(*m_baseline);  // re-adds its series to the cleared charts
  m_workerTotal = experiment.contains("workers") ? experiment["workers"].value("count", 0) : 0;
  m_targetGap.reset();
  if (experiment.contains("stop") && experiment["stop"].contains("target_gap") &&
      experiment["stop"]["target_gap"].is_number())
    m_targetGap = experiment["stop"]["target_gap"].get<double>();
  updateFigures();
}

void ManagerView::addEvaluations(const std::vector<EvaluationPoint>& points) {
  for (const auto& p : points) {
    const double bytes = static_cast<double>(p.bytesUp + p.bytesDown);
    const double y = p.gap ? *p.gap : p.loss;
    m_progress->append(m_progressSeries, p.time, static_cast<double>(p.updates), bytes, y);
    m_traffic->append(m_trafficSeries, p.time, static_cast<double>(p.updates), bytes, bytes);
    if (m_targetGap && p.gap && *p.gap <= *m_targetGap && !m_timeToTarget) m_timeToTarget = p.time;
    m_points.push_back(p);
    m_last = p;
  }
  updateComparison();
  updateFigures();
}

void ManagerView::finishRun(const QJsonObject& summary) {
  if (summary.value("time_to_target").isDouble()) m_timeToTarget = summary.value("time_to_target").toDouble();
  updateFigures();
}

void ManagerView::workersChanged() { updateFigures(); }

void ManagerView::setBaseline(Baseline baseline) {
  m_progress->removeSeriesFrom(1);
  m_traffic->removeSeriesFrom(1);
  const QString label = tr("baseline: %1").arg(baseline.label);
  const int progress = m_progress->addSeries(label, QColor(127, 127, 127));
  const int traffic = m_traffic->addSeries(label, QColor(127, 127, 127));
  for (const auto& p : baseline.points) {
    const double bytes = static_cast<double>(p.bytesUp + p.bytesDown);
    m_progress->append(progress, p.time, static_cast<double>(p.updates), bytes, p.gap ? *p.gap : p.loss);
    m_traffic->append(traffic, p.time, static_cast<double>(p.updates), bytes, bytes);
  }
  m_baseline = std::move(baseline);
  updateComparison();
  updateFigures();
}

void ManagerView::clearBaseline() {
  m_progress->removeSeriesFrom(1);
  m_traffic->removeSeriesFrom(1);
  m_baseline.reset();
  updateComparison();
  updateFigures();
}

void ManagerView::updateComparison() {
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
  m_bytesSaved =
      static_cast<double>(b->bytesUp + b->bytesDown) - static_cast<double>(a->bytesUp + a->bytesDown);
}

void ManagerView::refreshNow() {
  m_progress->refreshNow();
  m_traffic->refreshNow();
}

void ManagerView::updateFigures() {
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
  const int known = static_cast<int>(m_workers.workers().size());
  const int alive = m_workers.countInState(QStringLiteral("alive")) +
                    m_workers.countInState(QStringLiteral("slow")) +
                    m_workers.countInState(QStringLiteral("suspect"));
  // Alive as the workers report it; before any report (and for simulated runs, which have none) the
  // count is unknown, not zero.
  m_bigWorkers->setText(known ? QStringLiteral("%1 / %2").arg(alive).arg(std::max(m_workerTotal, known))
                        : m_workerTotal > 0 ? QStringLiteral("– / %1").arg(m_workerTotal)
                                            : none);
  const double bytes = static_cast<double>(m_last.bytesUp + m_last.bytesDown);
  m_bigBytes->setText(m_last.updates ? formatBytes(bytes / static_cast<double>(m_last.updates))
                                     : QStringLiteral("–"));
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
