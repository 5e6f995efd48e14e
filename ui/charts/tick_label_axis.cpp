#include "ui/charts/tick_label_axis.hpp"

#include <QCategoryAxis>
#include <QChart>
#include <QLogValueAxis>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

namespace distopt::ui {

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
  axis->setVisible(false);
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

void TickLabelAxis::setTitle(const QString& title) { m_axis->setTitleText(title); }

QString TickLabelAxis::title() const { return m_axis->titleText(); }

QStringList TickLabelAxis::labels() const { return m_axis->categoriesLabels(); }

void TickLabelAxis::relabel() {
  if (!m_followed) return;
  AxisRange range;
  std::vector<AxisTick> ticks;
  const bool log = qobject_cast<QLogValueAxis*>(m_followed) != nullptr;
  if (log) {
    const auto* axis = static_cast<const QLogValueAxis*>(m_followed.data());
    range = {axis->min(), axis->max()};
    ticks = logAxisTicks(range, m_maxLabels);
  } else if (const auto* axis = qobject_cast<const QValueAxis*>(m_followed)) {
    range = {axis->min(), axis->max()};
    ticks = linearAxisTicks(range, m_maxLabels);
  } else {
    return;
  }
  // A log axis maps log10 of its values linearly onto its length: the shown axis runs over those.
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
