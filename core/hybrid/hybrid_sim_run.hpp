#pragma once
// The hybrid-order family's simulator (docs/papers.md, hybrid-order §4, docs/architecture.md, rule 3): its
// roles (hybrid_coordinator, hybrid_worker) on the virtual network (core/transport/virtual_network.hpp),
// the very code a live run executes over ZeroMQ. Data-parallel training in synchronous steps that wait
// for the slowest worker, with FOSI curvature estimates computed by the workers' Dho2Worker roles.
//
//   dist-sgdm / dist-adam  the base optimizer alone (k = 0): every worker's gradient, averaged
//   fosi                   FOSI with one curvature device (worker 0 runs the whole ESE, P = 1)
//   dho2                   curvature split over all P workers, update mode S (default) or R
//   mr-dho2                U update workers train (mode R) while C curvature workers estimate in
//                          parallel on a snapshot; an estimate is installed at the first step boundary
//                          after it arrived, and its age (steps since the snapshot) is recorded as
//                          "curvature_age"; stop_the_world holds training until each estimate is in
//
// Virtual time: a gradient job of worker p lasts TimeModel::duration(p, job, start), `start` the time the
// coordinator sent the message it answers; one HVP of worker p lasts hvp_cost · ese_batch_ratio ·
// (training workers / curvature workers) job durations (×P more in root_broadcast, where every device
// evaluates the whole ESE batch). Every other message and the O(m·n) orthogonalisation take no virtual
// time; bytes are the frames' (hybridMessageBytes: 16-byte header, 24-byte meta, 8 bytes per double).
// At equal times the network delivers by worker, so a result that arrives exactly when a step ends is
// handled after the trainers' gradients of that step (an MR-DHO2 estimate then waits one more step).
//
// Numerics of the HVP: the ESE batch is the first `ese_batch` training samples of
// HybridRunOptions::curvatureProblem (by default the run's problem; ese_batch 0 = its whole training
// set). In data_parallel every curvature device evaluates its contiguous share of that batch and the
// coordinator averages the shares in device order (HybridRunOptions::eseHessianVectorProduct).

#include <cstdint>
#include <vector>

#include "core/hybrid/hybrid_coordinator.hpp"
#include "core/hybrid/hybrid_message.hpp"
#include "core/hybrid/hybrid_run_options.hpp"
#include "core/hybrid/hybrid_worker.hpp"
#include "core/transport/virtual_network.hpp"

namespace distopt {

class HybridSimRun final : public RolesOnVirtualNetwork<HybridMessage, HybridMessage> {
 public:
  /// The problem, time model and curvature problem must outlive the run; the shards are shared.
  HybridSimRun(const HybridRunOptions& options, const SimRunContext& context);

  /// The coordinator's model (after run(): tests compare trajectories).
  const Vector& model() const;
  /// Per-worker peak curvature storage in bytes (index = worker), from the worker roles.
  std::vector<std::int64_t> curvatureBytesPeak() const;
  /// Every staleness recorded by MR-DHO2 installs, in install order (steps).
  const std::vector<std::int64_t>& stalenessLog() const;

  const HybridCoordinator& coordinator() const;
  const HybridWorker& worker(int m) const;

 private:
  /// Both roles start from one derivation of the set-up.
  HybridSimRun(const HybridSetup& setup, const SimRunContext& context);
};

}  // namespace distopt
