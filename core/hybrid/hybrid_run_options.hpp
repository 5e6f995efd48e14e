#pragma once
// How a hybrid-order run is configured (docs/papers.md, hybrid-order §4): the method, its DHO2/FOSI
// options and what the virtual time charges for curvature work. One struct for the simulator and the
// live driver (both build it in hybrid_entries).

#include <cstdint>
#include <optional>
#include <string>

#include "core/hybrid/dho2.hpp"
#include "core/problems/problem.hpp"

namespace distopt {

enum class HybridMethod { Baseline, Fosi, Dho2, MrDho2 };

struct HybridRunOptions {
  HybridMethod method = HybridMethod::Dho2;
  std::string name = "dho2";  ///< registry name, reported in the summary
  Dho2Options dho2;
  double hvpCost = 2.5;        ///< one HVP in gradient evaluations on the same samples (hybrid-order §3)
  double eseBatchRatio = 4.0;  ///< ESE batch / global training batch (hybrid-order E3: 1024 / 256)
  /// ESE batch in samples: the first eseBatch training samples of the curvature problem (hybrid-order §2.6:
  /// one fixed batch reused by every ESE); 0 = all of them. Only the numerics: eseBatchRatio charges the
  /// time.
  std::int64_t eseBatch = 0;
  int curvatureWorkers = 0;                    ///< MR-DHO2 C; 0 = max(1, round(total / 4))
  std::optional<std::int64_t> snapshotPeriod;  ///< MR T_snap; absent = T; 0 = whenever idle
  std::optional<std::int64_t> maxStaleness;    ///< MR: discard older estimates; absent = never
  bool stopTheWorld = false;  ///< MR: update workers wait for each estimate (reproduces DHO2 R)
  /// The problem whose Hessian the estimates use (the ESE batch as its own data set, e.g. the first
  /// 1024 training samples); null = the run's problem over its whole training set. Not owned.
  const Problem* curvatureProblem = nullptr;

  /// Checks against the worker count and dimension; messages "field: reason".
  bool isValid(int workers, Eigen::Index n, std::string* why) const;
  /// C actually used for `workers` workers.
  int curvatureCount(int workers) const;
  /// Duration of one HVP of a curvature device in job durations, with `trainers` training workers and
  /// `curvatureDevices` devices sharing the ESE batch (P× more in root_broadcast: every device
  /// evaluates the whole batch).
  double hvpScale(int trainers, int curvatureDevices) const;
  /// Device `device`'s HVP of one Lanczos iteration, the driver's average over the `devices` curvature
  /// devices being the HVP of the ESE batch (hybrid-order §3.5, §4.3): data_parallel, its contiguous share of
  /// the ESE batch (the mean of the equal shares is the batch mean); root_broadcast, the whole batch.
  /// Problems without per-batch HVPs (or without data) give the full HVP on every device.
  void eseHessianVectorProduct(const Problem& problem, int devices, int device, const Vector& x,
                               const Vector& v, Vector& out) const;
};

}  // namespace distopt
