#pragma once
// kron-fast: the d-free SGD step of docs/papers.md, kronecker-async §3 on a block of neurons. The block holds
// the inner-product table P[r][j] = <w_r, x_j> for its rows and every training point, never a weight.
// A step adds c_{r,i} = −η·a_r·e_i/√m to the implicit weights α[r][i] and pushes
// ΔP[r][:] = Σ_i c_{r,i}·G[i][:] into P (central identity P = P(0) + α·G, §3.1), with
// G = (UᵀU)∘(VᵀV) the Kronecker Gram table. The fired-neuron index answers forward queries.

#include <optional>
#include <string>

#include "core/kronecker/fire_index.hpp"
#include "core/kronecker/neuron_block.hpp"

namespace distopt {

enum class GramMode {
  Precomputed,  ///< store G (n²): a Gram row is a lookup, the step is independent of d
  Factored,     ///< store only U, V: Gram rows of the batch by two GEMMs per step, O(S·n·(d1+d2))
};

struct KronFastOptions {
  /// SGD step η; absent: 0.5/(S·p̂) with p̂ the fired fraction measured at init (kronecker-async §2.6).
  std::optional<double> eta;
  /// Pipeline depth τ (see KronNaiveOptions::staleness).
  int staleness = 0;
  FireIndex::Kind index = FireIndex::Kind::FlipSets;
  GramMode gram = GramMode::Precomputed;
  /// Every this many applied steps, recompute P = P(0) + α·G and the index and caches from it, to stop
  /// rounding drift; 0 = never (the default: a resync perturbs the bitwise trajectory, kronecker-async §3.7).
  std::int64_t resyncEvery = 0;

  bool isValid(std::string* why) const;
};

class FastNeuronBlock final : public NeuronBlock {
 public:
  /// P(0) rows [begin, end) from W(0) rows streamed from the model seed (u_iᵀ·W_r·v_i per pair,
  /// one d1×d2 by d2×n product per neuron: the n×d input matrix is never built).
  FastNeuronBlock(const KronTwoLayerProblem& problem, std::int64_t begin, std::int64_t end,
                  const KronFastOptions& options);

  void forward(std::span<const std::uint32_t> batch, std::uint64_t iteration, std::vector<double>& sums,
               std::vector<std::uint32_t>& counts, KeptForward& kept) override;
  void apply(const KeptForward& kept, std::span<const double> residuals, double eta,
             BlockStepStats& stats) override;
  void innerProductTable(RowMatrix& out) const override { out = m_p; }

  const RowMatrix& table() const { return m_p; }
  const RowMatrix& initialTable() const { return m_p0; }
  const RowMatrix& implicitWeights() const { return m_alpha; }
  /// Incremental caches (kronecker-async §3.3): Fcache[j] = Σ_r a_r σ_b(P[r][j]) and cnt[j] = fired count.
  const Eigen::VectorXd& outputCache() const { return m_outputCache; }
  const std::vector<std::int64_t>& firedCounts() const { return m_firedCount; }
  const FireIndex& index() const { return m_index; }
  /// The fired rows of point j now (block-local, ascending).
  void firedOf(std::size_t j, std::vector<std::uint32_t>& out) const { m_index.query(m_p, j, out); }
  /// P <- P(0) + α·G and rebuild index and caches.
  void resync();
  /// W_r(t) = W_r(0) + U·diag(α[r][·])·Vᵀ for block-local r, flattened row-major (tests, checkpoints).
  Eigen::VectorXd reconstructWeights(std::int64_t localRow) const;

 private:
  void rebuildCaches();

  KronFastOptions m_options;
  RowMatrix m_p;
  RowMatrix m_p0;
  RowMatrix m_alpha;
  FireIndex m_index;
  Eigen::VectorXd m_outputCache;
  std::vector<std::int64_t> m_firedCount;
  std::uint64_t m_applied = 0;
  // scratch
  std::vector<std::uint32_t> m_fired;
  std::vector<std::uint64_t> m_pairs;
  std::vector<std::uint32_t> m_changed;
  std::vector<const double*> m_gramRows;
  RowMatrix m_batchGram;
  Eigen::VectorXd m_delta;
};

const char* gramModeName(GramMode mode);

}  // namespace distopt
