#include "ui/export/chart_export.hpp"

#include <QAbstractAxis>
#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QImage>
#include <QLayout>
#include <QLineSeries>
#include <QPainter>
#include <QPdfWriter>
#include <QPicture>
#include <QStackedWidget>
#include <QSvgGenerator>
#include <QTextStream>
#include <QWidget>
#include <QXYSeries>
#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "ui/charts/chart_legend.hpp"
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
    // A widget that is not on screen gets no layout pass before render(): lay the tree out now, outer
    // layouts first so each inner one works in the geometry it was given.
    if (m_widget->layout()) m_widget->layout()->activate();
    for (auto* child : m_widget->findChildren<QWidget*>())
      if (child->layout()) child->layout()->activate();
    // Nor does a hidden chart view get a resize event, so its chart keeps whatever size it had (none if
    // its tab was never shown): size each chart itself and lay it out now.
    QList<QChartView*> views = widget->findChildren<QChartView*>();
    if (auto* view = qobject_cast<QChartView*>(widget)) views.prepend(view);
    for (auto* view : views) {
      if (view->isVisible() || !view->chart()) continue;
      m_charts.emplace_back(view->chart(), view->chart()->size());
      view->chart()->resize(QSizeF(view->size()));
      if (view->chart()->layout()) view->chart()->layout()->activate();
    }
  }
  ~SizeForExport() {
    for (auto& [chart, size] : m_charts) chart->resize(size);
    if (m_resized) m_widget->resize(m_old);
  }
  SizeForExport(const SizeForExport&) = delete;
  SizeForExport& operator=(const SizeForExport&) = delete;

 private:
  QWidget* m_widget;
  QSize m_old;
  std::vector<std::pair<QChart*, QSizeF>> m_charts;
  bool m_resized = false;
};

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

// A figure is laid out at the screen's 96 px per inch, whatever the unit it was asked in.
constexpr double kLayoutDpi = 96.0;
constexpr double kCmPerInch = 2.54;
// Smallest plot a figure keeps under a legend that takes most of the height asked for.
constexpr double kMinChartHeight = 120.0;

QFont sized(QFont font, double points) {
  if (points > 0.0) font.setPixelSize(std::max(1, static_cast<int>(std::lround(points * kLayoutDpi / 72.0))));
  return font;
}

// A chart in print dress for the time of a recording: white, without the rounded, shadowed on-screen
// background, every text at the chosen size; everything put back afterwards.
class PrintDress {
 public:
  PrintDress(QChart* chart, double fontPoints) : m_chart(chart) {
    m_brush = chart->backgroundBrush();
    m_pen = chart->backgroundPen();
    m_roundness = chart->backgroundRoundness();
    m_shadow = chart->isDropShadowEnabled();
    m_plotBackground = chart->isPlotAreaBackgroundVisible();
    m_titleFont = chart->titleFont();
    chart->setBackgroundBrush(Qt::white);
    chart->setBackgroundPen(Qt::NoPen);
    chart->setBackgroundRoundness(0.0);
    chart->setDropShadowEnabled(false);
    chart->setPlotAreaBackgroundVisible(false);
    if (fontPoints > 0.0) {
      QFont title = sized(m_titleFont, fontPoints * 1.15);
      title.setBold(true);
      chart->setTitleFont(title);
    }
    for (QAbstractAxis* axis : chart->axes()) {
      m_axes.push_back({axis, axis->labelsFont(), axis->titleFont()});
      if (fontPoints <= 0.0) continue;
      axis->setLabelsFont(sized(axis->labelsFont(), fontPoints));
      axis->setTitleFont(sized(axis->titleFont(), fontPoints));
    }
  }
  ~PrintDress() {
    m_chart->setBackgroundBrush(m_brush);
    m_chart->setBackgroundPen(m_pen);
    m_chart->setBackgroundRoundness(m_roundness);
    m_chart->setDropShadowEnabled(m_shadow);
    m_chart->setPlotAreaBackgroundVisible(m_plotBackground);
    m_chart->setTitleFont(m_titleFont);
    for (const Axis& axis : m_axes) {
      axis.axis->setLabelsFont(axis.labels);
      axis.axis->setTitleFont(axis.title);
    }
  }
  PrintDress(const PrintDress&) = delete;
  PrintDress& operator=(const PrintDress&) = delete;

