#pragma once
// A fair comparison: several methods on one experiment, each tuned on its own grid, all with the same
// seeds and the same budget (the experiment's stop rule, plus the comparison's "set"), each method's
// best point chosen by one stated rule. In a sweep file it is the "methods" form:
//
// {"name": ..., "experiment": "EXP.json", "set": {"stop.time": 2000},
//  "seeds": "1..3", "jobs": 2,
//  "select": {"metric": "final_gap", "statistic": "median"},
//  "curve": "gap", "checkpoints": [400, 1000, 2000],
//  "methods": [{"name": "Ringmaster", "set": {"algorithm": {"name": "ringmaster", "params": {"R": 6}}},
//               "axes": [{"path": "algorithm.params.gamma", "values": "0.008..25/log:6"}]}, ...]}

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/sweep_spec.hpp"

namespace distopt {

/// How a method's best point is chosen: the `statistic` over seeds of a summary field `metric`.
/// A run without a finite value of the metric (diverged, failed) counts as the worst possible.
struct SelectionRule {
  std::string metric =
      "final_gap";  ///< final_loss, final_gap, final_grad_norm_sq, final_test_accuracy, time_to_target
  std::string statistic = "median";  ///< median, mean, max (the worst seed)
  /// Test accuracy is better higher; every other metric lower.
  bool higherIsBetter() const { return metric == "final_test_accuracy"; }
  /// "median over seeds of final f − f* (lower is better)", for tables and notes.
  std::string describe() const;
  /// The statistic over one point's seeds. A seed without a finite value must be passed as the worst
  /// possible (+inf, or -inf when higher is better); no seeds at all scores the worst.
  double score(std::vector<double> values) const;
  /// Whether score `a` beats score `b` (strictly: ties keep the earlier point).
  bool better(double a, double b) const { return higherIsBetter() ? a > b : a < b; }
  /// The worst possible value of the metric, what a seed without a result counts as.
  double worst() const;
};

struct ComparisonMethod {
  std::string name;                      ///< as shown in tables and legends
  std::vector<std::string> assignments;  ///< PATH=VALUE applied to every run of the method
  SweepSpec spec;                        ///< its axes (grid or sample); seeds and jobs are the comparison's
};

struct ComparisonSpec {
  std::vector<ComparisonMethod> methods;
  std::vector<std::uint64_t> seeds;  ///< the same for every method (at least one)
  int jobs = 1;
  SelectionRule select;
  /// evaluations.csv column drawn and tabulated: loss, gap, grad_norm_sq or test_accuracy.
  std::string curve = "gap";
  /// Times at which the table gives each chosen method's curve (mean, min, max over seeds).
  std::vector<double> checkpoints;
};

/// True when a sweep file's document is a comparison (has "methods").
bool isComparisonDocument(const nlohmann::json& document);

/// Reads the comparison fields of a sweep file's document ("methods", "seeds", "jobs", "select",
/// "curve", "checkpoints"; "name", "description", "experiment" and "set" are left to the caller).
/// Throws InputError naming the field.
ComparisonSpec comparisonFromJson(const nlohmann::json& document, const std::string& where);

/// A folder name for a method: lower case letters, digits and '-' ("DA-ASGD γ" -> "da-asgd").
std::string methodSlug(const std::string& name);

}  // namespace distopt
