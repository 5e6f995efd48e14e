#include "net/families/decentralized/decentralized_live.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <zmq_addon.hpp>

#include "core/decentralized/decentralized_entries.hpp"
#include "core/decentralized/decentralized_setup.hpp"
#include "core/util/input_error.hpp"
#include "net/families/decentralized/decentralized_messages.hpp"
#include "net/protocol/frame_limits.hpp"

namespace distopt::net {
namespace {

using Clock = std::chrono::steady_clock;

double secondsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

/// Node i's neighbours, ascending: the non-zero off-diagonal entries of its row of W (what
/// nodeConfigFor gives the node itself).
std::vector<int> neighboursOf(const Network& network, int node) {
  std::vector<int> neighbours;
  for (int j = 0; j < network.w.cols(); ++j)
    if (j != node && network.w(node, j) != 0.0) neighbours.push_back(j);
  return neighbours;
}

/// `alpha`: a step that replaces params.alpha (and the L̂ estimate a missing one would need).
DecentralizedSetup setupFor(const Experiment& experiment, const BuiltRun& built,
                            std::optional<double> alpha = std::nullopt) {
  const auto method = decentralizedMethodFromName(experiment.algorithm.name);
  if (!method)
    throw InputError("algorithm.name", "\"" + experiment.algorithm.name + "\" is not a decentralized method");
  const SimRunContext& context = built.familyContext;
  nlohmann::json params = experiment.algorithm.params;
  if (alpha) params["alpha"] = *alpha;
  return makeDecentralizedSetup(context, decentralizedRunOptions(*method, params, context));
}

void setStep(DecentralizedRunOptions& options, double alpha) {
  switch (options.method) {
    case DecentralizedMethod::Dsgd:
      options.dsgd.alpha = alpha;
      break;
    case DecentralizedMethod::GtDsgd:
      options.gtDsgd.alpha = alpha;
      break;
    default:
      options.proxgt.alpha = alpha;
  }
}

/// Where a node binds its PULL socket: on the coordinator's interface, with a wildcard port.
std::string peerBindEndpoint(const std::string& coordinator, int worker) {
  if (coordinator.rfind("ipc://", 0) == 0)
    return "ipc:///tmp/distopt-peer-" + std::to_string(getpid()) + "-" + std::to_string(worker);
  const auto scheme = coordinator.find("://");
  const auto colon = coordinator.rfind(':');
  const std::string host = scheme == std::string::npos || colon == std::string::npos || colon < scheme + 3
                               ? std::string()
                               : coordinator.substr(scheme + 3, colon - scheme - 3);
  if (host == "127.0.0.1" || host == "localhost") return "tcp://127.0.0.1:*";
  return "tcp://*:*";
}

/// The endpoint a peer dials: a wildcard bind is published with this machine's name.
std::string publishedEndpoint(const std::string& bound) {
  const std::string wildcard = "tcp://0.0.0.0:";
  if (bound.rfind(wildcard, 0) != 0) return bound;
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return bound;
  return "tcp://" + std::string(name) + ":" + bound.substr(wildcard.size());
}

// ---------------------------------------------------------------------------------------------
// The node (worker side).

class DecentralizedWorkerRole final : public WorkerRole {
 public:
  // Everything but the step is checked here, at ASSIGN; the step comes with DEC_START because a default
  // α = step_scale / L̂ needs L̂ over every node's data, which the coordinator estimates once.
  DecentralizedWorkerRole(const Experiment& experiment, const BuiltRun& built, int worker)
      : m_built(built), m_worker(worker), m_setup(setupFor(experiment, built, 1.0)) {
    for (int j : neighboursOf(m_setup.network, worker)) m_edges.push_back({.neighbour = j});
    m_tracking = tracksGradient(m_setup.options.method);
  }

  void onMessage(Message&& message, WorkerHost& host) override {
    switch (message.kind) {
      case MessageKind::DecStart:
        onStart(message, host);
        break;
      case MessageKind::DecPeers:
        onPeers(message, host);
        break;
      default:
        host.countMalformed();
    }
  }

