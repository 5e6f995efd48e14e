#include "core/timing/model_params.hpp"

#include "core/util/input_error.hpp"

namespace distopt {

nlohmann::json checkedParams(const std::vector<OptionSpec>& specs, const nlohmann::json& params,
                             const std::string& path) {
  nlohmann::json filled = params;
  std::string why;
  if (validateAndFillOptions(specs, filled, path, &why)) return filled;
  // validateAndFillOptions reports "PLACE: message" with PLACE starting with `path`; split it back so
  // the front ends can point at the field.
  const auto cut = why.find(": ", path.size());
  if (cut == std::string::npos) throw InputError(path, why);
  throw InputError(why.substr(0, cut), why.substr(cut + 2));
}

void requireWorkers(int numWorkers, const std::string& path) {
  if (numWorkers < 1)
    throw InputError(path, "a time model needs at least one worker (got " + std::to_string(numWorkers) + ")");
}

OptionSpec scaleOption(const std::string& help) {
  OptionSpec spec;
  spec.name = "c";
  spec.type = OptionType::Double;
  spec.defaultValue = 1.0;
  spec.minValue = 0.0;
  spec.minExclusive = true;
  spec.help = help;
  spec.unit = "time units";
  return spec;
}

}  // namespace distopt
