#pragma once
// Problem Q of docs/papers.md, async-sgd §4 (the Ringmaster paper's quadratic):
//   f(x) = ½ xᵀAx − bᵀx,  A = ¼·tridiag(−1, 2, −1) (diagonal 0.5, off-diagonals −0.25),
//   b = (−¼, 0, …, 0),  x⁰ = (√d, 0, …, 0),
// with additive Gaussian gradient noise (GradientNoise). A is never formed: every product is O(d), so
// d = 1e5 costs nothing. At d = 1729: f(x⁰) − f* ≈ 442.8 and ‖∇f(x⁰)‖² ≈ 550.8.

#include <string>

#include "core/problems/gradient_noise.hpp"
#include "core/problems/problem.hpp"
#include "core/registry/component.hpp"

namespace distopt {

class QuadraticProblem final : public Problem {
 public:
  struct Options {
    /// Number of variables d (>= 1). The paper's value is 1729.
    Eigen::Index dimension = 1729;
    /// Gradient noise; the paper's oracle is scalar with s = 0.01.
    GradientNoise noise{NoiseKind::Scalar, 0.01};

    bool isValid(std::string* why) const;
  };

  explicit QuadraticProblem(const Options& options);

  std::string name() const override { return "quadratic"; }
  Eigen::Index dimension() const override { return m_options.dimension; }
  Vector initialPoint(RandomStream& stream) const override;
  double loss(const Vector& x) const override;
  void gradient(const Vector& x, Vector& out) const override;
  /// ∇f(x) plus the noise; the shard is ignored (there is no finite data set).
  void stochasticGradient(const Vector& x, const Shard& shard, RandomStream& stream, Vector& out) const override;
  void stochasticGradientInto(const Eigen::Ref<const Vector>& x, const Shard& shard, RandomStream& stream,
                              Eigen::Ref<Vector> out) const override;
  /// f* = f(x*) with x* = A⁻¹b from the Thomas algorithm.
  std::optional<double> optimalValue() const override { return m_optimalValue; }
  /// The exact largest eigenvalue of A, 0.5 + 0.5·cos(π/(d+1)) (< 1).
  std::optional<double> smoothness() const override;
  /// s²·d for either noise kind.
  std::optional<double> gradientVariance() const override { return m_options.noise.variance(m_options.dimension); }
  bool hasHessianVectorProduct() const override { return true; }
  /// A·v (independent of x).
  void hessianVectorProduct(const Vector& x, const Vector& v, Vector& out) const override;

  /// The minimiser x* = A⁻¹b.
  const Vector& solution() const { return m_solution; }
  const Options& options() const { return m_options; }

  /// out = A·v for this A, in O(d).
  static void multiplyA(const Vector& v, Vector& out);
  /// The same into `out` of v's size, which must not overlap v.
  static void multiplyAInto(const Eigen::Ref<const Vector>& v, Eigen::Ref<Vector> out);

 private:
  Options m_options;
  Vector m_solution;
  double m_optimalValue = 0.0;
};

/// Registry entry "quadratic": options d, noise, noise_std.
ProblemEntry quadraticProblemEntry();

}  // namespace distopt