  std::optional<Clock::time_point> deadline() const override { return m_due; }
  void onDeadline(WorkerHost& host) override {
    m_due.reset();
    advance(host);
  }

  void pollItems(std::vector<zmq::pollitem_t>& items) override {
    if (m_pull) items.push_back({m_pull->handle(), 0, ZMQ_POLLIN, 0});
  }

  void onPolled(const zmq::pollitem_t* items, std::size_t count, WorkerHost& host) override {
    if (!m_pull || count < 1 || !(items[0].revents & ZMQ_POLLIN)) return;
    while (true) {
      std::vector<zmq::message_t> frames;
      std::optional<std::size_t> got;
      try {
        got = zmq::recv_multipart(*m_pull, std::back_inserter(frames), zmq::recv_flags::dontwait);
      } catch (const zmq::error_t&) {
        break;
      }
      if (!got) break;
      std::uint64_t size = 0;
      for (const auto& frame : frames) size += frame.size();
      m_bytesReceived += size;
      receiveGossip(std::move(frames), size, host);
    }
    advance(host);
  }

 private:
  struct Edge {
    int neighbour = 0;
    std::uint64_t bytesSent = 0, bytesReceived = 0, messagesSent = 0, messagesReceived = 0;
  };
  enum class Phase { Assigned, Bound, Running, Finished };

  void onStart(const Message& message, WorkerHost& host) {
    DecStart start;
    if (m_phase != Phase::Assigned || !parseDecStart(message, &start, nullptr)) {
      host.countMalformed();
      return;
    }
    m_limit = start.iterations;
    m_reportEvery = static_cast<std::uint64_t>(start.reportEvery);
    setStep(m_setup.options, start.alpha);
    std::string why;
    if (!m_setup.options.isValid(&why)) {
      host.countMalformed();
      return;
    }
    const SimRunContext& context = m_built.familyContext;
    m_oracle = std::make_unique<ProblemOracle>(*context.problem,
                                               (*context.shards)[static_cast<std::size_t>(m_worker)]);
    m_node = makeGossipNode(m_setup, m_worker, *m_oracle, context.x0, context.options.seed);
    try {
      m_pull.emplace(host.context(), zmq::socket_type::pull);
      m_pull->set(zmq::sockopt::linger, 0);
      // Whoever reaches the port can connect (peer links are not authenticated): a frame beyond the
      // largest gossip frame (2p coordinates) disconnects its sender before it is stored, and a sender
      // that floods waits at the high-water mark instead of growing this node's memory.
      m_pull->set(zmq::sockopt::maxmsgsize, frameLimitFor(vectorRunLargestFrame(context.x0.size())));
      m_pull->set(zmq::sockopt::rcvhwm, kWorkerQueueMessages);
      m_pull->bind(peerBindEndpoint(host.coordinatorEndpoint(), m_worker));
      const std::string bound = m_pull->get(zmq::sockopt::last_endpoint);
      host.send(makeDecEndpoint(publishedEndpoint(bound)));
    } catch (const zmq::error_t& e) {
      m_pull.reset();
      host.fail("internal", std::string("node could not bind its peer socket: ") + e.what());
      return;
    }
    m_phase = Phase::Bound;
  }

  void onPeers(const Message& message, WorkerHost& host) {
    std::vector<PeerEndpoint> peers;
    if (m_phase != Phase::Bound || !parseDecPeers(message, &peers, nullptr) ||
        peers.size() != m_edges.size()) {
      host.countMalformed();
      return;
    }
    for (std::size_t k = 0; k < peers.size(); ++k)
      if (peers[k].node != m_edges[k].neighbour) {
        host.countMalformed();
        return;
      }
    try {
      for (const auto& peer : peers) {
        auto& socket = m_push.emplace_back(host.context(), zmq::socket_type::push);
        socket.set(zmq::sockopt::linger, 0);
        socket.connect(peer.endpoint);
      }
    } catch (const zmq::error_t& e) {
      host.fail("internal", std::string("node could not connect to a neighbour: ") + e.what());
      return;
    }
    m_pushSeq.resize(m_push.size());
    m_phase = Phase::Running;
    m_runStart = Clock::now();
    m_iterationStart = m_runStart;
    step([this] { return m_node->start(); }, host);
    advance(host);
  }

