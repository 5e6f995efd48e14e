#pragma once
// Separable quadratic f(x) = ½ Σ λ_i (x_i − c_i)² with additive gradient noise: the simplest problem with a
// chosen spectrum (condition number, eigenvalue spacing), and, with d = 1, λ = 1, c = 0, x⁰ = 1 and no noise,
// the 1-D oracle f = x²/2, g(x) = x of docs/papers.md, async-sgd §5, reproduced bit for bit (the gradient is
// computed as λ_i·(x_i − c_i), exact for λ = 1, c = 0, and no random draw happens when noise_std = 0).

#include <string>

#include "core/problems/gradient_noise.hpp"
#include "core/problems/problem.hpp"
#include "core/registry/component.hpp"

namespace distopt {

class DiagonalQuadraticProblem final : public Problem {
 public:
  enum class Spacing { Linear, Log };

  struct Options {
    /// λ_i >= 0, one per variable; the dimension is their count (>= 1).
    Vector eigenvalues = Vector::Ones(1);
    /// Centre c (the minimiser), same size as eigenvalues.
    Vector center = Vector::Zero(1);
    /// Starting point x⁰, same size as eigenvalues.
    Vector initialPoint = Vector::Ones(1);
    GradientNoise noise{NoiseKind::Scalar, 0.01};

    bool isValid(std::string* why) const;
  };

  explicit DiagonalQuadraticProblem(const Options& options);

  /// d eigenvalues from lambdaMin to lambdaMax (both included), equally spaced or log-spaced; d = 1 gives
  /// {lambdaMin}. Requires 0 <= lambdaMin <= lambdaMax, and lambdaMin > 0 for Log.
  static Vector spectrum(Eigen::Index d, double lambdaMin, double lambdaMax, Spacing spacing);

  std::string name() const override { return "diagonal-quadratic"; }
  Eigen::Index dimension() const override { return m_options.eigenvalues.size(); }
  Vector initialPoint(RandomStream& stream) const override;
  double loss(const Vector& x) const override;
  void gradient(const Vector& x, Vector& out) const override;
  void stochasticGradient(const Vector& x, const Shard& shard, RandomStream& stream, Vector& out) const override;
  void stochasticGradientInto(const Eigen::Ref<const Vector>& x, const Shard& shard, RandomStream& stream,
                              Eigen::Ref<Vector> out) const override;
  std::optional<double> optimalValue() const override { return 0.0; }
  /// max λ_i.
  std::optional<double> smoothness() const override { return m_options.eigenvalues.maxCoeff(); }
  /// s²·d.
  std::optional<double> gradientVariance() const override { return m_options.noise.variance(dimension()); }
  bool hasHessianVectorProduct() const override { return true; }
  /// λ ⊙ v.
  void hessianVectorProduct(const Vector& x, const Vector& v, Vector& out) const override;

  const Options& options() const { return m_options; }

 private:
  /// λ ⊙ (x − c) into out (sized d).
  void gradientInto(const Eigen::Ref<const Vector>& x, Eigen::Ref<Vector> out) const;

  Options m_options;
  // x − (+0) is x bit for bit (−0 − (+0) = −0 too), so a zero centre need not be read at all: at d = 1e6 that
  // is a third of the gradient's memory traffic.
  bool m_centerIsZero = false;
};

/// Registry entry "diagonal-quadratic": eigenvalues (list) or d/lambda_min/lambda_max/spacing; center;
/// x0; noise; noise_std.
ProblemEntry diagonalQuadraticProblemEntry();

}  // namespace distopt
