#pragma once
// Live charts for the dashboard (docs/architecture.md, rule 6). Every point is kept; each frame draws at most ~2
// points per pixel column (min/max decimation) with one bulk QXYSeries::replace() per series, on a
// ~30 Hz timer that does nothing when neither data nor view changed. So the redraw rate never
// depends on the message rate, and appending is O(1) with no per-point allocation.
// Thread: GUI thread only.

#include <QChartView>
#include <QList>
#include <QPointF>
#include <QWidget>
#include <cstddef>
#include <span>
#include <vector>

#include "ui/charts/axis_range.hpp"
#include "ui/charts/series_buffer.hpp"

class QAbstractAxis;
class QAbstractSeries;
class QAreaSeries;
class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineSeries;
class QTimer;
class QValueAxis;
class QXYSeries;

namespace distopt::ui {

class ChartLegend;
class TickLabelAxis;

/// A QChartView with the dashboard's mouse handling: left drag = rubber-band zoom, middle drag or
/// Ctrl+left drag = pan, wheel = zoom about the cursor (Shift+wheel: x only), right click = zoom
/// out, double click = reset. It only moves the axes; the owning ChartPanel notices and redraws.
class InteractiveChartView : public QChartView {
  Q_OBJECT

 public:
  explicit InteractiveChartView(QChart* chart, QWidget* parent = nullptr);

 signals:
  void resetRequested();
  /// Mouse position in chart item coordinates (those of QChart::plotArea()).
  void hovered(QPointF chartPosition);
  void hoverLeft();

 protected:
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  QPointF toChart(QPointF viewPosition) const;

  bool m_panning = false;
  QPointF m_panLast;
};

/// Shared machinery of the dashboard's charts: the view, a linear x axis and a linear/log y axis,
/// auto-range that follows the data until the user zooms or pans, the 30 Hz frame timer with
/// dirty tracking, frame timing, and a control row (log toggle, reset zoom, hover read-out).
/// Subclasses own their series and say how to range, draw and describe the data.
class ChartPanel : public QWidget {
  Q_OBJECT

 public:
  /// Every range goes through axis_range.hpp's guards on its way to an axis.
  using Range = AxisRange;

  static constexpr int kFrameIntervalMs = 33;

  explicit ChartPanel(QWidget* parent = nullptr);
  ~ChartPanel() override;

  QChart* chart() const;
  InteractiveChartView* view() const { return m_view; }
  void setTitle(const QString& title);
  void setXTitle(const QString& title);
  void setYTitle(const QString& title);
  QString xTitle() const;
  QString yTitle() const { return m_yTitle; }
  /// What time is measured in, for every time axis of this chart ("time [units]" for a simulated run,
  /// "time [units of 5 ms]" for a live one); see timeAxisTitle().
  void setTimeTitle(const QString& title);
  QString timeTitle() const { return m_timeTitle; }
  /// The legend under the chart (Qt Charts' own is never drawn: it cuts entries).
  ChartLegend* legend() const { return m_legend; }
  /// The axes Qt draws, with our tick labels ("10⁻⁵", "6 M"); the axes the series are attached to are
  /// hidden (tick_label_axis.hpp).
  TickLabelAxis* xLabels() const { return m_xLabels; }
  TickLabelAxis* yLabels() const { return m_yLabels; }

  /// Log y axis; values <= 0 are not drawn while it is on.
  void setLogY(bool on);
  bool logY() const { return m_logY; }
  /// Back to following the data.
  void resetZoom();
  bool userZoomed() const { return m_userZoomed; }

  /// Draws a frame now even if nothing changed (tests, screenshots, benchmarks).
  void refreshNow();
  /// Wall time of the last frame's range + decimation + replace() work, in milliseconds.
  double lastFrameMs() const { return m_lastFrameMs; }
  /// Frames drawn so far (timer frames that found nothing to do are not counted).
  int frameCount() const { return m_frameCount; }
  /// Width in pixels that series are decimated to.
  int plotWidth() const;
  Range xRange() const { return m_xRange; }
  Range yRange() const { return m_yRange; }
  /// The hover read-out ("" when the mouse is over no data).
  QString readout() const;
  /// Shows the read-out for a position in chart coordinates, as a hover there would.
  void hoverAt(QPointF chartPosition);
  /// Hides the control row (log toggle, reset, read-out) for compact layouts.
  void setControlsVisible(bool visible);
  /// False once setControlsVisible(false) hid them (whether or not the panel is on screen).
  bool controlsVisible() const;
  /// Puts an owner's own control (e.g. a toggle) at the front of the control row.
  void addControl(QWidget* control);

 protected:
  /// Extent of the data on each axis for auto-range; false when there is nothing to show.
  virtual bool dataExtent(Range& x, Range& y) const = 0;
  /// Decimates and replace()s the series whose data changed, or all of them if viewChanged.
  virtual void drawFrame(bool viewChanged) = 0;
  /// The read-out for the mouse at chartPosition, "" when there is nothing near.
  virtual QString hoverText(QPointF chartPosition) const = 0;
  /// Called after the y axis switched between linear and log.
  virtual void logYChanged() {}
  /// Called after setTimeTitle(): charts with a time axis re-title it.
  virtual void timeTitleChanged() {}

