#include "net/families/compressed/compressed_live.hpp"

#include <limits>

#include "core/compressed/compressed_entries.hpp"
#include "core/compressed/round_coordinator.hpp"
#include "core/compressed/round_worker.hpp"
#include "core/util/input_error.hpp"
#include "net/families/compressed/compressed_messages.hpp"
#include "net/families/role_sockets.hpp"
#include "net/protocol/json_fields.hpp"

namespace distopt::net {
namespace {

std::uint64_t replicaCheckEvery(const Experiment& experiment) {
  // On a worker the experiment came in ASSIGN: read like any field from a peer, never value<>().
  std::uint64_t every = 100;
  if (!experiment.algorithm.params.is_object()) return every;
  JsonFields fields(experiment.algorithm.params, "algorithm.params");
  if (!fields.unsignedInteger("r_sync", &every, std::numeric_limits<std::uint64_t>::max(),
                              Presence::Optional))
    throw InputError("algorithm.params.r_sync", fields.reason());
  return every;
}

/// PROTOCOL.md §10's frames for the roles' messages of a model of `dimension` N.
RoleCodec<RoundOrder, CompressedUp> compressedCodec(std::uint64_t dimension) {
  return {.encodeDown = [dimension](const RoundOrder& order) { return makeRoundOrder(order, dimension); },
          .decodeDown = [dimension](const Message& message, RoundOrder* order,
                                    std::string* why) { return parseRoundOrder(message, dimension, order, why); },
          .encodeUp = [dimension](const CompressedUp& up, int sender) {
            if (const auto* hash = std::get_if<ReplicaHash>(&up))
              return makeReplicaHash(hash->round, hash->hash, dimension, sender);
            return makeUplink(std::get<UplinkReport>(up), dimension, sender);
          },
          .decodeUp = [dimension](const Message& message, int sender, CompressedUp* up, std::string* why) {
            if (message.kind == MessageKind::CompHash) {
              ReplicaHash hash;
              if (!parseReplicaHash(message, dimension, sender, &hash.round, &hash.hash, why)) return false;
              *up = hash;
              return true;
            }
            UplinkReport report;
            if (!parseUplink(message, dimension, sender, &report, why)) return false;
            *up = std::move(report);
            return true;
          }};
}

}  // namespace

LiveFamilyDriver compressedLiveDriver() {
  return LiveFamilyDriver{
      .family = FamilyId::Compressed,
      .makeCoordinator = [](const Experiment& experiment,
                            const BuiltRun& built) -> std::unique_ptr<CoordinatorRole> {
        const auto dimension = static_cast<std::uint64_t>(built.problem->dimension());
        const CompressedMethod method =
            makeCompressedMethod(experiment.algorithm.name, experiment.algorithm.params, built.familyContext);
        return std::make_unique<CoordinatorOnSockets<RoundOrder, CompressedUp>>(
            std::make_unique<CompressedRoundCoordinator>(method, experiment.workers, dimension,
                                                         built.rules.maxUpdates, replicaCheckEvery(experiment)),
            compressedCodec(dimension));
      },
      .makeWorker = [](const Experiment& experiment, const BuiltRun& built,
                       int worker) -> std::unique_ptr<WorkerRole> {
        const CompressedMethod method =
            makeCompressedMethod(experiment.algorithm.name, experiment.algorithm.params, built.familyContext);
        const CompressedWorkerSetup setup{.problem = built.problem.get(),
                                          .shard = &built.shards.at(static_cast<std::size_t>(worker)),
                                          .timeModel = built.timeModel.get(),
                                          .seed = built.rules.seed,
                                          .maxRounds = built.rules.maxUpdates,
                                          .replicaCheckEvery = replicaCheckEvery(experiment)};
        return std::make_unique<WorkerOnSockets<RoundOrder, CompressedUp>>(
            std::make_unique<CompressedRoundWorker>(method, worker, setup),
            compressedCodec(static_cast<std::uint64_t>(built.problem->dimension())));
      }};
}

}  // namespace distopt::net
