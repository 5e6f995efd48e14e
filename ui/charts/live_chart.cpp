#include "ui/charts/live_chart.hpp"

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/charts/chart_legend.hpp"
#include "ui/charts/decimation.hpp"
#include "ui/charts/tick_label_axis.hpp"
#include "ui/charts/units.hpp"

namespace distopt::ui {

namespace {

constexpr double kWheelZoomPerNotch = 1.25;
constexpr double kMaxWheelNotches = 4.0;
// Hover only reports a point this close to the mouse, so the read-out never names a far-off curve.
constexpr double kHoverRadiusPx = 40.0;

}  // namespace

QString xAxisTitle(XAxis axis, const QString& timeTitle) {
  switch (axis) {
    case XAxis::Updates:
      return QObject::tr("updates");
    case XAxis::Bytes:
      return QObject::tr("bytes sent (up + down) [B]");
    case XAxis::Time:
      break;
  }
  return timeTitle;
}

// ---------------------------------------------------------------------------------------------
// InteractiveChartView

InteractiveChartView::InteractiveChartView(QChart* chart, QWidget* parent) : QChartView(chart, parent) {
  setRubberBand(QChartView::RectangleRubberBand);
  setMouseTracking(true);
  setRenderHint(QPainter::Antialiasing, true);
}

QPointF InteractiveChartView::toChart(QPointF viewPosition) const {
  return chart()->mapFromScene(mapToScene(viewPosition.toPoint()));
}

void InteractiveChartView::mousePressEvent(QMouseEvent* event) {
  const bool pan = event->button() == Qt::MiddleButton ||
                   (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ControlModifier));
  if (pan) {
    m_panning = true;
    m_panLast = event->position();
    setCursor(Qt::ClosedHandCursor);
    event->accept();
    return;
  }
  QChartView::mousePressEvent(event);
}

void InteractiveChartView::mouseMoveEvent(QMouseEvent* event) {
  if (m_panning) {
    const QPointF delta = event->position() - m_panLast;
    m_panLast = event->position();
    chart()->scroll(-delta.x(), delta.y());
    event->accept();
    return;
  }
  emit hovered(toChart(event->position()));
  QChartView::mouseMoveEvent(event);
}

void InteractiveChartView::mouseReleaseEvent(QMouseEvent* event) {
  if (m_panning && (event->button() == Qt::MiddleButton || event->button() == Qt::LeftButton)) {
    m_panning = false;
    unsetCursor();
    event->accept();
    return;
  }
  QChartView::mouseReleaseEvent(event);
}

void InteractiveChartView::mouseDoubleClickEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) {
    emit resetRequested();
    event->accept();
    return;
  }
  QChartView::mouseDoubleClickEvent(event);
}

void InteractiveChartView::wheelEvent(QWheelEvent* event) {
  // A burst of notches (a free-spinning wheel, a synthetic event) zooms out in steps the axis ticks
  // can follow: Qt lays the axis out with the old tick interval before the panel re-ticks it.
  const double notches = std::clamp(event->angleDelta().y() / 120.0, -kMaxWheelNotches, kMaxWheelNotches);
  if (notches == 0.0) {
    event->ignore();
    return;
  }
  const QRectF plot = chart()->plotArea();
  const QPointF at = toChart(event->position());
  if (!plot.contains(at)) {
    event->ignore();
    return;
  }
  // Zoom about the cursor: the value under it stays under it.
  const double factor = std::pow(kWheelZoomPerNotch, notches);
  const bool xOnly = event->modifiers() & Qt::ShiftModifier;
  const double left = at.x() - (at.x() - plot.left()) / factor;
  const double top = xOnly ? plot.top() : at.y() - (at.y() - plot.top()) / factor;
  const double height = xOnly ? plot.height() : plot.height() / factor;
  chart()->zoomIn(QRectF(left, top, plot.width() / factor, height));
  event->accept();
}

void InteractiveChartView::leaveEvent(QEvent* event) {
  emit hoverLeft();
  QChartView::leaveEvent(event);
}

// ---------------------------------------------------------------------------------------------
// ChartPanel

