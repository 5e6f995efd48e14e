#include "core/hybrid/hybrid_sim_run.hpp"

#include "core/util/check.hpp"

namespace distopt {
namespace {

std::vector<std::unique_ptr<FamilyWorker<HybridMessage, HybridMessage>>> makeWorkers(
    const HybridSetup& setup, const SimRunContext& context) {
  DISTOPT_CHECK(context.problem && context.timeModel && context.shards);
  DISTOPT_CHECK(static_cast<int>(context.shards->size()) == context.numWorkers);
  std::vector<std::unique_ptr<FamilyWorker<HybridMessage, HybridMessage>>> workers;
  for (int m = 0; m < context.numWorkers; ++m)
    workers.push_back(std::make_unique<HybridWorker>(setup, context, m));
  return workers;
}

}  // namespace

HybridSimRun::HybridSimRun(const HybridRunOptions& options, const SimRunContext& context)
    : HybridSimRun(makeHybridSetup(options, context), context) {}

HybridSimRun::HybridSimRun(const HybridSetup& setup, const SimRunContext& context)
    : RolesOnVirtualNetwork(
          std::make_unique<HybridCoordinator>(setup, context.x0, context.options.maxUpdates),
          makeWorkers(setup, context), Wire{.down = hybridWireSize, .up = hybridWireSize}, context) {}

const Vector& HybridSimRun::model() const { return *coordinator().model(); }

std::vector<std::int64_t> HybridSimRun::curvatureBytesPeak() const {
  std::vector<std::int64_t> bytes;
  for (int m = 0; m < workerCount(); ++m) bytes.push_back(worker(m).curvatureBytesPeak());
  return bytes;
}

const std::vector<std::int64_t>& HybridSimRun::stalenessLog() const { return coordinator().stalenessLog(); }

const HybridCoordinator& HybridSimRun::coordinator() const {
  return static_cast<const HybridCoordinator&>(coordinatorRole());
}

const HybridWorker& HybridSimRun::worker(int m) const {
  return static_cast<const HybridWorker&>(workerRole(m));
}

}  // namespace distopt
