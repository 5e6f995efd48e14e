#pragma once
// The hybrid-order family's simulated run (docs/papers.md, hybrid-order §4, docs/architecture.md, rule 3):
// data-parallel training in synchronous steps that wait for the slowest worker, with FOSI curvature estimates
// computed by Dho2Worker roles.
//
//   dist-sgdm / dist-adam  the base optimizer alone (k = 0): every worker's gradient, averaged
//   fosi                   FOSI with one curvature device (worker 0 runs the whole ESE, P = 1)
//   dho2                   curvature split over all P workers, update mode S (default) or R
//   mr-dho2                U update workers train (mode R) while C curvature workers estimate in
//                          parallel on a snapshot; estimates are installed when they arrive, and their
//                          age (steps since the snapshot) is recorded as "curvature_age"
//
// Virtual time: a gradient job of worker p lasts TimeModel::duration(p, job, start); one HVP of worker p
// lasts hvp_cost · ese_batch_ratio · (training workers / curvature workers) job durations (×P more in
// root_broadcast, where every device evaluates the whole ESE batch). Communication and the O(m·n)
// orthogonalisation take no virtual time; their bytes are charged exactly (16-byte header + 8 bytes per
// double per message).
//
// Numerics of the HVP: the ESE batch is the first `ese_batch` training samples of
// HybridRunOptions::curvatureProblem (by default the run's problem; ese_batch 0 = its whole training
// set). In data_parallel every curvature device evaluates its contiguous share of that batch and the
// driver averages the shares (HybridRunOptions::eseHessianVectorProduct), so each device computes what
// the time model charges it for.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry/algorithm_entry.hpp"
#include "core/hybrid/dho2.hpp"
#include "core/sim/sim_run.hpp"

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

class HybridSimRun final : public SimRun {
 public:
  HybridSimRun(const HybridRunOptions& options, const SimRunContext& context);
  ~HybridSimRun() override;
  RunSummary run(TelemetrySink& sink) override;

  /// The model after run() (tests compare trajectories).
  const Vector& model() const;
  /// Per-worker peak curvature storage in bytes after run() (index = worker).
  std::vector<std::int64_t> curvatureBytesPeak() const;
  /// Every staleness recorded by MR-DHO2 installs, in install order (steps).
  const std::vector<std::int64_t>& stalenessLog() const;

 private:
  class Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace distopt
