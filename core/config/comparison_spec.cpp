#include "core/config/comparison_spec.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "core/util/input_error.hpp"

namespace distopt {
namespace {

const std::set<std::string> kMetrics = {"final_loss", "final_gap", "final_grad_norm_sq",
                                        "final_test_accuracy", "time_to_target"};
const std::set<std::string> kStatistics = {"median", "mean", "max"};
const std::set<std::string> kCurves = {"loss", "gap", "grad_norm_sq", "test_accuracy"};
constexpr std::size_t kMaxMethods = 16;

std::vector<std::string> assignmentsAt(const nlohmann::json& set, const std::string& where) {
  std::vector<std::string> assignments;
  if (set.is_array()) {
    for (const auto& item : set) {
      if (!item.is_string()) throw InputError(where, "each entry is a text \"PATH=VALUE\"");
      assignments.push_back(item.get<std::string>());
    }
  } else if (set.is_object()) {
    for (const auto& [field, value] : set.items()) assignments.push_back(field + "=" + value.dump());
  } else {
    throw InputError(where, "must be a list of \"PATH=VALUE\" or an object {PATH: VALUE}");
  }
  return assignments;
}

std::string textAt(const nlohmann::json& object, const char* key, const std::string& where,
                   const std::set<std::string>& allowed, const std::string& fallback) {
  if (!object.contains(key)) return fallback;
  const auto& value = object.at(key);
  std::string known;
  for (const auto& a : allowed) known += (known.empty() ? "" : ", ") + a;
  if (!value.is_string() || !allowed.contains(value.get<std::string>()))
    throw InputError(where + "." + key, "must be one of " + known);
  return value.get<std::string>();
}

}  // namespace

double SelectionRule::worst() const {
  return higherIsBetter() ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity();
}

double SelectionRule::score(std::vector<double> values) const {
  if (values.empty()) return worst();
  if (statistic == "mean") {
    double sum = 0;
    for (const double v : values) sum += v;
    return sum / static_cast<double>(values.size());
  }
  std::sort(values.begin(), values.end());
  if (statistic == "max") return higherIsBetter() ? values.front() : values.back();  // the worst seed
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

std::string SelectionRule::describe() const {
  const std::string what = metric == "final_gap"             ? "final f - f*"
                           : metric == "final_loss"          ? "final loss"
                           : metric == "final_grad_norm_sq"  ? "final ‖∇f‖²"
                           : metric == "final_test_accuracy" ? "final test accuracy"
                                                             : "time to target";
  const std::string over = statistic == "max" ? "worst seed" : statistic + " over seeds";
  return what + ", " + over + " (" + (higherIsBetter() ? "higher" : "lower") + " is better)";
}

bool isComparisonDocument(const nlohmann::json& document) {
  return document.is_object() && document.contains("methods");
}

ComparisonSpec comparisonFromJson(const nlohmann::json& document, const std::string& where) {
  if (!document.is_object()) throw InputError(where, "a comparison must be a JSON object");
  for (const auto& [key, value] : document.items())
    if (key != "name" && key != "description" && key != "experiment" && key != "set" && key != "methods" &&
        key != "seeds" && key != "jobs" && key != "select" && key != "curve" && key != "checkpoints")
      throw InputError(where + "." + key,
                       "unknown field (known: name, description, experiment, set, methods, "
                       "seeds, jobs, select, curve, checkpoints)");
  ComparisonSpec spec;
  // Seeds and jobs read as a sweep's: the same syntax, the same limits.
  nlohmann::json shared = nlohmann::json::object();
  for (const char* key : {"seeds", "jobs"})
    if (document.contains(key)) shared[key] = document.at(key);
  if (!shared.contains("seeds"))
    throw InputError(where + ".seeds", "is missing (the seeds every method runs)");
  const SweepSpec common = sweepFromJson(shared, where);
  spec.seeds = common.seeds;
  spec.jobs = common.jobs;
  if (spec.seeds.empty()) throw InputError(where + ".seeds", "must list at least one seed");

  if (document.contains("select")) {
    const auto& select = document.at("select");
    if (!select.is_object())
      throw InputError(where + ".select", "must be {\"metric\": ..., \"statistic\": ...}");
    for (const auto& [key, value] : select.items())
      if (key != "metric" && key != "statistic")
        throw InputError(where + ".select." + key, "unknown field (known: metric, statistic)");
    spec.select.metric = textAt(select, "metric", where + ".select", kMetrics, spec.select.metric);
    spec.select.statistic =
        textAt(select, "statistic", where + ".select", kStatistics, spec.select.statistic);
  }
  spec.curve = textAt(document, "curve", where, kCurves, spec.curve);
  if (document.contains("checkpoints")) {
    const auto& checkpoints = document.at("checkpoints");
    if (!checkpoints.is_array() || checkpoints.size() > 32)
      throw InputError(where + ".checkpoints", "must be a list of at most 32 times");
    for (const auto& t : checkpoints) {
      if (!t.is_number() || !std::isfinite(t.get<double>()) || t.get<double>() < 0)
        throw InputError(where + ".checkpoints", "each must be a finite time >= 0");
      spec.checkpoints.push_back(t.get<double>());
    }
  }

  if (!document.contains("methods")) throw InputError(where + ".methods", "is missing");
  const auto& methods = document.at("methods");
  if (!methods.is_array() || methods.empty() || methods.size() > kMaxMethods)
    throw InputError(where + ".methods",
                     "must be a list of 1 to " + std::to_string(kMaxMethods) + " methods");
  std::set<std::string> slugs;
  long long runs = 0;
  for (std::size_t i = 0; i < methods.size(); ++i) {
    const std::string at = where + ".methods." + std::to_string(i);
    const auto& entry = methods[i];
    if (!entry.is_object()) throw InputError(at, "must be {\"name\": ..., \"set\": ..., \"axes\": [...]}");
    for (const auto& [key, value] : entry.items())
      if (key != "name" && key != "set" && key != "axes" && key != "sample" && key != "sample_seed")
        throw InputError(at + "." + key, "unknown field (known: name, set, axes, sample, sample_seed)");
    ComparisonMethod method;
    if (!entry.contains("name") || !entry.at("name").is_string() ||
        entry.at("name").get<std::string>().empty() || entry.at("name").get<std::string>().size() > 80)
      throw InputError(at + ".name", "must be a text of 1 to 80 characters");
    method.name = entry.at("name").get<std::string>();
    if (!slugs.insert(methodSlug(method.name)).second)
      throw InputError(at + ".name",
                       "\"" + method.name + "\" names a method twice (or two names make one folder)");
    if (entry.contains("set")) method.assignments = assignmentsAt(entry.at("set"), at + ".set");
    nlohmann::json axes = nlohmann::json::object();
    for (const char* key : {"axes", "sample", "sample_seed"})
      if (entry.contains(key)) axes[key] = entry.at(key);
    axes["seeds"] = spec.seeds;
    axes["jobs"] = spec.jobs;
    method.spec = sweepFromJson(axes, at);
    runs += method.spec.runCount();
    if (runs > kSweepMaxRuns)
      throw InputError(where + ".methods",
                       "the comparison has more than " + std::to_string(kSweepMaxRuns) + " runs");
    spec.methods.push_back(std::move(method));
  }
  return spec;
}

std::string methodSlug(const std::string& name) {
  std::string slug;
  for (const char c : name) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      slug += c;
    else if (c >= 'A' && c <= 'Z')
      slug += static_cast<char>(c - 'A' + 'a');
    else if (!slug.empty() && slug.back() != '-')
      slug += '-';
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug.empty() ? "method" : slug;
}

}  // namespace distopt
