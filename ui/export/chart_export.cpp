#include "ui/export/chart_export.hpp"

#include <QChart>
#include <QChartView>
#include <QFileInfo>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QImage>
#include <QPainter>
#include <QPdfWriter>
#include <QPicture>
#include <QSvgGenerator>
#include <QWidget>
#include <algorithm>
#include <functional>

#include "ui/charts/live_chart.hpp"

namespace distopt::ui {
namespace {

// Widgets in a tab that was never shown still have their default 100x30 or 640x480 geometry; give
// them a real size for the file, and put the old one back afterwards so the window does not change.
class SizeForExport {
 public:
  SizeForExport(QWidget* widget, QSize fallback) : m_widget(widget), m_old(widget->size()) {
    if (m_old.width() < 320 || m_old.height() < 200 || !widget->isVisible()) {
      m_widget->resize(fallback);
      m_resized = true;
    }
    // A hidden chart view gets no resize event, so its chart keeps whatever size it had (none if its
    // tab was never shown): size the chart itself and lay it out now.
    if (auto* view = qobject_cast<QChartView*>(widget); view && !view->isVisible()) {
      m_chart = view->chart();
      m_oldChart = m_chart->size();
      m_chart->resize(QSizeF(view->size()));
      if (m_chart->layout()) m_chart->layout()->activate();
    }
  }
  ~SizeForExport() {
    if (m_chart) m_chart->resize(m_oldChart);
    if (m_resized) m_widget->resize(m_old);
  }
  SizeForExport(const SizeForExport&) = delete;
  SizeForExport& operator=(const SizeForExport&) = delete;

 private:
  QWidget* m_widget;
  QSize m_old;
  QChart* m_chart = nullptr;
  QSizeF m_oldChart;
  bool m_resized = false;
};

// A hidden chart view's viewport was never laid out either: draw its chart straight from the scene.
void drawWidget(QWidget* widget, QPainter& painter) {
  auto* view = qobject_cast<QChartView*>(widget);
  if (!view || view->isVisible()) {
    widget->render(&painter);
    return;
  }
  const QRectF target(QPointF(0, 0), QSizeF(widget->size()));
  view->scene()->render(&painter, target, view->chart()->sceneBoundingRect());
}

// Replays `picture` (drawn at `size`) onto `painter`, scaled to fit `target` keeping its shape.
void replay(const QPicture& picture, QPainter& painter, const QRectF& target) {
  const QRect bounds = picture.boundingRect();
  if (bounds.isEmpty()) return;
  const double scale = std::min(target.width() / bounds.width(), target.height() / bounds.height());
  painter.save();
  painter.translate(target.topLeft());
  painter.scale(scale, scale);
  painter.drawPicture(0, 0, picture);
  painter.restore();
}

QPicture record(QWidget* widget, const std::function<void(QPainter&)>& draw) {
  QPicture picture;
  {
    QPainter painter(&picture);
    painter.setRenderHint(QPainter::Antialiasing);
    draw(painter);
  }
  // The widget's whole area, not just what was drawn: the files keep the chart's frame and shape.
  picture.setBoundingRect(QRect(QPoint(0, 0), widget->size()));
  return picture;
}

}  // namespace

std::optional<ChartFormat> chartFormatFor(const QString& path) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == QLatin1String("png")) return ChartFormat::Png;
  if (suffix == QLatin1String("svg")) return ChartFormat::Svg;
  if (suffix == QLatin1String("pdf")) return ChartFormat::Pdf;
  return std::nullopt;
}

QString chartFormatExtension(ChartFormat format) {
  switch (format) {
    case ChartFormat::Png:
      return QStringLiteral("png");
    case ChartFormat::Svg:
      return QStringLiteral("svg");
    case ChartFormat::Pdf:
      return QStringLiteral("pdf");
  }
  return {};
}

QPicture recordChart(ChartPanel* panel, QSize fallbackSize) {
  QWidget* view = panel->view();
  SizeForExport sized(view, fallbackSize);
  // Decimation is per pixel column of the current width, and the y ticks as many as the plot's height
  // holds: lay the chart out at the export's size now (Qt would on its next layout pass), draw a frame
  // for it, and lay out the axes it re-ticked.
  QGraphicsLayout* layout = panel->chart()->layout();
  if (layout) layout->activate();
  panel->refreshNow();
  if (layout) layout->activate();
  return record(view, [view](QPainter& painter) { drawWidget(view, painter); });
}

QPicture recordWidget(QWidget* widget, QSize fallbackSize) {
  SizeForExport sized(widget, fallbackSize);
  return record(widget, [widget](QPainter& painter) { widget->render(&painter); });
}

bool writePicture(const QPicture& picture, const QString& path, QString* why) {
  const auto format = chartFormatFor(path);
  if (!format) {
    if (why) *why = QStringLiteral("%1: unknown chart format; use .png, .svg or .pdf").arg(path);
    return false;
  }
  const QSize size = picture.boundingRect().size();
  const QRectF whole(QPointF(0, 0), QSizeF(size));
  bool ok = false;
  switch (*format) {
    case ChartFormat::Png: {
      // Twice the screen's pixels: sharp on a slide without the cost of a vector file.
      QImage image(size * 2, QImage::Format_ARGB32_Premultiplied);
      image.setDevicePixelRatio(2.0);
      image.fill(Qt::white);
      {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        replay(picture, painter, whole);
      }
      ok = image.save(path, "PNG");
      break;
    }
    case ChartFormat::Svg: {
      QSvgGenerator svg;
      svg.setFileName(path);
      svg.setSize(size);
      svg.setViewBox(QRect(QPoint(0, 0), size));
      svg.setTitle(QFileInfo(path).completeBaseName());
      svg.setDescription(QStringLiteral("DistOpt Workbench chart"));
      {
        QPainter painter;
        ok = painter.begin(&svg);
        if (ok) replay(picture, painter, whole);
      }
      ok = ok && QFileInfo(path).size() > 0;
      break;
    }
    case ChartFormat::Pdf: {
      QPdfWriter pdf(path);
      pdf.setTitle(QFileInfo(path).completeBaseName());
      pdf.setCreator(QStringLiteral("DistOpt Workbench"));
      // A page the chart's own shape, so it drops into a LaTeX figure without margins.
      pdf.setPageSize(QPageSize(QSizeF(size), QPageSize::Point));
      pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
      pdf.setResolution(72);
      QPainter painter;
      ok = painter.begin(&pdf);
      if (ok) {
        replay(picture, painter, whole);
        ok = painter.end();
      }
      break;
    }
  }
  if (!ok && why) *why = QStringLiteral("%1: cannot write the file").arg(path);
  return ok;
}

void paintPicture(const QPicture& picture, QPainter& painter, const QRectF& target) {
  replay(picture, painter, target);
}

bool exportChart(ChartPanel* panel, const QString& path, QString* why, QSize fallbackSize) {
  return writePicture(recordChart(panel, fallbackSize), path, why);
}

void paintChart(ChartPanel* panel, QPainter& painter, const QRectF& target, QSize fallbackSize) {
  replay(recordChart(panel, fallbackSize), painter, target);
}

void paintWidget(QWidget* widget, QPainter& painter, const QRectF& target, QSize fallbackSize) {
  replay(recordWidget(widget, fallbackSize), painter, target);
}

bool exportWidget(QWidget* widget, const QString& path, QString* why, QSize fallbackSize) {
  return writePicture(recordWidget(widget, fallbackSize), path, why);
}

}  // namespace distopt::ui
