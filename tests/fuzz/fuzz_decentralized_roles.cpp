// The decentralized family's roles (core/decentralized/decentralized_family_coordinator, _worker) under
// hostile peers: four nodes on a ring of a small P0 run gossip their real messages and report to the
// coordinator, and between them the input injects what any peer could send: reports of any iteration
// with edge lists, vectors, flags and counters that do not fit; gossip of random bytes, or with a valid
// header that names the wrong sender, round, iteration or phase, carries a vector of the wrong length,
// or is cut short; a DEC_START with any step, report period and iteration count (also a second one);
// wakes nobody asked for; lost nodes. A role refuses what its protocol does not allow (counted as
// malformed); nothing may crash, trip an assertion or grow without bound.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/experiment.hpp"
#include "core/decentralized/decentralized_entries.hpp"
#include "core/decentralized/decentralized_family_coordinator.hpp"
#include "core/decentralized/decentralized_family_worker.hpp"
#include "core/decentralized/decentralized_setup.hpp"
#include "core/decentralized/gossip_message.hpp"
#include "fuzz_input.hpp"
#include "fuzz_role_links.hpp"

namespace {

using namespace distopt;

constexpr int kNodes = 4;
// Beyond this a link drops what its role sends: a role that floods cannot make the harness grow.
constexpr std::size_t kQueueBound = 64;

/// One method's run, built once through the registry as an experiment file would build it.
struct Fixture {
  BuiltRun built;
  std::shared_ptr<const DecentralizedSetup> setup;
  std::string name;
};

Fixture makeFixture(const std::string& method, nlohmann::json params) {
  params["graph"] = "ring";
  params["gossip_rounds"] = 2;
  params["batch"] = 4;
  const nlohmann::json document = {
      {"name", "fuzz"},
      {"seed", 7},
      {"engine", "sim"},
      {"problem",
       {{"name", "logistic-p0"}, {"params", {{"nodes", kNodes}, {"samples_per_node", 12}, {"features", 3}}}}},
      {"data", {{"sharding", "contiguous"}}},
      {"algorithm", {{"name", method}, {"params", params}}},
      {"workers",
       {{"count", kNodes}, {"time_model", {{"name", "fixed"}, {"params", {{"h", "one"}, {"c", 1.0}}}}}}},
      {"stop", {{"updates", 3}}},
      {"eval", {{"every_updates", 1}, {"accuracy", false}}}};
  const Experiment experiment = parseExperiment(document, ".");
  Fixture fixture;
  fixture.built = buildRun(experiment);
  fixture.built.simRun.reset();  // only its pieces are used
  fixture.setup = std::make_shared<const DecentralizedSetup>(makeDecentralizedSetup(
      fixture.built.familyContext,
      decentralizedRunOptions(*decentralizedMethodFromName(method), experiment.algorithm.params,
                              fixture.built.familyContext)));
  fixture.name = method;
  return fixture;
}

/// The methods the first byte chooses from: every phase a gossip message can carry (X; Y; Y0 with a
/// mixed tracker start; XY, a 2p vector, with combine-then-adapt GT-DSGD).
const std::vector<Fixture>& fixtures() {
  static const std::vector<Fixture> all = [] {
    std::vector<Fixture> out;
    out.push_back(makeFixture("dsgd", nlohmann::json::object()));
    out.push_back(makeFixture("gt-dsgd", {{"order", "atc"}}));
    out.push_back(makeFixture("gt-dsgd", {{"order", "cta"}}));
    out.push_back(makeFixture("proxgt-sa", {{"tracker_init", "local"}}));
    out.push_back(makeFixture("proxgt-sa", {{"tracker_init", "mixed"}}));
    return out;
  }();
  return all;
}

/// The coordinator's link, and the queues both sides' links fill: what a role sends waits there until
/// a fuzzer step delivers it. A node that failed (`lost`) gets nothing more.
struct Wires final : fuzz::QueuedCoordinatorLink<DecDown, DecUp> {
  Wires() : QueuedCoordinatorLink(kNodes, kQueueBound) {}

