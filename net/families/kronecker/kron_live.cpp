#include "net/families/kronecker/kron_live.hpp"

#include "core/kronecker/kron_entries.hpp"
#include "core/kronecker/kron_family_coordinator.hpp"
#include "core/kronecker/kron_family_worker.hpp"
#include "core/util/input_error.hpp"
#include "net/families/kronecker/kron_messages.hpp"
#include "net/families/role_sockets.hpp"

namespace distopt::net {
namespace {

const KronTwoLayerProblem& kronProblem(const BuiltRun& built) {
  const auto* problem = dynamic_cast<const KronTwoLayerProblem*>(built.problem.get());
  if (!problem)
    throw InputError("problem.name", "the kronecker algorithms need the problem \"kron-two-layer\"");
  return *problem;
}

/// Parses `message` as the alternative `T` of `Variant`.
template <class T, class Variant>
bool parseAs(const Message& message, Variant* out, std::string* why) {
  T parsed;
  if (!parseKronMessage(message, parsed, why)) return false;
  *out = std::move(parsed);
  return true;
}

/// PROTOCOL.md §13's frames for the roles' messages: one kind per kron message type, each direction's
/// kinds only.
RoleCodec<KronDown, KronUp> kronCodec() {
  return {.encodeDown = [](const KronDown& down) {
            return std::visit([](const auto& message) { return makeKronMessage(message); }, down);
          },
          .decodeDown = [](const Message& message, KronDown* down, std::string* why) {
            switch (message.kind) {
              case MessageKind::KronInit:
                return parseAs<kron::InitMessage>(message, down, why);
              case MessageKind::KronStart:
                return parseAs<kron::StartMessage>(message, down, why);
              case MessageKind::KronBatch:
                return parseAs<kron::BatchMessage>(message, down, why);
              case MessageKind::KronResid:
                return parseAs<kron::ResidMessage>(message, down, why);
              case MessageKind::KronEval:
                return parseAs<kron::EvalMessage>(message, down, why);
              default:
                *why = "not a Kronecker coordinator-to-worker kind";
                return false;
            }
          },
          .encodeUp = [](const KronUp& up, int) {
            return std::visit([](const auto& message) { return makeKronMessage(message); }, up);
          },
          .decodeUp = [](const Message& message, int, KronUp* up, std::string* why) {
            switch (message.kind) {
              case MessageKind::KronReady:
                return parseAs<kron::ReadyMessage>(message, up, why);
              case MessageKind::KronPartial:
                return parseAs<kron::PartialMessage>(message, up, why);
              case MessageKind::KronLoss:
                return parseAs<kron::LossMessage>(message, up, why);
              case MessageKind::KronCoFire:
                return parseAs<kron::CoFireMessage>(message, up, why);
              case MessageKind::KronStats:
                return parseAs<kron::StatsMessage>(message, up, why);
              default:
                *why = "not a Kronecker worker-to-coordinator kind";
                return false;
            }
          }};
}

}  // namespace

LiveFamilyDriver kroneckerLiveDriver() {
  return LiveFamilyDriver{
      .family = FamilyId::Kronecker,
      .makeCoordinator = [](const Experiment& experiment,
                            const BuiltRun& built) -> std::unique_ptr<CoordinatorRole> {
        auto role = std::make_unique<KronFamilyCoordinator>(
            kronProblem(built),
            kronSettingsFrom(experiment.algorithm.name, experiment.algorithm.params, "algorithm.params"),
            experiment.workers, built.rules.seed, built.rules.maxUpdates);
        RoleCodec<KronDown, KronUp> codec = kronCodec();
        codec.largestUplinkFrame = 64 + role->largestUplinkBytes();  // 64: the frames' own header room
        return std::make_unique<CoordinatorOnSockets<KronDown, KronUp>>(std::move(role), std::move(codec));
      },
      .makeWorker = [](const Experiment&, const BuiltRun& built, int worker) -> std::unique_ptr<WorkerRole> {
        const KronTwoLayerProblem& problem = kronProblem(built);
        RoleCodec<KronDown, KronUp> codec = kronCodec();
        // KRON_INIT carries the data's factors U and V.
        codec.largestDownlinkFrame =
            64 + static_cast<std::int64_t>(kron::initBytes(static_cast<std::uint64_t>(problem.data().size()),
                                                           static_cast<std::uint64_t>(problem.data().d1()),
                                                           static_cast<std::uint64_t>(problem.data().d2())));
        return std::make_unique<WorkerOnSockets<KronDown, KronUp>>(
            std::make_unique<KronFamilyWorker>(problem, *built.timeModel, worker), std::move(codec));
      }};
}

}  // namespace distopt::net