ChartPanel::ChartPanel(QWidget* parent) : QWidget(parent) {
  auto* chart = new QChart();
  chart->setAnimationOptions(QChart::NoAnimation);
  // Qt's legend elides its entries and draws only its first marker into a QPicture: ChartLegend
  // takes its place. Detached, transparent and empty, it still keeps the markers the legend reads, and an
  // owner that hides it (a chart that needs no legend) hides ours too.
  chart->legend()->detachFromChart();
  chart->legend()->setGeometry(QRectF(0, 0, 0, 0));
  chart->legend()->setOpacity(0.0);
  chart->legend()->setAcceptedMouseButtons(Qt::NoButton);
  chart->setMargins(QMargins(4, 4, 4, 4));
  m_view = new InteractiveChartView(chart, this);
  m_timeTitle = timeAxisTitle(nlohmann::json());

  m_xAxis = new QValueAxis();
  chart->addAxis(m_xAxis, Qt::AlignBottom);
  connect(m_xAxis, &QValueAxis::rangeChanged, this, &ChartPanel::onAxisRangeChanged);
  m_xLabels = new TickLabelAxis(chart, Qt::AlignBottom, this);
  m_xLabels->follow(m_xAxis);
  m_yLabels = new TickLabelAxis(chart, Qt::AlignLeft, this);
  rebuildYAxis();

  m_controlsHost = new QWidget(this);
  m_controls = new QHBoxLayout(m_controlsHost);
  m_controls->setContentsMargins(4, 0, 4, 0);
  m_logToggle = new QCheckBox(tr("log y"), m_controlsHost);
  auto* reset = new QPushButton(tr("Reset zoom"), m_controlsHost);
  // The read-out has a line of its own under the chart: beside the controls it was squeezed and cut.
  // Its height is kept when empty so the chart does not jump as the mouse comes and goes.
  m_readout = new QLabel(this);
  m_readout->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_readout->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
  m_readout->setFixedHeight(m_readout->fontMetrics().height() + 2);
  m_readout->setContentsMargins(4, 0, 4, 0);
  m_controls->addWidget(m_logToggle);
  m_controls->addWidget(reset);
  m_controls->addStretch(1);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(m_controlsHost);
  layout->addWidget(m_view, 1);
  m_legend = new ChartLegend(this);
  layout->addWidget(m_legend);
  layout->addWidget(m_readout);

  connect(m_logToggle, &QCheckBox::toggled, this, &ChartPanel::setLogY);
  connect(reset, &QPushButton::clicked, this, &ChartPanel::resetZoom);
  connect(m_view, &InteractiveChartView::resetRequested, this, &ChartPanel::resetZoom);
  connect(m_view, &InteractiveChartView::hovered, this, &ChartPanel::hoverAt);
  connect(m_view, &InteractiveChartView::hoverLeft, m_readout, &QLabel::clear);
  // A resize or a change in axis label width moves the plot area: columns change, so redecimate.
  connect(chart, &QChart::plotAreaChanged, this, [this] { m_viewDirty = true; });

  m_timer = new QTimer(this);
  m_timer->setTimerType(Qt::PreciseTimer);
  connect(m_timer, &QTimer::timeout, this, &ChartPanel::onTimer);
  m_timer->start(kFrameIntervalMs);
}

ChartPanel::~ChartPanel() = default;

QChart* ChartPanel::chart() const { return m_view->chart(); }

void ChartPanel::addControl(QWidget* control) { m_controls->insertWidget(0, control); }

void ChartPanel::setTitle(const QString& title) { chart()->setTitle(title); }

void ChartPanel::setXTitle(const QString& title) { m_xLabels->setTitle(title); }

void ChartPanel::setYTitle(const QString& title) {
  m_yTitle = title;
  m_yLabels->setTitle(title);
}

QString ChartPanel::xTitle() const { return m_xLabels->title(); }

void ChartPanel::setTimeTitle(const QString& title) {
  if (title == m_timeTitle) return;
  m_timeTitle = title;
  timeTitleChanged();
}

void ChartPanel::syncLegend() {
  const bool shown = legendShown(chart());
  m_legend->setVisible(shown);
  if (shown) m_legend->setEntries(legendEntries(chart()));
}

void ChartPanel::setLogY(bool on) {
  if (on == m_logY) return;
  m_logY = on;
  {
    const QSignalBlocker block(m_logToggle);
    m_logToggle->setChecked(on);
  }
  rebuildYAxis();
  // The old y range may not be valid on the new scale (e.g. a linear range reaching 0).
  m_userZoomed = false;
  m_viewDirty = true;
  logYChanged();
}

