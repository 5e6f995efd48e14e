#include "core/decentralized/decentralized_family_coordinator.hpp"

#include <limits>

#include "core/util/check.hpp"

namespace distopt {

DecentralizedFamilyCoordinator::DecentralizedFamilyCoordinator(
    std::string name, std::shared_ptr<const DecentralizedSetup> setup, const SimRunContext& context,
    std::uint64_t iterations, std::uint64_t reportEvery)
    : m_name(std::move(name)),
      m_setup(std::move(setup)),
      m_metrics(*context.problem, context.shards, *m_setup),
      m_n(context.numWorkers),
      m_tracking(tracksGradient(m_setup->options.method)),
      m_limit(iterations),
      m_reportEvery(std::max<std::uint64_t>(reportEvery, 1)),
      m_x0(context.x0) {
  DISTOPT_CHECK(m_setup && m_n >= 1);
  const Matrix& w = m_setup->network.w;
  DISTOPT_CHECK(w.rows() == m_n);
  for (int i = 0; i < m_n; ++i) {
    std::vector<int> neighbours;
    for (int j = 0; j < m_n; ++j)
      if (j != i && w(i, j) != 0.0) neighbours.push_back(j);
    m_neighbours.push_back(std::move(neighbours));
  }
  m_nodes.resize(static_cast<std::size_t>(m_n));
}

void DecentralizedFamilyCoordinator::start(CoordinatorLink<DecDown>& link) {
  const DecStart start{.iterations = m_limit,
                       .reportEvery = static_cast<int>(std::min<std::uint64_t>(
                           m_reportEvery, static_cast<std::uint64_t>(std::numeric_limits<int>::max()))),
                       .alpha = m_setup->options.alpha()};
  for (int i = 0; i < m_n; ++i) link.send(i, DecStart(start));
}

void DecentralizedFamilyCoordinator::onMessage(int worker, DecUp&& message, CoordinatorLink<DecDown>& link) {
  auto* up = std::get_if<DecReport>(&message);
  if (!up || worker < 0 || worker >= m_n) {
    link.countMalformed();
    return;
  }
  NodeReport& report = up->report;
  auto& node = m_nodes[static_cast<std::size_t>(worker)];
  const auto& neighbours = m_neighbours[static_cast<std::size_t>(worker)];
  const auto dimension = m_x0.size();
  const NodeStateVectors& state = up->state;
  bool valid =
      report.edges.size() == neighbours.size() &&
      (!node.reported || report.iteration > node.last.iteration) && report.iteration >= 1 &&
      (m_limit == 0 || report.iteration <= m_limit) &&
      (!node.reported || report.bytesSent >= node.last.bytesSent) &&
      (!up->withState || (state.x.size() == dimension && state.tracking == m_tracking &&
                          (!m_tracking || (state.y.size() == dimension && state.v.size() == dimension))));
  for (std::size_t k = 0; valid && k < neighbours.size(); ++k)
    valid = report.edges[k].neighbour == neighbours[k];
  if (!valid) {
    link.countMalformed();
    return;
  }
  const double now = link.now();
  UpdateEvent event;
  event.time = now;
  event.worker = worker;
  event.jobId = report.iteration - 1;
  event.jobVersion = report.iteration - 1;
  event.outcome = Outcome::Accepted;
  event.versionAfter = report.iteration;
  event.age = report.iterationUnits;
  event.bytes = report.bytesSent - (node.reported ? node.last.bytesSent : 0);
  link.sink().onUpdate(event);
  node.reported = true;
  node.last = report;
  if (!up->withState) return;

  // The gossip, as the nodes count it (no coordinator socket sees it, nor does the virtual network chart
  // it): per node "GOSSIP" (the bandwidth chart), per directed link "peer:<j>" (the topology view).
  std::uint64_t messagesReceived = 0;
  for (const auto& edge : report.edges) messagesReceived += edge.messagesReceived;
  link.sink().onBandwidth({.time = now,
                           .worker = worker,
                           .uplink = true,
                           .kind = "GOSSIP",
                           .bytes = report.bytesSent,
                           .messages = report.messagesSent});
  link.sink().onBandwidth({.time = now,
                           .worker = worker,
                           .uplink = false,
                           .kind = "GOSSIP",
                           .bytes = report.bytesReceived,
                           .messages = messagesReceived});
  for (const auto& edge : report.edges) {
    const std::string kind = "peer:" + std::to_string(edge.neighbour);
    link.sink().onBandwidth({.time = now,
                             .worker = worker,
                             .uplink = true,
                             .kind = kind,
                             .bytes = edge.bytesSent,
                             .messages = edge.messagesSent});
    link.sink().onBandwidth({.time = now,
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
  entry.emplace(std::move(report), std::move(up->state));
  if (pending.count == m_n) assemble(t);
}

void DecentralizedFamilyCoordinator::onWorkerLost(int worker, const std::string& reason,
                                                  CoordinatorLink<DecDown>& link) {
  (void)link;
  // Its neighbours cannot complete a round without it.
  if (m_failure.empty()) m_failure = "node " + std::to_string(worker) + " lost: " + reason;
}

void DecentralizedFamilyCoordinator::assemble(std::uint64_t t) {
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
  m_diverged = !m_mean.allFinite();
  m_iterations = t;
  m_complete = true;
  m_metricsFresh = false;
  m_pending.erase(m_pending.begin(), m_pending.upper_bound(t));
}

std::uint64_t DecentralizedFamilyCoordinator::gradientEvaluations() const {
  return m_complete ? spentBy(m_snapshot).gradients : 0;
}

std::optional<double> DecentralizedFamilyCoordinator::stationarity(const EvaluationPoint& point) const {
  const auto mapping = point.metrics.find("prox_grad_mapping_norm_sq");
  if (mapping == point.metrics.end()) return std::nullopt;
  return mapping->second;
}

double DecentralizedFamilyCoordinator::lossOffset() const { return m_setup->prox->extraValue(*model()); }

void DecentralizedFamilyCoordinator::takeMetrics(std::map<std::string, double>& metrics) {
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

WorkCounters DecentralizedFamilyCoordinator::counters(int worker) const {
  WorkCounters counters;
  if (worker < 0 || worker >= m_n) return counters;
  const auto t = m_nodes[static_cast<std::size_t>(worker)].last.iteration;
  counters.jobsSent = counters.arrivals = counters.accepted = t;
  return counters;
}

CoordinatorState::PeerBytes DecentralizedFamilyCoordinator::peerBytes() const {
  PeerBytes bytes;
  for (const NodeSlot& node : m_nodes) {
    bytes.sent += node.last.bytesSent;
    bytes.received += node.last.bytesReceived;
  }
  return bytes;
}

std::map<std::pair<int, int>, std::uint64_t> DecentralizedFamilyCoordinator::edgeBytes() const {
  std::map<std::pair<int, int>, std::uint64_t> edges;
  for (int i = 0; i < m_n; ++i)
    for (const auto& edge : m_nodes[static_cast<std::size_t>(i)].last.edges)
      edges[{i, edge.neighbour}] = edge.bytesSent;
  return edges;
}

}  // namespace distopt
