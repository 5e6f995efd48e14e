#include "core/hybrid/dho2.hpp"

#include <algorithm>

#include "core/util/check.hpp"

namespace distopt {
namespace {

SegmentRange updateRangeOf(UpdateMode mode, Eigen::Index n, int parts, int index) {
  if (mode == UpdateMode::Sharded) return segmentRange(n, parts, index);
  return SegmentRange{0, n};
}

}  // namespace

Dho2Worker::Dho2Worker(const Dho2Options& options, Eigen::Index n, int parts, int index)
    : m_options(options),
      m_n(n),
      m_parts(parts),
      m_index(index),
      m_segment(segmentRange(n, parts, index)),
      m_updateRange(updateRangeOf(options.updateMode, n, parts, index)),
      m_update(options.fosi, m_updateRange.size()) {
  notePeak();
}

LanczosSegment& Dho2Worker::beginEstimate(const Vector& q0) {
  m_lanczos = std::make_unique<LanczosSegment>(m_n, m_parts, m_index, m_options.fosi.lanczosOptions(m_n));
  m_lanczos->start(q0);
  notePeak();
  return *m_lanczos;
}

LanczosResult Dho2Worker::finishEstimate() {
  DISTOPT_CHECK(m_lanczos != nullptr);
  LanczosResult result = m_lanczos->finish();
  // The Ritz slice and the old estimate coexist with the basis for a moment.
  m_peak = std::max(m_peak, storedValues() + static_cast<std::int64_t>(result.vectors.size()));
  m_lanczos.reset();
  return result;
}

void Dho2Worker::install(const Eigen::MatrixXd& vectors, const Vector& eigenvalues) {
  m_update.install(vectors, eigenvalues);
  notePeak();
}

std::int64_t Dho2Worker::storedValues() const {
  return m_update.storedValues() + (m_lanczos ? m_lanczos->storedValues() : 0);
}

void Dho2Worker::notePeak() { m_peak = std::max(m_peak, storedValues()); }

Dho2Messages Dho2Worker::messages() const {
  return Dho2Messages{.n = m_n, .s = m_segment.size(), .r = m_options.fosi.k + m_options.fosi.l};
}

}  // namespace distopt
