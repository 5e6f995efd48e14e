#include "net/families/hybrid/hybrid_live.hpp"

#include "net/families/hybrid/hybrid_coordinator.hpp"
#include "net/families/hybrid/hybrid_worker.hpp"

namespace distopt::net {

LiveFamilyDriver hybridLiveDriver() {
  LiveFamilyDriver driver;
  driver.family = FamilyId::Hybrid;
  driver.makeCoordinator = [](const Experiment& experiment,
                              const BuiltRun& built) -> std::unique_ptr<CoordinatorRole> {
    return hybrid_live::makeCoordinator(hybrid_live::makeSetup(experiment, built), built);
  };
  driver.makeWorker = [](const Experiment& experiment, const BuiltRun& built,
                         int worker) -> std::unique_ptr<WorkerRole> {
    return hybrid_live::makeWorker(hybrid_live::makeSetup(experiment, built), built, worker);
  };
  return driver;
}

}  // namespace distopt::net