  void receiveGossip(std::vector<zmq::message_t>&& frames, std::uint64_t size, WorkerHost& host) {
    DecodeError error = DecodeError::None;
    auto message = decode(std::move(frames), &error);
    std::span<const std::uint8_t> gossip;
    GossipTag tag;
    if (!m_node || !message || message->version != kProtocolVersion ||
        !parseDecGossip(*message, &gossip, nullptr) || !peekGossipTag(gossip, tag) ||
        !m_node->receive(gossip)) {
      host.countMalformed();
      return;
    }
    for (auto& edge : m_edges)
      if (edge.neighbour == static_cast<int>(tag.sender)) {
        edge.bytesReceived += size;
        ++edge.messagesReceived;
      }
  }

  /// Runs one local step of the node and arms the emulated compute wait that follows it.
  template <typename StepFunction>
  void step(StepFunction&& function, WorkerHost& host) {
    const auto begin = Clock::now();
    const LocalWork work = function();
    const auto end = Clock::now();
    auto due = end;
    if (work.ifo > 0) {
      const TimeModel& timeModel = *m_built.timeModel;
      const double startUnits = secondsBetween(m_runStart, begin) / host.unitSeconds();
      const double tau = timeModel.duration(m_worker, m_localSteps++, startUnits) *
                         static_cast<double>(work.ifo) / m_setup.options.computeUnit;
      due = emulatedDue(timeModel, m_worker, tau, secondsBetween(begin, end), host.unitSeconds(), end);
      if (due > end) m_due = due;
    }
    m_computeSeconds += secondsBetween(begin, std::max(due, end));
    if (m_node->exchanging()) m_pendingSend = true;
  }

  void advance(WorkerHost& host) {
    while (m_phase == Phase::Running) {
      if (m_due) {
        if (Clock::now() < *m_due) return;
        m_due.reset();
      }
      if (m_pendingSend) {
        m_pendingSend = false;
        if (!sendRound(host)) return;
      }
      if (m_node->exchanging()) {
        if (!m_node->roundComplete()) return;
        m_waitSeconds += secondsBetween(m_roundSent, Clock::now());
        step([this] { return m_node->completeRound(); }, host);
        continue;
      }
      if (m_node->iteration() > m_reported) report(host);
      if (m_limit > 0 && m_node->iteration() >= m_limit) {
        m_phase = Phase::Finished;  // every round frame of the last iteration is out; wait for STOP
        return;
      }
      m_iterationStart = Clock::now();
      step([this] { return m_node->beginIteration(); }, host);
    }
  }

  bool sendRound(WorkerHost& host) {
    const auto& outgoing = m_node->outgoing();
    for (std::size_t k = 0; k < m_push.size(); ++k) {
      Message message = makeDecGossip(outgoing);
      message.seq = m_pushSeq[k].next();
      const std::size_t bytes = sendMessage(m_push[k], std::move(message));
      if (bytes == 0) {
        // A PUSH link queues up to its high-water mark, and a node is at most one round ahead of a
        // neighbour: a refused send means the link is broken beyond what the protocol allows.
        host.fail("internal",
                  "peer link to node " + std::to_string(m_edges[k].neighbour) + " refused a frame");
        m_phase = Phase::Finished;
        return false;
      }
      m_edges[k].bytesSent += bytes;
      ++m_edges[k].messagesSent;
      m_bytesSent += bytes;
    }
    m_roundSent = Clock::now();
    return true;
  }

