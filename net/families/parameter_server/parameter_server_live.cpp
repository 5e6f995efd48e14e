#include "net/families/parameter_server/parameter_server_live.hpp"

#include "core/async_sgd/parameter_server_coordinator.hpp"
#include "core/async_sgd/parameter_server_worker.hpp"
#include "core/util/input_error.hpp"
#include "net/families/parameter_server/parameter_server_frames.hpp"

namespace distopt::net {

LiveFamilyDriver parameterServerLiveDriver() {
  return LiveFamilyDriver{
      .family = FamilyId::Async,
      .makeCoordinator = [](const Experiment& experiment,
                            const BuiltRun& built) -> std::unique_ptr<CoordinatorRole> {
        if (!built.server)
          throw InputError("algorithm.name", "\"" + experiment.algorithm.name + "\" built no parameter server");
        const auto dimension = built.problem->dimension();
        return std::make_unique<CoordinatorOnSockets<PsDown, PsUp>>(
            std::make_unique<ParameterServerCoordinator>(*built.server, dimension), parameterServerCodec(dimension));
      },
      .makeWorker = [](const Experiment&, const BuiltRun& built, int worker) -> std::unique_ptr<WorkerRole> {
        return std::make_unique<WorkerOnSockets<PsDown, PsUp>>(
            std::make_unique<ParameterServerWorker>(*built.problem, built.shards.at(static_cast<std::size_t>(worker)),
                                                    *built.timeModel, built.rules.seed),
            parameterServerCodec(built.problem->dimension()));
      }};
}

}  // namespace distopt::net
