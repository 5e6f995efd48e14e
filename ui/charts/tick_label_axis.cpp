#include "ui/charts/tick_label_axis.hpp"

#include <QCategoryAxis>
#include <QChart>
#include <QLogValueAxis>
#include <QPen>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

namespace distopt::ui {
namespace {

// The minor grid: lighter than the major one (Qt's light theme draws that in #d3d3d3-ish grey), so the
// labelled lines stay the ones the eye follows.
const QColor kMinorGridColor(0xe6, 0xe6, 0xe6);

}  // namespace

TickLabelAxis::TickLabelAxis(QChart* chart, Qt::Alignment alignment, QObject* parent)
    : QObject(parent), m_chart(chart), m_alignment(alignment), m_axis(new QCategoryAxis()) {
  m_axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
  m_chart->addAxis(m_axis, m_alignment);
}

TickLabelAxis::~TickLabelAxis() = default;

void TickLabelAxis::follow(QAbstractAxis* axis) {
  disconnect(m_followConnection);
  m_followed = axis;
  if (!axis) return;
  if (auto* log = qobject_cast<QLogValueAxis*>(axis)) {
    // A log axis stays for its minor grid only: the faint lines at 2..9 × 10ⁿ that make decades readable
    // (Qt's automatic minor ticks, axis_range's setLogAxisRange). Hidden, it drew none; the shown axis
    // has a line per label only. Nothing else of it is drawn, and without labels or title it takes no
    // room beside the plot.
    log->setVisible(true);
    log->setLabelsVisible(false);
    log->setTitleVisible(false);
    log->setLineVisible(false);
    log->setGridLineVisible(false);
    log->setShadesVisible(false);
    log->setMinorGridLineVisible(true);
    QPen faint = m_axis->gridLinePen();
    faint.setColor(kMinorGridColor);
    faint.setWidthF(std::max(faint.widthF(), 1.0) * 0.5);
    log->setMinorGridLinePen(faint);
  } else {
    axis->setVisible(false);
  }
  // After the followed axis in chart()->axes(): code that asks a chart for its first axis on a side gets
  // the one its series are attached to, whichever of the two was made last.
  m_chart->removeAxis(m_axis);
  m_chart->addAxis(m_axis, m_alignment);
  if (qobject_cast<QLogValueAxis*>(axis))
    m_followConnection = connect(static_cast<QLogValueAxis*>(axis), &QLogValueAxis::rangeChanged, this,
                                 &TickLabelAxis::relabel);
  else if (qobject_cast<QValueAxis*>(axis))
    m_followConnection =
        connect(static_cast<QValueAxis*>(axis), &QValueAxis::rangeChanged, this, &TickLabelAxis::relabel);
  m_ticks.clear();
  relabel();
}

void TickLabelAxis::setMaxLabels(int labels) {
  labels = std::clamp(labels, 2, kMaxAxisTicks);
  if (labels == m_maxLabels) return;
  m_maxLabels = labels;
  relabel();
}

void TickLabelAxis::setMinimumStep(double step) {
  if (!(step >= 0.0) || step == m_minStep) return;
  m_minStep = step;
  relabel();
}

void TickLabelAxis::setLog10Values(bool on) {
  if (on == m_log10Values) return;
  m_log10Values = on;
  m_ticks.clear();
  relabel();
}

void TickLabelAxis::setTitle(const QString& title) { m_axis->setTitleText(title); }

QString TickLabelAxis::title() const { return m_axis->titleText(); }

QStringList TickLabelAxis::labels() const { return m_axis->categoriesLabels(); }

void TickLabelAxis::relabel() {
  if (!m_followed) return;
  AxisRange range;
  std::vector<AxisTick> ticks;
  const bool logAxis = qobject_cast<QLogValueAxis*>(m_followed) != nullptr;
  const bool log = logAxis || m_log10Values;
  if (logAxis) {
    const auto* axis = static_cast<const QLogValueAxis*>(m_followed.data());
    range = {axis->min(), axis->max()};
    ticks = logAxisTicks(range, m_maxLabels);
  } else if (const auto* axis = qobject_cast<const QValueAxis*>(m_followed)) {
    range = m_log10Values ? AxisRange{std::pow(10.0, axis->min()), std::pow(10.0, axis->max())}
                          : AxisRange{axis->min(), axis->max()};
    ticks = m_log10Values ? logAxisTicks(range, m_maxLabels) : linearAxisTicks(range, m_maxLabels, m_minStep);
  } else {
    return;
  }
  // A log axis maps log10 of its values linearly onto its length (a linear axis of log10 values is one
  // already): the shown axis runs over those.
  const auto position = [log](double value) { return log ? std::log10(value) : value; };
  const double low = position(range.min);
  const double high = position(range.max);
  if (!std::isfinite(low) || !std::isfinite(high) || !(high > low)) return;
  if (ticks != m_ticks) {
    for (const QString& label : m_axis->categoriesLabels()) m_axis->remove(label);
    m_axis->setStartValue(low);
    double previous = -std::numeric_limits<double>::infinity();
    for (const AxisTick& tick : ticks) {
      const double at = std::clamp(position(tick.value), low, high);
      if (!(at > previous)) continue;  // categories must end in increasing order
      m_axis->append(tick.label, at);
      previous = at;
    }
    m_ticks = std::move(ticks);
  } else {
    // The same ticks over a moved range: the first category starts at the range's start (a grid line
    // there is the plot's edge).
    m_axis->setStartValue(low);
  }
  m_axis->setRange(low, high);
}

}  // namespace distopt::ui