 private:
  struct Axis {
    QAbstractAxis* axis;
    QFont labels;
    QFont title;
  };
  QChart* m_chart;
  QBrush m_brush;
  QPen m_pen;
  double m_roundness = 0.0;
  bool m_shadow = false;
  bool m_plotBackground = false;
  QFont m_titleFont;
  std::vector<Axis> m_axes;
};

QString csvField(const QString& text) {
  if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
      !text.contains(QLatin1Char('\n')))
    return text;
  return QLatin1Char('"') + QString(text).replace(QLatin1Char('"'), QStringLiteral("\"\"")) +
         QLatin1Char('"');
}

bool writeText(const QString& path, const QString& text, QString* why) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text) ||
      file.write(text.toUtf8()) < 0 || !file.flush()) {
    if (why) *why = QStringLiteral("%1: cannot write the file").arg(path);
    return false;
  }
  return true;
}

bool writeScaled(const QPicture& picture, const QString& path, double pngScale, QString* why);

/// While alive, every stacked widget (a tab page) between `widget` and its window shows the page that
/// holds it: a view whose tab was never opened has never been laid out (Qt lays out only the current
/// page) and would be drawn at a stray 100 x 30 pixels.
class ShownInItsStacks {
 public:
  explicit ShownInItsStacks(QWidget* widget) {
    QWidget* page = widget;
    for (QWidget* parent = widget->parentWidget(); parent; page = parent, parent = parent->parentWidget())
      if (auto* stack = qobject_cast<QStackedWidget*>(parent); stack && stack->currentWidget() != page) {
        m_restore.emplace_back(stack, stack->currentWidget());
        stack->setCurrentWidget(page);
      }
    if (!m_restore.empty()) QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
  }
  ~ShownInItsStacks() {
    for (auto it = m_restore.rbegin(); it != m_restore.rend(); ++it) it->first->setCurrentWidget(it->second);
  }
  ShownInItsStacks(const ShownInItsStacks&) = delete;
  ShownInItsStacks& operator=(const ShownInItsStacks&) = delete;

 private:
  std::vector<std::pair<QStackedWidget*, QWidget*>> m_restore;
};

/// While alive, the charts inside a widget are drawn without their on-screen controls (the x choice,
/// "log y", "Reset zoom", a view's own toggles): an exported view is a figure, not a picture of a form.
/// Construct it before SizeForExport, which lays the widget out without them.
class ChartControlsHidden {
 public:
  explicit ChartControlsHidden(QWidget* widget) {
    for (auto* panel : widget->findChildren<ChartPanel*>())
      if (panel->controlsVisible()) {
        panel->setControlsVisible(false);
        m_hidden.push_back(panel);
      }
  }
  ~ChartControlsHidden() {
    for (auto* panel : m_hidden) panel->setControlsVisible(true);
  }
  ChartControlsHidden(const ChartControlsHidden&) = delete;
  ChartControlsHidden& operator=(const ChartControlsHidden&) = delete;

 private:
  std::vector<ChartPanel*> m_hidden;
};

}  // namespace

bool FigureOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  const double maxSide = unit == SizeUnit::Pixels ? 20000.0 : 500.0;
  for (double side : {width, height})
    if (!std::isfinite(side) || side < 0.0 || side > maxSide)
      return fail(unit == SizeUnit::Pixels ? "width and height: 0 (as on screen) or up to 20000 px"
                                           : "width and height: 0 (as on screen) or up to 500 cm");
  if (unit == SizeUnit::Pixels && ((width > 0.0 && width < 100.0) || (height > 0.0 && height < 80.0)))
    return fail("a figure needs at least 100 x 80 px");
  if (unit == SizeUnit::Centimetres && ((width > 0.0 && width < 2.5) || (height > 0.0 && height < 2.0)))
    return fail("a figure needs at least 2.5 x 2 cm");
  if (!std::isfinite(dpi) || dpi < 50.0 || dpi > 1200.0) return fail("dpi: 50 to 1200");
  if (!std::isfinite(fontPoints) || fontPoints < 0.0 || (fontPoints > 0.0 && fontPoints < 4.0) ||
      fontPoints > 72.0)
    return fail("font size: 0 (as on screen) or 4 to 72 pt");
  return true;
}

