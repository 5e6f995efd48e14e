#include "comparison_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "core/analysis/seed_band.hpp"
#include "core/telemetry/run_files.hpp"
#include "core/util/input_error.hpp"
#include "svg_figure.hpp"
#include "sweep_report.hpp"

namespace distopt::app {
namespace {

constexpr int kGridPoints = 200;
constexpr std::size_t kMaxCurveRows = 5'000'000;

// A run's evaluations.csv, the time column and `column`; rows that do not read as numbers are skipped
// (the file is the run's own, but a folder is outside input all the same).
SampledCurve readCurve(const std::string& folder, const std::string& column) {
  SampledCurve curve;
  std::ifstream in(folder + "/evaluations.csv");
  std::string line;
  if (!std::getline(in, line)) return curve;
  std::vector<std::string> header;
  std::stringstream names(line);
  for (std::string name; std::getline(names, name, ',');) header.push_back(name);
  const auto at = std::find(header.begin(), header.end(), column);
  if (at == header.end() || header.empty() || header[0] != "time") return curve;
  const std::size_t index = static_cast<std::size_t>(at - header.begin());
  while (std::getline(in, line) && curve.x.size() < kMaxCurveRows) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (cells.size() <= index || cells[0].empty() || cells[index].empty()) continue;
    char* end = nullptr;
    const double t = std::strtod(cells[0].c_str(), &end);
    if (*end != '\0' || !std::isfinite(t)) continue;
    const double v = std::strtod(cells[index].c_str(), &end);
    if (*end != '\0' || !std::isfinite(v)) continue;
    if (!curve.x.empty() && t < curve.x.back()) continue;
    curve.x.push_back(t);
    curve.y.push_back(v);
  }
  return curve;
}

std::string number(double value) {
  if (std::isnan(value)) return "-";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

// A time as written in the file (400, 1000, 2000), not in three digits (1e+03).
std::string timeText(double t) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", t);
  return text;
}

std::string valuesText(const nlohmann::json& values) {
  std::string text;
  for (const auto& [path, value] : values.items()) {
    const auto dot = path.rfind('.');
    text += (text.empty() ? "" : ", ") + (dot == std::string::npos ? path : path.substr(dot + 1)) + "=" +
            value.dump();
  }
  return text.empty() ? "(fixed)" : text;
}

std::string curveLabel(const std::string& curve) {
  if (curve == "gap") return "f - f*";
  if (curve == "grad_norm_sq") return "‖∇f‖²";
  if (curve == "test_accuracy") return "test accuracy";
  return "loss";
}

}  // namespace

std::vector<MethodChoice> chooseMethods(const ComparisonSpec& spec, const std::vector<MethodSweep>& methods) {
  std::vector<MethodChoice> choices;
  const SelectionRule& rule = spec.select;
  for (const auto& method : methods) {
    MethodChoice choice;
    choice.name = method.name;
    choice.score = rule.worst();
    // The runs of each point, and the metric of each seed that has a finite one.
    std::map<int, std::vector<const SweepResult*>> byPoint;
    for (const auto& result : method.results) byPoint[result.run.point].push_back(&result);
    for (const auto& [point, runs] : byPoint) {
      std::vector<double> values;
      for (const auto* run : runs) {
        const auto& summary = run->summary;
        double value = rule.worst();  // no result counts as the worst
        if (run->state == SweepRunState::Done && summary.is_object() && summary.contains(rule.metric) &&
            summary.at(rule.metric).is_number() && std::isfinite(summary.at(rule.metric).get<double>()))
          value = summary.at(rule.metric).get<double>();
        values.push_back(value);
      }
      const double score = rule.score(values);
      // The first point, then only a strictly better one: ties keep the earlier (grid order).
      if (choice.point >= 0 && !rule.better(score, choice.score)) continue;
      choice.point = point;
      choice.score = score;
      choice.values = nlohmann::json::object();
      for (const auto& [path, value] : runs.front()->run.assignments) choice.values[path] = value;
      choice.folders.clear();
      for (const auto* run : runs) choice.folders.push_back(run->folder);
      choice.seedsWithResult = static_cast<int>(
          std::count_if(values.begin(), values.end(), [](double v) { return std::isfinite(v); }));
    }

    // The chosen point's curve over seeds, on one grid from 0 to the longest run's end.
    std::vector<SampledCurve> curves;
    for (const auto& folder : choice.folders) curves.push_back(readCurve(folder, spec.curve));
    const SeedBand band = seedBand(curves, kGridPoints);
    choice.x = band.x;
    for (const BandPoint& p : band.points) {
      choice.mean.push_back(p.mean);
      choice.low.push_back(p.min);
      choice.high.push_back(p.max);
    }
    auto present = [](double v) { return std::isnan(v) ? std::nullopt : std::optional<double>(v); };
    for (const double t : spec.checkpoints) {
      const BandPoint p = bandAt(curves, t);
      choice.atCheckpoints.push_back(present(p.mean));
      choice.lowAtCheckpoints.push_back(present(p.min));
      choice.highAtCheckpoints.push_back(present(p.max));
    }
    choices.push_back(std::move(choice));
  }
  return choices;
}

