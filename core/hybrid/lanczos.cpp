#include "core/hybrid/lanczos.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <Eigen/Eigenvalues>

#include "core/util/check.hpp"

namespace distopt {
namespace {

bool isBreakdown(double beta, double maxAbsAlpha, double tol) {
  return beta <= tol * maxAbsAlpha || beta < 1e-300;
}

// Eigen-solves T and picks bottom l and top k columns (ascending), hybrid-order §2.5 steps 3-5.
void solveTridiagonal(const Vector& alpha, const Vector& beta, int k, int l, LanczosResult& result) {
  const int m = static_cast<int>(alpha.size());
  result.alpha = alpha;
  result.beta = beta;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver;
  if (m == 1) {
    result.ritzValues = alpha;
    result.selection = Eigen::MatrixXd::Ones(1, k + l);
    result.eigenvalues = alpha.head(k + l);
    return;
  }
  solver.computeFromTridiagonal(alpha, beta, Eigen::ComputeEigenvectors);
  DISTOPT_CHECK_MSG(solver.info() == Eigen::Success, "tridiagonal eigen-solve failed");
  result.ritzValues = solver.eigenvalues();
  const int r = k + l;
  result.selection.resize(m, r);
  result.eigenvalues.resize(r);
  for (int i = 0; i < l; ++i) {
    result.selection.col(i) = solver.eigenvectors().col(i);
    result.eigenvalues(i) = solver.eigenvalues()(i);
  }
  for (int i = 0; i < k; ++i) {
    result.selection.col(l + i) = solver.eigenvectors().col(m - k + i);
    result.eigenvalues(l + i) = solver.eigenvalues()(m - k + i);
  }
}

}  // namespace

bool LanczosOptions::isValid(Eigen::Index n, std::string* why) const {
  auto fail = [&](const std::string& message) {
    if (why) *why = message;
    return false;
  };
  if (k < 0) return fail("k: must be >= 0");
  if (l < 0) return fail("l: must be >= 0");
  if (l > 0 && k < 1) return fail("l: l > 0 requires k >= 1");
  if (m < 1) return fail("m: must be >= 1");
  if (k + l > m) return fail("m: must be >= k + l (" + std::to_string(k + l) + ")");
  if (m > n) return fail("m: must be <= the dimension n = " + std::to_string(n));
  if (!(breakdownTol > 0.0)) return fail("breakdown_tol: must be > 0");
  return true;
}

int defaultLanczosOrder(int k, int l, Eigen::Index n) {
  const int logTerm =
      static_cast<int>(std::ceil(2.0 * std::log(static_cast<double>(std::max<Eigen::Index>(n, 1)))));
  const int m = std::max(4 * (k + l), logTerm);
  return static_cast<int>(std::min<Eigen::Index>(m, n));
}

Vector lanczosStartVector(Eigen::Index n, RandomStream& stream) {
  Vector q(n);
  for (Eigen::Index i = 0; i < n; ++i) q(i) = stream.normal();
  return q / q.norm();
}

LanczosResult lanczos(const HvpOperator& hvp, const Vector& q0, const LanczosOptions& options,
                      RandomStream& restarts, Eigen::MatrixXd* basis) {
  const Eigen::Index n = q0.size();
  const int m = options.m;
  Eigen::MatrixXd q(m, n);
  Vector alpha(m);
  Vector beta = Vector::Zero(std::max(m - 1, 0));
  q.row(0) = q0.transpose();
  Vector w(n);
  LanczosResult result;
  for (int j = 0; j < m; ++j) {
    hvp(q.row(j).transpose(), w);
    alpha(j) = q.row(j).dot(w);
    if (j == m - 1) break;
    const auto stored = q.topRows(j + 1);
    for (int pass = 0; pass < 2; ++pass) w -= stored.transpose() * (stored * w);
    beta(j) = w.norm();
    if (isBreakdown(beta(j), alpha.head(j + 1).cwiseAbs().maxCoeff(), options.breakdownTol)) {
      beta(j) = 0.0;
      Vector fresh = lanczosStartVector(n, restarts);
      for (int pass = 0; pass < 2; ++pass) fresh -= stored.transpose() * (stored * fresh);
      q.row(j + 1) = (fresh / fresh.norm()).transpose();
      ++result.restarts;
    } else {
      q.row(j + 1) = (w / beta(j)).transpose();
    }
  }
  solveTridiagonal(alpha, beta, options.k, options.l, result);
  result.vectors = result.selection.transpose() * q;
  if (basis) *basis = std::move(q);
  return result;
}

Eigen::Index segmentLength(Eigen::Index n, int parts) { return (n + parts - 1) / parts; }

SegmentRange segmentRange(Eigen::Index n, int parts, int index) {
  const Eigen::Index s = segmentLength(n, parts);
  SegmentRange range;
  range.begin = std::min<Eigen::Index>(n, s * index);
  range.end = std::min<Eigen::Index>(n, s * (index + 1));
  return range;
}

LanczosSegment::LanczosSegment(Eigen::Index n, int parts, int index, const LanczosOptions& options)
    : m_options(options), m_n(n), m_range(segmentRange(n, parts, index)) {
  // The slice is allocated at the full padded length s for every device, as the memory
  // formula of hybrid-order §4.6 counts it (m·⌈n/P⌉); only the first range().size() columns carry data.
  m_basis = Eigen::MatrixXd::Zero(options.m, segmentLength(n, parts));
  m_q.resize(n);
  m_w.resize(n);
  m_wSegment.resize(m_range.size());
  m_alpha = Vector::Zero(options.m);
  m_beta = Vector::Zero(std::max(options.m - 1, 0));
}

void LanczosSegment::storeNext(const Vector& q) {
  m_q = q;
  m_basis.row(m_j).head(m_range.size()) = q.segment(m_range.begin, m_range.size()).transpose();
}

void LanczosSegment::start(const Vector& q0) {
  DISTOPT_CHECK(q0.size() == m_n);
  m_j = 0;
  m_finished = false;
  m_restarts = 0;
  m_maxAbsAlpha = 0.0;
  storeNext(q0);
}

bool LanczosSegment::acceptHvp(const Vector& w) {
  m_w = w;
  m_alpha(m_j) = m_q.dot(m_w);
  m_maxAbsAlpha = std::max(m_maxAbsAlpha, std::abs(m_alpha(m_j)));
  if (m_j == m_options.m - 1) {
    m_finished = true;
    return true;
  }
  m_wSegment = m_w.segment(m_range.begin, m_range.size());
  return false;
}

Vector LanczosSegment::coefficients() const {
  return m_basis.topRows(m_j + 1).leftCols(m_range.size()) * m_wSegment;
}

void LanczosSegment::subtractCoefficients(const Vector& summed) {
  m_wSegment -= m_basis.topRows(m_j + 1).leftCols(m_range.size()).transpose() * summed;
}

bool LanczosSegment::acceptGathered(const Vector& w) {
  const double beta = w.norm();
  if (isBreakdown(beta, m_maxAbsAlpha, m_options.breakdownTol)) {
    m_beta(m_j) = 0.0;
    return false;
  }
  m_beta(m_j) = beta;
  ++m_j;
  storeNext(w / beta);
  return true;
}

void LanczosSegment::beginRestart(const Vector& candidate) {
  m_wSegment = candidate.segment(m_range.begin, m_range.size());
}

void LanczosSegment::acceptRestart(const Vector& orthogonalised) {
  ++m_restarts;
  ++m_j;
  storeNext(orthogonalised / orthogonalised.norm());
}

LanczosResult LanczosSegment::finish() const {
  DISTOPT_CHECK_MSG(m_finished, "LanczosSegment::finish before the last iteration");
  LanczosResult result;
  solveTridiagonal(m_alpha, m_beta, m_options.k, m_options.l, result);
  result.vectors = result.selection.transpose() * m_basis.leftCols(m_range.size());
  result.restarts = m_restarts;
  return result;
}

std::int64_t LanczosSegment::storedValues() const {
  return m_basis.size() + m_q.size() + m_w.size() + m_wSegment.size() + m_alpha.size() + m_beta.size();
}

std::vector<LanczosResult> distributedLanczos(const HvpOperator& hvp, const Vector& q0, int parts,
                                              const LanczosOptions& options, RandomStream& restarts,
                                              LanczosTraffic* traffic, std::int64_t* peakStoredValues) {
  const Eigen::Index n = q0.size();
  std::vector<LanczosSegment> roles;
  roles.reserve(static_cast<std::size_t>(parts));
  for (int p = 0; p < parts; ++p) roles.emplace_back(n, parts, p, options);
  LanczosTraffic counts;
  for (auto& role : roles) role.start(q0);
  counts.broadcasts = 1;

  Vector w(n);
  Vector gathered(n);
  // Both CGS2 passes and the gather, shared by the regular step and the breakdown restart.
  auto orthogonaliseAndGather = [&]() {
    for (int pass = 0; pass < 2; ++pass) {
      Vector summed = roles[0].coefficients();
      for (int p = 1; p < parts; ++p) summed += roles[static_cast<std::size_t>(p)].coefficients();
      for (auto& role : roles) role.subtractCoefficients(summed);
      ++counts.coefficientAllReduces;
      counts.coefficientValues += summed.size();
    }
    for (const auto& role : roles)
      gathered.segment(role.range().begin, role.range().size()) = role.residualSegment();
    ++counts.vectorAllGathers;
  };

  for (;;) {
    hvp(roles[0].currentVector(), w);
    ++counts.hvpSyncs;
    bool done = false;
    for (auto& role : roles) done = role.acceptHvp(w);
    if (done) break;
    orthogonaliseAndGather();
    bool ok = true;
    for (auto& role : roles) ok = role.acceptGathered(gathered) && ok;
    if (!ok) {
      const Vector candidate = lanczosStartVector(n, restarts);  // drawn on device 0, broadcast
      ++counts.broadcasts;
      for (auto& role : roles) role.beginRestart(candidate);
      orthogonaliseAndGather();
      for (auto& role : roles) role.acceptRestart(gathered);
    }
  }
  std::vector<LanczosResult> results;
  std::int64_t peak = 0;
  for (const auto& role : roles) {
    results.push_back(role.finish());
    peak = std::max(peak, role.storedValues());
  }
  if (traffic) *traffic = counts;
  if (peakStoredValues) *peakStoredValues = peak;
  return results;
}

}  // namespace distopt
