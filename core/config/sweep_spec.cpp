#include "core/config/sweep_spec.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "core/util/input_error.hpp"

namespace distopt {
namespace {

// A field path as --set reads it: dot-separated names of letters, digits and '_' (list indices are
// digits too). Anything else is refused here rather than by a child run after the sweep has started.
bool validPath(const std::string& path) {
  if (path.empty() || path.size() > 200 || path.front() == '.' || path.back() == '.') return false;
  char previous = '.';
  for (const char c : path) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!word && c != '.') return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

std::optional<std::uint64_t> parseUint(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<long long> parseInt(std::string_view text) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<double> parseReal(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

// A list item: JSON if it parses as a scalar, else the bare word as a string (as --set does).
nlohmann::json parseItem(const std::string& text, const std::string& where) {
  if (text.empty()) throw InputError(where, "an empty value in the list");
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return nlohmann::json(text);
  if (parsed.is_number_float() && !std::isfinite(parsed.get<double>()))
    throw InputError(where, "\"" + text + "\" is not a finite number");
  return parsed;
}

// Splits a list at commas outside quotes and brackets, so ["a,b"] and [1,2] stay one item each.
std::vector<std::string> splitList(const std::string& text, const std::string& where) {
  std::vector<std::string> items;
  std::string current;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      current += c;
      if (c == '\\' && i + 1 < text.size())
        current += text[++i];
      else if (c == '"')
        quoted = false;
      continue;
    }
    if (c == '"')
      quoted = true;
    else if (c == '[' || c == '{')
      ++depth;
    else if ((c == ']' || c == '}') && --depth < 0)
      throw InputError(where, "unbalanced brackets");
    if (c == ',' && depth == 0) {
      items.push_back(current);
      current.clear();
      if (static_cast<int>(items.size()) > kSweepMaxValuesPerAxis)
        throw InputError(where, "more than " + std::to_string(kSweepMaxValuesPerAxis) + " values");
      continue;
    }
    current += c;
  }
  if (quoted || depth != 0) throw InputError(where, "an unclosed quote or bracket");
  items.push_back(current);
  return items;
}

// "LO..HI" with an optional "/log", "/lin", "/log:N" or "/lin:N".
bool parseRange(SweepAxis& axis, const std::string& spec, const std::string& where) {
  const auto dots = spec.find("..");
  if (dots == std::string::npos) return false;
  std::string high = spec.substr(dots + 2);
  std::string scale;
  std::optional<int> count;
  if (const auto slash = high.find('/'); slash != std::string::npos) {
    scale = high.substr(slash + 1);
    high = high.substr(0, slash);
    if (const auto colon = scale.find(':'); colon != std::string::npos) {
      const auto n = parseInt(scale.substr(colon + 1));
      if (!n || *n < 2 || *n > kSweepMaxValuesPerAxis)
        throw InputError(where, "the count after ':' must be an integer from 2 to " +
                                    std::to_string(kSweepMaxValuesPerAxis));
      count = static_cast<int>(*n);
      scale = scale.substr(0, colon);
    }
    if (scale != "log" && scale != "lin") throw InputError(where, "the scale after '/' must be log or lin");
  }
  const std::string low = spec.substr(0, dots);
  const auto lowInt = parseInt(low);
  const auto highInt = parseInt(high);
  const auto lowReal = parseReal(low);
  const auto highReal = parseReal(high);
  if (!lowReal || !highReal) throw InputError(where, "a range is LOW..HIGH with two finite numbers");
  if (*lowReal > *highReal) throw InputError(where, "the range's low end is above its high end");
  axis.logScale = scale == "log";
  if (axis.logScale && *lowReal <= 0) throw InputError(where, "a log-scale range must be above 0");
  if (count) {
    // Evenly spaced values: a grid axis like any list.
    const double a = axis.logScale ? std::log(*lowReal) : *lowReal;
    const double b = axis.logScale ? std::log(*highReal) : *highReal;
    for (int i = 0; i < *count; ++i) {
      const double t = a + (b - a) * i / (*count - 1);
      // Twelve significant digits: 0.4, not 0.39999999999999997 from exp(log(...)).
      char rounded[32];
      std::snprintf(rounded, sizeof rounded, "%.12g", axis.logScale ? std::exp(t) : t);
      double value = std::strtod(rounded, nullptr);
      if (i == 0) value = *lowReal;  // the ends exactly as written, not exp(log(x))
      if (i == *count - 1) value = *highReal;
      axis.values.emplace_back(value);
    }
    return true;
  }
  if (lowInt && highInt && scale.empty()) {
    // Integers: every one of them in a grid, drawn uniformly with --sample.
    axis.integer = true;
    axis.range = std::pair{static_cast<double>(*lowInt), static_cast<double>(*highInt)};
    const long long span = *highInt - *lowInt;  // no overflow: both fit in 53 bits or were refused below
    if (*lowInt < -(1LL << 53) || *highInt > (1LL << 53)) throw InputError(where, "integers beyond 2^53");
    if (span < kSweepMaxValuesPerAxis)
      for (long long v = *lowInt; v <= *highInt; ++v) axis.values.emplace_back(v);
    return true;
  }
  axis.range = std::pair{*lowReal, *highReal};
  return true;
}

SweepAxis parseAxisSpec(const std::string& path, const std::string& spec, const std::string& where) {
  SweepAxis axis;
  axis.path = path;
  axis.text = spec;
  if (!validPath(path))
    throw InputError(where,
                     "\"" + path + "\" is not a field path (names of letters, digits and _ joined by dots)");
  if (spec.empty()) throw InputError(where, "no values after '='");
  const bool bracketed = spec.front() == '[' || spec.front() == '{' || spec.front() == '"';
  if (!bracketed && parseRange(axis, spec, where)) return axis;
  for (const auto& item : splitList(spec, where)) axis.values.push_back(parseItem(item, where));
  return axis;
}

// splitmix64: a small, fully specified generator, so a sampled sweep draws the same points on every
// platform and standard library (std:: distributions are implementation-defined).
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
};

nlohmann::json drawValue(const SweepAxis& axis, SplitMix& random) {
  if (!axis.range) return axis.values[random.below(axis.values.size())];
  const auto [low, high] = *axis.range;
  if (axis.integer) {
    const auto span = static_cast<std::uint64_t>(high - low) + 1;
    return static_cast<long long>(low) + static_cast<long long>(random.below(span));
  }
  const double u = random.unit();
  if (axis.logScale) return std::exp(std::log(low) + u * (std::log(high) - std::log(low)));
  return low + u * (high - low);
}

}  // namespace