  void report(WorkerHost& host) {
    const std::uint64_t t = m_node->iteration();
    m_reported = t;
    const NodeCounters& counters = m_node->counters();
    const double unit = host.unitSeconds();
    NodeReport report{.iteration = t,
                      .ifo = counters.ifo,
                      .rounds = counters.rounds,
                      .messagesSent = counters.messagesSent,
                      .payloadBytesSent = counters.payloadBytesSent,
                      .bytesSent = m_bytesSent,
                      .bytesReceived = m_bytesReceived,
                      .computeUnits = m_computeSeconds / unit,
                      .waitUnits = m_waitSeconds / unit,
                      .iterationUnits = secondsBetween(m_iterationStart, Clock::now()) / unit,
                      .edges = {}};
    for (const auto& edge : m_edges)
      report.edges.push_back({.neighbour = edge.neighbour,
                              .bytesSent = edge.bytesSent,
                              .bytesReceived = edge.bytesReceived,
                              .messagesSent = edge.messagesSent,
                              .messagesReceived = edge.messagesReceived});
    if (t % m_reportEvery == 0 || t == m_limit)
      host.send(makeDecState(report, m_node->x(), m_tracking ? m_node->tracker() : nullptr,
                             m_tracking ? m_node->estimator() : nullptr));
    else
      host.send(makeDecProgress(report));
  }

  const BuiltRun& m_built;
  int m_worker;
  DecentralizedSetup m_setup;
  std::unique_ptr<ProblemOracle> m_oracle;
  std::unique_ptr<GossipNode> m_node;
  bool m_tracking = false;

  Phase m_phase = Phase::Assigned;
  std::uint64_t m_limit = 0;
  std::uint64_t m_reportEvery = 1;
  std::uint64_t m_reported = 0;
  std::uint64_t m_localSteps = 0;
  std::optional<zmq::socket_t> m_pull;
  std::vector<zmq::socket_t> m_push;  // one per neighbour, ascending
  std::vector<SeqCounter> m_pushSeq;
  std::vector<Edge> m_edges;
  std::uint64_t m_bytesSent = 0, m_bytesReceived = 0;

