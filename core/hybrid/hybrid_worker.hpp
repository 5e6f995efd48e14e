#pragma once
// The hybrid-order family's worker role (net/PROTOCOL.md §12): worker p's Dho2Worker (its update segment
// or replica and, during an estimate, its Lanczos segment) and a full replica of θ for gradients and
// HVPs. A gradient or an HVP is sent when the time model's draw for its job has elapsed (an HVP lasts
// HybridRunOptions::hvpScale draws); every other answer goes at once. Transport-free, like
// HybridCoordinator.

#include <cstdint>
#include <optional>

#include "core/hybrid/hybrid_message.hpp"
#include "core/hybrid/hybrid_setup.hpp"
#include "core/timing/time_model.hpp"
#include "core/transport/role_links.hpp"

namespace distopt {

class HybridWorker final : public FamilyWorker<HybridMessage, HybridMessage> {
 public:
  using Link = WorkerLink<HybridMessage>;

  /// The context's problem, shards and time model must outlive the role.
  HybridWorker(HybridSetup setup, const SimRunContext& context, int worker);

  void onMessage(HybridMessage&& message, Link& link) override;

  /// Peak curvature storage in bytes as this worker reports it (its up messages' meta value): its
  /// Dho2Worker's peak, the mode R gather buffer of a curvature device, no update state on an MR
  /// curvature device.
  std::int64_t curvatureBytesPeak() const;

 private:
  enum class Expect {
    Begin,
    Start,
    MeanGradient,
    ProjA,
    ProjBq,
    Params,
    Hvp,
    Coef0,
    Coef1,
    Gather,
    Restart,
    Eigen,
    Ritz,
    Snapshot,
    Estimate  ///< MR-DHO2 stop-the-world: the trainer waits for the estimate of this step's snapshot
  };

  struct Buffered {
    Eigen::MatrixXd vectors;
    Vector eigenvalues;
    std::int64_t snapshotStep = 0;
  };

  bool expects(HybridKind kind, const HybridMeta& meta) const;
  std::int64_t expectedCount(HybridKind kind) const;
  int lanczosIter() const { return m_dho2.lanczos().iteration(); }
  HybridMeta up(int iter = 0, int part = 0) const;
  void onEstimate(HybridMessage&& message, Link& link);
  void endStep(Link& link);
  void nextStep(Link& link);
  void computeGradient(Link& link);
  void onMeanGradient(const Vector& mean, Link& link);
  void onProjection(std::uint32_t phase, const Vector& summed, Link& link);
  void applySegment(const Vector& bq, Link& link);
  void computeHvp(Link& link);
  void onHvp(const Vector& w, Link& link);
  void sendCoefficients(int pass, Link& link);
  void onGathered(const Vector& w, Link& link);

  HybridSetup m_setup;
  int m_worker;
  const Problem& m_problem;
  const Problem& m_curvatureProblem;
  const Shard& m_shard;
  const TimeModel& m_timeModel;
  Vector m_theta;
  Dho2Worker m_dho2;
  double m_hvpScale;
  Vector m_gradient;
  Vector m_hvp;
  Vector m_eigenvalues;
  std::optional<Buffered> m_buffered;
  Expect m_expect = Expect::Begin;
  bool m_restarting = false;
  std::int64_t m_step = 0;
  std::int64_t m_lastSnapshot = -1;  ///< MR-DHO2 stop-the-world: the step of the last snapshot
  std::uint64_t m_job = 0;
  double m_startTime = 0.0;
};

}  // namespace distopt
