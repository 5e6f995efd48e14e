#pragma once
// Short legend labels for runs shown together (history overlays, a baseline, a report's comparison):
// each run is named by its method and by what differs between the runs ("rennala B=4 seed 1"), not by
// its whole configuration, so a legend stays short enough to read in full. Thread: any (pure).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace distopt {

struct LabelledRun {
  std::int64_t id = 0;        ///< the store's run id: names runs that differ in nothing else
  nlohmann::json experiment;  ///< the experiment document (anything else is treated as empty)
};

struct RunLabelOptions {
  /// At most this many differing fields are named per label (the rest would make it unreadable).
  std::size_t maxFields = 4;
  bool isValid(std::string* why) const {
    if (maxFields == 0) {
      if (why) *why = "maxFields must be at least 1";
      return false;
    }
    return true;
  }
};

/// One label per run, in order: the algorithm's name, then every field whose value differs between the
/// runs (at most options.maxFields, sorted by path: algorithm's parameters, problem, seed, workers), as
/// "B=4", "γ=0.5", "n=16" (worker count), "seed 1"; a differing problem or engine is named by its value
/// ("quadratic", "sim"). The run's name and description never count. Runs whose labels would still be equal
/// get " #id". A single run is named by its algorithm and its experiment's name.
std::vector<std::string> runLabels(const std::vector<LabelledRun>& runs, const RunLabelOptions& options = {});

}  // namespace distopt