std::string writeComparison(const ComparisonSpec& spec, const std::vector<MethodChoice>& choices,
                            const std::string& folder, const std::string& title) {
  const std::string curve = curveLabel(spec.curve);
  std::ostringstream csv, markdown, curves;
  csv << "method,point,values,score,seeds_with_result";
  markdown << "| method | chosen | " << spec.select.describe() << " | seeds";
  for (const double t : spec.checkpoints) {
    const std::string at = spec.curve + "_at_" + timeText(t);
    csv << "," << at << "_mean," << at << "_min," << at << "_max";
    markdown << " | " << curve << " at t=" << timeText(t);
  }
  csv << "\n";
  markdown << " |\n|---|---|---|---";
  for (std::size_t i = 0; i < spec.checkpoints.size(); ++i) markdown << "|---";
  markdown << "|\n";
  auto optional = [](const std::optional<double>& v) { return v ? number(*v) : std::string("-"); };
  auto quoted = [](const std::string& text) {
    std::string out = "\"";
    for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  nlohmann::json methodsJson = nlohmann::json::array();
  for (const auto& c : choices) {
    csv << quoted(c.name) << ',' << c.point << ',' << quoted(c.values.dump()) << ',' << number(c.score) << ','
        << c.seedsWithResult;
    markdown << "| " << c.name << " | " << (c.point < 0 ? "none" : valuesText(c.values)) << " | "
             << number(c.score) << " | " << c.seedsWithResult << "/" << spec.seeds.size();
    nlohmann::json at = nlohmann::json::array();
    for (std::size_t i = 0; i < spec.checkpoints.size(); ++i) {
      csv << ',' << optional(c.atCheckpoints[i]) << ',' << optional(c.lowAtCheckpoints[i]) << ','
          << optional(c.highAtCheckpoints[i]);
      markdown << " | " << optional(c.atCheckpoints[i]) << " (" << optional(c.lowAtCheckpoints[i]) << " to "
               << optional(c.highAtCheckpoints[i]) << ")";
      at.push_back(
          {{"time", spec.checkpoints[i]},
           {"mean", c.atCheckpoints[i] ? nlohmann::json(*c.atCheckpoints[i]) : nlohmann::json()},
           {"min", c.lowAtCheckpoints[i] ? nlohmann::json(*c.lowAtCheckpoints[i]) : nlohmann::json()},
           {"max", c.highAtCheckpoints[i] ? nlohmann::json(*c.highAtCheckpoints[i]) : nlohmann::json()}});
    }
    csv << "\n";
    markdown << " |\n";
    for (std::size_t i = 0; i < c.x.size(); ++i)
      curves << quoted(c.name) << ',' << c.x[i] << ',' << number(c.mean[i]) << ',' << number(c.low[i]) << ','
             << number(c.high[i]) << "\n";
    methodsJson.push_back({{"name", c.name},
                           {"point", c.point},
                           {"values", c.values},
                           {"score", std::isfinite(c.score) ? nlohmann::json(c.score) : nlohmann::json()},
                           {"seeds_with_result", c.seedsWithResult},
                           {"runs", c.folders},
                           {"checkpoints", at}});
  }
  std::vector<FigureSeries> series;
  for (const auto& c : choices)
    if (c.point >= 0)
      series.push_back({c.values.empty() ? c.name : c.name + " (" + valuesText(c.values) + ")", c.x, c.mean,
                        c.low, c.high});
  FigureOptions figure;
  figure.title = title + ": mean and min-max over " + std::to_string(spec.seeds.size()) + " seeds";
  figure.yLabel = curve;
  figure.logY = spec.curve != "test_accuracy";

  const std::string lost = writeReportFiles(
      folder,
      {{"comparison.csv", csv.str()},
       {"comparison.md", "# " + title + "\n\nBest point of each method by " + spec.select.describe() +
                             "; curve values are the mean (min to max) over seeds.\n\n" + markdown.str()},
       {"curves.csv", "method,time,mean,min,max\n" + curves.str()},
       {"comparison.svg", renderLineFigure(series, figure)},
       {"comparison.json", nlohmann::json{{"title", title},
                                          {"rule", spec.select.describe()},
                                          {"metric", spec.select.metric},
                                          {"statistic", spec.select.statistic},
                                          {"curve", spec.curve},
                                          {"seeds", spec.seeds},
                                          {"methods", methodsJson}}
                               .dump(2)}});
  std::printf("\n%s\n", markdown.str().c_str());
  std::printf("comparison %s/comparison.md (figure comparison.svg, curves.csv)\n", folder.c_str());
  return lost;
}

}  // namespace distopt::app
