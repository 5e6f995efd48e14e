#pragma once
// Saving what a chart shows as a file a user puts in a paper or a slide: PNG (raster, at twice the
// screen resolution), SVG (vector) or PDF (vector, one page fitted to the chart). The format follows
// the file's extension. Thread: GUI thread only.

#include <QSize>
#include <QString>

#include <optional>

class QPainter;
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

/// Draws the chart, scaled to fit `target` keeping its shape, with `painter` (a report's PDF page).
void paintChart(ChartPanel* panel, QPainter& painter, const QRectF& target, QSize fallbackSize = QSize(1000, 620));

/// Draws any widget, scaled to fit `target` keeping its shape (a report's PDF page).
void paintWidget(QWidget* widget, QPainter& painter, const QRectF& target, QSize fallbackSize = QSize(1000, 620));

/// The same for any widget (e.g. the manager view with its numbers).
bool exportWidget(QWidget* widget, const QString& path, QString* why, QSize fallbackSize = QSize(1280, 760));

}  // namespace distopt::ui
