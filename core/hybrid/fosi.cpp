#include "core/hybrid/fosi.hpp"

#include <algorithm>
#include <cmath>

#include "core/util/check.hpp"

namespace distopt {
namespace {

// Curvature streams use the Init purpose with worker ids no real worker has, so they never share bits
// with a worker's gradient or initialisation stream.
constexpr std::uint64_t kStartStreamWorker = StreamKey::kNoWorker - 0x4c31;
constexpr std::uint64_t kRestartStreamWorker = StreamKey::kNoWorker - 0x4c32;

}  // namespace

RandomStream lanczosStartStream(std::uint64_t seed, std::uint64_t ese) {
  return RandomStream(
      StreamKey{.runSeed = seed, .purpose = StreamPurpose::Init, .worker = kStartStreamWorker, .job = ese});
}

RandomStream lanczosRestartStream(std::uint64_t seed, std::uint64_t ese) {
  return RandomStream(
      StreamKey{.runSeed = seed, .purpose = StreamPurpose::Init, .worker = kRestartStreamWorker, .job = ese});
}

bool FosiOptions::isValid(std::string* why) const {
  auto fail = [&](const char* message) {
    if (why) *why = message;
    return false;
  };
  if (!base.isValid(why)) return false;
  if (k < 0) return fail("k: must be >= 0");
  if (l < 0) return fail("l: must be >= 0");
  if (l > 0 && k < 1) return fail("l: l > 0 requires k >= 1");
  if (m < 0) return fail("m: must be >= 0 (0 = the default order)");
  if (m > 0 && m < k + l) return fail("m: must be >= k + l");
  if (period < 1) return fail("T: must be >= 1");
  if (warmup < 0) return fail("W: must be >= 0 (0 = T)");
  if (!(alpha > 0.0) || !std::isfinite(alpha)) return fail("alpha: must be > 0");
  if (!(cMax >= 1.0)) return fail("c_max: must be >= 1");
  if (!(epsLambda > 0.0)) return fail("eps_lambda: must be > 0");
  return true;
}

bool eseDue(std::int64_t t, std::int64_t warmup, std::int64_t period) {
  return t + 1 >= warmup && (t + 1 - warmup) % period == 0;
}

FosiSegment::FosiSegment(const FosiOptions& options, Eigen::Index size)
    : m_options(options), m_base(options.base, size), m_v(0, size), m_u(Vector::Zero(size)) {}

void FosiSegment::install(const Eigen::MatrixXd& vectors, const Vector& eigenvalues) {
  DISTOPT_CHECK(vectors.cols() == m_u.size() && vectors.rows() == eigenvalues.size());
  m_v = vectors;
  m_lambda = eigenvalues;
  m_rho = eigenvalues.cwiseAbs().cwiseMax(m_options.epsLambda).cwiseInverse();
  m_c = 1.0;
  if (m_options.k > 0 && m_options.base.kind != BaseKind::Adam) {
    const double lambdaMax = std::abs(eigenvalues(m_options.l + m_options.k - 1));
    const double lambdaK = std::max(std::abs(eigenvalues(m_options.l)), m_options.epsLambda);
    m_c = std::clamp(lambdaMax / lambdaK, 1.0, m_options.cMax);
  }
}

Vector FosiSegment::project(const Vector& g) {
  m_g = g;
  return m_v * g;
}

Vector FosiSegment::momentumAndBase(const Vector& a) {
  const Vector g1 = m_v.transpose() * a;
  const Vector g2 = m_g - g1;
  const double beta = m_options.base.beta;
  switch (m_options.base.kind) {
    case BaseKind::Sgd:
      m_u = g1;
      break;
    case BaseKind::HeavyBall:
      m_u = g1 + beta * m_u;
      break;
    case BaseKind::Adam:
      m_u = (1.0 - beta) * g1 + beta * m_u;
      break;
  }
  m_base.step(g2, m_delta);
  const Eigen::Index r = m_v.rows();
  Vector bq(2 * r);
  bq.head(r) = m_v * m_u;
  bq.tail(r) = m_v * m_delta;
  return bq;
}

void FosiSegment::apply(const Vector& bq, Eigen::Ref<Vector> theta) {
  const Eigen::Index r = m_v.rows();
  if (r == 0) {
    // No estimate: exactly the base optimizer (hybrid-order §2.1), bit for bit.
    theta += m_delta;
    return;
  }
  const Vector d1 = m_v.transpose() * m_rho.cwiseProduct(bq.head(r));
  const Vector delta = m_delta - m_v.transpose() * bq.tail(r);
  theta += m_c * delta - m_options.alpha * d1;
}

Fosi::Fosi(const FosiOptions& options, Eigen::Index n, std::uint64_t seed)
    : m_options(options), m_seed(seed), m_segment(options, n) {}

void Fosi::step(Vector& theta, const Vector& g, const HvpFactory& hvpAt) {
  if (m_options.k > 0 && eseDue(m_t, m_options.warmupSteps(), m_options.period)) {
    RandomStream start = lanczosStartStream(m_seed, static_cast<std::uint64_t>(m_estimates));
    RandomStream restarts = lanczosRestartStream(m_seed, static_cast<std::uint64_t>(m_estimates));
    const LanczosResult result = lanczos(hvpAt(theta), lanczosStartVector(theta.size(), start),
                                         m_options.lanczosOptions(theta.size()), restarts);
    m_segment.install(result.vectors, result.eigenvalues);
    ++m_estimates;
  }
  const Vector a = m_segment.project(g);
  const Vector bq = m_segment.momentumAndBase(a);
  m_segment.apply(bq, theta);
  ++m_t;
}

}  // namespace distopt