  struct PeerMessage {
    int from;
    DecUp message;
  };
  std::array<std::deque<PeerMessage>, kNodes> peers;  ///< to each node, from its neighbours
  std::array<int, kNodes> wakes{};                    ///< wakes asked for and not yet given
  std::array<std::string, kNodes> failures;
  std::array<std::optional<DecReport>, kNodes> lastReport;  ///< the run's own, a hostile report's template
  std::array<std::vector<std::uint8_t>, kNodes> lastGossip;
};

struct WorkerSide final : fuzz::QueuedWorkerLink<DecDown, DecUp> {
  WorkerSide(Wires& wires, int id) : QueuedWorkerLink(wires, id), nodes(wires) {}
  void send(DecUp&& message) override {
    if (const auto* report = std::get_if<DecReport>(&message))
      nodes.lastReport[static_cast<std::size_t>(id)] = *report;
    QueuedWorkerLink::send(std::move(message));
  }
  void sendAfterCompute(double, DecUp&& message) override { send(std::move(message)); }
  void sendToPeer(int peer, double, DecUp&& message) override {
    if (peer < 0 || peer >= kNodes) {
      fail("internal", "a peer that does not exist");
      return;
    }
    if (const auto* gossip = std::get_if<DecGossip>(&message))
      nodes.lastGossip[static_cast<std::size_t>(id)] = gossip->bytes;
    auto& queue = nodes.peers[static_cast<std::size_t>(peer)];
    if (queue.size() < kQueueBound) queue.push_back({id, std::move(message)});
  }
  void wakeAfterCompute(double) override {
    auto& wakes = nodes.wakes[static_cast<std::size_t>(id)];
    if (wakes < static_cast<int>(kQueueBound)) ++wakes;
  }
  void fail(const std::string& code, const std::string& message) override {
    nodes.lost[static_cast<std::size_t>(id)] = true;
    nodes.failures[static_cast<std::size_t>(id)] = code + ": " + message;
  }
  Wires& nodes;  ///< the same link as `wires`, with the decentralized queues
};

/// A double a hostile peer might send: mostly the awkward ones.
double hostileDouble(fuzz::FuzzInput& input) {
  switch (input.byte() % 8) {
    case 0:
      return std::numeric_limits<double>::quiet_NaN();
    case 1:
      return std::numeric_limits<double>::infinity();
    case 2:
      return -std::numeric_limits<double>::infinity();
    case 3:
      return 0.0;
    case 4:
      return std::numeric_limits<double>::max();
    case 5:
      return std::numeric_limits<double>::denorm_min();
    case 6:
      return -1.0;
    default: {
      const std::uint64_t bits = input.unsignedOf(8);
      double value;
      std::memcpy(&value, &bits, sizeof value);
      return value;
    }
  }
}

/// A vector of the run's dimension, or one off, or empty, or twice (an XY payload); awkward values.
Vector hostileVector(fuzz::FuzzInput& input, Eigen::Index dimension) {
  static constexpr std::array<int, 6> kDelta{0, 0, -1, 1, 0, 0};
  Eigen::Index size = dimension + kDelta[input.byte() % kDelta.size()];
  const int shape = input.byte() % 8;
  if (shape == 6) size = 0;
  if (shape == 7) size = 2 * dimension;
  Vector vector = Vector::Zero(std::max<Eigen::Index>(size, 0));
  const int fill = input.byte() % 4;
  for (Eigen::Index k = 0; k < vector.size(); ++k)
    vector[k] = fill == 0 ? 0.5 * static_cast<double>(k) : fill == 1 ? hostileDouble(input) : 1.0;
  return vector;
}

/// A report from node `from` built on the last one it really sent (so most fields fit and the
/// coordinator's checks are reached one by one), with the input's choice of what is wrong.
DecReport hostileReport(fuzz::FuzzInput& input, const Wires& wires, int from, Eigen::Index dimension,
                        std::uint64_t limit) {
  DecReport message;
  if (const auto& last = wires.lastReport[static_cast<std::size_t>(from)]) message = *last;
  NodeReport& report = message.report;
  const std::uint64_t base = report.iteration;
  switch (input.byte() % 8) {
    case 0:
      report.iteration = base + 1;
      break;
    case 1:
      break;  // the same again
    case 2:
      report.iteration = base - 1;
      break;
    case 3:
      report.iteration = 0;
      break;
    case 4:
      report.iteration = limit;
      break;
    case 5:
      report.iteration = limit + 1;
      break;
    case 6:
      report.iteration = std::numeric_limits<std::uint64_t>::max();
      break;
    default:
      report.iteration = input.unsignedOf(8);
  }
  switch (input.byte() % 6) {
    case 0:
      report.edges.clear();
      break;
    case 1:
      report.edges.push_back({.neighbour = input.byte() % 6 - 1});
      break;
    case 2:
      if (!report.edges.empty()) report.edges.pop_back();
      break;
    case 3:
      if (!report.edges.empty()) report.edges.front().neighbour = input.byte() % 6 - 1;
      break;
    case 4:
      if (report.edges.empty()) report.edges = {{.neighbour = 1}, {.neighbour = kNodes - 1}};
      std::swap(report.edges.front(), report.edges.back());
      break;
    default:
      break;
  }
  switch (input.byte() % 4) {
    case 0:
      report.bytesSent = report.bytesSent > 0 ? report.bytesSent - 1 : 0;
      break;  // backwards
    case 1:
      report.bytesSent = input.unsignedOf(8);
      break;
    default:
      break;
  }
  if (input.byte() % 2 == 0) {
    report.ifo = input.unsignedOf(8);
    report.rounds = input.unsignedOf(8);
    report.computeUnits = hostileDouble(input);
    report.waitUnits = hostileDouble(input);
    report.iterationUnits = hostileDouble(input);
    for (auto& edge : report.edges) edge.bytesSent = input.unsignedOf(8);
  }
  const int flags = input.byte();
  message.withState = (flags & 1) != 0;
  message.state.tracking = (flags & 2) != 0;
  if ((flags & 4) != 0 || message.state.x.size() == 0) {
    message.state.x = hostileVector(input, dimension);
    message.state.y = (flags & 8) != 0 ? hostileVector(input, dimension) : Vector();
    message.state.v = (flags & 16) != 0 ? hostileVector(input, dimension) : Vector();
  }
  return message;
}

/// Gossip as a peer might send it: random bytes; a real header with the input's tag over a vector of
/// the input's length; that cut short; or the last real message of a node with one byte changed. The
/// tag mostly names `from` (the link it comes over) and an iteration near the receiver's `iteration`,
/// so it passes the checks that need no vector and reaches the node's buffer.
DecGossip hostileGossip(fuzz::FuzzInput& input, const Wires& wires, Eigen::Index dimension, int from,
                        std::uint64_t iteration) {
  DecGossip gossip;
  const int kind = input.byte() % 4;
  if (kind == 0) {
    const auto bytes = input.frame();
    gossip.bytes.assign(bytes.begin(), bytes.end());
    return gossip;
  }
  if (kind == 3) {
    gossip.bytes = wires.lastGossip[static_cast<std::size_t>(input.byte() % kNodes)];
    if (!gossip.bytes.empty()) gossip.bytes[input.upTo(gossip.bytes.size() - 1)] ^= input.byte();
    return gossip;
  }
  GossipTag tag;
  const int senderChoice = input.byte() % 8;
  tag.sender = static_cast<std::uint32_t>(senderChoice < 6 && from >= 0 ? from : input.byte() % (kNodes + 2));
  switch (input.byte() % 4) {
    case 0:
      tag.iteration = iteration;
      break;
    case 1:
      tag.iteration = iteration + 1;
      break;
    case 2:
      tag.iteration = iteration - 1;
      break;
    default:
      tag.iteration = input.unsignedOf(8);
  }
  tag.phase = static_cast<GossipPhase>(1 + input.byte() % (kGossipPhaseCount - 1));
  tag.round = static_cast<std::uint16_t>(input.byte() % 4);
  const Vector payload = hostileVector(input, dimension);
  if (payload.size() > 0) {
    gossip.bytes = encodeGossipMessage(tag, payload, VectorEncoding::DenseFloat64);
  } else {
    // The encoder is never asked for an empty vector (it would copy from Eigen's null data): a frame
    // declaring 0 coordinates is a 1-coordinate one with its count zeroed and its coordinate dropped.
    gossip.bytes = encodeGossipMessage(tag, Vector::Zero(1), VectorEncoding::DenseFloat64);
    std::memset(gossip.bytes.data() + kGossipHeaderSize + 4, 0, 4);
    gossip.bytes.resize(gossip.bytes.size() - sizeof(double));
  }
  if (kind == 2) gossip.bytes.resize(input.upTo(gossip.bytes.size()));
  return gossip;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& all = fixtures();
  fuzz::FuzzInput input(data, size);
  const Fixture& fixture = all[input.byte() % all.size()];
  const std::uint64_t iterations = input.byte() % 5;  // 0: until the input ends
  const std::uint64_t reportEvery = 1 + input.byte() % 3;
  const SimRunContext& context = fixture.built.familyContext;
  const Eigen::Index dimension = context.x0.size();

  DecentralizedFamilyCoordinator coordinator(fixture.name, fixture.setup, context, iterations, reportEvery);
  Wires wires;
  std::vector<std::unique_ptr<DecentralizedFamilyWorker>> roles;
  std::vector<WorkerSide> sides;
  sides.reserve(kNodes);
  for (int w = 0; w < kNodes; ++w) {
    roles.push_back(std::make_unique<DecentralizedFamilyWorker>(
        fixture.setup, *context.problem, (*context.shards)[static_cast<std::size_t>(w)],
        *fixture.built.timeModel, context.x0, context.options.seed, w));
    sides.emplace_back(wires, w);
  }
  // A node that failed is gone: the transport hands it nothing more and tells the coordinator.
  auto settle = [&](int w) {
    const auto index = static_cast<std::size_t>(w);
    if (!wires.lost[index] || wires.failures[index].empty()) return;
    coordinator.onWorkerLost(w, wires.failures[index], wires);
    wires.failures[index].clear();
  };
  coordinator.start(wires);
  for (int step = 0; step < 2048 && !input.empty(); ++step) {
    wires.time += 0.25;
    const int op = input.byte() % 12;
    const int worker = input.byte() % kNodes;
    const auto index = static_cast<std::size_t>(worker);
    auto& role = *roles[index];
    auto& side = sides[index];
    const bool gone = wires.lost[index];
    switch (op) {
      case 0:
      case 1:  // the run's own traffic to a node: the start, then its neighbours' gossip, then its wake
        if (gone) break;
        if (!wires.down[index].empty()) {
          DecDown message = std::move(wires.down[index].front());
          wires.down[index].pop_front();
          role.onMessage(std::move(message), side);
        } else if (!wires.peers[index].empty()) {
          auto [from, message] = std::move(wires.peers[index].front());
          wires.peers[index].pop_front();
          role.onPeerMessage(from, std::move(message), side);
        } else if (wires.wakes[index] > 0) {
          --wires.wakes[index];
          role.onWake(side);
        }
        settle(worker);
        break;
      case 2:
      case 3:  // the run's own reports
        if (!wires.up.empty()) {
          auto [from, message] = std::move(wires.up.front());
          wires.up.pop_front();
          coordinator.onMessage(from, std::move(message), wires);
        }
        break;
      case 4:  // a hostile report, or gossip sent to the coordinator
        if (input.byte() % 4 == 0)
          coordinator.onMessage(worker, hostileGossip(input, wires, dimension, worker, 0), wires);
        else
          coordinator.onMessage(worker, hostileReport(input, wires, worker, dimension, iterations), wires);
        break;
      case 5: {  // hostile gossip from a neighbour, mostly, or from a stranger, itself, nobody
        const std::array<int, 8> senders{(worker + 1) % kNodes,
                                         (worker + kNodes - 1) % kNodes,
                                         (worker + 1) % kNodes,
                                         (worker + kNodes - 1) % kNodes,
                                         (worker + 2) % kNodes,
                                         worker,
                                         -1,
                                         kNodes};
        const int from = senders[input.byte() % senders.size()];
        if (gone) break;
        if (input.byte() % 8 == 0)
          role.onPeerMessage(from, hostileReport(input, wires, worker, dimension, iterations), side);
        else
          role.onPeerMessage(
              from, hostileGossip(input, wires, dimension, from, role.node() ? role.node()->iteration() : 0),
              side);
        settle(worker);
        break;
      }
      case 6: {  // a start with any step, report period and limit, at any time (also a second one)
        DecStart start{.iterations = input.byte() % 2 == 0 ? input.byte() % 6 : input.unsignedOf(8),
                       .reportEvery = static_cast<int>(static_cast<std::int32_t>(input.unsignedOf(4))),
                       .alpha = input.byte() % 2 == 0 ? 0.01 * (1 + input.byte()) : hostileDouble(input)};
        if (gone) break;
        role.onMessage(start, side);
        settle(worker);
        break;
      }
      case 7:  // a wake nobody asked for
        if (gone) break;
        role.onWake(side);
        settle(worker);
        break;
      case 8:
        wires.lost[index] = true;
        coordinator.onWorkerLost(worker, "fuzz: lost", wires);
        break;
      case 9:
        wires.time += static_cast<double>(input.unsignedOf(2));
        break;
      default: {  // what the engine reads between messages
        std::map<std::string, double> metrics;
        coordinator.takeMetrics(metrics);
        EvaluationPoint point;
        point.metrics = metrics;
        (void)coordinator.stationarity(point);
        const Vector* model = coordinator.model();
        if (model && model->size() > 0) (void)model->sum();
        (void)coordinator.iterations();
        (void)coordinator.gradientEvaluations();
        (void)coordinator.lossOffset();
        (void)coordinator.diverged();
        (void)coordinator.failure();
        (void)coordinator.counters(worker);
        (void)coordinator.edgeBytes();
        (void)coordinator.metricsPending();
      }
    }
  }
  return 0;
}
