#include "net/families/decentralized/decentralized_live.hpp"

#include <optional>

#include <nlohmann/json.hpp>

#include "core/decentralized/decentralized_entries.hpp"
#include "core/decentralized/decentralized_family_coordinator.hpp"
#include "core/decentralized/decentralized_family_worker.hpp"
#include "core/decentralized/gossip_message.hpp"
#include "core/util/input_error.hpp"
#include "net/families/decentralized/decentralized_messages.hpp"
#include "net/families/role_sockets.hpp"

namespace distopt::net {
namespace {

using DecCoordinatorOnSockets = CoordinatorOnSockets<DecDown, DecUp>;

/// `alpha`: a step that replaces params.alpha (and the L̂ estimate a missing one would need).
std::shared_ptr<const DecentralizedSetup> setupFor(const Experiment& experiment, const BuiltRun& built,
                                                   std::optional<double> alpha = std::nullopt) {
  const auto method = decentralizedMethodFromName(experiment.algorithm.name);
  if (!method)
    throw InputError("algorithm.name", "\"" + experiment.algorithm.name + "\" is not a decentralized method");
  const SimRunContext& context = built.familyContext;
  nlohmann::json params = experiment.algorithm.params;
  if (alpha) params["alpha"] = *alpha;
  return std::make_shared<const DecentralizedSetup>(
      makeDecentralizedSetup(context, decentralizedRunOptions(*method, params, context)));
}

/// The §11 frames of the roles' messages; reports are checked against the run's dimension and method.
RoleCodec<DecDown, DecUp> decentralizedCodec(const BuiltRun& built, bool tracking) {
  const std::int64_t dimension = built.familyContext.x0.size();
  const int workers = built.familyContext.numWorkers;
  RoleCodec<DecDown, DecUp> codec;
  codec.encodeDown = [](const DecDown& message) { return makeDecStart(std::get<DecStart>(message)); };
  codec.decodeDown = [](const Message& message, DecDown* out, std::string* why) {
    DecStart start;
    if (message.kind != MessageKind::DecStart || !parseDecStart(message, &start, why)) return false;
    *out = start;
    return true;
  };
  codec.encodeUp = [](const DecUp& message, int sender) {
    (void)sender;
    if (const auto* gossip = std::get_if<DecGossip>(&message)) return makeDecGossip(gossip->bytes);
    const auto& report = std::get<DecReport>(message);
    if (!report.withState) return makeDecProgress(report.report);
    const bool tracks = report.state.tracking;
    return makeDecState(report.report, report.state.x, tracks ? &report.state.y : nullptr,
                        tracks ? &report.state.v : nullptr);
  };
  codec.decodeUp = [dimension, tracking](const Message& message, int sender, DecUp* out, std::string* why) {
    (void)sender;
    if (message.kind == MessageKind::DecGossip) {
      std::span<const std::uint8_t> gossip;
      if (!parseDecGossip(message, &gossip, why)) return false;
      *out = DecGossip{{gossip.begin(), gossip.end()}};
      return true;
    }
    if (message.kind != MessageKind::DecProgress && message.kind != MessageKind::DecState) return false;
    DecReport report;
    if (!parseDecReport(message, dimension, tracking, &report.report, &report.state, why)) return false;
    report.withState = message.kind == MessageKind::DecState;
    report.state.tracking = report.withState && tracking;
    *out = std::move(report);
    return true;
  };
  codec.peers = RoleCodec<DecDown, DecUp>::PeerFrames{
      .makeEndpoint = makeDecEndpoint,
      .parseEndpoint =
          [](const Message& message, std::string* endpoint) {
            return message.kind == MessageKind::DecEndpoint && parseDecEndpoint(message, endpoint, nullptr);
          },
      .makePeers = makeDecPeers,
      .parsePeers =
          [](const Message& message, std::vector<PeerEndpoint>* peers) {
            return message.kind == MessageKind::DecPeers && parseDecPeers(message, peers, nullptr);
          },
      // The gossip tag names its sender; the node checks it against the link it claims.
      .sender =
          [workers](const Message& message) {
            std::span<const std::uint8_t> gossip;
            GossipTag tag;
            if (message.kind != MessageKind::DecGossip || !parseDecGossip(message, &gossip, nullptr) ||
                !peekGossipTag(gossip, tag) || tag.sender >= static_cast<std::uint32_t>(workers))
              return -1;
            return static_cast<int>(tag.sender);
          }};
  return codec;
}

}  // namespace

std::unique_ptr<CoordinatorRole> makeDecentralizedCoordinator(const Experiment& experiment,
                                                              const BuiltRun& built) {
  auto setup = setupFor(experiment, built);
  const bool tracking = tracksGradient(setup->options.method);
  auto role = std::make_unique<DecentralizedFamilyCoordinator>(experiment.algorithm.name, std::move(setup),
                                                               built.familyContext, built.rules.maxUpdates,
                                                               decentralizedReportEvery(built.rules));
  return std::make_unique<DecCoordinatorOnSockets>(std::move(role), decentralizedCodec(built, tracking));
}

std::map<std::pair<int, int>, std::uint64_t> decentralizedEdgeBytes(const CoordinatorRole& role) {
  const auto* onSockets = dynamic_cast<const DecCoordinatorOnSockets*>(&role);
  if (!onSockets) return {};
  return static_cast<const DecentralizedFamilyCoordinator&>(onSockets->role()).edgeBytes();
}

LiveFamilyDriver decentralizedLiveDriver() {
  LiveFamilyDriver driver;
  driver.family = FamilyId::Decentralized;
  driver.makeCoordinator = makeDecentralizedCoordinator;
  driver.makeWorker = [](const Experiment& experiment, const BuiltRun& built,
                         int worker) -> std::unique_ptr<WorkerRole> {
    // The step comes with DEC_START: a default α = step_scale / L̂ needs L̂ over every node's data,
    // which the coordinator estimates once; everything else is checked here, at ASSIGN.
    auto setup = setupFor(experiment, built, 1.0);
    const bool tracking = tracksGradient(setup->options.method);
    const SimRunContext& context = built.familyContext;
    auto node = std::make_unique<DecentralizedFamilyWorker>(
        std::move(setup), *context.problem, (*context.shards)[static_cast<std::size_t>(worker)],
        *built.timeModel, context.x0, context.options.seed, worker);
    return std::make_unique<WorkerOnSockets<DecDown, DecUp>>(std::move(node),
                                                             decentralizedCodec(built, tracking));
  };
  return driver;
}

}  // namespace distopt::net