SweepAxis parseSweepAxis(const std::string& text) {
  // A command line is not checked by a JSON parser, and a value that is not UTF-8 would make every later
  // dump of the run's document (its --set text, the store, summary.json) throw.
  try {
    (void)nlohmann::json(text).dump();
  } catch (const nlohmann::json::exception&) {
    throw InputError("--sweep", "the text is not valid UTF-8");
  }
  const std::string where = "--sweep " + text.substr(0, 80);
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0)
    throw InputError(where,
                     "expected PATH=VALUES, e.g. algorithm.params.gamma=0.01,0.1,1 or ...=1e-4..1/log:5");
  return parseAxisSpec(text.substr(0, equals), text.substr(equals + 1), where);
}

SweepAxis parseSweepAxis(const std::string& path, const nlohmann::json& spec) {
  const std::string where = "axes." + path.substr(0, 80);
  if (spec.is_string()) return parseAxisSpec(path, spec.get<std::string>(), where);
  if (!spec.is_array() || spec.empty())
    throw InputError(where,
                     "values must be a text such as \"0.1,0.2\" or \"1e-4..1/log:5\", or a non-empty list");
  if (spec.size() > static_cast<std::size_t>(kSweepMaxValuesPerAxis))
    throw InputError(where, "more than " + std::to_string(kSweepMaxValuesPerAxis) + " values");
  SweepAxis axis;
  axis.path = path;
  axis.text = spec.dump();
  if (!validPath(path)) throw InputError(where, "\"" + path + "\" is not a field path");
  for (const auto& value : spec) {
    if (value.is_object() || value.is_array() || value.is_null())
      throw InputError(where, "each value must be a number, a text or true/false");
    axis.values.push_back(value);
  }
  return axis;
}

