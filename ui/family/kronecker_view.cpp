#include "ui/family/kronecker_view.hpp"

#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/charts/live_chart.hpp"
#include "ui/charts/metric_names.hpp"

namespace distopt::ui {
namespace {

void appendSeconds(LiveChart* chart, int series, const EvaluationPoint& p) {
  const auto seconds = p.metrics.find("iteration_seconds");
  if (seconds != p.metrics.end())
    chart->append(series, p.time, static_cast<double>(p.updates),
                  static_cast<double>(p.bytesUp + p.bytesDown), seconds->second);
}

}  // namespace

KroneckerView::KroneckerView(QWidget* parent)
    : FamilyView(parent),
      m_fired(new LiveChart()),
      m_time(new LiveChart()),
      m_firedLines(m_fired, {{"fired_fraction", familyColor(0)}, {"fired_fraction_all", familyColor(1)}}) {
  m_fired->setTitle(tr("Fired fraction"));
  m_fired->setYTitle(m_firedLines.axisTitle());
  m_fired->setXAxis(XAxis::Updates);
  m_time->setTitle(metricName("iteration_seconds").words);
  // One series per run (this one and overlaid ones): the title names the metric.
  m_time->setYTitle(metricTitleWithUnit("iteration_seconds"));
  m_time->setXAxis(XAxis::Updates);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(m_time);
  split->addWidget(m_fired);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);
  beginRun(nlohmann::json::object());
}

KroneckerView::~KroneckerView() = default;

void KroneckerView::beginRun(const nlohmann::json& experiment) {
  m_firedLines.clear();
  m_time->removeSeriesFrom(0);
  m_time->setLogY(false);
  m_timeScaleChosen = false;
  const std::string algorithm = algorithmOf(experiment);
  m_time->addSeries(
      algorithm.empty() ? tr("this run") : QString::fromStdString(algorithm) + tr(" (this run)"),
      familyColor(0));
}

void KroneckerView::addEvaluations(const std::vector<EvaluationPoint>& points) {
  for (const auto& p : points) {
    m_firedLines.add(p);
    appendSeconds(m_time, 0, p);
  }
  chooseTimeScale();
}

void KroneckerView::chooseTimeScale() {
  // Log once the times span more than a decade (naive against fast); within one a log axis shows no
  // tick label. Switched once per run, so a user's own choice afterwards stands.
  if (m_timeScaleChosen) return;
  double lo = 0.0;
  double hi = 0.0;
  for (int s = 0; s < m_time->seriesCount(); ++s) {
    const YStats& stats = m_time->buffer(s).yStats();
    if (!stats.anyPositive) continue;
    lo = lo > 0.0 ? std::min(lo, stats.minPositive) : stats.minPositive;
    hi = std::max(hi, stats.maxPositive);
  }
  if (lo > 0.0 && hi / lo > 10.0) {
    m_time->setLogY(true);
    m_timeScaleChosen = true;
  }
}

void KroneckerView::addOverlay(const QString& label, const std::vector<EvaluationPoint>& points) {
  const bool reports = std::any_of(points.begin(), points.end(), [](const EvaluationPoint& p) {
    return p.metrics.contains("iteration_seconds");
  });
  if (!reports) return;
  const int series =
      m_time->addSeries(label, familyColor(static_cast<std::size_t>(m_time->seriesCount()) + 1));
  m_time->reserve(series, points.size());
  for (const auto& p : points) appendSeconds(m_time, series, p);
  chooseTimeScale();
}

void KroneckerView::clearOverlays() { m_time->removeSeriesFrom(1); }

void KroneckerView::refreshNow() {
  m_fired->refreshNow();
  m_time->refreshNow();
}

std::vector<FamilyView::ExportItem> KroneckerView::exportItems() const {
  return {{QStringLiteral("family-iteration-time"), metricName("iteration_seconds").words, m_time, nullptr},
          {QStringLiteral("family-fired-fraction"), tr("Fired fraction"), m_fired, nullptr}};
}

}  // namespace distopt::ui
