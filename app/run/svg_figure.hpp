#pragma once
// A line figure with bands as SVG text, for reports written without a display or Qt (distopt-run's
// comparisons): mean lines, min–max bands, a linear x axis, a linear or log y axis with its units, and a
// legend that never cuts a name. Colours are the Okabe–Ito palette (distinct for colour-blind readers).

#include <string>
#include <vector>

namespace distopt::app {

struct FigureSeries {
  std::string label;
  std::vector<double> x;
  std::vector<double> mean;
  std::vector<double> low;   ///< band's lower edge (same size as x; empty for no band)
  std::vector<double> high;  ///< band's upper edge
};

struct FigureOptions {
  std::string title;
  std::string xLabel = "time (units)";
  std::string yLabel;
  bool logY = true;   ///< values <= 0 are left out on a log axis
  bool logX = false;  ///< the same for x (a swept step size)
  int width = 900;   ///< pixels (the SVG scales; this sets the aspect and the text size relative to it)
  int height = 540;
};

/// The figure as an SVG document.
std::string renderLineFigure(const std::vector<FigureSeries>& series, const FigureOptions& options);

}  // namespace distopt::app
