#include "net/families/hybrid/hybrid_live.hpp"

#include <algorithm>

#include "core/hybrid/hybrid_coordinator.hpp"
#include "core/hybrid/hybrid_entries.hpp"
#include "core/hybrid/hybrid_worker.hpp"
#include "net/families/hybrid/hybrid_messages.hpp"
#include "net/families/role_sockets.hpp"

namespace distopt::net {
namespace {

HybridSetup liveSetup(const Experiment& experiment, const BuiltRun& built) {
  const SimRunContext& context = built.familyContext;
  return makeHybridSetup(hybridRunOptions(experiment.algorithm.name, experiment.algorithm.params, context),
                         context);
}

/// PROTOCOL.md §12's frames for the roles' messages; the roles check each vector's count.
RoleCodec<HybridMessage, HybridMessage> hybridCodec(const HybridSetup& setup) {
  auto decode = [](const Message& message, HybridMessage* out, std::string* why) {
    return parseHybridMessage(message, out, why);
  };
  return {.encodeDown = [](const HybridMessage& message) { return makeHybridMessage(message); },
          .decodeDown = decode,
          .encodeUp = [](const HybridMessage& message, int) { return makeHybridMessage(message); },
          .decodeUp = [decode](const Message& message, int, HybridMessage* out,
                               std::string* why) { return decode(message, out, why); },
          // LZ_RITZ: r Ritz values per coordinate of a Lanczos segment (at most n), or a gradient of n.
          .largestUplinkFrame = 64 + 8 * static_cast<std::int64_t>(std::max(setup.r, 2)) *
                                         static_cast<std::int64_t>(setup.n),
          // HY_ESTIMATE: r Ritz vectors of n and their r eigenvalues (LZ_RITZ down is r·n).
          .largestDownlinkFrame = 64 + 8 * static_cast<std::int64_t>(setup.r) *
                                           (static_cast<std::int64_t>(setup.n) + 1)};
}

}  // namespace

LiveFamilyDriver hybridLiveDriver() {
  return LiveFamilyDriver{
      .family = FamilyId::Hybrid,
      .makeCoordinator = [](const Experiment& experiment,
                            const BuiltRun& built) -> std::unique_ptr<CoordinatorRole> {
        const HybridSetup setup = liveSetup(experiment, built);
        return std::make_unique<CoordinatorOnSockets<HybridMessage, HybridMessage>>(
            std::make_unique<HybridCoordinator>(setup, built.familyContext.x0, built.familyContext.options.maxUpdates),
            hybridCodec(setup));
      },
      .makeWorker = [](const Experiment& experiment, const BuiltRun& built,
                       int worker) -> std::unique_ptr<WorkerRole> {
        const HybridSetup setup = liveSetup(experiment, built);
        return std::make_unique<WorkerOnSockets<HybridMessage, HybridMessage>>(
            std::make_unique<HybridWorker>(setup, built.familyContext, worker), hybridCodec(setup));
      }};
}

}  // namespace distopt::net
