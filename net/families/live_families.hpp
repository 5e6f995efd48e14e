#pragma once
// Live drivers of every family: how to build its coordinator role (in distopt-run) and its worker role
// (in distopt-worker) from the experiment and the pieces every process builds for itself (buildRun).
// test_net_families checks the drivers against the family table and the registry's
// AlgorithmEntry::runsLive, both ways.

#include <functional>
#include <memory>
#include <span>

#include "core/config/experiment.hpp"
#include "core/registry/family.hpp"
#include "net/coordinator/coordinator_role.hpp"
#include "net/worker/worker_role.hpp"

namespace distopt::net {

struct LiveFamilyDriver {
  FamilyId family = FamilyId::Async;
  /// The coordinator's role for `experiment` (built and validated by buildRun). Throws InputError.
  std::function<std::unique_ptr<CoordinatorRole>(const Experiment& experiment, const BuiltRun& built)>
      makeCoordinator;
  /// Worker `worker`'s role. Throws InputError.
  std::function<std::unique_ptr<WorkerRole>(const Experiment& experiment, const BuiltRun& built, int worker)>
      makeWorker;
};

/// Every driver, in the family table's order.
std::span<const LiveFamilyDriver> liveFamilyDrivers();
/// The driver of `family`, or nullptr.
const LiveFamilyDriver* findLiveDriver(FamilyId family);
/// The coordinator's role of a run `buildRun` built, from its family's driver (`run` must outlive it: a
/// parameter-server role drives run.server). Throws InputError for a family without a live driver.
std::unique_ptr<CoordinatorRole> makeLiveCoordinator(const Experiment& experiment, const BuiltRun& run);

}  // namespace distopt::net
