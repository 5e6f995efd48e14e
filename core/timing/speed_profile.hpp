#pragma once
// Deterministic per-worker base times tau_i = c * h(i) + offset_eps * i (docs/papers.md, async-sgd §3, TM-1),
// shared by the models that start from fixed base times: "fixed" itself, "jitter" (TM-3) and the
// compact form of "universal" (TM-5). i is 1-based in the formula; worker indices in code are 0-based.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry/option_spec.hpp"

namespace distopt {

/// The shape h(i) of the base times.
enum class SpeedShape {
  One,     ///< h(i) = 1 (equal speeds)
  Sqrt,    ///< h(i) = sqrt(i), the standard example of the Ringmaster/Rennala papers
  Linear,  ///< h(i) = i
  Square,  ///< h(i) = i^2
  List,    ///< h(i) = times[i-1], given explicitly
};

template <typename T>
class EnumTable;
/// The "h" option's choices: "one", "sqrt", "linear", "square", "list".
const EnumTable<SpeedShape>& speedShapes();
const char* speedShapeName(SpeedShape shape);

struct SpeedProfile {
  /// Scale c (time units), > 0.
  double c = 1.0;
  /// Shape h of the base times.
  SpeedShape h = SpeedShape::Sqrt;
  /// h(i) per worker when h == List (each > 0); its length must equal the number of workers, which
  /// only the registry entry's make() can check (see checkFits).
  std::vector<double> times;
  /// Added as offset_eps * i (1-based i, >= 0) so equal speeds can be made distinct without ties,
  /// e.g. E5's tau_i = 1 + 1e-6 i is h = One, offsetEps = 1e-6.
  double offsetEps = 0.0;

  /// Checks what does not depend on the number of workers.
  bool isValid(std::string* why) const;
  /// Throws InputError naming `path`.times (or `path`.FIELD) when the profile cannot describe
  /// `numWorkers` workers, e.g. a list of the wrong length.
  void checkFits(int numWorkers, const std::string& path) const;
  /// tau_i for i = 1..numWorkers (index i-1); requires isValid() and a fitting list.
  std::vector<double> baseTimes(int numWorkers) const;

  /// Option metadata for c, h, times, offset_eps (help says "base time" or the caller's `what`).
  static std::vector<OptionSpec> optionSpecs(const std::string& what = "time per gradient");
  /// Reads the fields from validated params (defaults filled); `path` names them in errors.
  static SpeedProfile fromParams(const nlohmann::json& params, const std::string& path);
};

}  // namespace distopt
