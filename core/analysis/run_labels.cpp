#include "core/analysis/run_labels.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace distopt {
namespace {

// Leaf path ("algorithm.params.B") -> value as written; `order` gets each path once, as first met (JSON
// objects iterate their keys sorted, so paths come sorted too).
void flatten(const nlohmann::json& value, const std::string& path, std::vector<std::string>& order,
             std::set<std::string>& seen, std::map<std::string, std::string>& leaves) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, child] : value.items())
      flatten(child, path.empty() ? key : path + "." + key, order, seen, leaves);
    return;
  }
  if (seen.insert(path).second) order.push_back(path);
  if (value.is_string()) {
    leaves[path] = value.get<std::string>();
  } else if (value.is_number_float()) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", value.get<double>());
    leaves[path] = text;
  } else {
    leaves[path] = value.dump();
  }
}

bool ignored(const std::string& path) {
  return path == "name" || path == "description" || path == "algorithm.name" || path.empty();
}

std::string lastPart(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

// The notation papers use for the fields people vary most; anything else keeps its own name.
std::string shortName(const std::string& path) {
  if (path == "workers.count") return "n";
  const std::string last = lastPart(path);
  if (last == "gamma" || last == "step_size" || last == "lr") return "γ";
  if (last == "batch" || last == "batch_size") return "B";
  return last;
}

std::string field(const std::string& path, const std::string& value) {
  if (path == "seed") return "seed " + value;
  // Words that name themselves: the problem, the engine, a data set.
  if (path == "problem.name" || path == "engine" || lastPart(path) == "dataset") return value;
  return shortName(path) + "=" + value;
}

std::string stringAt(const nlohmann::json& document, const char* key) {
  if (!document.is_object() || !document.contains(key)) return {};
  const auto& value = document[key];
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("name") && value["name"].is_string())
    return value["name"].get<std::string>();
  return {};
}

}  // namespace

std::vector<std::string> runLabels(const std::vector<LabelledRun>& runs, const RunLabelOptions& options) {
  const std::size_t maxFields = options.isValid(nullptr) ? options.maxFields : RunLabelOptions{}.maxFields;
  std::vector<std::string> order;
  std::set<std::string> seen;
  std::vector<std::map<std::string, std::string>> leaves(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) flatten(runs[i].experiment, "", order, seen, leaves[i]);

  std::vector<std::string> differing;
  for (const std::string& path : order) {
    if (ignored(path)) continue;
    std::set<std::string> values;
    for (const auto& run : leaves) values.insert(run.contains(path) ? run.at(path) : std::string("\x01"));
    if (values.size() > 1) differing.push_back(path);
  }

  std::vector<std::string> labels;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::string label = stringAt(runs[i].experiment, "algorithm");
    if (label.empty()) label = "run";
    std::size_t named = 0;
    for (const std::string& path : differing) {
      if (named == maxFields) break;
      if (!leaves[i].contains(path)) continue;
      label += " " + field(path, leaves[i].at(path));
      ++named;
    }
    if (runs.size() == 1) {
      const std::string name = stringAt(runs[i].experiment, "name");
      if (!name.empty() && name != label) label += " " + name;
    }
    labels.push_back(std::move(label));
  }
  // Runs equal in every field shown (reruns, or differences beyond maxFields) get their ids.
  std::map<std::string, int> count;
  for (const std::string& label : labels) ++count[label];
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (count[labels[i]] > 1) labels[i] += " #" + std::to_string(runs[i].id);
  return labels;
}

}  // namespace distopt
