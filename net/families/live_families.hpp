#pragma once
// Live drivers of the method families that are not parameter-server job loops: for each family, how
// to build its coordinator role (in distopt-run) and its worker role (in distopt-worker) from the
// experiment and the pieces every process builds for itself. An algorithm entry that says it runs
// live (AlgorithmEntry::liveDriver) must have its family here; test_net_live_families checks both ways.

#include <functional>
#include <memory>
#include <span>
#include <string>

#include "core/config/experiment.hpp"
#include "net/coordinator/coordinator_role.hpp"
#include "net/worker/worker_role.hpp"

namespace distopt::net {

struct LiveFamilyDriver {
  /// AlgorithmEntry::family, e.g. "compressed".
  std::string family;
  /// The coordinator's role for `experiment` (built and validated by buildRun). Throws InputError.
  std::function<std::unique_ptr<CoordinatorRole>(const Experiment& experiment, const BuiltRun& built)>
      makeCoordinator;
  /// Worker `worker`'s role. Throws InputError.
  std::function<std::unique_ptr<WorkerRole>(const Experiment& experiment, const BuiltRun& built, int worker)>
      makeWorker;
};

std::span<const LiveFamilyDriver> liveFamilyDrivers();
/// The driver of `family`, or nullptr.
const LiveFamilyDriver* findLiveDriver(const std::string& family);

}  // namespace distopt::net
