#include "ui/charts/chart_legend.hpp"

#include <QAbstractSeries>
#include <QChart>
#include <QFontMetricsF>
#include <QLegend>
#include <QLegendMarker>
#include <QPainter>
#include <QXYSeries>
#include <algorithm>
#include <cmath>

namespace distopt::ui {
namespace {

constexpr double kSwatch = 18.0;   // width of an entry's line or box
constexpr double kGap = 5.0;       // between swatch and text
constexpr double kSpacing = 14.0;  // between entries on a row
constexpr double kRowGap = 2.0;    // between rows
constexpr double kMargin = 4.0;    // left and right of the whole legend

struct Placed {
  QRectF swatch;
  QRectF text;
};

// Where each entry goes in `width`: left to right, a new row when the next one does not fit, and an
// entry wider than a whole row wrapped over several lines within it.
std::vector<Placed> place(const std::vector<LegendEntry>& entries, const QFont& font, double width,
                          double* height) {
  const QFontMetricsF metrics(font);
  const double lineHeight = metrics.height();
  const double usable = std::max(width - 2.0 * kMargin, kSwatch + kGap + metrics.averageCharWidth() * 4.0);
  std::vector<Placed> placed;
  double x = kMargin, y = 0.0, rowHeight = 0.0;
  for (const LegendEntry& entry : entries) {
    const double textWidth = std::ceil(metrics.horizontalAdvance(entry.label)) + 1.0;
    double itemWidth = kSwatch + kGap + textWidth;
    double itemHeight = lineHeight;
    double textBox = textWidth;
    if (itemWidth > usable) {
      textBox = usable - kSwatch - kGap;
      const QRectF wrapped = metrics.boundingRect(QRectF(0, 0, textBox, 1e6),
                                                  Qt::TextWordWrap | Qt::TextWrapAnywhere, entry.label);
      itemWidth = usable;
      itemHeight = std::max(lineHeight, std::ceil(wrapped.height()));
    }
    if (x > kMargin && x + itemWidth > kMargin + usable) {
      x = kMargin;
      y += rowHeight + kRowGap;
      rowHeight = 0.0;
    }
    placed.push_back({QRectF(x, y + (lineHeight - 10.0) / 2.0, kSwatch, 10.0),
                      QRectF(x + kSwatch + kGap, y, textBox, itemHeight)});
    rowHeight = std::max(rowHeight, itemHeight);
    x += itemWidth + kSpacing;
  }
  if (height) *height = entries.empty() ? 0.0 : y + rowHeight + 2.0 * kRowGap;
  return placed;
}

}  // namespace

std::vector<LegendEntry> legendEntries(QChart* chart) {
  std::vector<LegendEntry> entries;
  if (!chart || !legendShown(chart)) return entries;
  for (QLegendMarker* marker : chart->legend()->markers()) {
    // A marker's own visibility also follows the (never shown) legend item's, so hidden entries are
    // known by their series: hidden series, and a second entry of one name (a band under its line).
    QAbstractSeries* series = marker->series();
    if (!series || !series->isVisible() || marker->label().isEmpty()) continue;
    if (std::any_of(entries.begin(), entries.end(),
                    [&](const LegendEntry& e) { return e.label == marker->label(); }))
      continue;
    LegendEntry entry;
    entry.label = marker->label();
    entry.color = marker->brush().color();
    entry.filled = marker->type() != QLegendMarker::LegendMarkerTypeXY;
    if (auto* xy = qobject_cast<QXYSeries*>(series)) {
      entry.color = xy->pen().color();
      entry.dashed = xy->pen().style() != Qt::SolidLine;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

bool legendShown(QChart* chart) { return chart->legend()->isVisibleTo(chart); }

double legendHeight(const std::vector<LegendEntry>& entries, const QFont& font, double width) {
  double height = 0.0;
  place(entries, font, width, &height);
  return height;
}

void paintLegend(QPainter& painter, const std::vector<LegendEntry>& entries, const QFont& font,
                 const QRectF& area, const QColor& textColor) {
  const std::vector<Placed> placed = place(entries, font, area.width(), nullptr);
  painter.save();
  painter.translate(area.topLeft());
  painter.setFont(font);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const LegendEntry& entry = entries[i];
    const QRectF swatch = placed[i].swatch;
    if (entry.filled) {
      painter.setPen(QPen(entry.color.darker(120), 1.0));
      painter.setBrush(entry.color);
      painter.drawRect(swatch.adjusted(3.0, 0.0, -3.0, 0.0));
    } else {
      QPen pen(entry.color, 2.0);
      if (entry.dashed) pen.setStyle(Qt::DashLine);
      painter.setPen(pen);
      painter.drawLine(QPointF(swatch.left(), swatch.center().y()),
                       QPointF(swatch.right(), swatch.center().y()));
    }
    painter.setPen(textColor);
    painter.drawText(placed[i].text, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap | Qt::TextWrapAnywhere,
                     entry.label);
  }
  painter.restore();
}

ChartLegend::ChartLegend(QWidget* parent) : QWidget(parent) {
  QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Fixed);
  policy.setHeightForWidth(true);
  setSizePolicy(policy);
}

void ChartLegend::setEntries(std::vector<LegendEntry> entries) {
  if (entries == m_entries) return;
  m_entries = std::move(entries);
  setFixedHeight(heightForWidth(width()));
  updateGeometry();
  update();
}

int ChartLegend::heightForWidth(int width) const {
  return static_cast<int>(std::ceil(legendHeight(m_entries, font(), width)));
}

QSize ChartLegend::sizeHint() const { return {200, heightForWidth(std::max(width(), 200))}; }

QSize ChartLegend::minimumSizeHint() const { return {0, heightForWidth(std::max(width(), 200))}; }

void ChartLegend::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  // Fewer or more rows at the new width.
  const int height = heightForWidth(width());
  if (height != this->height()) setFixedHeight(height);
}

void ChartLegend::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  paintLegend(painter, m_entries, font(), QRectF(rect()), palette().color(QPalette::WindowText));
}

}  // namespace distopt::ui
