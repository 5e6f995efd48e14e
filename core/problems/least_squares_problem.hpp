#pragma once
// Least squares of docs/papers.md, async-sgd E4 (Mishchenko et al.): f(x) = ½·mean_i (a_iᵀx − b_i)² on
// synthetic data (makeLeastSquaresData: entries U[0,1)/√d, b = A·x_rand + 1e−5·N(0, I)), x⁰ = 0. The
// stochastic gradient averages `batch` rows drawn without replacement from the worker's shard. f* comes from
// the normal equations and L = λ_max(AᵀA/m), both computed once at construction.

#include <cstdint>
#include <string>

#include "core/data/synthetic_data.hpp"
#include "core/problems/problem.hpp"
#include "core/registry/component.hpp"

namespace distopt {

class LeastSquaresProblem final : public Problem {
 public:
  using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  struct Options {
    std::int64_t rows = 10000;  ///< m, number of samples (>= 1)
    std::int64_t cols = 400;    ///< d, number of variables (>= 1)
    double labelNoise = 1e-5;   ///< standard deviation of the noise added to b (>= 0)
    /// Rows per stochastic gradient (>= 0); 0 or >= the shard size means the whole shard.
    std::int64_t batch = 256;

    bool isValid(std::string* why) const;
  };

  /// Generates the data from `seed` (RandomStream with StreamPurpose::Data).
  LeastSquaresProblem(const Options& options, std::uint64_t seed);
  /// Uses the given data (A is m×d, b has m entries); options.rows/cols/labelNoise are ignored.
  LeastSquaresProblem(Matrix a, Vector b, std::int64_t batch);

  std::string name() const override { return "least-squares"; }
  Eigen::Index dimension() const override { return m_a.cols(); }
  std::int64_t numSamples() const override { return m_a.rows(); }
  /// Zero.
  Vector initialPoint(RandomStream& stream) const override;
  double loss(const Vector& x) const override;
  void gradient(const Vector& x, Vector& out) const override;
  void stochasticGradient(const Vector& x, const Shard& shard, RandomStream& stream, Vector& out) const override;
  void stochasticGradientInto(const Eigen::Ref<const Vector>& x, const Shard& shard, RandomStream& stream,
                              Eigen::Ref<Vector> out) const override;
  std::optional<double> optimalValue() const override { return m_optimalValue; }
  /// λ_max(AᵀA/m).
  std::optional<double> smoothness() const override { return m_smoothness; }
  bool hasHessianVectorProduct() const override { return true; }
  /// AᵀA·v/m.
  void hessianVectorProduct(const Vector& x, const Vector& v, Vector& out) const override;

  /// A minimiser of f (the least-squares solution).
  const Vector& solution() const { return m_solution; }
  const Matrix& matrix() const { return m_a; }
  const Vector& rhs() const { return m_b; }

 private:
  void solve();

  Matrix m_a;
  Vector m_b;
  std::int64_t m_batch = 256;
  Vector m_solution;
  double m_optimalValue = 0.0;
  double m_smoothness = 0.0;
};

/// Registry entry "least-squares": options m, d, batch, label_noise, data_seed.
ProblemEntry leastSquaresProblemEntry();

}  // namespace distopt
