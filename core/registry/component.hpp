#pragma once
// Registry entries: how each component (problem, time model, algorithm) describes itself and is built
// from its validated "params" object. Each component's source file provides one `...Entry()` function;
// core/registry/registry.cpp lists them all.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry/family.hpp"
#include "core/registry/option_spec.hpp"
#include "core/registry/problem_capability.hpp"

namespace distopt {

class Problem;
class TimeModel;

/// What a problem needs besides its own params to build itself.
struct ProblemBuildContext {
  /// Directory that relative data paths in the experiment are resolved against: the experiment
  /// file's own directory, also for paths given with --set (so a file means the same wherever it is
  /// run from).
  std::string baseDirectory;
  /// The run seed (synthetic data, initial points).
  std::uint64_t seed = 0;
  /// Field path of the params object, for error messages, e.g. "problem.params".
  std::string path = "problem.params";
};

/// What one process holds for a problem, estimated from its validated params before anything is built
/// (core/config/memory_estimate refuses a run the machine cannot hold).
struct ProblemFootprint {
  double dataBytes = 0.0;  ///< the data set, read or generated, as held in memory
  double dimension = 0.0;  ///< d: every model-sized vector is 8·d bytes (0: not known before reading data)
};

/// The run a problem is part of, for checks between the problem's params and the rest of the file.
struct ProblemRunShape {
  int workers = 1;
  std::string sharding;         ///< data.sharding
  FamilyId algorithmFamily = FamilyId::Async;  ///< AlgorithmEntry::family
};

struct ProblemEntry {
  std::string name;
  std::string summary;  ///< one line for --list and the GUI
  std::vector<OptionSpec> options;
  /// What every problem this entry builds offers, whatever its params.
  std::vector<ProblemCapability> capabilities;
  bool has(ProblemCapability capability) const {
    for (const auto c : capabilities)
      if (c == capability) return true;
    return false;
  }
  /// Builds the problem from validated params (defaults filled). Throws InputError naming the field
  /// (or file:line) for problems only found while building, e.g. a missing or malformed data file.
  std::function<std::unique_ptr<Problem>(const nlohmann::json& params, const ProblemBuildContext& context)> make;
  /// Estimates the footprint from validated params; data files are only measured (their size, a gzip
  /// file's recorded length), never read. Unset: the problem's footprint is negligible.
  std::function<ProblemFootprint(const nlohmann::json& params, const ProblemBuildContext& context)> footprint;
  /// Checks params that must agree with the rest of the experiment (e.g. one data block per worker);
  /// throws InputError naming the field. Unset: nothing to check.
  std::function<void(const nlohmann::json& params, const ProblemRunShape& run, const std::string& path)>
      checkRun;
};

struct TimeModelEntry {
  std::string name;
  std::string summary;
  std::vector<OptionSpec> options;
  /// Builds the model for `numWorkers` workers; random draws are keyed by `runSeed`. Throws InputError.
  std::function<std::unique_ptr<TimeModel>(const nlohmann::json& params, int numWorkers, std::uint64_t runSeed,
                                           const std::string& path)>
      make;
};

}  // namespace distopt
