#include "ui/charts/delay_histogram.hpp"

#include <QAreaSeries>
#include <QChart>
#include <QComboBox>
#include <QGraphicsSimpleTextItem>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <algorithm>
#include <cmath>

#include "ui/charts/decimation.hpp"
#include "ui/charts/tick_label_axis.hpp"

namespace distopt::ui {

namespace {

// Zero counts cannot sit on a log axis; they are drawn at this floor, which is also the axis
// minimum, so an empty bin still reads as "nothing" while a count of 1 stays visible above it.
constexpr double kLogFloor = 0.5;
// R or n − 1 within this factor of the largest delay seen stays on the axis; farther ones are noted.
constexpr double kNearMarkerFactor = 2.0;
// Pixels kept free between two marker labels side by side: touching, "max = 1n − 1 = 15 →" read as one.
constexpr double kMarkerLabelGap = 8.0;

const std::array<QColor, 3> kOutcomeColours = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e),
                                               QColor(0xd6, 0x27, 0x28)};
const std::array<QColor, 3> kMarkerColours = {QColor(0x2c, 0xa0, 0x2c), QColor(0x94, 0x67, 0xbd),
                                              QColor(0x40, 0x40, 0x40)};

void bump(std::vector<std::uint64_t>& bins, std::size_t delay, std::uint64_t count) {
  if (delay >= bins.size()) bins.resize(delay + 1, 0);
  bins[delay] += count;
}

}  // namespace

DelayHistogram::DelayHistogram(QWidget* parent) : ChartPanel(parent) {
  setTitle(tr("Delay histogram"));
  // Short enough for the half-width chart of a 1024-px window (Qt cuts a longer axis title); the tooltip
  // says what a delay counts.
  setXTitle(tr("delay [updates]"));
  view()->setToolTip(
      tr("Delay: the updates applied between the model version a worker's job started from and the "
         "gradient's outcome (accepted, discarded or cancelled)"));
  // Delays are whole numbers of updates: no tick between two bins ("−0.5", "0.5" read as delays).
  xLabels()->setMinimumStep(1.0);
  setYTitle(tr("count"));
  for (int i = 0; i < 3; ++i) {
    auto* upper = new QLineSeries();
    auto* area = new QAreaSeries(upper);
    upper->setParent(area);
    area->setName(QString::fromLatin1(outcomeName(kOutcomes[static_cast<std::size_t>(i)])));
    const QColor colour = kOutcomeColours[static_cast<std::size_t>(i)];
    QPen pen(colour);
    pen.setWidthF(1.5);
    area->setPen(pen);
    QColor fill = colour;
    fill.setAlpha(80);
    area->setBrush(fill);
    addAttachedSeries(area);
    m_uppers[static_cast<std::size_t>(i)] = upper;
    m_areas[static_cast<std::size_t>(i)] = area;
  }
  for (std::size_t i = 0; i < m_markers.size(); ++i) {
    MarkerItem& marker = m_markers[i];
    marker.line = new QLineSeries();
    QPen pen(kMarkerColours[i]);
    pen.setWidthF(1.5);
    pen.setStyle(Qt::DashLine);
    marker.line->setPen(pen);
    addAttachedSeries(marker.line);
    marker.label = new QGraphicsSimpleTextItem(chart());
    marker.label->setBrush(kMarkerColours[i]);
    marker.label->setZValue(10.0);
    marker.label->hide();
    marker.line->setVisible(false);
  }
  for (QLegendMarker* legendMarker : chart()->legend()->markers()) {
    for (const MarkerItem& marker : m_markers)
      if (legendMarker->series() == marker.line) legendMarker->setVisible(false);
  }

  m_workerChoice = new QComboBox(this);
  m_workerChoice->addItem(tr("all workers"), -1);
  m_workerChoice->setToolTip(
      tr("Histogram of one worker (kept for workers 0–%1; every worker counts in \"all "
         "workers\")")
          .arg(kMaxFilteredWorkers - 1));
  controlsLayout()->insertWidget(0, new QLabel(tr("workers:"), this));
  controlsLayout()->insertWidget(1, m_workerChoice);
  connect(m_workerChoice, &QComboBox::currentIndexChanged, this,
          [this](int index) { setWorkerFilter(m_workerChoice->itemData(index).toInt()); });
}