QSize FigureOptions::layoutSize(QSize screen) const {
  const double perUnit = unit == SizeUnit::Pixels ? 1.0 : kLayoutDpi / kCmPerInch;
  const double w = width > 0.0 ? width * perUnit : screen.width();
  const double h = height > 0.0 ? height * perUnit : screen.height();
  return {std::max(1, static_cast<int>(std::lround(w))), std::max(1, static_cast<int>(std::lround(h)))};
}

QString drawnDataCsv(QChart* chart) {
  QString text;
  QTextStream out(&text);
  out << "series,x,y\n";
  const auto rows = [&](const QString& name, const QXYSeries* series) {
    if (!series) return;
    const QString field = csvField(name);
    for (const QPointF& p : series->points())
      out << field << ',' << QString::number(p.x(), 'g', 17) << ',' << QString::number(p.y(), 'g', 17)
          << '\n';
  };
  for (QAbstractSeries* series : chart->series()) {
    if (!series->isVisible()) continue;
    if (auto* area = qobject_cast<QAreaSeries*>(series)) {
      rows(area->name() + QStringLiteral(" (upper)"), area->upperSeries());
      rows(area->name() + QStringLiteral(" (lower)"), area->lowerSeries());
    } else if (auto* xy = qobject_cast<QXYSeries*>(series)) {
      rows(xy->name(), xy);
    }
  }
  return text;
}

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

RecordedFigure recordFigure(ChartPanel* panel, const FigureOptions& given, QSize fallbackSize) {
  const FigureOptions options = given.isValid(nullptr) ? given : FigureOptions{};
  QChart* chart = panel->chart();
  QWidget* view = panel->view();
  // A chart never laid out on screen (a hidden tab) has no size of its own worth keeping, and one squeezed
  // on a small screen would make a figure with few tick labels: at least the fallback size.
  const QSize screen = view->isVisible() ? view->size().expandedTo(fallbackSize) : fallbackSize;
  const QSize canvas = options.layoutSize(screen);
  const QSizeF oldSize = chart->size();
  const QFont legendFont = sized(panel->legend()->font(), options.fontPoints);
  RecordedFigure figure;
  figure.dpi = options.dpi;
  double chartHeight = canvas.height();
  std::vector<LegendEntry> entries;
  {
    PrintDress dress(chart, options.fontPoints);
    // Decimation is per pixel column of the plot, the ticks as many as its size holds, and legend names
    // may follow what is drawn: lay the chart out at the figure's size, draw a frame for it, and once
    // more when the legend (as tall as its entries need at this width) took its share of the height.
    for (int pass = 0; pass < 2; ++pass) {
      chart->resize(QSizeF(canvas.width(), chartHeight));
      if (chart->layout()) chart->layout()->activate();
      panel->refreshNow();
      if (chart->layout()) chart->layout()->activate();
      entries = legendEntries(chart);
      chartHeight =
          std::max(kMinChartHeight, canvas.height() - legendHeight(entries, legendFont, canvas.width()));
    }
    const double legend = legendHeight(entries, legendFont, canvas.width());
    const QSizeF drawn(canvas.width(), chart->size().height() + legend);
    figure.csv = drawnDataCsv(chart);
    {
      QPainter painter(&figure.picture);
      painter.setRenderHint(QPainter::Antialiasing);
      painter.setRenderHint(QPainter::TextAntialiasing);
      painter.fillRect(QRectF(QPointF(0, 0), drawn), Qt::white);
      const QRectF plot(QPointF(0, 0), chart->size());
      chart->scene()->render(&painter, plot, chart->sceneBoundingRect());
      paintLegend(painter, entries, legendFont, QRectF(0.0, plot.height(), drawn.width(), legend));
    }
    figure.picture.setBoundingRect(QRect(QPoint(0, 0), drawn.toSize()));
  }
  // Back to the screen's size and a frame drawn for it.
  chart->resize(oldSize);
  if (chart->layout()) chart->layout()->activate();
  panel->refreshNow();
  return figure;
}

