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

#include "core/registry/option_spec.hpp"

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

struct ProblemEntry {
  std::string name;
  std::string summary;  ///< one line for --list and the GUI
  std::vector<OptionSpec> options;
  /// Builds the problem from validated params (defaults filled). Throws InputError naming the field
  /// (or file:line) for problems only found while building, e.g. a missing or malformed data file.
  std::function<std::unique_ptr<Problem>(const nlohmann::json& params, const ProblemBuildContext& context)> make;
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