  void markDataChanged() { m_dataDirty = true; }
  void markViewChanged() { m_viewDirty = true; }
  /// Adds a series to the chart and attaches it to both axes (also after a log toggle).
  void addAttachedSeries(QAbstractSeries* series);
  void removeAttachedSeries(QAbstractSeries* series);
  QHBoxLayout* controlsLayout() const { return m_controls; }
  /// Value <-> chart coordinates under the current ranges (log-aware on y).
  QPointF toChart(double x, double y) const;
  QPointF toValue(QPointF chartPosition) const;

 private:
  void onTimer();
  void frame(bool force);
  void rebuildYAxis();
  void applyRanges(const Range& x, const Range& y);
  /// Re-ticks the y axis for the range it has and m_yLabelRoom.
  void retickY();
  /// Tick labels the y axis holds at the plot's height without Qt eliding them.
  int yLabelRoom() const;
  /// Tick labels the x axis holds over `x` at the plot's width without Qt eliding them.
  int xLabelRoom(const Range& x) const;
  void restoreRanges();
  void clearDrawnPoints();
  void syncLegend();
  void onAxisRangeChanged();

  InteractiveChartView* m_view = nullptr;
  QValueAxis* m_xAxis = nullptr;
  QAbstractAxis* m_yAxis = nullptr;
  TickLabelAxis* m_xLabels = nullptr;
  TickLabelAxis* m_yLabels = nullptr;
  QString m_yTitle;
  QString m_timeTitle;
  ChartLegend* m_legend = nullptr;
  std::vector<QAbstractSeries*> m_attached;
  QHBoxLayout* m_controls = nullptr;
  QWidget* m_controlsHost = nullptr;
  QCheckBox* m_logToggle = nullptr;
  QLabel* m_readout = nullptr;
  QTimer* m_timer = nullptr;
  Range m_xRange;
  Range m_yRange;
  int m_xLabelRoom = kRoomyAxisTicks;  ///< the x axis's tick labels at most (as many as its width holds)
  int m_yLabelRoom = kRoomyAxisTicks;  ///< the y axis's tick labels at most (as many as its height holds)
  Range m_drawnX{0.0, 0.0};
  Range m_drawnY{0.0, 0.0};
  int m_drawnWidth = -1;
  bool m_logY = false;
  bool m_userZoomed = false;
  bool m_applyingRange = false;
  bool m_dataDirty = false;
  bool m_viewDirty = true;
  double m_lastFrameMs = 0.0;
  int m_frameCount = 0;
};

/// Line chart of several named series over a choice of x (time, updates, bytes): convergence
/// (f − f*, loss), ‖∇f‖², test accuracy; several runs overlaid as separate series.
class LiveChart : public ChartPanel {
  Q_OBJECT

 public:
  explicit LiveChart(QWidget* parent = nullptr);
  ~LiveChart() override;

  /// Adds an (empty) series; returns its index for append().
  int addSeries(const QString& name, const QColor& color);
  int seriesCount() const { return static_cast<int>(m_series.size()); }
  void reserve(int series, std::size_t points);
  void append(int series, double time, double updates, double bytes, double y);
  void append(int series, std::span<const SeriesPoint> points);
  /// Drops every point; the series stay.
  void clear();
  /// Drops the points of one series (its band stays).
  void clearSeries(int series);
  /// Removes the series with index >= first (with their points and bands); indices below stay valid.
  void removeSeriesFrom(int first);
  /// A filled band from `low` to `high` (the same x, point by point) behind series `series`, in its
  /// colour: the spread of several seeds around their mean. Replaces the series' earlier band. On a
  /// log axis a non-positive lower edge is drawn at the bottom of the axis.
  void setBand(int series, std::span<const SeriesPoint> low, std::span<const SeriesPoint> high);
  /// The band of `series` (nullptr when it has none).
  QAreaSeries* band(int series) const;

  void setXAxis(XAxis axis);
  XAxis xAxis() const { return m_xAxis; }
  /// For a chart whose x is none of the three (e.g. cumulative bits): the caller stores its x in the
  /// `axis` slot of every point; the x choice is hidden and the axis and read-out use `title`.
  void fixXAxis(XAxis axis, const QString& title);

  const SeriesBuffer& buffer(int series) const;
  QXYSeries* series(int series) const;
  /// Points handed to the series by the last replace().
  int drawnPointCount(int series) const;

 protected:
  bool dataExtent(Range& x, Range& y) const override;
  void drawFrame(bool viewChanged) override;
  QString hoverText(QPointF chartPosition) const override;

 private:
  struct Entry {
    QString name;
    QLineSeries* line = nullptr;
    SeriesBuffer buffer;
    int drawn = 0;
    bool dirty = false;
    QAreaSeries* band = nullptr;  ///< owns its two edge series
    SeriesBuffer bandLow;
    SeriesBuffer bandHigh;
  };

  void drawBand(Entry& entry);

  bool validIndex(int series) const;
  void updateXTitle();
  void timeTitleChanged() override { updateXTitle(); }

  std::vector<Entry> m_series;
  XAxis m_xAxis = XAxis::Time;
  QComboBox* m_xChoice = nullptr;
  QLabel* m_xLabel = nullptr;
  QString m_fixedXTitle;  ///< non-empty after fixXAxis()
  QList<QPointF> m_scratch;
};

/// The x-axis title for a choice of x; `timeTitle` names time's unit (timeAxisTitle()).
QString xAxisTitle(XAxis axis, const QString& timeTitle);

}  // namespace distopt::ui
