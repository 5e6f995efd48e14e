#pragma once
// Multilayer perceptron with one or two hidden layers and a softmax output, cross-entropy loss +
// (λ/2)‖weights‖². Gradient by backpropagation, exact Hessian-vector product by the R-operator (for ReLU
// the Hessian where it exists). docs/papers.md, async-sgd E2 uses 784→32→ReLU→10 (d = 25,450) on 100 images.
// See NetworkProblem for the shared machinery and the parameter layout.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/problems/network_problem.hpp"

namespace distopt {

class MlpProblem final : public NetworkProblem {
 public:
  struct Options {
    std::vector<int> hidden{32};              ///< 1 or 2 hidden layer widths, each >= 1
    Activation activation = Activation::Relu; ///< hidden-layer activation
    double l2 = 0.0;                          ///< λ >= 0 on the weights (not the biases)
    std::int64_t batch = 64;                  ///< samples per stochastic gradient; 0 = whole shard
    GradientNoise noise{NoiseKind::Scalar, 0.0};  ///< extra noise on stochastic gradients (default none)

    bool isValid(std::string* why) const;
  };

  /// Builds on in-memory data (tests, synthetic sets; sparse data is densified). Throws
  /// InputError(source, ...) for an empty training set or mismatched feature counts.
  MlpProblem(Dataset train, std::optional<Dataset> test, const Options& options);

  const Options& options() const { return m_options; }

 private:
  Options m_options;
};

/// Registry entry "mlp": the softmax options plus hidden (list of 1 or 2 widths) and activation.
ProblemEntry mlpProblemEntry();

}  // namespace distopt
