#pragma once
// The axis a chart shows, with tick labels from axis_ticks ("10⁻⁵", "2 × 10⁻³", "6 M"). Qt Charts writes
// tick labels with printf only ("1e-05", "6000000") and puts a log axis's labels on powers of its base only
// (one label, or none, on a span under a decade). So the axis the series are attached to (QValueAxis or
// QLogValueAxis) is hidden and followed by a QCategoryAxis attached to no series, over the same range
// (log10 of it for a log axis), with a category ending at every tick: Qt lays it out, reserves room for its
// labels and title, draws grid lines at the ticks, and renders it into every export like any axis. A
// followed log axis keeps drawing its minor grid only (the faint lines at 2..9 × 10ⁿ).
// Thread: GUI thread only.

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <vector>

#include "ui/charts/axis_ticks.hpp"

class QAbstractAxis;
class QCategoryAxis;
class QChart;

namespace distopt::ui {

class TickLabelAxis : public QObject {
  Q_OBJECT

 public:
  /// Adds the shown axis to `chart` at `alignment` (Qt::AlignLeft, Qt::AlignBottom, ...).
  TickLabelAxis(QChart* chart, Qt::Alignment alignment, QObject* parent = nullptr);
  ~TickLabelAxis() override;

  /// Follows `axis` (attached to the series, already in the chart): hides it (a log axis but for its minor
  /// grid) and relabels on each of its range changes. The shown axis moves after it in the chart's axis list.
  /// A later call replaces it.
  void follow(QAbstractAxis* axis);
  /// The most labels the axis shows (as many as its length holds); relabels when it changes.
  void setMaxLabels(int labels);
  int maxLabels() const { return m_maxLabels; }
  /// The smallest step between a linear axis's labels (1: whole numbers only); relabels when it changes.
  void setMinimumStep(double step);
  double minimumStep() const { return m_minStep; }
  /// The followed linear axis holds log10 of the values (a chart whose series are drawn that way, e.g.
  /// bits spanning orders of magnitude): labelled as a log axis ("10⁷", "4 × 10⁷"), not as 7.6.
  void setLog10Values(bool on);
  bool log10Values() const { return m_log10Values; }
  void setTitle(const QString& title);
  QString title() const;

  /// The axis Qt draws.
  QCategoryAxis* axis() const { return m_axis; }
  const std::vector<AxisTick>& ticks() const { return m_ticks; }
  /// The labels shown, bottom to top or left to right.
  QStringList labels() const;
  /// Labels for the followed axis's range as it is now.
  void relabel();

 private:
  QChart* m_chart;
  Qt::Alignment m_alignment;
  QCategoryAxis* m_axis;
  QPointer<QAbstractAxis> m_followed;
  QMetaObject::Connection m_followConnection;
  int m_maxLabels = kRoomyAxisTicks;
  double m_minStep = 0.0;
  bool m_log10Values = false;
  std::vector<AxisTick> m_ticks;
};

}  // namespace distopt::ui
