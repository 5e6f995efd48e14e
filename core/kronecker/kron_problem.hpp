#pragma once
// The two-layer shifted-ReLU network on Kronecker-structured data (docs/papers.md, kronecker-async §2) as a
// Problem: the optimization variable is the hidden-layer matrix W (m×d, row-major, flattened); the
// output weights a ∈ {±1}^m are fixed. Loss L(W) = ½ Σ_i (f(W, x_i) − y_i)² with
// f(W, x) = (1/√m) Σ_r a_r·max(<w_r, x> − b, 0); fired means <w_r, x> > b (strict).
//
// The kronecker algorithms (kron-naive, kron-fast) read the data, a, b and the seeds from here; the
// Problem interface (loss, gradient, stochastic gradient) serves evaluation and the other engines.
// Registry name "kron-two-layer".

#include <cstdint>
#include <optional>
#include <string>

#include "core/kronecker/kron_data.hpp"
#include "core/problems/problem.hpp"
#include "core/registry/component.hpp"

namespace distopt {

class KronTwoLayerProblem final : public Problem {
 public:
  struct Options {
    std::int64_t m = 256;    ///< hidden neurons, >= 1
    std::int64_t n = 32;     ///< training points, >= 1
    std::int64_t d1 = 8;     ///< u factor dimension, >= 1
    std::int64_t d2 = 6;     ///< v factor dimension, >= 1
    std::int64_t batch = 4;  ///< SGD batch S, in [1, n]
    /// Threshold b of the shifted ReLU; absent: sqrt(0.4·ln m) (kronecker-async §2.5), or Φ^{-1}(1 − p) when
    /// firedFraction is set.
    std::optional<double> threshold;
    /// Target fired fraction p ∈ (0, 1) at init; exclusive with threshold.
    std::optional<double> firedFraction;
    std::uint64_t dataSeed = 0;
    std::uint64_t modelSeed = 0;

    bool isValid(std::string* why) const;
  };

  explicit KronTwoLayerProblem(const Options& options);
  /// On given data (tests, edge cases): `data` factors need not be unit norm.
  KronTwoLayerProblem(KronData data, std::int64_t m, double threshold, std::int64_t batch,
                      std::uint64_t modelSeed);

  std::string name() const override { return "kron-two-layer"; }
  Eigen::Index dimension() const override { return m_m * m_data.dimension(); }
  std::int64_t numSamples() const override { return m_data.size(); }

  /// W(0), row-major m×d, from the model seed (the stream argument is not used: W(0) is keyed by
  /// (model seed, r) so every worker regenerates it).
  Vector initialPoint(RandomStream& stream) const override;
  double loss(const Vector& x) const override;
  void gradient(const Vector& x, Vector& out) const override;
  /// (n/S)·∇L_B for a batch of S distinct points from the shard: unbiased for ∇L.
  void stochasticGradient(const Vector& x, const Shard& shard, RandomStream& stream,
                          Vector& out) const override;
  /// L >= 0, and an over-parameterised network can interpolate: 0 is the infimum, not always attained.
  std::optional<double> optimalValue() const override { return std::nullopt; }

  const KronData& data() const { return m_data; }
  std::int64_t neurons() const { return m_m; }
  std::int64_t batch() const { return m_batch; }
  double threshold() const { return m_threshold; }
  std::uint64_t modelSeed() const { return m_modelSeed; }
  /// The seed the synthetic data came from (0 for given data): a worker's INIT must name the same.
  std::uint64_t dataSeed() const { return m_dataSeed; }
  const Eigen::VectorXd& outputWeights() const { return m_a; }
  /// G = (UᵀU)∘(VᵀV), n×n.
  const Eigen::MatrixXd& gram() const { return m_gram; }
  /// X, n×d, row i = x_i (materialised once, as the naive path does).
  const RowMatrix& inputs() const { return m_inputs; }
  /// Inner products P = W·Xᵀ (m×n) of a flattened W, O(m·n·d).
  RowMatrix innerProducts(const Vector& w) const;
  /// Network outputs f_j from a full inner-product table, canonical order (ascending r, 1/√m last).
  Eigen::VectorXd outputsFrom(const RowMatrix& p) const;

 private:
  void finish();

  KronData m_data;
  std::int64_t m_m = 1;
  double m_threshold = 0.0;
  std::int64_t m_batch = 1;
  std::uint64_t m_modelSeed = 0;
  std::uint64_t m_dataSeed = 0;
  Eigen::VectorXd m_a;
  Eigen::MatrixXd m_gram;
  RowMatrix m_inputs;  // n×d, for the Problem interface (naive cost by design)
};

ProblemEntry kronTwoLayerProblemEntry();

}  // namespace distopt