QPicture recordChart(ChartPanel* panel, QSize fallbackSize) {
  return recordFigure(panel, FigureOptions{}, fallbackSize).picture;
}

QPicture recordWidget(QWidget* widget, QSize fallbackSize) {
  const ShownInItsStacks shown(widget);
  const ChartControlsHidden figureOnly(widget);
  // Polishing (render() does it first) and hiding the controls ask the enclosing layouts for a pass; had it
  // come during render(), a parent not on screen (a tab never opened) would shrink the widget back after
  // it was sized for the file. Let it come now.
  widget->ensurePolished();
  QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
  SizeForExport sized(widget, fallbackSize);
  // A chart's ticks and decimation follow its size and are redone on its frame timer, which will not
  // run before render(): redo them now, at the size it is drawn at (the timer redoes them after).
  for (auto* panel : widget->findChildren<ChartPanel*>()) {
    panel->refreshNow();
    if (panel->chart()->layout()) panel->chart()->layout()->activate();
  }
  return record(widget, [widget](QPainter& painter) { widget->render(&painter); });
}

bool writePicture(const QPicture& picture, const QString& path, QString* why) {
  return writeScaled(picture, path, 2.0, why);
}

bool writeFigure(const RecordedFigure& figure, const QString& path, QString* why) {
  if (!writeScaled(figure.picture, path, figure.dpi / kLayoutDpi, why)) return false;
  if (figure.csv.isEmpty()) return true;
  const QFileInfo info(path);
  return writeText(info.dir().filePath(info.completeBaseName() + QStringLiteral(".csv")), figure.csv, why);
}

namespace {

bool writeScaled(const QPicture& picture, const QString& path, double pngScale, QString* why) {
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
      QImage image((QSizeF(size) * pngScale).toSize(), QImage::Format_ARGB32_Premultiplied);
      image.setDevicePixelRatio(pngScale);
      image.fill(Qt::white);
      {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        replay(picture, painter, whole);
      }
      // The resolution goes into the file only after drawing: QPicture scales its replay by the target's
      // logical DPI, so set before, it would draw the figure pngScale times too large (cut at the edges).
      image.setDotsPerMeterX(static_cast<int>(std::lround(pngScale * kLayoutDpi / 0.0254)));
      image.setDotsPerMeterY(image.dotsPerMeterX());
      ok = image.save(path, "PNG");
      break;
    }
    case ChartFormat::Svg: {
      QSvgGenerator svg;
      svg.setFileName(path);
      svg.setSize(size);
      svg.setViewBox(QRect(QPoint(0, 0), size));
      // Its width and height in mm at the layout's 96 px per inch: the size the figure was laid out for.
      svg.setResolution(static_cast<int>(kLayoutDpi));
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
      // A page the figure's own size, so it drops into a LaTeX figure without margins. At the layout's
      // resolution a recorded pixel is a page pixel: the picture's fonts keep their size.
      pdf.setPageSize(QPageSize(QSizeF(size) * (72.0 / kLayoutDpi), QPageSize::Point));
      pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
      pdf.setResolution(static_cast<int>(kLayoutDpi));
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

}  // namespace

void paintPicture(const QPicture& picture, QPainter& painter, const QRectF& target) {
  replay(picture, painter, target);
}

bool exportChart(ChartPanel* panel, const QString& path, QString* why, QSize fallbackSize) {
  return exportChart(panel, path, FigureOptions{}, why, fallbackSize);
}

bool exportChart(ChartPanel* panel, const QString& path, const FigureOptions& options, QString* why,
                 QSize fallbackSize) {
  std::string invalid;
  if (!options.isValid(&invalid)) {
    if (why) *why = QStringLiteral("%1: %2").arg(path, QString::fromStdString(invalid));
    return false;
  }
  if (!chartFormatFor(path)) return writePicture(QPicture(), path, why);  // says why
  return writeFigure(recordFigure(panel, options, fallbackSize), path, why);
}

bool exportWidget(QWidget* widget, const QString& path, QString* why, QSize fallbackSize) {
  return writePicture(recordWidget(widget, fallbackSize), path, why);
}

}  // namespace distopt::ui
