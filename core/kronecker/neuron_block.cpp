#include "core/kronecker/neuron_block.hpp"

#include <cmath>

#include "core/util/check.hpp"

namespace distopt {

NeuronBlock::NeuronBlock(const KronTwoLayerProblem& problem, std::int64_t begin, std::int64_t end)
    : m_problem(problem),
      m_begin(begin),
      m_end(end),
      m_threshold(problem.threshold()),
      m_invSqrtM(1.0 / std::sqrt(static_cast<double>(problem.neurons()))),
      m_a(problem.outputWeights().segment(begin, end - begin)) {
  DISTOPT_CHECK(begin >= 0 && begin <= end && end <= problem.neurons());
}

BlockEvaluation NeuronBlock::evaluation(bool withCoFired) const {
  RowMatrix p;
  innerProductTable(p);
  const Eigen::Index n = p.cols();
  BlockEvaluation out;
  out.outputSums = Eigen::VectorXd::Zero(n);
  Eigen::MatrixXd fired;
  if (withCoFired) fired = Eigen::MatrixXd::Zero(p.rows(), n);
  for (Eigen::Index r = 0; r < p.rows(); ++r) {
    for (Eigen::Index j = 0; j < n; ++j) {
      if (!(p(r, j) > m_threshold)) continue;
      out.outputSums[j] += m_a[r] * (p(r, j) - m_threshold);
      ++out.firedPairs;
      if (withCoFired) fired(r, j) = 1.0;
    }
  }
  if (withCoFired) out.coFired.noalias() = fired.transpose() * fired;
  return out;
}

std::vector<std::pair<std::int64_t, std::int64_t>> neuronBlocks(std::int64_t m, int workers) {
  DISTOPT_CHECK(workers >= 1);
  std::vector<std::pair<std::int64_t, std::int64_t>> blocks;
  std::int64_t begin = 0;
  for (int w = 0; w < workers; ++w) {
    const std::int64_t size = m / workers + (w < m % workers ? 1 : 0);
    blocks.emplace_back(begin, begin + size);
    begin += size;
  }
  return blocks;
}

}  // namespace distopt
