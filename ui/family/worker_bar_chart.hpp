#pragma once
// One bar per worker (e.g. its peak curvature memory), on the dashboard's chart machinery so it
// zooms, exports and reads out like the other charts. A handful to a few hundred bars: every bar is
// drawn (four points each), redrawn on the frame timer only when a value changed.

#include <QColor>
#include <QString>
#include <vector>

#include "ui/charts/live_chart.hpp"

class QAreaSeries;
class QLineSeries;

namespace distopt::ui {

class WorkerBarChart : public ChartPanel {
  Q_OBJECT

 public:
  explicit WorkerBarChart(QWidget* parent = nullptr);
  ~WorkerBarChart() override;

  /// Sets bar `worker` (the count grows as needed).
  void setValue(int worker, double value);
  void clear();
  int barCount() const { return static_cast<int>(m_values.size()); }
  double value(int worker) const;
  /// How a value is written in the read-out (default: 4 significant digits).
  void setFormatter(QString (*format)(double));
  /// Points the bar series holds after the last frame (4 per bar).
  int drawnPointCount() const;

 protected:
  bool dataExtent(Range& x, Range& y) const override;
  void drawFrame(bool viewChanged) override;
  QString hoverText(QPointF chartPosition) const override;
  void logYChanged() override { markViewChanged(); }

 private:
  std::vector<double> m_values;
  QLineSeries* m_upper = nullptr;
  QLineSeries* m_lower = nullptr;
  QAreaSeries* m_area = nullptr;
  QString (*m_format)(double) = nullptr;
};

}  // namespace distopt::ui
