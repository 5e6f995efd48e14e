#pragma once
// What both sides of a live hybrid-order run derive from the experiment, exactly as HybridSimRun does in
// its constructor (the roles in hybrid_coordinator.cpp and hybrid_worker.cpp), and the row-major layout
// Ritz slices travel in (PROTOCOL.md §12.1).

#include <cstdint>

#include "core/config/experiment.hpp"
#include "core/hybrid/hybrid_sim_run.hpp"

namespace distopt::net::hybrid_live {

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
  bool trains(int worker) const { return worker < trainers; }
  bool curvature(int worker) const { return worker >= cFirst && worker < cFirst + curvatureCount; }
  /// Update segment (mode S) of trainer p.
  SegmentRange segment(int worker) const { return segmentRange(n, trainers, worker); }
  /// Lanczos segment of curvature device `worker`.
  SegmentRange lanczosSegment(int worker) const { return segmentRange(n, curvatureCount, worker - cFirst); }
  /// Curvature values the simulator adds for a device: the all-gathered Ritz vectors of mode R besides
  /// the installed copy (DHO2 R and FOSI).
  std::int64_t gatherBufferValues(int worker) const {
    return curvature(worker) && !mr() && !sharded ? static_cast<std::int64_t>(r) * n : 0;
  }
};

HybridSetup makeSetup(const Experiment& experiment, const BuiltRun& built);

/// A Ritz slice (rows = vectors) as it travels, row by row, and back.
Vector flattenRows(const Eigen::MatrixXd& matrix);
Eigen::MatrixXd unflattenRows(const Vector& flat, Eigen::Index rows, Eigen::Index cols);

}  // namespace distopt::net::hybrid_live
