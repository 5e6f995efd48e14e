#pragma once
// Multinomial (softmax) logistic regression: x = (W, b) with W classes × features (row-major) followed
// by the biases b; F(x) = mean cross-entropy + (λ/2)‖W‖². Convex; exact Hessian-vector product. See
// NetworkProblem for the shared machinery and the parameter layout.

#include <cstdint>
#include <optional>
#include <string>

#include "core/problems/network_problem.hpp"

namespace distopt {

class SoftmaxProblem final : public NetworkProblem {
 public:
  struct Options {
    double l2 = 1e-4;          ///< λ >= 0 on W (not on b)
    std::int64_t batch = 64;   ///< samples per stochastic gradient from the shard; 0 = whole shard
    GradientNoise noise{NoiseKind::Scalar, 0.0};  ///< extra noise on stochastic gradients (default none)

    bool isValid(std::string* why) const;
  };

  /// Builds on in-memory data (tests, synthetic sets; sparse data is densified). The class count is the
  /// larger of train's and test's. Throws InputError(source, ...) for an empty training set or
  /// mismatched feature counts.
  SoftmaxProblem(Dataset train, std::optional<Dataset> test, const Options& options);

  const Options& options() const { return m_options; }

 private:
  Options m_options;
};

/// Registry entry "softmax": train_images, train_labels, test_images, test_labels, limit, pixel_mean,
/// pixel_std, l2, batch, noise, noise_std.
ProblemEntry softmaxProblemEntry();

}  // namespace distopt
