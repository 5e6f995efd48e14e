#pragma once
// Extreme spectrum estimation by Lanczos with full CGS2 reorthogonalisation, in double precision
// (docs/papers.md, hybrid-order §2.5), serial and segmented across P devices (§4.3).
//
// The segmented form is written as a transport-free role, LanczosSegment: device p stores only its
// slice Q_p (m × ⌈n/P⌉) of the Lanczos basis plus the replicated current vector, and talks to the
// others through four explicit collectives whose payloads the role produces and consumes:
//   start-vector broadcast (n doubles), HVP sync (n), two coefficient all-reduces per iteration
//   ((j+1) doubles each), one vector all-gather (its s doubles in, n doubles out).
// distributedLanczos() drives P roles in lockstep and reduces in device order; a live engine drives
// the very same roles over sockets.

#include <cstdint>
#include <functional>

#include <Eigen/Core>

#include "core/problems/problem.hpp"
#include "core/util/random_stream.hpp"

namespace distopt {

/// v -> H v at the estimation point (one Hessian-vector product).
using HvpOperator = std::function<void(const Vector& v, Vector& out)>;

struct LanczosOptions {
  int m = 40;                   ///< Lanczos order (iterations), k + l <= m <= n
  int k = 10;                   ///< largest eigenpairs kept (algebraic)
  int l = 0;                    ///< smallest eigenpairs kept (algebraic); l > 0 requires k >= 1
  double breakdownTol = 1e-10;  ///< beta_j <= tol * max|alpha_i| counts as breakdown (§2.5f)

  /// Checks the ranges against the dimension n; message "field: reason".
  bool isValid(Eigen::Index n, std::string* why) const;
};

/// hybrid-order §2.5 default order: max(4(k+l), ceil(2 ln n)), clamped to n.
int defaultLanczosOrder(int k, int l, Eigen::Index n);

struct LanczosResult {
  Vector alpha;               ///< diagonal of T (m)
  Vector beta;                ///< off-diagonal of T (m-1); 0 where a breakdown restarted
  Vector ritzValues;          ///< all m Ritz values, ascending
  Vector eigenvalues;         ///< the selected r = l + k: bottom l then top k, each ascending
  Eigen::MatrixXd vectors;    ///< r × n (or r × s for one segment): rows are the Ritz vectors
  Eigen::MatrixXd selection;  ///< m × r: the selected eigenvectors of T
  int restarts = 0;           ///< breakdowns handled by a fresh random vector
};

/// Unit-norm standard normal start vector drawn from `stream`.
Vector lanczosStartVector(Eigen::Index n, RandomStream& stream);

/// Serial Lanczos. `q0` must have unit norm; `restarts` draws breakdown restart vectors. When `basis`
/// is given it receives Q (m × n, rows orthonormal) for diagnostics and tests.
LanczosResult lanczos(const HvpOperator& hvp, const Vector& q0, const LanczosOptions& options,
                      RandomStream& restarts, Eigen::MatrixXd* basis = nullptr);

/// Segment of device p of P: [begin, end) with s = ceil(n/P) (the last may be shorter or empty).
struct SegmentRange {
  Eigen::Index begin = 0;
  Eigen::Index end = 0;
  Eigen::Index size() const { return end - begin; }
};
SegmentRange segmentRange(Eigen::Index n, int parts, int index);
/// s = ceil(n / P).
Eigen::Index segmentLength(Eigen::Index n, int parts);

/// Device p's part of one distributed Lanczos run (hybrid-order §4.3). Phases per iteration j, in order:
/// currentVector() -> HVP (synced by the driver) -> acceptHvp(w) -> twice { coefficients() ->
/// ALLREDUCE_SUM -> subtractCoefficients() } -> residualSegment() -> ALLGATHER -> acceptGathered().
class LanczosSegment {
 public:
  LanczosSegment(Eigen::Index n, int parts, int index, const LanczosOptions& options);

  /// Receives the broadcast start vector (unit norm, n doubles).
  void start(const Vector& q0);
  /// q_j, replicated on every device: the direction for this iteration's HVP.
  const Vector& currentVector() const { return m_q; }
  int iteration() const { return m_j; }
  bool finished() const { return m_finished; }
  /// Receives w = H q_j (after the HVP sync); computes alpha_j locally. True when j = m-1 (done).
  bool acceptHvp(const Vector& w);
  /// Q_p[0..j] · w_p: (j+1) doubles to ALLREDUCE_SUM.
  Vector coefficients() const;
  /// w_p -= Q_p[0..j]^T coef with the all-reduced coefficients.
  void subtractCoefficients(const Vector& summed);
  /// w_p: this device's s doubles for the ALLGATHER.
  const Vector& residualSegment() const { return m_wSegment; }
  /// Receives the gathered w (n doubles). Returns false on breakdown: the driver must then broadcast
  /// a restart vector and hand it to acceptRestart() after orthogonalising it like a residual
  /// (beginRestart() loads it as w, then the same coefficient / gather phases, then acceptRestart()).
  bool acceptGathered(const Vector& w);
  void beginRestart(const Vector& candidate);
  void acceptRestart(const Vector& orthogonalised);
  /// Eigen-solves T (identical on every device) and forms this device's Ritz slice (r × s).
  LanczosResult finish() const;

  /// Doubles this role holds: basis slice, replicated q and w, w_p, T's two diagonals.
  std::int64_t storedValues() const;
  /// Doubles of the basis slice alone (m·s).
  std::int64_t basisValues() const { return m_basis.size(); }
  const Eigen::MatrixXd& basisSlice() const { return m_basis; }
  SegmentRange range() const { return m_range; }

 private:
  void storeNext(const Vector& q);

  LanczosOptions m_options;
  Eigen::Index m_n = 0;
  SegmentRange m_range;
  Eigen::MatrixXd m_basis;  // m × s (padded rows of the last segment are never touched)
  Vector m_q;               // q_j, n
  Vector m_w;               // H q_j, n
  Vector m_wSegment;        // s
  Vector m_alpha;
  Vector m_beta;
  double m_maxAbsAlpha = 0.0;
  int m_j = 0;
  bool m_finished = false;
  int m_restarts = 0;
};

/// Counts of the collectives one distributed run used (hybrid-order §6 oracle 21).
struct LanczosTraffic {
  int hvpSyncs = 0;
  int coefficientAllReduces = 0;
  std::int64_t coefficientValues = 0;  ///< sum of (j+1) over the all-reduces
  int vectorAllGathers = 0;
  int broadcasts = 0;  ///< start vector + restart vectors
};

/// Drives P LanczosSegment roles in lockstep with `hvp` shared by all (data_parallel with the whole
/// ESE batch on every device, or the synced result). Returns each device's result (vectors r × s_p).
std::vector<LanczosResult> distributedLanczos(const HvpOperator& hvp, const Vector& q0, int parts,
                                              const LanczosOptions& options, RandomStream& restarts,
                                              LanczosTraffic* traffic = nullptr,
                                              std::int64_t* peakStoredValues = nullptr);

}  // namespace distopt