DelayHistogram::~DelayHistogram() = default;

int DelayHistogram::outcomeIndex(Outcome outcome) {
  switch (outcome) {
    case Outcome::Accepted:
      return 0;
    case Outcome::Discarded:
      return 1;
    case Outcome::Cancelled:
      return 2;
    case Outcome::LateCancelled:
      break;
  }
  return -1;
}

void DelayHistogram::addEvent(const UpdateEvent& event) {
  addCount(event.worker, event.outcome, event.delay, 1);
}

void DelayHistogram::addCount(int worker, Outcome outcome, std::int64_t delay, std::uint64_t count) {
  const int index = outcomeIndex(outcome);
  if (index < 0) {
    m_lateCancelled += count;
    return;
  }
  if (delay < 0 || delay > kMaxDelay || worker < 0) {
    m_ignored += count;
    return;
  }
  const auto o = static_cast<std::size_t>(index);
  const auto d = static_cast<std::size_t>(delay);
  const auto add = [&](Bins& bins, bool binned) {
    if (binned) bump(bins.counts[o], d, count);
    bins.totals[o] += count;
    bins.maxDelay = std::max(bins.maxDelay, delay);
  };
  add(m_all, true);
  if (worker < kMaxFilteredWorkers) {
    const auto w = static_cast<std::size_t>(worker);
    if (w >= m_workers.size()) m_workers.resize(w + 1);
    add(m_workers[w], delay <= kMaxWorkerDelay);
  }
  markDataChanged();
}

void DelayHistogram::addEvents(const std::vector<UpdateEvent>& events) {
  for (const UpdateEvent& event : events) addEvent(event);
}

void DelayHistogram::clear() {
  m_all = {};
  m_workers.clear();
  m_lateCancelled = 0;
  m_ignored = 0;
  // A new run: the previous run's workers are no choice, and its filter no view.
  m_filter = -1;
  {
    const QSignalBlocker block(m_workerChoice);
    while (m_workerChoice->count() > 1) m_workerChoice->removeItem(m_workerChoice->count() - 1);
    m_workerChoice->setCurrentIndex(0);
  }
  m_listedWorkers = 0;
  markDataChanged();
}

void DelayHistogram::setMarkers(std::optional<int> r, int workers) {
  m_r = r;
  m_workerCount = workers;
  markViewChanged();
}

void DelayHistogram::setWorkerFilter(int worker) {
  if (worker < -1) worker = -1;
  syncWorkerChoice();
  if (worker >= 0 && m_workerChoice->findData(worker) < 0) {
    // A worker not seen yet: list it so the combo shows what is filtered.
    m_workerChoice->addItem(tr("worker %1").arg(worker), worker);
  }
  {
    const QSignalBlocker block(m_workerChoice);
    m_workerChoice->setCurrentIndex(m_workerChoice->findData(worker));
  }
  if (worker == m_filter) return;
  m_filter = worker;
  markDataChanged();
}

const DelayHistogram::Bins& DelayHistogram::shown() const {
  static const Bins kEmpty;
  if (m_filter < 0) return m_all;
  const auto worker = static_cast<std::size_t>(m_filter);
  return worker < m_workers.size() ? m_workers[worker] : kEmpty;
}

std::uint64_t DelayHistogram::count(Outcome outcome, std::int64_t delay) const {
  const int index = outcomeIndex(outcome);
  if (index < 0 || delay < 0) return 0;
  const auto& bins = shown().counts[static_cast<std::size_t>(index)];
  return static_cast<std::size_t>(delay) < bins.size() ? bins[static_cast<std::size_t>(delay)] : 0;
}

