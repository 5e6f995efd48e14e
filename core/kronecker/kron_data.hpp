#pragma once
// Kronecker-structured data and the two-layer network's seeded parameters (kronecker-async §2).
//
// Layout (kronecker-async §2.1, mandatory): x = u ⊗ v with x[p·d2 + q] = u[p]·v[q]; a weight row w ∈ R^d
// reshapes to W ∈ R^{d1×d2} row-major, W[p][q] = w[p·d2 + q], so <w, u⊗v> = uᵀ W v.
//
// Everything random is drawn from keyed RandomStreams (project-written normals), so the naive path, the
// fast path and every neuron-block worker regenerate the same W(0) row r from (model seed, r) alone.

#include <cstdint>
#include <span>

#include <Eigen/Core>

namespace distopt {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// n training points given by their factors: column i of `u` (d1×n) and of `v` (d2×n), and labels.
struct KronData {
  Eigen::MatrixXd u;  ///< d1 × n, unit-norm columns
  Eigen::MatrixXd v;  ///< d2 × n, unit-norm columns
  Eigen::VectorXd y;  ///< n labels
  Eigen::Index d1() const { return u.rows(); }
  Eigen::Index d2() const { return v.rows(); }
  Eigen::Index dimension() const { return u.rows() * v.rows(); }
  Eigen::Index size() const { return u.cols(); }
};

/// kronecker-async §2.1 generator: u_i ~ N(0, I_{d1}), v_i ~ N(0, I_{d2}) normalised, y_i ~ N(0, 1),
/// all from the stream (dataSeed, Data).
KronData makeSyntheticKronData(Eigen::Index n, Eigen::Index d1, Eigen::Index d2, std::uint64_t dataSeed);

/// x = u ⊗ v in the §2.1 layout.
Eigen::VectorXd kroneckerVector(const Eigen::Ref<const Eigen::VectorXd>& u,
                                const Eigen::Ref<const Eigen::VectorXd>& v);
/// <w, u⊗v> = uᵀ·reshape(w)·v in O(d) without forming u⊗v (row-major d1×d2 view of w).
double kroneckerInner(std::span<const double> w, const Eigen::Ref<const Eigen::VectorXd>& u,
                      const Eigen::Ref<const Eigen::VectorXd>& v);
/// The same through the column-major d2×d1 view M = Wᵀ: vᵀ·M·u (kronecker-async §2.1's second variant).
double kroneckerInnerTransposed(std::span<const double> w, const Eigen::Ref<const Eigen::VectorXd>& u,
                                const Eigen::Ref<const Eigen::VectorXd>& v);
/// Gram table G = (UᵀU) ∘ (VᵀV), G[i][j] = <x_i, x_j>, in O(n²(d1+d2)) (kronecker-async §3.2).
Eigen::MatrixXd kroneckerGram(const KronData& data);
/// Rows G[batch, :] from the factors only ("Factored" mode): (U_Bᵀ U) ∘ (V_Bᵀ V), O(S·n·(d1+d2)).
void kroneckerGramRows(const KronData& data, std::span<const std::uint32_t> batch, RowMatrix& out);
/// The n×d input matrix, row i = x_i (the naive path materialises it once, kronecker-async §2.7).
RowMatrix materialiseInputs(const KronData& data);

/// Row r of W(0) ~ N(0, I_d) from the stream (modelSeed, Init, worker = r): identical whatever the
/// neuron blocking (kronecker-async §3.7).
void initialWeightRow(std::uint64_t modelSeed, std::int64_t r, std::span<double> out);
/// Output weights a_r ∈ {−1, +1}, uniform, from the stream (modelSeed, Init, no worker, job 1).
Eigen::VectorXd outputWeights(std::uint64_t modelSeed, std::int64_t m);

/// kronecker-async §2.5 default threshold b = sqrt(0.4·ln m).
double defaultThreshold(std::int64_t m);
/// Q(b) = 1 − Φ(b): the probability that a unit-norm input fires a fresh neuron.
double firingProbability(double b);
/// b = Φ^{-1}(1 − p) for a target fired fraction p ∈ (0, 1).
double thresholdForFiredFraction(double p);
/// Inverse of the standard normal CDF on (0, 1) (Acklam's approximation with one Halley step).
double inverseNormalCdf(double probability);

}  // namespace distopt
