#include "ui/export/figure_render.hpp"

#include <QDir>
#include <QImage>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgRenderer>

namespace distopt::ui {

bool renderFigures(const QString& folder, QStringList* written, QString* why) {
  auto fail = [why](const QString& text) {
    if (why) *why = text;
    return false;
  };
  const QDir dir(folder);
  const QStringList svgs = dir.entryList({QStringLiteral("*.svg")}, QDir::Files, QDir::Name);
  if (!dir.exists() || svgs.isEmpty()) return fail(QStringLiteral("%1: no SVG figure to render").arg(folder));
  QStringList files;
  for (const QString& svg : svgs) {
    QSvgRenderer renderer(dir.filePath(svg));
    const QSize size = renderer.defaultSize();
    // A figure is a few hundred pixels; anything else is not one of ours.
    if (!renderer.isValid() || size.isEmpty() || size.width() > 10'000 || size.height() > 10'000)
      return fail(QStringLiteral("%1: not an SVG figure that renders").arg(dir.filePath(svg)));
    const QString base = svg.chopped(4);

    QImage image(size * 2, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    {
      QPainter painter(&image);
      painter.setRenderHint(QPainter::Antialiasing, true);
      renderer.render(&painter);
    }
    const QString png = base + QStringLiteral(".png");
    if (!image.save(dir.filePath(png), "PNG"))
      return fail(QStringLiteral("%1: cannot write the file").arg(dir.filePath(png)));
    files << png;

    const QString pdfName = base + QStringLiteral(".pdf");
    QPdfWriter pdf(dir.filePath(pdfName));
    pdf.setCreator(QStringLiteral("DistOpt Workbench"));
    pdf.setTitle(base);
    pdf.setResolution(96);
    // One page the figure's size (SVG pixels at 96 per inch), no margins.
    pdf.setPageSize(
        QPageSize(QSizeF(size.width() * 72.0 / 96.0, size.height() * 72.0 / 96.0), QPageSize::Point));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    QPainter painter;
    if (!painter.begin(&pdf))
      return fail(QStringLiteral("%1: cannot write the file").arg(dir.filePath(pdfName)));
    renderer.render(&painter,
                    QRectF(QPointF(0, 0), pdf.pageLayout().paintRectPixels(pdf.resolution()).size()));
    if (!painter.end()) return fail(QStringLiteral("%1: cannot write the file").arg(dir.filePath(pdfName)));
    files << pdfName;
  }
  if (written) *written = files;
  return true;
}

}  // namespace distopt::ui
