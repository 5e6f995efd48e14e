#include "core/decentralized/sample_oracle.hpp"

#include "core/util/check.hpp"

namespace distopt {

ProblemOracle::ProblemOracle(const Problem& problem, const Shard& shard)
    : m_problem(problem), m_shard(shard), m_online(problem.numSamples() == 0) {
  m_one.indices.resize(1);
}

std::int64_t ProblemOracle::localSamples() const {
  if (m_online) return 0;
  return m_shard.indices.empty() ? m_problem.numSamples() : static_cast<std::int64_t>(m_shard.indices.size());
}

void ProblemOracle::drawSamples(std::int64_t count, RandomStream& stream,
                                std::vector<std::int64_t>& ids) const {
  ids.resize(static_cast<std::size_t>(count));
  if (m_online) {
    for (auto& id : ids) id = static_cast<std::int64_t>(stream.next() >> 1);
    return;
  }
  const auto population = static_cast<std::uint64_t>(localSamples());
  for (auto& id : ids) {
    const auto position = stream.uniformInt(population);
    id = m_shard.indices.empty() ? static_cast<std::int64_t>(position) : m_shard.indices[position];
  }
}

void ProblemOracle::addSampleGradient(const Vector& x, std::int64_t id, Vector& sum) {
  if (m_online) {
    RandomStream stream = RandomStream::fromSeed(static_cast<std::uint64_t>(id));
    m_problem.stochasticGradient(x, m_shard, stream, m_scratch);
  } else {
    m_one.indices[0] = id;
    RandomStream unused = RandomStream::fromSeed(0);  // a one-sample shard draws nothing
    m_problem.stochasticGradient(x, m_one, unused, m_scratch);
  }
  sum += m_scratch;
}

void ProblemOracle::sampleGradient(const Vector& x, const std::vector<std::int64_t>& ids, Vector& out) {
  DISTOPT_CHECK(!ids.empty());
  out.setZero(x.size());
  for (std::int64_t id : ids) addSampleGradient(x, id, out);
  out /= static_cast<double>(ids.size());
}

void ProblemOracle::fullGradient(const Vector& x, Vector& out) {
  DISTOPT_CHECK_MSG(!m_online, "a stream (online) oracle has no full local gradient");
  out.setZero(x.size());
  if (m_shard.indices.empty()) {
    for (std::int64_t i = 0; i < m_problem.numSamples(); ++i) addSampleGradient(x, i, out);
  } else {
    for (std::int64_t id : m_shard.indices) addSampleGradient(x, id, out);
  }
  out /= static_cast<double>(localSamples());
}

}  // namespace distopt
