#include "core/timing/speed_profile.hpp"

#include <cmath>

#include "core/registry/enum_option.hpp"
#include "core/timing/model_params.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {

const EnumTable<SpeedShape>& speedShapes() {
  static const EnumTable<SpeedShape> table{{"one", SpeedShape::One, "h(i) = 1: equal speeds"},
                                           {"sqrt", SpeedShape::Sqrt, "h(i) = sqrt(i)"},
                                           {"linear", SpeedShape::Linear, "h(i) = i"},
                                           {"square", SpeedShape::Square, "h(i) = i^2"},
                                           {"list", SpeedShape::List, "h(i) = times[i-1]"}};
  return table;
}

const char* speedShapeName(SpeedShape shape) { return speedShapes().nameOf(shape).c_str(); }

bool SpeedProfile::isValid(std::string* why) const {
  auto fail = [&](const std::string& message) {
    if (why) *why = message;
    return false;
  };
  if (!(std::isfinite(c) && c > 0.0)) return fail("c must be a finite number > 0");
  if (!(std::isfinite(offsetEps) && offsetEps >= 0.0)) return fail("offset_eps must be a finite number >= 0");
  for (double value : times)
    if (!(std::isfinite(value) && value > 0.0)) return fail("times must all be finite numbers > 0");
  if (h == SpeedShape::List && times.empty()) return fail("times must be given when h is \"list\"");
  return true;
}

void SpeedProfile::checkFits(int numWorkers, const std::string& path) const {
  if (h == SpeedShape::List && times.empty())
    throw InputError(path + ".times", "must list one time per worker when h is \"list\"");
  std::string why;
  if (!isValid(&why)) throw InputError(path, why);
  if (h != SpeedShape::List) return;
  if (static_cast<int>(times.size()) != numWorkers)
    throw InputError(path + ".times", "has " + std::to_string(times.size()) + " entries but there are " +
                                          std::to_string(numWorkers) +
                                          " workers (h = \"list\" needs one time per worker)");
}

std::vector<double> SpeedProfile::baseTimes(int numWorkers) const {
  DISTOPT_CHECK(isValid(nullptr));
  DISTOPT_CHECK(h != SpeedShape::List || static_cast<int>(times.size()) == numWorkers);
  std::vector<double> tau(static_cast<std::size_t>(numWorkers));
  for (int worker = 0; worker < numWorkers; ++worker) {
    const double i = worker + 1.0;
    double shape = 1.0;
    switch (h) {
      case SpeedShape::One:
        shape = 1.0;
        break;
      case SpeedShape::Sqrt:
        shape = std::sqrt(i);
        break;
      case SpeedShape::Linear:
        shape = i;
        break;
      case SpeedShape::Square:
        shape = i * i;
        break;
      case SpeedShape::List:
        shape = times[static_cast<std::size_t>(worker)];
        break;
    }
    tau[static_cast<std::size_t>(worker)] = c * shape + offsetEps * i;
  }
  return tau;
}

std::vector<OptionSpec> SpeedProfile::optionSpecs(const std::string& what) {
  std::vector<OptionSpec> specs;
  specs.push_back(scaleOption("Scale c: worker i's " + what + " is c*h(i) (+ offset_eps*i)"));
  {
    specs.push_back(speedShapes().option(
        "h", SpeedShape::Sqrt,
        "Shape h(i) over 1-based worker index i: 1, sqrt(i), i, i^2, or the 'times' list"));
  }
  {
    OptionSpec spec;
    spec.name = "times";
    spec.type = OptionType::DoubleList;
    spec.defaultValue = nlohmann::json::array();
    spec.minValue = 0.0;
    spec.minExclusive = true;
    spec.help = "h(i) per worker when h = \"list\" (one entry per worker, multiplied by c)";
    specs.push_back(spec);
  }
  {
    OptionSpec spec;
    spec.name = "offset_eps";
    spec.type = OptionType::Double;
    spec.defaultValue = 0.0;
    spec.minValue = 0.0;
    spec.help = "Adds offset_eps*i to worker i's time, e.g. 1e-6 makes equal speeds distinct (no ties)";
    spec.unit = "time units";
    specs.push_back(spec);
  }
  return specs;
}

SpeedProfile SpeedProfile::fromParams(const nlohmann::json& params, const std::string& path) {
  SpeedProfile profile;
  profile.c = params.at("c").get<double>();
  profile.h = speedShapes().parse(params, "h", path);
  profile.times = params.at("times").get<std::vector<double>>();
  profile.offsetEps = params.at("offset_eps").get<double>();
  return profile;
}

}  // namespace distopt
