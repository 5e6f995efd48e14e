#pragma once
// A contiguous block of hidden neurons [begin, end) of the Kronecker network, as one neuron-sharded worker
// holds it (docs/papers.md, kronecker-async §3.9). The single-process algorithms are the one-block case.
//
// A step is split the way the protocol splits it: forward() answers a BATCH with the block's partial
// sums s_i = Σ_{r fired} a_r(<w_r, x_i> − b) and fired counts, keeping the fired lists; apply() takes
// the residuals e_i of that batch (RESID) and performs the block's share of the SGD step
// w_r <- w_r − η·(a_r·e_i/√m)·x_i for every kept (r, i). kron-naive holds W rows (O(m·d) per point);
// kron-fast holds the inner-product table P rows and never a weight (d-free).

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/kronecker/kron_data.hpp"
#include "core/kronecker/kron_problem.hpp"

namespace distopt {

/// The fired lists of one forward pass, kept until its residuals arrive.
struct KeptForward {
  std::uint64_t iteration = 0;
  std::vector<std::uint32_t> batch;
  std::vector<std::uint32_t> offsets;  ///< S + 1 entries into `rows`
  std::vector<std::uint32_t> rows;     ///< block-local neuron indices, ascending per batch position

  std::span<const std::uint32_t> fired(std::size_t position) const {
    return {rows.data() + offsets[position], rows.data() + offsets[position + 1]};
  }
};

struct BlockStepStats {
  std::uint64_t nnz = 0;               ///< (neuron, batch point) pairs with a nonzero gradient term
  std::uint64_t updatedNeurons = 0;    ///< |U_t ∩ block|
  std::optional<std::uint64_t> flips;  ///< fire-status changes over all (r, j) (fast path only)
};

/// What a block contributes to a full-loss evaluation (the LOSS and COFIRE messages).
struct BlockEvaluation {
  Eigen::VectorXd outputSums;    ///< Σ_{r in block, fired on j} a_r(P[r][j] − b), per point j, ascending r
  std::uint64_t firedPairs = 0;  ///< #{(r, j) : P[r][j] > b} in the block
  /// N[j][k] = #{r in block fired on both j and k} (n×n), when asked for (gradient norm).
  Eigen::MatrixXd coFired;
};

class NeuronBlock {
 public:
  NeuronBlock(const KronTwoLayerProblem& problem, std::int64_t begin, std::int64_t end);
  virtual ~NeuronBlock() = default;
  NeuronBlock(const NeuronBlock&) = delete;
  NeuronBlock& operator=(const NeuronBlock&) = delete;

  std::int64_t begin() const { return m_begin; }
  std::int64_t end() const { return m_end; }
  std::int64_t rows() const { return m_end - m_begin; }
  /// Training points n.
  std::int64_t points() const { return m_problem.data().size(); }

  /// Partial sums and fired counts of the block for `batch`; keeps the fired lists in `kept`.
  virtual void forward(std::span<const std::uint32_t> batch, std::uint64_t iteration,
                       std::vector<double>& sums, std::vector<std::uint32_t>& counts, KeptForward& kept) = 0;
  /// The block's share of the step for a kept forward and its residuals (one per batch position).
  virtual void apply(const KeptForward& kept, std::span<const double> residuals, double eta,
                     BlockStepStats& stats) = 0;
  /// Current <w_r, x_j> for the block's rows (|block| × n).
  virtual void innerProductTable(RowMatrix& out) const = 0;
  /// From-scratch evaluation contribution (the fast path's caches are checked against it in tests).
  BlockEvaluation evaluation(bool withCoFired) const;

 protected:
  const KronTwoLayerProblem& m_problem;
  std::int64_t m_begin;
  std::int64_t m_end;
  double m_threshold;
  double m_invSqrtM;
  Eigen::VectorXd m_a;  // a[begin, end)
};

/// Contiguous neuron blocks for `workers` workers: sizes differ by at most one, in worker order.
std::vector<std::pair<std::int64_t, std::int64_t>> neuronBlocks(std::int64_t m, int workers);

}  // namespace distopt