std::vector<std::uint64_t> parseSeedList(const std::string& text) {
  const std::string where = "--seeds " + text.substr(0, 80);
  std::vector<std::uint64_t> seeds;
  if (const auto dots = text.find(".."); dots != std::string::npos) {
    const auto low = parseUint(text.substr(0, dots));
    const auto high = parseUint(text.substr(dots + 2));
    if (!low || !high || *low > *high)
      throw InputError(where, "expected FIRST..LAST with integers, e.g. 1..5");
    if (*high - *low >= static_cast<std::uint64_t>(kSweepMaxValuesPerAxis))
      throw InputError(where, "more than " + std::to_string(kSweepMaxValuesPerAxis) + " seeds");
    for (std::uint64_t s = *low;; ++s) {
      seeds.push_back(s);
      if (s == *high) break;
    }
    return seeds;
  }
  for (const auto& item : splitList(text, where)) {
    const auto seed = parseUint(item);
    if (!seed) throw InputError(where, "\"" + item + "\" is not a seed (an integer >= 0)");
    seeds.push_back(*seed);
  }
  return seeds;
}

bool SweepSpec::isValid(std::string* why) const {
  auto fail = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  if (axes.empty() && seeds.empty())
    return fail("axes: nothing to sweep (give --sweep PATH=VALUES or --seeds)");
  if (jobs < 1 || jobs > kSweepMaxJobs)
    return fail("jobs: must be from 1 to " + std::to_string(kSweepMaxJobs));
  if (sample < 0 || sample > kSweepMaxRuns)
    return fail("sample: must be from 0 to " + std::to_string(kSweepMaxRuns));
  std::set<std::string> paths;
  for (const auto& axis : axes) {
    if (!paths.insert(axis.path).second) return fail("axes: " + axis.path + " is swept twice");
    if (axis.path == "seed" && !seeds.empty()) return fail("axes: seed is swept and --seeds is given");
    if (sample == 0 && axis.values.empty())
      return fail("axes: " + axis.path + "=" + axis.text +
                  " is a range to draw from: give --sample K, or a count (e.g. " + axis.text + "/log:5)");
    if (sample > 0 && axis.values.empty() && !axis.range)
      return fail("axes: " + axis.path + " has no values");
  }
  std::set<std::uint64_t> distinct(seeds.begin(), seeds.end());
  if (distinct.size() != seeds.size()) return fail("seeds: a seed is listed twice");
  if (runCount() > kSweepMaxRuns)
    return fail("axes: the sweep has more than " + std::to_string(kSweepMaxRuns) + " runs");
  return true;
}

long long SweepSpec::runCount() const {
  long long points = 1;
  if (sample > 0) {
    points = sample;
  } else {
    for (const auto& axis : axes) {
      points *= static_cast<long long>(axis.values.size());
      if (points > kSweepMaxRuns) return kSweepMaxRuns + 1LL;
    }
  }
  return points * static_cast<long long>(seeds.empty() ? 1 : seeds.size());
}

std::string SweepRun::folderName(int pointCount) const {
  const int digits = pointCount > 1000 ? static_cast<int>(std::to_string(pointCount - 1).size()) : 3;
  char number[32];
  std::snprintf(number, sizeof number, "p%0*d", digits, point);
  std::string name = number;
  if (seed) name += "-s" + std::to_string(*seed);
  return name;
}

std::vector<std::string> SweepRun::overrides() const {
  std::vector<std::string> texts;
  for (const auto& [path, value] : assignments) texts.push_back(path + "=" + value.dump());
  if (seed) texts.push_back("seed=" + std::to_string(*seed));
  return texts;
}

std::vector<SweepRun> expandSweep(const SweepSpec& spec) {
  std::string why;
  if (!spec.isValid(&why)) {
    const auto colon = why.find(": ");
    throw InputError(colon == std::string::npos ? "sweep" : why.substr(0, colon),
                     colon == std::string::npos ? why : why.substr(colon + 2));
  }
  std::vector<std::vector<std::pair<std::string, nlohmann::json>>> points;
  if (spec.sample > 0) {
    SplitMix random{spec.sampleSeed};
    for (int k = 0; k < spec.sample; ++k) {
      auto& point = points.emplace_back();
      for (const auto& axis : spec.axes) point.emplace_back(axis.path, drawValue(axis, random));
    }
  } else {
    // Odometer order: the last axis changes fastest, as in a nested loop written in axis order. No axes
    // (a seeds-only sweep) is one empty point.
    std::vector<std::size_t> digit(spec.axes.size(), 0);
    while (true) {
      auto& point = points.emplace_back();
      for (std::size_t a = 0; a < spec.axes.size(); ++a)
        point.emplace_back(spec.axes[a].path, spec.axes[a].values[digit[a]]);
      bool carried = true;
      for (std::size_t a = spec.axes.size(); a > 0 && carried;) {
        --a;
        carried = ++digit[a] == spec.axes[a].values.size();
        if (carried) digit[a] = 0;
      }
      if (carried) break;
    }
  }
  std::vector<SweepRun> runs;
  for (std::size_t p = 0; p < points.size(); ++p) {
    if (spec.seeds.empty()) {
      runs.push_back({static_cast<int>(p), std::nullopt, points[p]});
      continue;
    }
    for (const auto seed : spec.seeds) runs.push_back({static_cast<int>(p), seed, points[p]});
  }
  return runs;
}