  std::optional<Clock::time_point> m_due;
  bool m_pendingSend = false;
  Clock::time_point m_runStart, m_iterationStart, m_roundSent;
  double m_computeSeconds = 0.0, m_waitSeconds = 0.0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// The coordinator side.

class DecentralizedCoordinatorRole final : public CoordinatorRole {
 public:
  DecentralizedCoordinatorRole(const Experiment& experiment, const BuiltRun& built)
      : m_name(experiment.algorithm.name),
        m_context(built.familyContext),
        m_setup(setupFor(experiment, built)),
        m_metrics(*m_context.problem, m_context.shards, m_setup),
        m_n(experiment.workers),
        m_dimension(m_context.x0.size()),
        m_tracking(tracksGradient(m_setup.options.method)),
        m_limit(built.rules.maxUpdates),
        m_reportEvery(built.rules.evalEveryUpdates > 0 ? built.rules.evalEveryUpdates : 1),
        m_x0(m_context.x0) {
    if (m_reportEvery > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
      throw InputError("eval.every_updates", "is too large for the decentralized live driver");
    for (int i = 0; i < m_n; ++i) m_neighbours.push_back(neighboursOf(m_setup.network, i));
    m_endpoints.resize(static_cast<std::size_t>(m_n));
    m_nodes.resize(static_cast<std::size_t>(m_n));
  }

  std::string name() const override { return m_name; }

  void start(CoordinatorHost& host) override {
    const DecStart start{.iterations = m_limit,
                         .reportEvery = static_cast<int>(m_reportEvery),
                         .alpha = m_setup.options.alpha()};
    for (int i = 0; i < m_n; ++i) host.send(i, makeDecStart(start));
  }

  void onMessage(int worker, Message&& message, CoordinatorHost& host) override {
    switch (message.kind) {
      case MessageKind::DecEndpoint:
        onEndpoint(worker, message, host);
        break;
      case MessageKind::DecProgress:
      case MessageKind::DecState:
        onReport(worker, message, host);
        break;
      default:
        host.countMalformed();
    }
  }

  void onWorkerLost(int worker, const std::string& reason, CoordinatorHost& host) override {
    (void)host;
    // Its neighbours cannot complete a round without it: the run fails and the engine stops everyone.
    if (m_failure.empty()) m_failure = "node " + std::to_string(worker) + " lost: " + reason;
  }

  std::uint64_t iterations() const override { return m_iterations; }
  /// IFO calls at the last complete iteration, as the simulator counts them (spentBy).
  std::uint64_t gradientEvaluations() const override { return m_complete ? spentBy(m_snapshot).gradients : 0; }
  const Vector* model() const override { return m_complete ? &m_mean : &m_x0; }
  double lossOffset() const override { return m_setup.prox->extraValue(*model()); }

  void takeMetrics(std::map<std::string, double>& metrics) override {
    if (!m_metricsFresh) {
      m_cachedMetrics.clear();
      if (m_complete)
        m_metrics.compute(m_snapshot, m_mean, m_cachedMetrics);
      else
        m_metrics.computeAtStart(m_x0, m_cachedMetrics);
      m_metricsFresh = true;
    }
    for (const auto& [key, value] : m_cachedMetrics) metrics[key] = value;
  }

  std::string failure() const override { return m_failure; }
  bool diverged() const override { return m_complete && !m_mean.allFinite(); }

  WorkCounters counters(int worker) const override {
    WorkCounters counters;
    if (worker < 0 || worker >= m_n) return counters;
    const auto t = m_nodes[static_cast<std::size_t>(worker)].last.iteration;
    counters.jobsSent = counters.arrivals = counters.accepted = t;
    return counters;
  }

  std::map<std::pair<int, int>, std::uint64_t> edgeBytes() const {
    std::map<std::pair<int, int>, std::uint64_t> edges;
    for (int i = 0; i < m_n; ++i)
      for (const auto& edge : m_nodes[static_cast<std::size_t>(i)].last.edges)
        edges[{i, edge.neighbour}] = edge.bytesSent;
    return edges;
  }

 private:
  struct NodeSlot {
    bool reported = false;
    NodeReport last;
  };
  struct Pending {
    std::vector<std::optional<std::pair<NodeReport, NodeStateVectors>>> states;
    int count = 0;
  };

  void onEndpoint(int worker, const Message& message, CoordinatorHost& host) {
    std::string endpoint;
    auto& slot = m_endpoints[static_cast<std::size_t>(worker)];
    if (m_peersSent || !slot.empty() || !parseDecEndpoint(message, &endpoint, nullptr)) {
      host.countMalformed();
      return;
    }
    slot = std::move(endpoint);
    if (++m_endpointCount < m_n) return;
    m_peersSent = true;
    for (int i = 0; i < m_n; ++i) {
      std::vector<PeerEndpoint> peers;
      for (int j : m_neighbours[static_cast<std::size_t>(i)])
        peers.push_back({j, m_endpoints[static_cast<std::size_t>(j)]});
      host.send(i, makeDecPeers(peers));
    }
  }

  void onReport(int worker, const Message& message, CoordinatorHost& host) {
    NodeReport report;
    NodeStateVectors state;
    auto& node = m_nodes[static_cast<std::size_t>(worker)];
    const auto& neighbours = m_neighbours[static_cast<std::size_t>(worker)];
    bool valid = m_peersSent && parseDecReport(message, m_dimension, m_tracking, &report, &state, nullptr) &&
                 report.edges.size() == neighbours.size() &&
                 (!node.reported || report.iteration > node.last.iteration) && report.iteration >= 1 &&
                 (m_limit == 0 || report.iteration <= m_limit);
    for (std::size_t k = 0; valid && k < neighbours.size(); ++k)
      valid = report.edges[k].neighbour == neighbours[k];
    if (!valid) {
      host.countMalformed();
      return;
    }
    const double now = host.now();
    UpdateEvent event;
    event.time = now;
    event.worker = worker;
    event.jobId = report.iteration - 1;
    event.jobVersion = report.iteration - 1;
    event.outcome = Outcome::Accepted;
    event.versionAfter = report.iteration;
    event.age = report.iterationUnits;
    event.bytes = report.bytesSent - (node.reported ? node.last.bytesSent : 0);
    host.sink().onUpdate(event);
    node.reported = true;
    node.last = report;
    if (message.kind != MessageKind::DecState) return;

    for (const auto& edge : report.edges) {
      const std::string kind = "peer:" + std::to_string(edge.neighbour);
      host.sink().onBandwidth({.time = now,
                               .worker = worker,
                               .uplink = true,
                               .kind = kind,
                               .bytes = edge.bytesSent,
                               .messages = edge.messagesSent});
      host.sink().onBandwidth({.time = now,
                               .worker = worker,
                               .uplink = false,
                               .kind = kind,
                               .bytes = edge.bytesReceived,
                               .messages = edge.messagesReceived});
    }
    const std::uint64_t t = report.iteration;
    if (m_complete && t <= m_iterations) return;
    Pending& pending = m_pending[t];
    if (pending.states.empty()) pending.states.resize(static_cast<std::size_t>(m_n));
    auto& entry = pending.states[static_cast<std::size_t>(worker)];
    if (!entry) ++pending.count;
    entry.emplace(std::move(report), std::move(state));
    if (pending.count == m_n) assemble(t);
  }

  /// Every node's state of iteration t is in: it becomes the run's model and metrics.
  void assemble(std::uint64_t t) {
    Pending& pending = m_pending[t];
    DecentralizedSnapshot snapshot;
    snapshot.iterations = t;
    for (auto& entry : pending.states) {
      auto& [report, vectors] = *entry;
      NodeCounters counters;
      counters.ifo = report.ifo;
      counters.rounds = report.rounds;
      counters.messagesSent = report.messagesSent;
      counters.payloadBytesSent = report.payloadBytesSent;
      counters.bytesSent = report.bytesSent;
      counters.bytesReceived = report.bytesReceived;
      snapshot.counters.push_back(counters);
      snapshot.computeTime.push_back(report.computeUnits);
      snapshot.waitTime.push_back(report.waitUnits);
      snapshot.x.push_back(std::move(vectors.x));
      if (m_tracking) {
        snapshot.y.push_back(std::move(vectors.y));
        snapshot.v.push_back(std::move(vectors.v));
      }
    }
    m_snapshot = std::move(snapshot);
    m_mean = DecentralizedMetrics::mean(m_snapshot);
    m_iterations = t;
    m_complete = true;
    m_metricsFresh = false;
    m_pending.erase(m_pending.begin(), m_pending.upper_bound(t));
  }

  std::string m_name;
  SimRunContext m_context;
  DecentralizedSetup m_setup;
  DecentralizedMetrics m_metrics;
  int m_n;
  std::int64_t m_dimension;
  bool m_tracking;
  std::uint64_t m_limit;
  std::uint64_t m_reportEvery;
  Vector m_x0;
  std::vector<std::vector<int>> m_neighbours;

  std::vector<std::string> m_endpoints;
  int m_endpointCount = 0;
  bool m_peersSent = false;
  std::vector<NodeSlot> m_nodes;
  std::map<std::uint64_t, Pending> m_pending;
  DecentralizedSnapshot m_snapshot;
  Vector m_mean;
  std::uint64_t m_iterations = 0;
  bool m_complete = false;
  bool m_metricsFresh = false;
  std::map<std::string, double> m_cachedMetrics;
  std::string m_failure;
};

std::unique_ptr<CoordinatorRole> makeDecentralizedCoordinator(const Experiment& experiment,
                                                              const BuiltRun& built) {
  return std::make_unique<DecentralizedCoordinatorRole>(experiment, built);
}

std::map<std::pair<int, int>, std::uint64_t> decentralizedEdgeBytes(const CoordinatorRole& role) {
  const auto* decentralized = dynamic_cast<const DecentralizedCoordinatorRole*>(&role);
  return decentralized ? decentralized->edgeBytes() : std::map<std::pair<int, int>, std::uint64_t>{};
}

LiveFamilyDriver decentralizedLiveDriver() {
  LiveFamilyDriver driver;
  driver.family = FamilyId::Decentralized;
  driver.makeCoordinator = makeDecentralizedCoordinator;
  driver.makeWorker = [](const Experiment& experiment, const BuiltRun& built,
                         int worker) -> std::unique_ptr<WorkerRole> {
    return std::make_unique<DecentralizedWorkerRole>(experiment, built, worker);
  };
  return driver;
}

}  // namespace distopt::net
