#include "svg_figure.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace distopt::app {
namespace {

constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#000000", "#F0E442"};

std::string escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

// 1, 2 or 5 times a power of ten, about `count` steps over [low, high].
double niceStep(double low, double high, int count) {
  const double raw = (high - low) / std::max(count, 1);
  if (!(raw > 0)) return 1;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * power) return m * power;
  return 10 * power;
}

}  // namespace

std::string renderLineFigure(const std::vector<FigureSeries>& given, const FigureOptions& options) {
  // A log x axis is a linear one over log10(x), with decade ticks.
  std::vector<FigureSeries> series = given;
  if (options.logX)
    for (auto& s : series)
      for (auto& x : s.x) x = x > 0 ? std::log10(x) : std::numeric_limits<double>::quiet_NaN();
  const double left = 80, right = 20, top = options.title.empty() ? 20 : 44, bottom = 56;
  const double plotW = options.width - left - right, plotH = options.height - top - bottom;
  auto usable = [&](double y) { return std::isfinite(y) && (!options.logY || y > 0); };

  double xMin = std::numeric_limits<double>::infinity(), xMax = -xMin, yMin = xMin, yMax = -xMin;
  for (const auto& s : series)
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i])) continue;
      for (const auto* v : {&s.mean, &s.low, &s.high}) {
        if (i >= v->size() || !usable((*v)[i])) continue;
        xMin = std::min(xMin, s.x[i]);
        xMax = std::max(xMax, s.x[i]);
        yMin = std::min(yMin, (*v)[i]);
        yMax = std::max(yMax, (*v)[i]);
      }
    }
  if (!(xMin <= xMax)) xMin = 0, xMax = 1, yMin = options.logY ? 0.1 : 0, yMax = 1;
  if (xMax == xMin) xMax = xMin + 1;
  double ly = options.logY ? std::floor(std::log10(yMin)) : yMin;
  double hy = options.logY ? std::ceil(std::log10(yMax)) : yMax;
  if (hy == ly) hy = ly + 1;
  const double xStep = options.logX ? std::max(1.0, std::ceil((std::ceil(xMax) - std::floor(xMin)) / 8))
                                    : niceStep(xMin, xMax, 6);
  xMin = std::floor(xMin / xStep) * xStep;
  xMax = std::ceil(xMax / xStep) * xStep;
  if (xMax == xMin) xMax = xMin + xStep;
  double yStep = options.logY ? std::max(1.0, std::ceil((hy - ly) / 8)) : niceStep(ly, hy, 6);
  if (!options.logY) {
    ly = std::floor(ly / yStep) * yStep;
    hy = std::ceil(hy / yStep) * yStep;
  }
  auto px = [&](double x) { return left + (x - xMin) / (xMax - xMin) * plotW; };
  auto py = [&](double y) {
    const double v = options.logY ? std::log10(y) : y;
    return top + (1 - (v - ly) / (hy - ly)) * plotH;
  };

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << options.width << "\" height=\""
      << options.height << "\" viewBox=\"0 0 " << options.width << ' ' << options.height
      << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"13\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (!options.title.empty())
    svg << "<text x=\"" << options.width / 2 << "\" y=\"26\" text-anchor=\"middle\" font-size=\"15\">"
        << escaped(options.title) << "</text>\n";
  // Grid and ticks.
  svg << "<g stroke=\"#dddddd\" stroke-width=\"1\">\n";
  for (double x = xMin; x <= xMax + xStep / 2; x += xStep)
    svg << "<line x1=\"" << px(x) << "\" y1=\"" << top << "\" x2=\"" << px(x) << "\" y2=\"" << top + plotH
        << "\"/>\n";
  for (double v = ly; v <= hy + yStep / 2; v += yStep) {
    const double y = top + (1 - (v - ly) / (hy - ly)) * plotH;
    svg << "<line x1=\"" << left << "\" y1=\"" << y << "\" x2=\"" << left + plotW << "\" y2=\"" << y
        << "\"/>\n";
  }
  svg << "</g>\n<g fill=\"#333333\">\n";
  for (double x = xMin; x <= xMax + xStep / 2; x += xStep)
    svg << "<text x=\"" << px(x) << "\" y=\"" << top + plotH + 18 << "\" text-anchor=\"middle\">"
        << (options.logX ? "1e" + number(x) : number(x)) << "</text>\n";
  for (double v = ly; v <= hy + yStep / 2; v += yStep) {
    const double y = top + (1 - (v - ly) / (hy - ly)) * plotH;
    const std::string label = options.logY ? "1e" + number(v) : number(v);
    svg << "<text x=\"" << left - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">" << label
        << "</text>\n";
  }
  svg << "<text x=\"" << left + plotW / 2 << "\" y=\"" << options.height - 12 << "\" text-anchor=\"middle\">"
      << escaped(options.xLabel) << (options.logX ? " (log scale)" : "") << "</text>\n"
      << "<text transform=\"translate(18 " << top + plotH / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
      << escaped(options.yLabel) << (options.logY ? " (log scale)" : "") << "</text>\n</g>\n"
      << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << plotW << "\" height=\"" << plotH
      << "\" fill=\"none\" stroke=\"#333333\"/>\n"
      // In <defs>: renderers without clipping (SVG Tiny, QtSvg for the PNG and PDF) would otherwise draw
      // the clip rectangle itself, a black plot area.
      << "<defs><clipPath id=\"plot\"><rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << plotW
      << "\" height=\"" << plotH << "\"/></clipPath></defs>\n<g clip-path=\"url(#plot)\">\n";

  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    const char* colour = kPalette[k % std::size(kPalette)];
    if (s.low.size() == s.x.size() && s.high.size() == s.x.size()) {
      std::ostringstream upper, lower;
      int points = 0;
      for (std::size_t i = 0; i < s.x.size(); ++i)
        if (usable(s.low[i]) && usable(s.high[i])) {
          upper << px(s.x[i]) << ',' << py(s.high[i]) << ' ';
          ++points;
        }
      for (std::size_t i = s.x.size(); i-- > 0;)
        if (usable(s.low[i]) && usable(s.high[i])) lower << px(s.x[i]) << ',' << py(s.low[i]) << ' ';
      if (points > 1)
        svg << "<polygon points=\"" << upper.str() << lower.str() << "\" fill=\"" << colour
            << "\" fill-opacity=\"0.18\" stroke=\"none\"/>\n";
    }
    svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"2\" points=\"";
    for (std::size_t i = 0; i < s.x.size() && i < s.mean.size(); ++i)
      if (usable(s.mean[i])) svg << px(s.x[i]) << ',' << py(s.mean[i]) << ' ';
    svg << "\"/>\n";
  }
  svg << "</g>\n";
  // Legend: as wide as its longest name (about 7.5 px a character at 13 px), top right inside the plot.
  std::size_t longest = 0;
  for (const auto& s : series) longest = std::max(longest, s.label.size());
  const double legendW = 44 + 8.0 * static_cast<double>(longest),
               legendH = 8 + 20.0 * static_cast<double>(series.size());
  const double lx = left + plotW - legendW - 8, ly0 = top + 8;
  if (!series.empty())
    svg << "<rect x=\"" << lx << "\" y=\"" << ly0 << "\" width=\"" << legendW << "\" height=\"" << legendH
        << "\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#999999\"/>\n";
  for (std::size_t k = 0; k < series.size(); ++k) {
    const double y = ly0 + 16 + 20.0 * static_cast<double>(k);
    svg << "<line x1=\"" << lx + 8 << "\" y1=\"" << y - 4 << "\" x2=\"" << lx + 30 << "\" y2=\"" << y - 4
        << "\" stroke=\"" << kPalette[k % std::size(kPalette)] << "\" stroke-width=\"3\"/>\n"
        << "<text x=\"" << lx + 36 << "\" y=\"" << y << "\">" << escaped(series[k].label) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace distopt::app
