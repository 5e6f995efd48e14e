#pragma once
// FOSI (docs/papers.md, hybrid-order §2): every T steps Lanczos estimates the extreme eigenpairs of the
// Hessian; each gradient is split into its part inside span(V), which takes a damped Newton step with FOSI's
// own momentum, and the orthogonal remainder, which goes to the base optimizer (scaled by c).
//
// The update is written as a segment role (FosiSegment) whose three phases exchange only r and 2r
// coefficient sums, so the same code is single-process FOSI (one segment = all of θ), DHO2 mode R
// (every device a full segment) and DHO2 mode S (device p owns segment S_p of θ, u, the base state and
// V; hybrid-order §4.5). Fosi below is the single-process optimizer with the ESE schedule of §2.2.

#include <cstdint>
#include <functional>
#include <string>

#include <Eigen/Core>

#include "core/hybrid/base_optimizer.hpp"
#include "core/hybrid/lanczos.hpp"

namespace distopt {

struct FosiOptions {
  BaseOptimizerOptions base;  ///< base optimizer X of FOSI-X (its beta is also FOSI's momentum decay)
  int k = 10;                 ///< largest eigenpairs; 0 = the plain base optimizer
  int l = 0;                  ///< smallest eigenpairs (algebraic)
  int m = 0;                  ///< Lanczos order; 0 = max(4(k+l), ceil(2 ln n)) clamped to n
  std::int64_t period = 100;  ///< T: steps between curvature estimates, >= 1
  std::int64_t warmup = 0;    ///< W: first estimate at step W-1; 0 = T
  double alpha = 0.01;        ///< Newton step fraction, > 0
  double cMax = 3.0;          ///< clip of the base-step scale c, >= 1 (forced to 1 for Adam)
  double epsLambda = 1e-12;   ///< floor of |lambda| before inverting

  bool isValid(std::string* why) const;
  /// m after applying the default rule for dimension n.
  int lanczosOrder(Eigen::Index n) const { return m > 0 ? m : defaultLanczosOrder(k, l, n); }
  std::int64_t warmupSteps() const { return warmup > 0 ? warmup : period; }
  LanczosOptions lanczosOptions(Eigen::Index n) const {
    return LanczosOptions{.m = lanczosOrder(n), .k = k, .l = l};
  }
};

/// True when the estimate is refreshed before step t: t+1 >= W and (t+1-W) mod T == 0 (hybrid-order §2.2).
bool eseDue(std::int64_t t, std::int64_t warmup, std::int64_t period);

/// The FOSI update of one contiguous parameter segment (hybrid-order §2.3 / §4.5 mode S). Per step, in order:
///   a  = ALLREDUCE_SUM(project(g_p))             r values
///   bq = ALLREDUCE_SUM(momentumAndBase(a))       2r values: [V_p u_p ; V_p D_p]
///   apply(bq, θ_p)
/// With one segment covering all of θ the sums are the identity and this is single-process FOSI.
class FosiSegment {
 public:
  FosiSegment(const FosiOptions& options, Eigen::Index size);

  /// Installs an estimate: the segment's slice of the Ritz vectors (r × s) and the r eigenvalues
  /// (bottom l then top k, ascending). Sets rho = 1/max(|lambda|, eps) and c (hybrid-order §2.2).
  void install(const Eigen::MatrixXd& vectors, const Vector& eigenvalues);
  bool hasEstimate() const { return m_v.rows() > 0; }

  Vector project(const Vector& g);
  Vector momentumAndBase(const Vector& a);
  void apply(const Vector& bq, Eigen::Ref<Vector> theta);

  /// Doubles of curvature-related state: V slice, u, base optimizer state.
  std::int64_t storedValues() const { return m_v.size() + m_u.size() + m_base.storedValues(); }
  const Eigen::MatrixXd& vectors() const { return m_v; }
  const Vector& eigenvalues() const { return m_lambda; }
  const Vector& rho() const { return m_rho; }
  const Vector& velocity() const { return m_u; }
  double scale() const { return m_c; }

 private:
  FosiOptions m_options;
  BaseOptimizer m_base;
  Eigen::MatrixXd m_v;  // r × s
  Vector m_lambda;
  Vector m_rho;
  double m_c = 1.0;
  Vector m_u;
  Vector m_g;      // this step's gradient segment (kept between phases)
  Vector m_delta;  // this step's base step
};

/// Single-process FOSI-X.
class Fosi {
 public:
  /// Builds the HVP operator at the current θ on the ESE batch.
  using HvpFactory = std::function<HvpOperator(const Vector& theta)>;

  /// `seed` keys the Lanczos start and restart streams (one pair per estimate).
  Fosi(const FosiOptions& options, Eigen::Index n, std::uint64_t seed);

  /// One step with the gradient g at θ (runs Lanczos first when eseDue).
  void step(Vector& theta, const Vector& g, const HvpFactory& hvpAt);
  /// Replaces the estimate (tests inject exact eigenvectors this way).
  void install(const Eigen::MatrixXd& vectors, const Vector& eigenvalues) {
    m_segment.install(vectors, eigenvalues);
  }

  std::int64_t steps() const { return m_t; }
  int estimates() const { return m_estimates; }
  const FosiSegment& segment() const { return m_segment; }

 private:
  FosiOptions m_options;
  std::uint64_t m_seed;
  FosiSegment m_segment;
  std::int64_t m_t = 0;
  int m_estimates = 0;
};

/// Keyed streams for estimate number `ese`: the start vector and the breakdown restarts.
RandomStream lanczosStartStream(std::uint64_t seed, std::uint64_t ese);
RandomStream lanczosRestartStream(std::uint64_t seed, std::uint64_t ese);

}  // namespace distopt