void ChartPanel::resetZoom() {
  m_userZoomed = false;
  m_viewDirty = true;
}

void ChartPanel::setControlsVisible(bool visible) { m_controlsHost->setVisible(visible); }
bool ChartPanel::controlsVisible() const { return !m_controlsHost->isHidden(); }

QString ChartPanel::readout() const { return m_readout->text(); }

void ChartPanel::hoverAt(QPointF chartPosition) {
  if (!chart()->plotArea().contains(chartPosition)) {
    m_readout->clear();
    return;
  }
  m_readout->setText(hoverText(chartPosition));
}

int ChartPanel::plotWidth() const {
  const int width = static_cast<int>(chart()->plotArea().width());
  // Before the first layout the plot area is empty; the view's width is a close upper bound.
  if (width >= 16) return width;
  return std::max(100, m_view->width() - 80);
}

void ChartPanel::addAttachedSeries(QAbstractSeries* series) {
  // Attaching makes Qt re-fit the axes to the series' domain; that is not a user zoom.
  m_applyingRange = true;
  chart()->addSeries(series);
  series->attachAxis(m_xAxis);
  series->attachAxis(m_yAxis);
  m_attached.push_back(series);
  m_applyingRange = false;
  restoreRanges();
}

void ChartPanel::removeAttachedSeries(QAbstractSeries* series) {
  m_applyingRange = true;
  std::erase(m_attached, series);
  chart()->removeSeries(series);
  m_applyingRange = false;
  restoreRanges();
}

void ChartPanel::restoreRanges() {
  const Range x = m_xRange;
  const Range y = m_yRange;
  // Force the axes back to what this panel last chose (Qt may have moved them).
  m_xRange = {x.min, x.min};
  m_yRange = {y.min, y.min};
  applyRanges(x, y);
}

void ChartPanel::clearDrawnPoints() {
  for (QAbstractSeries* series : m_attached) {
    if (auto* xy = qobject_cast<QXYSeries*>(series)) {
      xy->clear();
    } else if (auto* area = qobject_cast<QAreaSeries*>(series)) {
      if (area->upperSeries()) area->upperSeries()->clear();
      if (area->lowerSeries()) area->lowerSeries()->clear();
    }
  }
}

void ChartPanel::rebuildYAxis() {
  m_applyingRange = true;
  // Points drawn for the old scale (zeros, negatives) must not reach a log axis even for one
  // layout pass; the next frame redraws everything for the new scale.
  clearDrawnPoints();
  if (m_yAxis) {
    chart()->removeAxis(m_yAxis);
    delete m_yAxis;
    m_yAxis = nullptr;
  }
  if (m_logY) {
    auto* axis = new QLogValueAxis();
    axis->setBase(10.0);
    m_yRange = setLogAxisRange(axis, {0.1, 10.0}, m_yLabelRoom);
    connect(axis, &QLogValueAxis::rangeChanged, this, &ChartPanel::onAxisRangeChanged);
    m_yAxis = axis;
  } else {
    auto* axis = new QValueAxis();
    m_yRange = setValueAxisRange(axis, {0.0, 1.0}, m_yLabelRoom);
    connect(axis, &QValueAxis::rangeChanged, this, &ChartPanel::onAxisRangeChanged);
    m_yAxis = axis;
  }
  chart()->addAxis(m_yAxis, Qt::AlignLeft);
  m_yLabels->setMaxLabels(m_yLabelRoom);
  m_yLabels->follow(m_yAxis);
  for (QAbstractSeries* series : m_attached) series->attachAxis(m_yAxis);
  m_applyingRange = false;
  restoreRanges();
}

void ChartPanel::onAxisRangeChanged() {
  if (m_applyingRange) return;
  // Only zoom, pan and rubber band move the axes outside applyRanges(): the user took the view.
  m_userZoomed = true;
  m_viewDirty = true;
  // Round ticks for the range Qt chose; a zoom too deep to tick is widened back (the guard flag keeps
  // that from counting as another user move).
  m_applyingRange = true;
  m_xRange = retickValueAxis(m_xAxis, m_xLabelRoom);
  retickY();
  m_applyingRange = false;
}

void ChartPanel::retickY() {
  if (m_logY) {
    auto* axis = static_cast<QLogValueAxis*>(m_yAxis);
    m_yRange = setLogAxisRange(axis, {axis->min(), axis->max()}, m_yLabelRoom);
  } else {
    m_yRange = retickValueAxis(static_cast<QValueAxis*>(m_yAxis), m_yLabelRoom);
  }
}

