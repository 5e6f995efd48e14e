#pragma once
// kron-naive: the baseline SGD step of docs/papers.md, kronecker-async §2.7 on a block of dense weight rows.
// Forward is one |block|×d by d×S product (S·m·d), the update adds η-scaled inputs to fired rows
// (nnz·d). The Kronecker structure does not help here: W rows are dense.

#include <optional>
#include <string>

#include "core/kronecker/neuron_block.hpp"

namespace distopt {

struct KronNaiveOptions {
  /// SGD step η; absent: 0.5/(S·p̂) with p̂ the fired fraction measured at init (kronecker-async §2.6).
  std::optional<double> eta;
  /// Pipeline depth τ: iterations whose residuals may still be outstanding when a batch is sent
  /// (0 = exact sequential SGD; > 0 = delayed gradients, outside the paper's theory).
  int staleness = 0;

  bool isValid(std::string* why) const;
};

class NaiveNeuronBlock final : public NeuronBlock {
 public:
  /// W(0) rows [begin, end) regenerated from the problem's model seed.
  NaiveNeuronBlock(const KronTwoLayerProblem& problem, std::int64_t begin, std::int64_t end);

  void forward(std::span<const std::uint32_t> batch, std::uint64_t iteration, std::vector<double>& sums,
               std::vector<std::uint32_t>& counts, KeptForward& kept) override;
  void apply(const KeptForward& kept, std::span<const double> residuals, double eta,
             BlockStepStats& stats) override;
  void innerProductTable(RowMatrix& out) const override;

  /// The block's weight rows (|block| × d), for tests and checkpoints.
  const RowMatrix& weights() const { return m_w; }

 private:
  RowMatrix m_w;
  RowMatrix m_batchInputs;  // S × d scratch
  RowMatrix m_z;            // |block| × S scratch
};

}  // namespace distopt
