#include "core/compressed/compressed_sim_run.hpp"

#include "core/util/check.hpp"

namespace distopt {
namespace {

std::vector<std::unique_ptr<FamilyWorker<RoundOrder, CompressedUp>>> makeWorkers(
    const CompressedMethod& method, const SimRunContext& context, std::uint64_t replicaCheckEvery) {
  DISTOPT_CHECK(context.problem && context.timeModel && context.shards);
  DISTOPT_CHECK(static_cast<int>(context.shards->size()) == context.numWorkers);
  std::vector<std::unique_ptr<FamilyWorker<RoundOrder, CompressedUp>>> workers;
  for (int m = 0; m < context.numWorkers; ++m)
    workers.push_back(std::make_unique<CompressedRoundWorker>(
        method, m,
        CompressedWorkerSetup{.problem = context.problem,
                              .shard = &(*context.shards)[static_cast<std::size_t>(m)],
                              .timeModel = context.timeModel,
                              .seed = context.options.seed,
                              .maxRounds = context.options.maxUpdates,
                              .replicaCheckEvery = replicaCheckEvery}));
  return workers;
}

}  // namespace

CompressedSimRun::CompressedSimRun(const CompressedMethod& method, const SimRunContext& context,
                                   std::uint64_t replicaCheckEvery)
    : RolesOnVirtualNetwork(
          std::make_unique<CompressedRoundCoordinator>(
              method, context.numWorkers, static_cast<std::uint64_t>(context.problem->dimension()),
              context.options.maxUpdates, replicaCheckEvery),
          makeWorkers(method, context, replicaCheckEvery),
          Wire{.down = roundOrderWireSize, .up = compressedUpWireSize}, context) {}

const CompressedServer& CompressedSimRun::server() const {
  return static_cast<const CompressedRoundCoordinator&>(coordinatorRole()).server();
}

const CompressedWorker& CompressedSimRun::worker(int m) const {
  return static_cast<const CompressedRoundWorker&>(workerRole(m)).role();
}

}  // namespace distopt
