#include "core/kronecker/kron_fast.hpp"

#include <algorithm>
#include <cmath>

#include "core/util/check.hpp"

namespace distopt {

bool KronFastOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (eta && !(*eta > 0.0 && std::isfinite(*eta))) return fail("eta: must be > 0");
  if (staleness < 0 || staleness > 1024) return fail("staleness: must be in [0, 1024]");
  if (resyncEvery < 0) return fail("resync_every: must be >= 0");
  return true;
}

const char* gramModeName(GramMode mode) { return mode == GramMode::Factored ? "factored" : "precomputed"; }

FastNeuronBlock::FastNeuronBlock(const KronTwoLayerProblem& problem, std::int64_t begin, std::int64_t end,
                                 const KronFastOptions& options)
    : NeuronBlock(problem, begin, end),
      m_options(options),
      m_index(options.index, static_cast<std::size_t>(end - begin),
              static_cast<std::size_t>(problem.data().size()), problem.threshold()) {
  const KronData& data = problem.data();
  const Eigen::Index d1 = data.d1(), d2 = data.d2(), n = data.size();
  m_p.resize(rows(), n);
  std::vector<double> row(static_cast<std::size_t>(d1 * d2));
  Eigen::MatrixXd y(d1, n);
  for (std::int64_t r = 0; r < rows(); ++r) {
    initialWeightRow(problem.modelSeed(), begin + r, row);
    const Eigen::Map<const RowMatrix> w(row.data(), d1, d2);
    y.noalias() = w * data.v;
    m_p.row(r) = (data.u.array() * y.array()).colwise().sum();
  }
  m_p0 = m_p;
  m_alpha = RowMatrix::Zero(rows(), n);
  m_delta.resize(n);
  rebuildCaches();
}

void FastNeuronBlock::rebuildCaches() {
  m_index.build(m_p);
  const Eigen::Index n = m_p.cols();
  m_outputCache = Eigen::VectorXd::Zero(n);
  m_firedCount.assign(static_cast<std::size_t>(n), 0);
  for (Eigen::Index r = 0; r < m_p.rows(); ++r) {
    for (Eigen::Index j = 0; j < n; ++j) {
      if (!(m_p(r, j) > m_threshold)) continue;
      m_outputCache[j] += m_a[r] * (m_p(r, j) - m_threshold);
      ++m_firedCount[static_cast<std::size_t>(j)];
    }
  }
}

void FastNeuronBlock::forward(std::span<const std::uint32_t> batch, std::uint64_t iteration,
                              std::vector<double>& sums, std::vector<std::uint32_t>& counts,
                              KeptForward& kept) {
  kept.iteration = iteration;
  kept.batch.assign(batch.begin(), batch.end());
  kept.offsets.assign(1, 0);
  kept.rows.clear();
  sums.assign(batch.size(), 0.0);
  counts.assign(batch.size(), 0);
  for (std::size_t k = 0; k < batch.size(); ++k) {
    const std::uint32_t i = batch[k];
    m_index.query(m_p, i, m_fired);
    double sum = 0.0;
    for (const std::uint32_t r : m_fired) sum += m_a[r] * (m_p(r, i) - m_threshold);
    sums[k] = sum;
    counts[k] = static_cast<std::uint32_t>(m_fired.size());
    kept.rows.insert(kept.rows.end(), m_fired.begin(), m_fired.end());
    kept.offsets.push_back(static_cast<std::uint32_t>(kept.rows.size()));
  }
}

void FastNeuronBlock::apply(const KeptForward& kept, std::span<const double> residuals, double eta,
                            BlockStepStats& stats) {
  DISTOPT_CHECK(residuals.size() == kept.batch.size());
  const std::size_t s = kept.batch.size();
  const Eigen::Index n = m_p.cols();
  stats = BlockStepStats{};
  stats.flips = 0;

  // Coefficients grouped by neuron, batch positions ascending within a neuron: key (r << 32) | pos.
  m_pairs.clear();
  for (std::size_t k = 0; k < s; ++k)
    for (const std::uint32_t r : kept.fired(k)) m_pairs.push_back((std::uint64_t{r} << 32) | k);
  std::sort(m_pairs.begin(), m_pairs.end());
  stats.nnz = m_pairs.size();
  if (m_pairs.empty()) {
    ++m_applied;
    return;
  }

  m_gramRows.resize(s);
  if (m_options.gram == GramMode::Precomputed) {
    // G is symmetric: column i is row i, and contiguous.
    for (std::size_t k = 0; k < s; ++k) m_gramRows[k] = m_problem.gram().col(kept.batch[k]).data();
  } else {
    kroneckerGramRows(m_problem.data(), kept.batch, m_batchGram);
    for (std::size_t k = 0; k < s; ++k) m_gramRows[k] = m_batchGram.row(static_cast<Eigen::Index>(k)).data();
  }

  m_changed.clear();
  std::uint64_t flips = 0;
  double* delta = m_delta.data();
  for (std::size_t at = 0; at < m_pairs.size();) {
    const auto r = static_cast<std::uint32_t>(m_pairs[at] >> 32);
    m_delta.setZero();
    for (; at < m_pairs.size() && static_cast<std::uint32_t>(m_pairs[at] >> 32) == r; ++at) {
      const auto k = static_cast<std::size_t>(m_pairs[at] & 0xffffffffu);
      const double c = m_a[r] * (-eta * residuals[k] * m_invSqrtM);
      m_alpha(r, kept.batch[k]) += c;
      // Eigen's packet loop: the same per-entry operations as a scalar loop, so bits do not change.
      m_delta.noalias() += c * Eigen::Map<const Eigen::VectorXd>(m_gramRows[k], n);
    }
    double* p = m_p.row(r).data();
    const double a = m_a[r];
    for (Eigen::Index j = 0; j < n; ++j) {
      const double before = p[j];
      const double after = before + delta[j];
      p[j] = after;
      const bool wasFired = before > m_threshold, isFired = after > m_threshold;
      if (wasFired != isFired) {
        ++flips;
        m_firedCount[static_cast<std::size_t>(j)] += isFired ? 1 : -1;
        m_index.noteWrite(r, static_cast<std::size_t>(j), before, after);
      }
      if (wasFired || isFired)
        m_outputCache[j] +=
            a * ((isFired ? after - m_threshold : 0.0) - (wasFired ? before - m_threshold : 0.0));
    }
    m_changed.push_back(r);
  }
  m_index.refreshRows(m_p, m_changed);
  stats.updatedNeurons = m_changed.size();
  stats.flips = flips;
  ++m_applied;
  if (m_options.resyncEvery > 0 && m_applied % static_cast<std::uint64_t>(m_options.resyncEvery) == 0)
    resync();
}

void FastNeuronBlock::resync() {
  const Eigen::MatrixXd gram =
      m_options.gram == GramMode::Precomputed ? m_problem.gram() : kroneckerGram(m_problem.data());
  m_p = m_p0;
  m_p.noalias() += m_alpha * gram;
  rebuildCaches();
}

Eigen::VectorXd FastNeuronBlock::reconstructWeights(std::int64_t localRow) const {
  const KronData& data = m_problem.data();
  Eigen::VectorXd w(data.dimension());
  initialWeightRow(m_problem.modelSeed(), m_begin + localRow,
                   std::span<double>(w.data(), static_cast<std::size_t>(w.size())));
  Eigen::Map<RowMatrix> reshaped(w.data(), data.d1(), data.d2());
  reshaped.noalias() += data.u * m_alpha.row(localRow).transpose().asDiagonal() * data.v.transpose();
  return w;
}

}  // namespace distopt