int ChartPanel::xLabelRoom(const Range& x) const {
  // The labels a roomy axis would have over `x`: "15000" needs more width than "500".
  const QFontMetricsF metrics(m_xLabels->axis()->labelsFont());
  double widest = 0.0;
  const std::vector<AxisTick> ticks =
      m_xLabels->log10Values() ? logAxisTicks({std::pow(10.0, x.min), std::pow(10.0, x.max)}, kRoomyAxisTicks)
                               : linearAxisTicks(x, kRoomyAxisTicks, m_xLabels->minimumStep());
  for (const AxisTick& tick : ticks) widest = std::max(widest, metrics.horizontalAdvance(tick.label));
  // Qt Charts' 1-px text margin either side.
  return horizontalLabelRoom(chart()->plotArea().width(), widest + 2.0);
}

int ChartPanel::yLabelRoom() const {
  // A label's text item is its font's line height plus Qt Charts' 1-px text margin above and below.
  const double labelHeight = QFontMetricsF(m_yLabels->axis()->labelsFont()).height() + 2.0;
  return verticalLabelRoom(chart()->plotArea().height(), labelHeight);
}

void ChartPanel::applyRanges(const Range& x, const Range& y) {
  m_applyingRange = true;
  // The guards sanitize (NaN, infinite, huge, inverted or empty ranges) and move ticks and range in an
  // order that keeps Qt's tick count bounded throughout; the panel remembers what it asked for.
  const Range safeX = sanitizeLinearRange(x);
  const Range safeY = m_logY ? sanitizeLogRange(y) : sanitizeLinearRange(y);
  const int xRoom = xLabelRoom(safeX);
  if (!(safeX == m_xRange) || xRoom != m_xLabelRoom) {
    m_xLabelRoom = xRoom;
    m_xLabels->setMaxLabels(xRoom);
    setValueAxisRange(m_xAxis, safeX, xRoom);
    m_xRange = safeX;
  }
  const int room = yLabelRoom();
  if (!(safeY == m_yRange) || room != m_yLabelRoom) {
    m_yLabelRoom = room;
    m_yLabels->setMaxLabels(room);
    if (m_logY)
      setLogAxisRange(static_cast<QLogValueAxis*>(m_yAxis), safeY, room);
    else
      setValueAxisRange(static_cast<QValueAxis*>(m_yAxis), safeY, room);
    m_yRange = safeY;
  }
  m_applyingRange = false;
}

void ChartPanel::onTimer() { frame(false); }

void ChartPanel::refreshNow() { frame(true); }

void ChartPanel::frame(bool force) {
  if (!force && !m_dataDirty && !m_viewDirty) return;
  QElapsedTimer timer;
  timer.start();
  if (!m_userZoomed) {
    Range x;
    Range y;
    if (!dataExtent(x, y)) {
      x = {0.0, 1.0};
      y = m_logY ? Range{0.1, 10.0} : Range{0.0, 1.0};
    }
    // Qt recomputes every series' geometry (path and hover shape) on each axis range change, then
    // again on replace(). Every series is redrawn below anyway when the range moves, so empty them
    // first: the range changes then cost nothing and each series is laid out once per frame.
    if (!(x == m_xRange) || !(y == m_yRange)) clearDrawnPoints();
    applyRanges(x, y);
  } else if (yLabelRoom() != m_yLabelRoom || xLabelRoom(m_xRange) != m_xLabelRoom) {
    // The person's range stays; a plot grown or shrunk gets as many labels as it holds.
    m_yLabelRoom = yLabelRoom();
    m_xLabelRoom = xLabelRoom(m_xRange);
    m_xLabels->setMaxLabels(m_xLabelRoom);
    m_yLabels->setMaxLabels(m_yLabelRoom);
    m_applyingRange = true;
    m_xRange = retickValueAxis(m_xAxis, m_xLabelRoom);
    retickY();
    m_applyingRange = false;
  }
  const int width = plotWidth();
  const bool viewChanged =
      force || m_viewDirty || !(m_xRange == m_drawnX) || !(m_yRange == m_drawnY) || width != m_drawnWidth;
  drawFrame(viewChanged);
  syncLegend();
  m_drawnX = m_xRange;
  m_drawnY = m_yRange;
  m_drawnWidth = width;
  m_dataDirty = false;
  m_viewDirty = false;
  m_lastFrameMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
  ++m_frameCount;
}