std::uint64_t DelayHistogram::total(Outcome outcome) const {
  const int index = outcomeIndex(outcome);
  return index < 0 ? 0 : shown().totals[static_cast<std::size_t>(index)];
}

std::int64_t DelayHistogram::maxDelay() const { return shown().maxDelay; }

std::optional<double> DelayHistogram::markerValue(Marker marker) const {
  return m_markers[static_cast<std::size_t>(marker)].value;
}

QAreaSeries* DelayHistogram::outcomeSeries(Outcome outcome) const {
  const int index = outcomeIndex(outcome);
  return index < 0 ? nullptr : m_areas[static_cast<std::size_t>(index)];
}

int DelayHistogram::drawnPointCount(Outcome outcome) const {
  const int index = outcomeIndex(outcome);
  return index < 0 ? 0 : m_drawn[static_cast<std::size_t>(index)];
}

bool DelayHistogram::dataExtent(Range& x, Range& y) const {
  const Bins& bins = shown();
  // The axis follows the delays seen. R and n − 1 widen it only when they are near them: with 20 000
  // workers and delays up to 6, an axis to n − 1 would squeeze every bar into one pixel column (the
  // markers beyond are noted at the right edge instead).
  const double observed = static_cast<double>(std::max<std::int64_t>(bins.maxDelay, 0));
  double right = std::max(observed, 1.0);
  for (const std::optional<double> marker : {markerPosition(Marker::R), markerPosition(Marker::LastWorker)})
    if (marker && (bins.maxDelay < 0 || *marker <= kNearMarkerFactor * (observed + 1.0)))
      right = std::max(right, *marker);
  x = {-0.5, right + 1.0};
  std::uint64_t peak = 0;
  for (const auto& counts : bins.counts)
    for (const std::uint64_t c : counts) peak = std::max(peak, c);
  const double top = std::max(1.0, static_cast<double>(peak));
  y = logY() ? Range{kLogFloor, top * 2.0} : Range{0.0, top * 1.08};
  return true;
}

void DelayHistogram::drawOutcome(int index, const Range& x, int width) {
  const auto outcome = static_cast<std::size_t>(index);
  const std::vector<std::uint64_t>& counts = shown().counts[outcome];
  m_scratch.clear();
  const double base = logY() ? kLogFloor : 0.0;
  const auto value = [&](std::size_t d) {
    const double c = static_cast<double>(counts[d]);
    return c > 0.0 ? c : base;
  };
  // Visible bins: those whose [d − 0.5, d + 0.5] overlaps the x range.
  const double loEdge = std::max(0.0, std::ceil(x.min - 0.5));
  const double hiEdge = std::floor(x.max + 0.5);
  if (!counts.empty() && hiEdge >= loEdge && loEdge < static_cast<double>(counts.size())) {
    const auto lo = static_cast<std::size_t>(loEdge);
    const auto hi = std::min(counts.size() - 1, static_cast<std::size_t>(hiEdge));
    const std::size_t visible = hi - lo + 1;
    if (visible * 2 <= static_cast<std::size_t>(width)) {
      // Few bins: exact step outline, merging runs of equal counts.
      double level = base;
      m_scratch.append(QPointF(static_cast<double>(lo) - 0.5, base));
      for (std::size_t d = lo; d <= hi; ++d) {
        const double v = value(d);
        if (v == level) continue;
        const double edge = static_cast<double>(d) - 0.5;
        if (m_scratch.back() != QPointF(edge, level)) m_scratch.append(QPointF(edge, level));
        m_scratch.append(QPointF(edge, v));
        level = v;
      }
      m_scratch.append(QPointF(static_cast<double>(hi) + 0.5, level));
      if (level != base) m_scratch.append(QPointF(static_cast<double>(hi) + 0.5, base));
    } else {
      // More bins than pixels: the min/max envelope, like any other series.
      m_binX.resize(visible);
      m_binY.resize(visible);
      for (std::size_t i = 0; i < visible; ++i) {
        m_binX[i] = static_cast<double>(lo + i);
        m_binY[i] = value(lo + i);
      }
      decimateMinMax(m_binX, m_binY, x.min, x.max, width, YFilter::Finite, m_scratch);
    }
  }
  // Nothing counted in view: no outline at all, not a flat line along the axis (whose pen, and the
  // area's edge at −0.5, showed as a stray line on an empty histogram).
  if (std::all_of(m_scratch.cbegin(), m_scratch.cend(), [base](const QPointF& p) { return p.y() == base; }))
    m_scratch.clear();
  // Qt Charts draws an area series without points as a vertical line at the axis' left end (−0.5, full
  // height): an outcome with nothing to show gets no outline at all. Its legend keeps its colour.
  QPen pen(kOutcomeColours[outcome]);
  pen.setWidthF(1.5);
  if (m_scratch.isEmpty()) pen.setStyle(Qt::NoPen);
  if (m_areas[outcome]->pen() != pen) m_areas[outcome]->setPen(pen);
  m_uppers[outcome]->replace(m_scratch);
  m_drawn[outcome] = static_cast<int>(m_scratch.size());
}

