#include "core/registry/algorithm_entry.hpp"

namespace distopt {

double stepSizeOrDefault(const nlohmann::json& params, const AlgorithmBuildContext& context,
                         const std::function<double(double L, double sigma2, double epsilon)>& theory) {
  if (params.contains("gamma")) return params["gamma"].get<double>();
  if (context.smoothness && context.sigma2 && context.epsilon)
    return theory(*context.smoothness, *context.sigma2, *context.epsilon);
  return 0.1;
}

OptionSpec gammaOption() {
  return {.name = "gamma",
          .type = OptionType::Double,
          .minValue = 0.0,
          .minExclusive = true,
          .help = "Step size. Default: the paper's theory value when L, sigma^2 and the target are known, else 0.1",
          .optional = true};
}

}  // namespace distopt