QPointF ChartPanel::toChart(double x, double y) const {
  const QRectF plot = chart()->plotArea();
  const double fx = (x - m_xRange.min) / (m_xRange.max - m_xRange.min);
  double fy = 0.0;
  if (m_logY) {
    fy = y > 0.0 ? (std::log(y) - std::log(m_yRange.min)) / (std::log(m_yRange.max) - std::log(m_yRange.min))
                 : -std::numeric_limits<double>::infinity();
  } else {
    fy = (y - m_yRange.min) / (m_yRange.max - m_yRange.min);
  }
  return {plot.left() + fx * plot.width(), plot.bottom() - fy * plot.height()};
}

QPointF ChartPanel::toValue(QPointF chartPosition) const {
  const QRectF plot = chart()->plotArea();
  const double fx = (chartPosition.x() - plot.left()) / plot.width();
  const double fy = (plot.bottom() - chartPosition.y()) / plot.height();
  const double x = m_xRange.min + fx * (m_xRange.max - m_xRange.min);
  const double y =
      m_logY ? std::exp(std::log(m_yRange.min) + fy * (std::log(m_yRange.max) - std::log(m_yRange.min)))
             : m_yRange.min + fy * (m_yRange.max - m_yRange.min);
  return {x, y};
}

// ---------------------------------------------------------------------------------------------
// LiveChart

LiveChart::LiveChart(QWidget* parent) : ChartPanel(parent) {
  m_xChoice = new QComboBox(this);
  m_xChoice->addItem(tr("time"), static_cast<int>(XAxis::Time));
  m_xChoice->addItem(tr("updates"), static_cast<int>(XAxis::Updates));
  m_xChoice->addItem(tr("bytes"), static_cast<int>(XAxis::Bytes));
  m_xLabel = new QLabel(tr("x:"), this);
  controlsLayout()->insertWidget(0, m_xLabel);
  controlsLayout()->insertWidget(1, m_xChoice);
  connect(m_xChoice, &QComboBox::currentIndexChanged, this,
          [this](int index) { setXAxis(static_cast<XAxis>(m_xChoice->itemData(index).toInt())); });
  updateXTitle();
}

LiveChart::~LiveChart() = default;

bool LiveChart::validIndex(int series) const {
  return series >= 0 && series < static_cast<int>(m_series.size());
}

int LiveChart::addSeries(const QString& name, const QColor& color) {
  auto* line = new QLineSeries();
  line->setName(name);
  QPen pen(color);
  // 1 px: Qt strokes it with its fast cosmetic path; wider pens go through the general stroker,
  // which costs more than the rest of a frame for dense min/max zigzags.
  pen.setWidthF(1.0);
  line->setPen(pen);
  addAttachedSeries(line);
  Entry entry;
  entry.name = name;
  entry.line = line;
  m_series.push_back(std::move(entry));
  markViewChanged();
  return static_cast<int>(m_series.size()) - 1;
}

void LiveChart::reserve(int series, std::size_t points) {
  if (validIndex(series)) m_series[static_cast<std::size_t>(series)].buffer.reserve(points);
}

void LiveChart::append(int series, double time, double updates, double bytes, double y) {
  if (!validIndex(series)) return;
  Entry& entry = m_series[static_cast<std::size_t>(series)];
  entry.buffer.append(time, updates, bytes, y);
  entry.dirty = true;
  markDataChanged();
}

void LiveChart::append(int series, std::span<const SeriesPoint> points) {
  if (!validIndex(series) || points.empty()) return;
  Entry& entry = m_series[static_cast<std::size_t>(series)];
  entry.buffer.append(points);
  entry.dirty = true;
  markDataChanged();
}

void LiveChart::clear() {
  for (Entry& entry : m_series) {
    entry.buffer.clear();
    entry.dirty = true;
  }
  markDataChanged();
}

void LiveChart::clearSeries(int series) {
  if (!validIndex(series)) return;
  Entry& entry = m_series[static_cast<std::size_t>(series)];
  entry.buffer.clear();
  entry.dirty = true;
  markDataChanged();
}