std::optional<double> DelayHistogram::markerPosition(Marker marker) const {
  switch (marker) {
    case Marker::R:
      return m_r ? std::optional<double>(*m_r) : std::nullopt;
    case Marker::LastWorker:
      return m_workerCount > 0 ? std::optional<double>(m_workerCount - 1) : std::nullopt;
    case Marker::Maximum:
      break;
  }
  const std::int64_t observed = maxDelay();
  return observed >= 0 ? std::optional<double>(static_cast<double>(observed)) : std::nullopt;
}

void DelayHistogram::drawMarkers() {
  const Range x = xRange();
  const Range y = yRange();
  const std::array<QString, 3> names = {tr("R"), tr("n − 1"), tr("max")};
  const QRectF plot = chart()->plotArea();
  for (std::size_t i = 0; i < m_markers.size(); ++i) {
    MarkerItem& marker = m_markers[i];
    marker.value = markerPosition(static_cast<Marker>(i));
    marker.offScale = marker.value && (*marker.value < x.min || *marker.value > x.max);
  }
  // Where the drawn lines are: a label put across another marker's line reads as struck through.
  std::vector<double> lines;
  for (const MarkerItem& marker : m_markers)
    if (marker.value && !marker.offScale) lines.push_back(toChart(*marker.value, y.max).x());
  std::vector<QRectF> placed;  // labels already placed this frame: later ones move down past them
  for (std::size_t i = 0; i < m_markers.size(); ++i) {
    MarkerItem& marker = m_markers[i];
    // Markers at the same delay are one line with one label, "R = max = 4": two lines on one pixel column
    // show one colour, and two labels read as two places.
    QStringList sameDelay{names[i]};
    bool merged = false;
    for (std::size_t j = 0; j < m_markers.size(); ++j) {
      if (j == i || !marker.value || m_markers[j].value != marker.value) continue;
      if (j < i) merged = true;
      sameDelay << names[j];
    }
    const bool drawLine = marker.value && !marker.offScale && !merged;
    marker.line->setVisible(drawLine);
    for (QLegendMarker* legendMarker : chart()->legend()->markers(marker.line))
      legendMarker->setVisible(drawLine);
    if (!marker.value || merged) {
      marker.label->hide();
      continue;
    }
    const double v = *marker.value;
    const QString text =
        QStringLiteral("%1 = %2").arg(sameDelay.join(QStringLiteral(" = "))).arg(v, 0, 'f', 0);
    marker.line->setName(text);
    if (drawLine) marker.line->replace(QList<QPointF>{QPointF(v, y.min), QPointF(v, y.max)});
    marker.label->setText(
        marker.offScale ? (v > x.max ? text + QStringLiteral(" →") : QStringLiteral("← ") + text) : text);
    const QRectF box = marker.label->boundingRect();
    double left = 0.0;
    if (marker.offScale) {
      // At the edge it points past, moved inwards beyond any line it would run across: "n − 1 = 15 →" was
      // struck through by the line of R = max = 4 drawn near the right edge.
      const bool pointsRight = v > x.max;
      left = pointsRight ? plot.right() - box.width() - 3.0 : plot.left() + 3.0;
      for (bool moved = true; moved;) {
        moved = false;
        for (const double line : lines)
          if (line >= left - 1.0 && line <= left + box.width() + 1.0) {
            const double inwards = pointsRight ? line - 3.0 - box.width() : line + 3.0;
            if (inwards < plot.left() || inwards + box.width() > plot.right()) continue;  // no room: stay
            left = inwards;
            moved = true;
          }
      }
    } else {
      // Right of the line, unless that would run past the plot's right edge, or across another marker's
      // line where the left side is clear.
      const double at = toChart(v, y.max).x();
      const double right = at + 3.0;
      const double leftSide = at - 3.0 - box.width();
      const auto crossesLine = [&](double from) {
        return std::any_of(lines.cbegin(), lines.cend(), [&](double line) {
          return std::abs(line - at) > 0.5 && line >= from - 1.0 && line <= from + box.width() + 1.0;
        });
      };
      const bool rightFits = right + box.width() <= plot.right();
      const bool leftClear = leftSide >= plot.left() && !crossesLine(leftSide);
      left = rightFits && (!crossesLine(right) || !leftClear) ? right : leftSide;
    }
    QRectF where(left, plot.top() + 2.0, box.width(), box.height());
    for (bool moved = true; moved;) {
      moved = false;
      for (const QRectF& other : placed)
        if (where.adjusted(-kMarkerLabelGap, 0.0, kMarkerLabelGap, 0.0).intersects(other)) {
          where.moveTop(other.bottom() + 1.0);
          moved = true;
        }
    }
    placed.push_back(where);
    marker.label->setPos(where.topLeft());
    marker.label->setVisible(plot.height() > 0.0);
  }
}

