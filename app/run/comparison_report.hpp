#pragma once
// The outcome of a fair comparison, from the methods' sweep folders: each method's best point by the
// stated rule, its curve as mean and min–max band over seeds on a common time grid, and the values at
// the checkpoints. Written as comparison.csv, comparison.md, curves.csv, comparison.svg and
// comparison.json in the comparison's folder; everything is read back from the runs' own files, so a
// resumed or finished comparison can be reported again.

#include <optional>
#include <string>
#include <vector>

#include "core/config/comparison_spec.hpp"
#include "sweep_table.hpp"

namespace distopt::app {

struct MethodSweep {
  std::string name;
  std::vector<SweepResult> results;  ///< every run of the method's sweep, as read from its folders
};

/// One method's chosen point and what it gives.
struct MethodChoice {
  std::string name;
  int point = -1;                       ///< -1: no point had a finite value for any seed
  nlohmann::json values;                ///< {"path": value} of the point
  double score = 0;                     ///< the rule's statistic at the chosen point (inf/-inf: none)
  int seedsWithResult = 0;              ///< seeds of the point with a finite metric
  std::vector<std::string> folders;     ///< the point's runs (one per seed)
  std::vector<double> x, mean, low, high;  ///< the curve on the common grid
  std::vector<std::optional<double>> atCheckpoints, lowAtCheckpoints, highAtCheckpoints;
};

/// Chooses each method's point and builds its curve (reading the runs' evaluations.csv).
std::vector<MethodChoice> chooseMethods(const ComparisonSpec& spec, const std::vector<MethodSweep>& methods);

/// Writes the comparison files into `folder` and prints the table; the reason a file could not be
/// written, or empty.
std::string writeComparison(const ComparisonSpec& spec, const std::vector<MethodChoice>& choices,
                            const std::string& folder, const std::string& title);

}  // namespace distopt::app
