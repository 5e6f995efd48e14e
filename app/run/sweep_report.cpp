#include "sweep_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "core/telemetry/run_files.hpp"
#include "core/util/input_error.hpp"
#include "svg_figure.hpp"

namespace distopt::app {
namespace {

struct MetricColumn {
  const char* field;
  const char* title;
};
constexpr MetricColumn kMetrics[] = {{"final_gap", "final f - f*"},
                                     {"final_loss", "final loss"},
                                     {"final_test_accuracy", "test accuracy"},
                                     {"final_grad_norm_sq", "final ‖∇f‖²"},
                                     {"time_to_target", "time to target"}};

std::vector<double> finiteValues(const std::vector<const SweepResult*>& runs, const char* field) {
  std::vector<double> values;
  for (const auto* run : runs) {
    if (run->state != SweepRunState::Done || !run->summary.is_object()) continue;
    const auto found = run->summary.find(field);
    if (found != run->summary.end() && found->is_number() && std::isfinite(found->get<double>()))
      values.push_back(found->get<double>());
  }
  return values;
}

std::string meanStd(const std::vector<double>& values) {
  if (values.empty()) return "-";
  double mean = 0;
  for (const double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double var = 0;
  for (const double v : values) var += (v - mean) * (v - mean);
  const double sd = values.size() > 1 ? std::sqrt(var / static_cast<double>(values.size() - 1)) : 0.0;
  char text[64];
  if (values.size() > 1)
    std::snprintf(text, sizeof text, "%.3g ± %.2g", mean, sd);
  else
    std::snprintf(text, sizeof text, "%.3g", mean);
  return text;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

std::string shortName(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

}  // namespace

std::string writeReportFiles(const std::string& folder,
                             const std::vector<std::pair<std::string, std::string>>& files) {
  std::string lost;
  for (const auto& [name, text] : files) {
    try {
      writeTextFile(folder + "/" + name, text);
    } catch (const InputError& e) {
      if (lost.empty()) lost = e.what();
    }
  }
  return lost;
}

std::string writeSweepReport(const std::string& folder, const std::string& title, const SweepSpec& spec,
                             const std::vector<SweepResult>& results) {
  std::map<int, std::vector<const SweepResult*>> byPoint;
  for (const auto& result : results) byPoint[result.run.point].push_back(&result);
  // Only the metrics some run has.
  std::vector<MetricColumn> shown;
  for (const auto& metric : kMetrics) {
    std::vector<const SweepResult*> all;
    for (const auto& r : results) all.push_back(&r);
    if (!finiteValues(all, metric.field).empty()) shown.push_back(metric);
  }

  std::ostringstream md;
  md << "# " << title
     << "\n\nOne row per point: each metric as mean ± standard deviation over the seeds that have it.\n\n|";
  for (const auto& axis : spec.axes) md << ' ' << shortName(axis.path) << " |";
  md << " runs | diverged |";
  for (const auto& metric : shown) md << ' ' << metric.title << " |";
  md << "\n|";
  for (std::size_t i = 0; i < spec.axes.size() + 2 + shown.size(); ++i) md << "---|";
  md << "\n";
  for (const auto& [point, runs] : byPoint) {
    md << '|';
    for (const auto& [path, value] : runs.front()->run.assignments) md << ' ' << value.dump() << " |";
    int done = 0, diverged = 0;
    for (const auto* run : runs) {
      done += run->state == SweepRunState::Done;
      diverged += run->state == SweepRunState::Done && run->summary.value("termination", "") == "diverged";
    }
    md << ' ' << done << '/' << runs.size() << " | " << diverged << " |";
    for (const auto& metric : shown) md << ' ' << meanStd(finiteValues(runs, metric.field)) << " |";
    md << "\n";
  }

  // The figure: the main metric against the first numeric axis, a line per combination of the others.
  std::string svg;
  const MetricColumn* main = shown.empty() ? nullptr : &shown.front();
  std::size_t xAxis = spec.axes.size();
  for (std::size_t a = 0; a < spec.axes.size() && xAxis == spec.axes.size(); ++a) {
    bool numeric = true;
    for (const auto& r : results)
      numeric = numeric && r.run.assignments.size() > a && r.run.assignments[a].second.is_number();
    if (numeric) xAxis = a;
  }
  if (main && xAxis < spec.axes.size()) {
    std::map<std::string, std::map<double, std::vector<double>>> lines;  // others -> x -> values
    for (const auto& [point, runs] : byPoint) {
      std::string others;
      for (std::size_t a = 0; a < runs.front()->run.assignments.size(); ++a)
        if (a != xAxis)
          others += (others.empty() ? "" : ", ") + shortName(runs.front()->run.assignments[a].first) + "=" +
                    runs.front()->run.assignments[a].second.dump();
      const double x = runs.front()->run.assignments[xAxis].second.get<double>();
      auto& values = lines[others][x];
      const auto finite = finiteValues(runs, main->field);
      values.insert(values.end(), finite.begin(), finite.end());
    }
    std::vector<FigureSeries> series;
    double xLow = INFINITY, xHigh = -INFINITY, yLow = INFINITY;
    for (const auto& [others, points] : lines) {
      FigureSeries s;
      s.label = others.empty() ? std::string(main->title) : others;
      for (const auto& [x, values] : points) {
        if (values.empty()) continue;
        s.x.push_back(x);
        s.mean.push_back(median(values));
        s.low.push_back(*std::min_element(values.begin(), values.end()));
        s.high.push_back(*std::max_element(values.begin(), values.end()));
        xLow = std::min(xLow, x);
        xHigh = std::max(xHigh, x);
        yLow = std::min(yLow, s.low.back());
      }
      if (!s.x.empty()) series.push_back(std::move(s));
    }
    FigureOptions figure;
    figure.title = title + ": " + main->title + " (median and min-max over seeds)";
    figure.xLabel = spec.axes[xAxis].path;
    figure.yLabel = main->title;
    figure.logX = xLow > 0 && xHigh / xLow >= 10;
    figure.logY = yLow > 0 && std::string(main->field) != "final_test_accuracy";
    if (!series.empty()) svg = renderLineFigure(series, figure);
  }

  std::vector<std::pair<std::string, std::string>> files{{"sweep.md", md.str()}};
  if (!svg.empty()) files.emplace_back("sweep.svg", svg);
  return writeReportFiles(folder, files);
}

}  // namespace distopt::app