void LiveChart::removeSeriesFrom(int first) {
  while (static_cast<int>(m_series.size()) > std::max(0, first)) {
    QLineSeries* line = m_series.back().line;
    QAreaSeries* band = m_series.back().band;
    m_series.pop_back();
    removeAttachedSeries(line);
    delete line;
    if (band) {
      removeAttachedSeries(band);
      delete band;
    }
  }
  markViewChanged();
}

void LiveChart::setBand(int series, std::span<const SeriesPoint> low, std::span<const SeriesPoint> high) {
  if (!validIndex(series)) return;
  Entry& entry = m_series[static_cast<std::size_t>(series)];
  if (!entry.band) {
    entry.band = new QAreaSeries(new QLineSeries(), new QLineSeries());
    entry.band->upperSeries()->setParent(entry.band);
    entry.band->lowerSeries()->setParent(entry.band);
    entry.band->setName(entry.name);
    QColor fill = entry.line->pen().color();
    fill.setAlpha(60);
    entry.band->setBrush(fill);
    entry.band->setPen(Qt::NoPen);
    addAttachedSeries(entry.band);
    // The mean line's legend entry names the band too; a second entry would repeat it.
    for (auto* marker : chart()->legend()->markers(entry.band)) marker->setVisible(false);
  }
  entry.bandLow.clear();
  entry.bandHigh.clear();
  const std::size_t n = std::min(low.size(), high.size());
  entry.bandLow.append(low.first(n));
  entry.bandHigh.append(high.first(n));
  entry.dirty = true;
  markDataChanged();
}

QAreaSeries* LiveChart::band(int series) const {
  return validIndex(series) ? m_series[static_cast<std::size_t>(series)].band : nullptr;
}

void LiveChart::drawBand(Entry& entry) {
  // A band has a few hundred grid points: drawn as they are, no decimation.
  const std::vector<double>& xs = entry.bandLow.x(m_xAxis);
  const std::vector<double>& lows = entry.bandLow.y();
  const std::vector<double>& highs = entry.bandHigh.y();
  const double bottom = logY() ? yRange().min : -std::numeric_limits<double>::infinity();
  QList<QPointF> upper, lower;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (!std::isfinite(xs[i]) || !std::isfinite(lows[i]) || !std::isfinite(highs[i])) continue;
    if (logY() && highs[i] <= 0.0) continue;
    upper.append({xs[i], highs[i]});
    lower.append({xs[i], std::max(lows[i], bottom)});
  }
  entry.band->upperSeries()->replace(upper);
  entry.band->lowerSeries()->replace(lower);
}

void LiveChart::setXAxis(XAxis axis) {
  {
    const QSignalBlocker block(m_xChoice);
    m_xChoice->setCurrentIndex(m_xChoice->findData(static_cast<int>(axis)));
  }
  if (axis == m_xAxis) return;
  m_xAxis = axis;
  updateXTitle();
  // A zoom in seconds means nothing in bytes: follow the data again.
  resetZoom();
}

void LiveChart::fixXAxis(XAxis axis, const QString& title) {
  m_fixedXTitle = title;
  setXAxis(axis);
  m_xChoice->hide();
  m_xLabel->hide();
  updateXTitle();
}

void LiveChart::updateXTitle() {
  setXTitle(m_fixedXTitle.isEmpty() ? xAxisTitle(m_xAxis, timeTitle()) : m_fixedXTitle);
}

const SeriesBuffer& LiveChart::buffer(int series) const {
  return m_series.at(static_cast<std::size_t>(series)).buffer;
}

QXYSeries* LiveChart::series(int series) const {
  return validIndex(series) ? m_series[static_cast<std::size_t>(series)].line : nullptr;
}

int LiveChart::drawnPointCount(int series) const {
  return validIndex(series) ? m_series[static_cast<std::size_t>(series)].drawn : 0;
}

