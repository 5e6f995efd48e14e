#include "core/kronecker/kron_naive.hpp"

#include <algorithm>

#include "core/util/check.hpp"

namespace distopt {

bool KronNaiveOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (eta && !(*eta > 0.0 && std::isfinite(*eta))) return fail("eta: must be > 0");
  if (staleness < 0 || staleness > 1024) return fail("staleness: must be in [0, 1024]");
  return true;
}

NaiveNeuronBlock::NaiveNeuronBlock(const KronTwoLayerProblem& problem, std::int64_t begin, std::int64_t end)
    : NeuronBlock(problem, begin, end) {
  const Eigen::Index d = problem.data().dimension();
  m_w.resize(rows(), d);
  for (std::int64_t r = 0; r < rows(); ++r)
    initialWeightRow(problem.modelSeed(), begin + r,
                     std::span<double>(m_w.row(r).data(), static_cast<std::size_t>(d)));
}

void NaiveNeuronBlock::forward(std::span<const std::uint32_t> batch, std::uint64_t iteration,
                               std::vector<double>& sums, std::vector<std::uint32_t>& counts,
                               KeptForward& kept) {
  const auto s = static_cast<Eigen::Index>(batch.size());
  const RowMatrix& x = m_problem.inputs();
  m_batchInputs.resize(s, x.cols());
  for (Eigen::Index k = 0; k < s; ++k) m_batchInputs.row(k) = x.row(batch[static_cast<std::size_t>(k)]);
  m_z.resize(rows(), s);
  m_z.noalias() = m_w * m_batchInputs.transpose();

  kept.iteration = iteration;
  kept.batch.assign(batch.begin(), batch.end());
  kept.offsets.assign(1, 0);
  kept.rows.clear();
  sums.assign(batch.size(), 0.0);
  counts.assign(batch.size(), 0);
  for (Eigen::Index k = 0; k < s; ++k) {
    double sum = 0.0;
    for (Eigen::Index r = 0; r < rows(); ++r) {
      const double z = m_z(r, k);
      if (!(z > m_threshold)) continue;
      sum += m_a[r] * (z - m_threshold);
      kept.rows.push_back(static_cast<std::uint32_t>(r));
    }
    sums[static_cast<std::size_t>(k)] = sum;
    counts[static_cast<std::size_t>(k)] = static_cast<std::uint32_t>(kept.rows.size() - kept.offsets.back());
    kept.offsets.push_back(static_cast<std::uint32_t>(kept.rows.size()));
  }
}

void NaiveNeuronBlock::apply(const KeptForward& kept, std::span<const double> residuals, double eta,
                             BlockStepStats& stats) {
  DISTOPT_CHECK(residuals.size() == kept.batch.size());
  const RowMatrix& x = m_problem.inputs();
  std::vector<char> touched(static_cast<std::size_t>(rows()), 0);
  stats = BlockStepStats{};
  for (std::size_t k = 0; k < kept.batch.size(); ++k) {
    const double scale = -eta * residuals[k] * m_invSqrtM;
    for (const std::uint32_t r : kept.fired(k)) {
      m_w.row(r).noalias() += (m_a[r] * scale) * x.row(kept.batch[k]);
      ++stats.nnz;
      if (!touched[r]) touched[r] = 1, ++stats.updatedNeurons;
    }
  }
}

void NaiveNeuronBlock::innerProductTable(RowMatrix& out) const {
  out.resize(rows(), m_problem.data().size());
  out.noalias() = m_w * m_problem.inputs().transpose();
}

}  // namespace distopt