nlohmann::json sweepToJson(const SweepSpec& spec) {
  nlohmann::json axes = nlohmann::json::array();
  for (const auto& axis : spec.axes) {
    // A range to draw from is kept as written; explicit values as the list they expand to.
    nlohmann::json values = axis.values.empty() ? nlohmann::json(axis.text) : nlohmann::json(axis.values);
    axes.push_back({{"path", axis.path}, {"values", values}});
  }
  return {{"axes", axes},
          {"seeds", spec.seeds},
          {"sample", spec.sample},
          {"sample_seed", spec.sampleSeed},
          {"jobs", spec.jobs}};
}

SweepSpec sweepFromJson(const nlohmann::json& json, const std::string& where) {
  if (!json.is_object()) throw InputError(where, "a sweep must be a JSON object");
  for (const auto& [key, value] : json.items())
    if (key != "axes" && key != "seeds" && key != "sample" && key != "sample_seed" && key != "jobs")
      throw InputError(where + "." + key, "unknown field (known: axes, seeds, sample, sample_seed, jobs)");
  SweepSpec spec;
  auto integerAt = [&](const char* key, long long low, long long high) -> std::optional<long long> {
    if (!json.contains(key)) return std::nullopt;
    const auto& value = json.at(key);
    if (!value.is_number_integer() ||
        (value.is_number_unsigned() && value.get<std::uint64_t>() > 1ULL << 62) ||
        value.get<long long>() < low || value.get<long long>() > high)
      throw InputError(where + "." + key,
                       "must be an integer from " + std::to_string(low) + " to " + std::to_string(high));
    return value.get<long long>();
  };
  if (const auto v = integerAt("sample", 0, kSweepMaxRuns)) spec.sample = static_cast<int>(*v);
  if (const auto v = integerAt("jobs", 1, kSweepMaxJobs)) spec.jobs = static_cast<int>(*v);
  if (json.contains("sample_seed")) {
    const auto& value = json.at("sample_seed");
    if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<long long>() >= 0))
      throw InputError(where + ".sample_seed", "must be an integer >= 0");
    spec.sampleSeed = value.get<std::uint64_t>();
  }
  if (json.contains("seeds")) {
    const auto& seeds = json.at("seeds");
    if (seeds.is_string()) {
      spec.seeds = parseSeedList(seeds.get<std::string>());
    } else if (seeds.is_array() && seeds.size() <= static_cast<std::size_t>(kSweepMaxValuesPerAxis)) {
      for (const auto& seed : seeds) {
        if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<long long>() >= 0))
          throw InputError(where + ".seeds", "each seed must be an integer >= 0");
        spec.seeds.push_back(seed.get<std::uint64_t>());
      }
    } else {
      throw InputError(where + ".seeds", "must be a list of integers or a text such as \"1..5\"");
    }
  }
  if (json.contains("axes")) {
    const auto& axes = json.at("axes");
    if (!axes.is_array() || axes.size() > 64)
      throw InputError(where + ".axes", "must be a list (at most 64) of {\"path\": ..., \"values\": ...}");
    for (const auto& entry : axes) {
      if (!entry.is_object() || !entry.contains("path") || !entry.at("path").is_string() ||
          !entry.contains("values") || entry.size() != 2)
        throw InputError(where + ".axes", "each entry is {\"path\": \"field.path\", \"values\": ...}");
      try {
        spec.axes.push_back(parseSweepAxis(entry.at("path").get<std::string>(), entry.at("values")));
      } catch (const InputError& e) {
        throw InputError(where, e.what());  // "FILE: sweep: axes.PATH: reason"
      }
    }
  }
  std::string why;
  if (!spec.isValid(&why)) {
    const auto colon = why.find(": ");
    throw InputError(where + "." + why.substr(0, colon),
                     colon == std::string::npos ? why : why.substr(colon + 2));
  }
  return spec;
}

}  // namespace distopt
