#pragma once
// Saving what a chart shows as a file a user puts in a paper or a slide: PNG (raster, at the chosen DPI),
// SVG (vector) or PDF (vector, one page the figure's size), and beside each a CSV of exactly the points
// drawn. The format follows the file's extension. A figure is drawn for print: white, without the
// on-screen frame and controls, at a chosen size (px or cm) and font size, with the legend of
// chart_legend under the plot. Its canvas is the drawing: the file is as large as the figure. Thread:
// recording a chart or widget, and the functions that take one, on the GUI thread; writePicture and
// paintPicture on any thread (a report is written by a worker from recordings).

#include <QPicture>
#include <QSize>
#include <QString>
#include <optional>
#include <string>

class QChart;
class QPainter;
class QRectF;
class QWidget;

namespace distopt::ui {

class ChartPanel;

enum class ChartFormat { Png, Svg, Pdf };

enum class SizeUnit { Pixels, Centimetres };

/// How a figure is drawn. Sizes are of the whole figure (plot, axes and legend). A figure is laid out
/// at 96 px per inch whatever the unit (so 8 cm is 302 px and a 9-pt font 12 px): fonts keep their size
/// relative to the figure, and `dpi` only sets how many pixels a PNG gets per inch.
struct FigureOptions {
  double width = 0.0;   ///< 0: the chart's width on screen, at least the fallback size's
  double height = 0.0;  ///< 0: the chart's height on screen, at least the fallback size's
  SizeUnit unit = SizeUnit::Pixels;
  double dpi = 192.0;       ///< a PNG's pixels per inch; 192 is twice the screen's, sharp on a slide
  double fontPoints = 0.0;  ///< every text of the figure; 0: as on screen
  bool isValid(std::string* why) const;
  /// The figure's layout size in pixels at 96 per inch, for a chart `screen` large on screen.
  QSize layoutSize(QSize screen) const;
};

/// A chart drawn once: the picture (vector drawing commands at its layout size) and the points drawn,
/// as CSV text.
struct RecordedFigure {
  QPicture picture;
  QString csv;
  double dpi = FigureOptions{}.dpi;  ///< what a PNG of it gets
};

/// The points each visible series of `chart` holds now, as "series,x,y" rows with a header: what is
/// drawn (after the charts' min/max decimation to the plot's pixel columns, where they decimate). A band
/// or area gives its upper and lower edge as "NAME (upper)" and "NAME (lower)".
QString drawnDataCsv(QChart* chart);

/// The format for a file name by its extension (case-insensitive), nullopt for anything else.
std::optional<ChartFormat> chartFormatFor(const QString& path);
/// "png", "svg", "pdf".
QString chartFormatExtension(ChartFormat format);

/// Renders the chart (without its control row) into `path`; false with *why when the extension is not
/// one of the three or the file cannot be written. A chart that was never laid out on screen (a hidden
/// tab) is rendered at `fallbackSize`.
bool exportChart(ChartPanel* panel, const QString& path, QString* why, QSize fallbackSize = QSize(1000, 620));
/// The same with `options`, and NAME.csv beside NAME.EXT with the drawn data.
bool exportChart(ChartPanel* panel, const QString& path, const FigureOptions& options, QString* why,
                 QSize fallbackSize = QSize(1000, 620));

/// The chart (plot, axes, legend; no controls) drawn once for a file, as `options` say; the screen's
/// chart is put back as it was afterwards. Without a size it is drawn at its size on screen but at least
/// `fallbackSize` (a squeezed chart would have few ticks); a chart never laid out at `fallbackSize`.
RecordedFigure recordFigure(ChartPanel* panel, const FigureOptions& options = {},
                            QSize fallbackSize = QSize(1000, 620));
/// recordFigure's picture alone.
QPicture recordChart(ChartPanel* panel, QSize fallbackSize = QSize(1000, 620));
/// The same for any widget.
QPicture recordWidget(QWidget* widget, QSize fallbackSize = QSize(1280, 760));
/// Writes a recording as `path`'s format (.png at twice its size, .svg, .pdf); false with *why.
bool writePicture(const QPicture& picture, const QString& path, QString* why);
/// Writes a figure as `path`'s format (a PNG at the figure's DPI) and, when it has data, the CSV as
/// `path` with the suffix .csv; false with *why.
bool writeFigure(const RecordedFigure& figure, const QString& path, QString* why);
/// Replays a recording scaled to fit `target` keeping its shape (a report's PDF page).
void paintPicture(const QPicture& picture, QPainter& painter, const QRectF& target);

/// The same for any widget (e.g. the manager view with its numbers).
bool exportWidget(QWidget* widget, const QString& path, QString* why, QSize fallbackSize = QSize(1280, 760));

}  // namespace distopt::ui
