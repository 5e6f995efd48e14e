#pragma once
// The command line's figures (sweep.svg, comparison.svg: written by distopt-run, which links no Qt) as
// PNG and PDF beside them, so a sweep or comparison folder holds its figures in all three formats.
// QtSvg renders the SVG; the PDF stays vector. Used when a sweep ends in the sweep panel and by
// `distopt-workbench --export-figures DIR`.
// Thread: any (no widgets), with a QGuiApplication for fonts.

#include <QString>
#include <QStringList>

namespace distopt::ui {

/// For every *.svg at the top of `folder`: NAME.png (twice the SVG's size, on white) and NAME.pdf.
/// Returns false with *why naming the file when an SVG does not render or a file cannot be written
/// (figures done before it stay); a folder without SVGs is refused too.
bool renderFigures(const QString& folder, QStringList* written, QString* why);

}  // namespace distopt::ui
