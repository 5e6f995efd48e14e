#pragma once
// Saving what a chart shows as a file a user puts in a paper or a slide: PNG (raster, at twice the
// screen resolution), SVG (vector) or PDF (vector, one page fitted to the chart). The format follows
// the file's extension. Thread: recording a chart or widget, and the functions that take one, on the GUI
// thread; writePicture and paintPicture on any thread (a report is written by a worker from recordings).

#include <QSize>
#include <QString>
#include <optional>

class QPainter;
class QPicture;
class QRectF;
class QWidget;

namespace distopt::ui {

class ChartPanel;

enum class ChartFormat { Png, Svg, Pdf };

/// The format for a file name by its extension (case-insensitive), nullopt for anything else.
std::optional<ChartFormat> chartFormatFor(const QString& path);
/// "png", "svg", "pdf".
QString chartFormatExtension(ChartFormat format);

/// Renders the chart (without its control row) into `path`; false with *why when the extension is not
/// one of the three or the file cannot be written. A chart that was never laid out on screen (a hidden
/// tab) is rendered at `fallbackSize`.
bool exportChart(ChartPanel* panel, const QString& path, QString* why, QSize fallbackSize = QSize(1000, 620));

/// The chart (without its control row) drawn once into a picture: vector drawing commands, at the chart's
/// size (its bounding rectangle), to be written later. A chart never laid out is drawn at `fallbackSize`.
QPicture recordChart(ChartPanel* panel, QSize fallbackSize = QSize(1000, 620));
/// The same for any widget.
QPicture recordWidget(QWidget* widget, QSize fallbackSize = QSize(1280, 760));
/// Writes a recording as `path`'s format (.png at twice its size, .svg, .pdf); false with *why.
bool writePicture(const QPicture& picture, const QString& path, QString* why);
/// Replays a recording scaled to fit `target` keeping its shape (a report's PDF page).
void paintPicture(const QPicture& picture, QPainter& painter, const QRectF& target);

/// Draws the chart, scaled to fit `target` keeping its shape, with `painter` (a report's PDF page).
void paintChart(ChartPanel* panel, QPainter& painter, const QRectF& target,
                QSize fallbackSize = QSize(1000, 620));

/// Draws any widget, scaled to fit `target` keeping its shape (a report's PDF page).
void paintWidget(QWidget* widget, QPainter& painter, const QRectF& target,
                 QSize fallbackSize = QSize(1000, 620));

/// The same for any widget (e.g. the manager view with its numbers).
bool exportWidget(QWidget* widget, const QString& path, QString* why, QSize fallbackSize = QSize(1280, 760));

}  // namespace distopt::ui
