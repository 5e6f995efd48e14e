#pragma once
// A sweep: one experiment run over a grid (the Cartesian product of each swept field's values) or over
// K random points drawn from ranges, each point once per seed. Parsing is pure (no files, no processes)
// and refuses bad text with an InputError naming the option, so the command line, a sweep file and the
// fuzzer all go through the same checks before any run starts.
//
// Field values, as given to `--sweep PATH=SPEC` or in a sweep file's "axes":
//   0.1,0.2,0.4           a list (each item JSON, or a bare word taken as a string: rennala,ringmaster)
//   1..8                  every integer from 1 to 8 (a grid); with --sample, integers drawn uniformly
//   1e-4..1/log:7         7 values spaced evenly on a log scale (/lin:N: on a linear scale)
//   1e-4..1/log           with --sample: drawn log-uniformly (step sizes); /lin or no suffix: uniformly

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace distopt {

/// Upper bounds that keep a typo ("1..1e9") from planning a billion runs.
inline constexpr int kSweepMaxValuesPerAxis = 10'000;
inline constexpr int kSweepMaxRuns = 100'000;
inline constexpr int kSweepMaxJobs = 256;

/// One swept experiment field.
struct SweepAxis {
  std::string path;                    ///< the field, as --set names it ("algorithm.params.gamma")
  std::vector<nlohmann::json> values;  ///< explicit values (a list, an integer range, or a spaced range)
  /// A range to draw from with --sample; unset for an axis of explicit values.
  std::optional<std::pair<double, double>> range;
  bool logScale = false;  ///< the range is drawn log-uniformly
  bool integer = false;   ///< the range holds integers (both ends written as integers)

  /// How the axis was written, for messages and for sweep.json.
  std::string text;
};

struct SweepSpec {
  /// The swept fields, in the order given; a point assigns one value of each.
  std::vector<SweepAxis> axes;
  /// Each point runs once per seed (the experiment's "seed"); empty = the experiment's own seed.
  std::vector<std::uint64_t> seeds;
  /// 0 = the grid (every combination of the axes' values); K > 0 = K points drawn at random.
  int sample = 0;
  /// Seed of the draws for `sample` (the same value draws the same points).
  std::uint64_t sampleSeed = 1;
  /// Runs at a time.
  int jobs = 1;

  /// False with "field: reason" when the axes and options cannot make a sweep (a range in a grid, too
  /// many runs, a field swept twice, ...).
  bool isValid(std::string* why) const;
  /// Points times seeds (0 when invalid).
  long long runCount() const;
};

/// One run of a sweep: a point (a value of each axis) and a seed.
struct SweepRun {
  int point = 0;  ///< 0-based index of the point
  std::optional<std::uint64_t> seed;
  std::vector<std::pair<std::string, nlohmann::json>> assignments;  ///< (path, value), in axis order

  /// The run's folder inside the sweep folder: "p003-s2" (or "p003" without seeds).
  std::string folderName(int pointCount) const;
  /// "--set" texts for distopt-run: the assignments, then "seed=S" when a seed is set.
  std::vector<std::string> overrides() const;
};

/// Parses "PATH=SPEC" (see the header comment); throws InputError("--sweep", reason).
SweepAxis parseSweepAxis(const std::string& text);
/// Parses the same SPEC for `path` (a sweep file's "axes" entry, whose value may also be a JSON array).
SweepAxis parseSweepAxis(const std::string& path, const nlohmann::json& spec);
/// Parses "1..5" or "1,2,7" (seeds are integers in [0, 2^63)); throws InputError("--seeds", reason).
std::vector<std::uint64_t> parseSeedList(const std::string& text);

/// Every run of the sweep, point by point, each point's seeds in order. Deterministic: the same spec
/// gives the same runs (sampled points come from `sampleSeed`). Throws InputError when !isValid.
std::vector<SweepRun> expandSweep(const SweepSpec& spec);

/// The spec as JSON ({"axes": [{"path": P, "values": SPEC or [...]}, ...], "seeds": [...] or "1..5",
/// "sample": K, "sample_seed": S, "jobs": N}) and back.
/// sweepFromJson checks every field (a sweep file is hostile input) and throws InputError naming it.
nlohmann::json sweepToJson(const SweepSpec& spec);
SweepSpec sweepFromJson(const nlohmann::json& json, const std::string& where);

}  // namespace distopt
