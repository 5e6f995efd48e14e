#include "core/problems/gradient_noise.hpp"

#include <cmath>

#include "core/registry/enum_option.hpp"

namespace distopt {

bool GradientNoise::isValid(std::string* why) const {
  if (!(stddev >= 0.0) || !std::isfinite(stddev)) {
    if (why) *why = "noise_std: must be a finite number >= 0";
    return false;
  }
  return true;
}

void GradientNoise::addTo(Eigen::Ref<Vector> gradient, RandomStream& stream) const {
  if (stddev == 0.0) return;
  if (kind == NoiseKind::Scalar) {
    gradient.array() += stddev * stream.normal();
    return;
  }
  for (Eigen::Index i = 0; i < gradient.size(); ++i) gradient[i] += stddev * stream.normal();
}

namespace {

const EnumTable<NoiseKind>& noiseKinds() {
  static const EnumTable<NoiseKind> table{
      {"scalar", NoiseKind::Scalar, "s·z on every coordinate, one z ~ N(0,1) per gradient"},
      {"coordinate", NoiseKind::Coordinate, "s·N(0, I): an independent draw per coordinate"}};
  return table;
}

}  // namespace

std::vector<OptionSpec> gradientNoiseOptions(double defaultStd) {
  OptionSpec kind =
      noiseKinds().option("noise", NoiseKind::Scalar,
                          "Gradient noise: \"scalar\" adds s·z to every coordinate (one z ~ N(0,1) "
                          "per gradient), \"coordinate\" adds s·N(0, I)");
  OptionSpec stddev;
  stddev.name = "noise_std";
  stddev.type = OptionType::Double;
  stddev.defaultValue = defaultStd;
  stddev.minValue = 0.0;
  stddev.help = "Noise scale s; the gradient variance is s²·d (0 = exact gradients)";
  return {kind, stddev};
}

GradientNoise gradientNoiseFromParams(const nlohmann::json& params, const std::string& path) {
  GradientNoise noise;
  noise.kind = noiseKinds().parse(params, "noise", path);
  noise.stddev = params.at("noise_std").get<double>();
  return noise;
}

}  // namespace distopt