bool DelayHistogram::markerOffScale(Marker marker) const {
  const MarkerItem& item = m_markers[static_cast<std::size_t>(marker)];
  return item.value && item.offScale;
}

QString DelayHistogram::markerLabel(Marker marker) const {
  const MarkerItem& item = m_markers[static_cast<std::size_t>(marker)];
  return item.label->isVisible() ? item.label->text() : QString();
}

void DelayHistogram::syncWorkerChoice() {
  // Appended in order (a linear findData per worker made this quadratic in the worker count).
  const int seen = static_cast<int>(m_workers.size());
  for (int worker = m_listedWorkers; worker < seen; ++worker)
    if (m_workerChoice->findData(worker) < 0) m_workerChoice->addItem(tr("worker %1").arg(worker), worker);
  m_listedWorkers = seen;
}

void DelayHistogram::drawFrame(bool /*viewChanged*/) {
  // Histograms are small (one entry per delay value) and every outcome depends on the filter, so
  // all three are redrawn whenever the timer found anything changed.
  const Range x = xRange();
  const int width = plotWidth();
  for (int i = 0; i < 3; ++i) drawOutcome(i, x, width);
  drawMarkers();
  if (static_cast<int>(m_workers.size()) != m_listedWorkers) syncWorkerChoice();
}

QString DelayHistogram::hoverText(QPointF chartPosition) const {
  const double x = toValue(chartPosition).x();
  const auto delay = static_cast<std::int64_t>(std::llround(x));
  if (delay < 0) return {};
  QString text = tr("delay %1:").arg(delay);
  for (const Outcome outcome : kOutcomes)
    text +=
        QStringLiteral(" %1 %2").arg(QString::fromLatin1(outcomeName(outcome))).arg(count(outcome, delay));
  if (m_filter >= 0) text += tr(" (worker %1)").arg(m_filter);
  return text;
}

}  // namespace distopt::ui
