#include "ui/family/worker_bar_chart.hpp"

#include <QAreaSeries>
#include <QLineSeries>
#include <QPen>
#include <algorithm>
#include <cmath>

namespace distopt::ui {
namespace {

constexpr double kHalfBar = 0.38;

}  // namespace

WorkerBarChart::WorkerBarChart(QWidget* parent) : ChartPanel(parent) {
  m_upper = new QLineSeries(this);
  m_lower = new QLineSeries(this);
  m_area = new QAreaSeries(m_upper, m_lower);
  m_area->setName(tr("per worker"));
  m_area->setColor(QColor(31, 119, 180));
  m_area->setBorderColor(QColor(20, 80, 130));
  addAttachedSeries(m_area);
  chart()->legend()->hide();
  setXTitle(tr("worker"));
}

WorkerBarChart::~WorkerBarChart() = default;

void WorkerBarChart::setValue(int worker, double value) {
  if (worker < 0 || worker > (1 << 16)) return;
  if (static_cast<std::size_t>(worker) >= m_values.size())
    m_values.resize(static_cast<std::size_t>(worker) + 1, 0.0);
  if (m_values[static_cast<std::size_t>(worker)] == value) return;
  m_values[static_cast<std::size_t>(worker)] = value;
  markDataChanged();
}

void WorkerBarChart::clear() {
  m_values.clear();
  markDataChanged();
}

double WorkerBarChart::value(int worker) const {
  return worker >= 0 && worker < barCount() ? m_values[static_cast<std::size_t>(worker)] : 0.0;
}

void WorkerBarChart::setFormatter(QString (*format)(double)) { m_format = format; }

int WorkerBarChart::drawnPointCount() const { return static_cast<int>(m_upper->count()); }

bool WorkerBarChart::dataExtent(Range& x, Range& y) const {
  if (m_values.empty()) return false;
  x = {-0.6, static_cast<double>(m_values.size()) - 0.4};
  double hi = 0.0;
  double lowPositive = 0.0;
  for (double v : m_values) {
    if (!std::isfinite(v)) continue;
    hi = std::max(hi, v);
    if (v > 0 && (lowPositive == 0.0 || v < lowPositive)) lowPositive = v;
  }
  if (logY())
    y = lowPositive > 0 ? Range{lowPositive / 2, hi * 1.5} : Range{0.1, 10.0};
  else
    y = {0.0, hi > 0 ? hi * 1.08 : 1.0};
  return true;
}

void WorkerBarChart::drawFrame(bool) {
  // Bars stand on the bottom of the axis (0, or the lowest decade shown on a log axis).
  const double base = logY() ? yRange().min : 0.0;
  QList<QPointF> upper;
  QList<QPointF> lower;
  upper.reserve(static_cast<qsizetype>(m_values.size() * 4));
  lower.reserve(upper.capacity());
  for (std::size_t p = 0; p < m_values.size(); ++p) {
    const double x = static_cast<double>(p);
    const double v = std::isfinite(m_values[p]) ? std::max(m_values[p], base) : base;
    upper << QPointF(x - kHalfBar, base) << QPointF(x - kHalfBar, v) << QPointF(x + kHalfBar, v)
          << QPointF(x + kHalfBar, base);
    lower << QPointF(x - kHalfBar, base) << QPointF(x - kHalfBar, base) << QPointF(x + kHalfBar, base)
          << QPointF(x + kHalfBar, base);
  }
  m_upper->replace(upper);
  m_lower->replace(lower);
}

QString WorkerBarChart::hoverText(QPointF chartPosition) const {
  const double x = toValue(chartPosition).x();
  const int worker = static_cast<int>(std::lround(x));
  if (worker < 0 || worker >= barCount() || std::abs(x - worker) > kHalfBar) return {};
  const double v = m_values[static_cast<std::size_t>(worker)];
  return tr("worker %1: %2").arg(worker).arg(m_format ? m_format(v) : QString::number(v, 'g', 4));
}

}  // namespace distopt::ui
