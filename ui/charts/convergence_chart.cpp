#include "ui/charts/convergence_chart.hpp"

#include <QAreaSeries>
#include <QComboBox>
#include <QHBoxLayout>
#include <QXYSeries>

#include "ui/charts/metric_names.hpp"
#include "ui/charts/short_text_combo.hpp"
#include "ui/family/family_view.hpp"
#include "ui/history/overlay_band.hpp"

namespace distopt::ui {

using namespace convergence_metric;

namespace {

QString familyName(const QString& key) { return key.mid(kMetricPrefix.size()); }

// A family metric's name and unit from the one table the Metrics tab uses too.
MetricName familyMetric(const QString& key) { return metricName(familyName(key).toStdString()); }

}  // namespace

std::optional<double> metricValue(const EvaluationPoint& p, const QString& key) {
  if (key == kGap) return p.gap;
  if (key == kLoss) return p.loss;
  if (key == kGradNormSq) return p.gradNormSq;
  if (key == kTestAccuracy) return p.testAccuracy;
  if (key.startsWith(kMetricPrefix)) {
    const auto found = p.metrics.find(familyName(key).toStdString());
    if (found != p.metrics.end()) return found->second;
  }
  return std::nullopt;
}

QStringList metricsOf(const std::vector<EvaluationPoint>& points) {
  bool gap = false, grad = false, accuracy = false;
  std::set<QString> family;
  for (const EvaluationPoint& p : points) {
    gap = gap || p.gap.has_value();
    grad = grad || p.gradNormSq.has_value();
    accuracy = accuracy || p.testAccuracy.has_value();
    for (const auto& [name, value] : p.metrics)
      // Per node or per worker (NAME.<i>): the family view's, dozens of them.
      if (!isIndexedMetric(name)) family.insert(kMetricPrefix + QString::fromStdString(name));
  }
  QStringList keys;
  if (gap) keys << kGap;
  if (!points.empty()) keys << kLoss;
  if (grad) keys << kGradNormSq;
  if (accuracy) keys << kTestAccuracy;
  for (const QString& key : family) keys << key;
  return keys;
}

QString quantityName(const QString& key) {
  if (key == kGap) return QObject::tr("f(x) − f*: distance to the optimum");
  if (key == kLoss) return QObject::tr("loss f(x)");
  if (key == kGradNormSq) return QObject::tr("‖∇f(x)‖²: squared gradient norm");
  if (key == kTestAccuracy) return QObject::tr("test accuracy");
  return familyMetric(key).words;
}

QString quantityShortName(const QString& key) {
  if (key == kGap) return QObject::tr("f(x) − f*");
  if (key == kLoss) return QObject::tr("loss f(x)");
  if (key == kGradNormSq) return QObject::tr("‖∇f(x)‖²");
  if (key == kTestAccuracy) return QObject::tr("test accuracy");
  return familyMetric(key).words;
}

QString metricAxisTitle(const QString& key) {
  if (key == kTestAccuracy) return QObject::tr("test accuracy [fraction]");
  if (!key.startsWith(kMetricPrefix)) return quantityShortName(key);
  return metricTitleWithUnit(familyName(key).toStdString());
}

ConvergenceChart::ConvergenceChart(QWidget* parent) : LiveChart(parent) {
  // The closed box shows the quantity's short name (its long one would not fit the control row); the
  // list and the tooltip the long one.
  m_choice = new ShortTextComboBox(this);
  m_choice->setObjectName(QStringLiteral("quantityChoice"));
  // No "show:" label: the row's width is the 1024-px window's limit; the tooltip says what it is.
  controlsLayout()->insertWidget(0, m_choice);
  connect(m_choice, &QComboBox::activated, this,
          [this](int index) { setMetric(m_choice->itemData(index).toString()); });
  beginRun(tr("this run"), QColor(31, 119, 180));
}

void ConvergenceChart::beginRun(const QString& label, const QColor& color) {
  removeSeriesFrom(0);
  m_runs.clear();
  m_offered.clear();
  addSeries(label, color);
  m_runs.push_back({});
  updateChoice();
}

void ConvergenceChart::addRunPoints(const std::vector<EvaluationPoint>& points) {
  if (points.empty()) return;
  Run& run = m_runs.front();
  const std::size_t from = run.points.size();
  run.points.insert(run.points.end(), points.begin(), points.end());
  const QString shown = m_shown;
  offer(points);
  if (m_shown != shown) return;  // redrawn whole in the quantity now shown
  for (std::size_t i = from; i < run.points.size(); ++i) {
    const EvaluationPoint& p = run.points[i];
    if (const auto y = metricValue(p, m_shown))
      append(0, p.time, static_cast<double>(p.updates), static_cast<double>(p.bytesUp + p.bytesDown), *y);
  }
}

int ConvergenceChart::addOverlay(const QString& label, const QColor& color,
                                 const std::vector<EvaluationPoint>& points) {
  const int series = addSeries(label, color);
  m_runs.push_back({points, false});
  reserve(series, points.size());
  const QString shown = m_shown;
  offer(points);
  if (m_shown == shown) fill(series, points);  // else redrawn with the rest
  return series;
}

int ConvergenceChart::addOverlayBand(const QString& label, const QColor& color, const OverlayBand& band) {
  const int series = addSeries(label, color);
  m_runs.push_back({{}, true});
  append(series, band.mean);
  setBand(series, band.low, band.high);
  redraw();  // shown or hidden for the quantity shown
  return series;
}

void ConvergenceChart::clearOverlays() {
  removeSeriesFrom(1);
  m_runs.resize(1);
  m_offered.clear();
  offer(m_runs.front().points);
}

void ConvergenceChart::offer(const std::vector<EvaluationPoint>& points) {
  const QStringList keys = metricsOf(points);
  bool added = false;
  for (const QString& key : keys)
    if (!m_offered.contains(key)) {
      m_offered << key;
      added = true;
    }
  if (added || m_offered.isEmpty()) updateChoice();
}

void ConvergenceChart::updateChoice() {
  // Before a run has evaluations the choice offers the loss, which every run has (metricsOf), not an
  // empty box.
  if (m_offered.isEmpty()) m_offered << kLoss;
  // The chart's order, whatever order the runs brought them in.
  QStringList ordered;
  for (const QString& key : {kGap, kLoss, kGradNormSq, kTestAccuracy})
    if (m_offered.contains(key)) ordered << key;
  QStringList family;
  for (const QString& key : m_offered)
    if (key.startsWith(kMetricPrefix)) family << key;
  family.sort();
  m_offered = ordered + family;
  {
    const QSignalBlocker block(m_choice);
    m_choice->clear();
    for (const QString& key : m_offered) m_choice->addItem(quantityName(key), quantityShortName(key), key);
  }
  // What the person chose when this run has it, else f − f* where known, else the loss.
  QString key = m_offered.contains(m_wanted) ? m_wanted : m_offered.contains(kGap) ? kGap : kLoss;
  show(key);
}

void ConvergenceChart::setMetric(const QString& key) {
  if (key.isEmpty()) return;
  m_wanted = key;
  if (!m_offered.contains(key)) return;
  const bool changed = key != m_shown;
  show(key);
  // Accuracy and fractions read on a linear axis; losses, gaps and norms over decades on a log one.
  if (changed)
    setLogY(key != kTestAccuracy &&
            !(key.startsWith(kMetricPrefix) && familyMetric(key).unit == MetricUnit::Fraction));
}

void ConvergenceChart::show(const QString& key) {
  m_choice->selectQuietly(m_choice->findData(key));
  setYTitle(metricAxisTitle(key));
  if (key == m_shown) return;
  m_shown = key;
  redraw();
  resetZoom();
  emit metricChanged(key);
}

void ConvergenceChart::fill(int series, const std::vector<EvaluationPoint>& points) {
  std::vector<SeriesPoint> values;
  values.reserve(points.size());
  for (const EvaluationPoint& p : points)
    if (const auto y = metricValue(p, m_shown))
      values.push_back(
          {p.time, static_cast<double>(p.updates), static_cast<double>(p.bytesUp + p.bytesDown), *y});
  append(series, values);
}

void ConvergenceChart::redraw() {
  const bool bandsShown = m_shown == kGap || m_shown == kLoss;
  for (std::size_t i = 0; i < m_runs.size(); ++i) {
    const int series = static_cast<int>(i);
    if (m_runs[i].band) {
      this->series(series)->setVisible(bandsShown);
      if (QAreaSeries* area = band(series)) area->setVisible(bandsShown);
      continue;
    }
    clearSeries(series);
    fill(series, m_runs[i].points);
  }
}

}  // namespace distopt::ui
