#pragma once
// Additive Gaussian noise on a gradient, the stochastic oracle of the synthetic quadratics (docs/papers.md,
// async-sgd §4, problem Q): "scalar" adds s·z·1 with one z ~ N(0,1) per gradient (the authors' choice),
// "coordinate" adds s·ζ with ζ ~ N(0, I). Both have E‖noise‖² = s²·d.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/problems/problem.hpp"
#include "core/registry/option_spec.hpp"
#include "core/util/random_stream.hpp"

namespace distopt {

enum class NoiseKind { Scalar, Coordinate };

struct GradientNoise {
  NoiseKind kind = NoiseKind::Scalar;
  double stddev = 0.0;  ///< s; 0 = exact gradients (no random draws at all)

  bool isValid(std::string* why) const;
  /// Adds the noise to `gradient`, drawing from `stream`; does nothing (and draws nothing) when s = 0.
  void addTo(Eigen::Ref<Vector> gradient, RandomStream& stream) const;
  /// E‖noise‖² = s²·d.
  double variance(Eigen::Index dimension) const { return stddev * stddev * static_cast<double>(dimension); }
};

/// The option specs "noise" (enum scalar|coordinate) and "noise_std" (>= 0) with the given default s.
std::vector<OptionSpec> gradientNoiseOptions(double defaultStd);
/// Reads them from validated params (`path` names them in errors, e.g. "problem.params"); a "noise" that
/// is not a choice is refused with InputError, never read as the default.
GradientNoise gradientNoiseFromParams(const nlohmann::json& params, const std::string& path);

}  // namespace distopt
