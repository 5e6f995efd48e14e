#include "core/async_sgd/parameter_server_roles_run.hpp"

#include "core/async_sgd/parameter_server_coordinator.hpp"
#include "core/async_sgd/parameter_server_worker.hpp"
#include "core/util/check.hpp"

namespace distopt {
namespace {

std::vector<std::unique_ptr<FamilyWorker<PsDown, PsUp>>> makeWorkers(const SimRunContext& context) {
  DISTOPT_CHECK(context.problem && context.timeModel && context.shards &&
                static_cast<int>(context.shards->size()) == context.numWorkers);
  std::vector<std::unique_ptr<FamilyWorker<PsDown, PsUp>>> workers;
  for (int m = 0; m < context.numWorkers; ++m)
    workers.push_back(std::make_unique<ParameterServerWorker>(
        *context.problem, (*context.shards)[static_cast<std::size_t>(m)], *context.timeModel, context.options.seed));
  return workers;
}

}  // namespace

ParameterServerRolesRun::ParameterServerRolesRun(AsyncServer& server, const SimRunContext& context,
                                                 VirtualLinkOptions links)
    : RolesOnVirtualNetwork(std::make_unique<ParameterServerCoordinator>(server, context.problem->dimension()),
                            makeWorkers(context), Wire{.down = psDownWireSize, .up = psUpWireSize},
                            context, links) {
  DISTOPT_CHECK(server.numWorkers() == workerCount());
}

}  // namespace distopt