bool LiveChart::dataExtent(Range& x, Range& y) const {
  bool anyX = false;
  bool anyY = false;
  std::vector<const SeriesBuffer*> buffers;
  for (const Entry& entry : m_series)
    for (const SeriesBuffer* buffer : {&entry.buffer, &entry.bandLow, &entry.bandHigh})
      buffers.push_back(buffer);
  for (const SeriesBuffer* each : buffers) {
    const SeriesBuffer& buffer = *each;
    if (buffer.empty()) continue;
    const std::vector<double>& xs = buffer.x(m_xAxis);
    if (!anyX) {
      x = {xs.front(), xs.back()};
      anyX = true;
    } else {
      x = {std::min(x.min, xs.front()), std::max(x.max, xs.back())};
    }
    const YStats& stats = buffer.yStats();
    const bool has = logY() ? stats.anyPositive : stats.any;
    if (!has) continue;
    const double lo = logY() ? stats.minPositive : stats.min;
    const double hi = logY() ? stats.maxPositive : stats.max;
    if (!anyY) {
      y = {lo, hi};
      anyY = true;
    } else {
      y = {std::min(y.min, lo), std::max(y.max, hi)};
    }
  }
  if (!anyX) return false;
  if (!(x.max > x.min)) x = {x.min - 0.5, x.max + 0.5};
  if (!anyY) {
    y = logY() ? Range{0.1, 10.0} : Range{0.0, 1.0};
  } else if (logY()) {
    // A little head room on a log scale is a ratio, not a difference.
    y = y.max > y.min ? Range{y.min / 1.25, y.max * 1.25} : Range{y.min / 2.0, y.max * 2.0};
  } else {
    const double pad = y.max > y.min ? 0.05 * (y.max - y.min) : std::max(0.5, 0.05 * std::abs(y.max));
    y = {y.min - pad, y.max + pad};
  }
  return true;
}

void LiveChart::drawFrame(bool viewChanged) {
  const Range xr = xRange();
  const int width = plotWidth();
  const YFilter filter = logY() ? YFilter::Positive : YFilter::Finite;
  for (Entry& entry : m_series) {
    if (!viewChanged && !entry.dirty) continue;
    const std::vector<double>& xs = entry.buffer.x(m_xAxis);
    decimateMinMax(xs, entry.buffer.y(), xr.min, xr.max, width, filter, m_scratch, userZoomed(),
                   &entry.buffer.blocks());
    entry.line->replace(m_scratch);
    entry.drawn = static_cast<int>(m_scratch.size());
    entry.dirty = false;
    if (entry.band) drawBand(entry);
  }
}

QString LiveChart::hoverText(QPointF chartPosition) const {
  const double x = toValue(chartPosition).x();
  double bestDistance = kHoverRadiusPx;
  const Entry* best = nullptr;
  std::size_t bestIndex = 0;
  for (const Entry& entry : m_series) {
    const SeriesBuffer& buffer = entry.buffer;
    if (buffer.empty() || !entry.line->isVisible()) continue;
    const std::size_t nearest = buffer.nearestIndex(m_xAxis, x);
    // The nearest x may hold a NaN or (on log) a non-positive y: look at a few neighbours too.
    const std::size_t from = nearest >= 2 ? nearest - 2 : 0;
    const std::size_t to = std::min(buffer.size(), nearest + 3);
    for (std::size_t i = from; i < to; ++i) {
      const double px = buffer.x(m_xAxis)[i];
      const double py = buffer.y()[i];
      if (!isDrawable(px, py, logY() ? YFilter::Positive : YFilter::Finite)) continue;
      const QPointF at = toChart(px, py);
      const double distance = std::hypot(at.x() - chartPosition.x(), at.y() - chartPosition.y());
      if (distance < bestDistance) {
        bestDistance = distance;
        best = &entry;
        bestIndex = i;
      }
    }
  }
  if (!best) return {};
  const SeriesBuffer& buffer = best->buffer;
  if (!m_fixedXTitle.isEmpty())
    return tr("%1: %2 = %3, t = %4, updates = %5, y = %6")
        .arg(best->name, m_fixedXTitle)
        .arg(buffer.x(m_xAxis)[bestIndex], 0, 'g', 6)
        .arg(buffer.x(XAxis::Time)[bestIndex], 0, 'g', 6)
        .arg(buffer.x(XAxis::Updates)[bestIndex], 0, 'f', 0)
        .arg(buffer.y()[bestIndex], 0, 'g', 6);
  return tr("%1: t = %2, updates = %3, bytes = %4, y = %5")
      .arg(best->name)
      .arg(buffer.x(XAxis::Time)[bestIndex], 0, 'g', 6)
      .arg(buffer.x(XAxis::Updates)[bestIndex], 0, 'f', 0)
      .arg(buffer.x(XAxis::Bytes)[bestIndex], 0, 'g', 6)
      .arg(buffer.y()[bestIndex], 0, 'g', 6);
}

}  // namespace distopt::ui
