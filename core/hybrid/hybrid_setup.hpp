#pragma once
// What both roles of a hybrid-order run derive from its options and context (hybrid_coordinator,
// hybrid_worker; the same on the virtual network and live), and the row-major layout Ritz slices travel
// in (PROTOCOL.md §12.1).

#include <cstdint>

#include "core/hybrid/hybrid_run_options.hpp"
#include "core/sim/sim_run.hpp"

namespace distopt {

// Trainers [0, U) and curvature devices [cFirst, cFirst + C).
struct HybridSetup {
  HybridRunOptions options;
  HybridMethod method = HybridMethod::Dho2;
  Dho2Options dho2;  // effective: baselines have k = l = 0; every method but DHO2 uses mode R
  int workers = 1;
  int trainers = 1;
  int cFirst = 0;
  int curvatureCount = 0;
  Eigen::Index n = 0;
  int r = 0;
  int m = 0;
  bool sharded = false;  // update mode S
  bool root = false;     // hvp_mode root_broadcast
  std::uint64_t seed = 0;

  bool mr() const { return method == HybridMethod::MrDho2; }
  /// MR-DHO2 stop-the-world: training waits for each estimate (reproduces DHO2 mode R).
  bool stopTheWorld() const { return mr() && options.stopTheWorld; }
  bool trains(int worker) const { return worker < trainers; }
  bool curvature(int worker) const { return worker >= cFirst && worker < cFirst + curvatureCount; }
  /// Update segment (mode S) of trainer p.
  SegmentRange segment(int worker) const { return segmentRange(n, trainers, worker); }
  /// Lanczos segment of curvature device `worker`.
  SegmentRange lanczosSegment(int worker) const { return segmentRange(n, curvatureCount, worker - cFirst); }
  /// Curvature values a device holds besides its Dho2Worker: the all-gathered Ritz vectors of mode R
  /// besides the installed copy (DHO2 R and FOSI).
  std::int64_t gatherBufferValues(int worker) const {
    return curvature(worker) && !mr() && !sharded ? static_cast<std::int64_t>(r) * n : 0;
  }
  /// MR-DHO2: whether a snapshot is taken at the start of `step`, `lastSnapshot` the step of the
  /// previous one (negative: none yet), the curvature devices being idle. The coordinator decides it;
  /// in stop-the-world the trainers apply the same rule to wait for the estimate.
  bool snapshotDue(std::int64_t step, std::int64_t lastSnapshot) const {
    const FosiOptions& fosi = dho2.fosi;
    return step + 1 >= fosi.warmupSteps() &&
           (lastSnapshot < 0 || step - lastSnapshot >= options.snapshotPeriod.value_or(fosi.period));
  }
};

/// The setup of a run of `options` with the context's workers, problem and seed.
HybridSetup makeHybridSetup(const HybridRunOptions& options, const SimRunContext& context);

/// A Ritz slice (rows = vectors) as it travels, row by row, and back.
Vector flattenRows(const Eigen::MatrixXd& matrix);
Eigen::MatrixXd unflattenRows(const Vector& flat, Eigen::Index rows, Eigen::Index cols);

}  // namespace distopt
