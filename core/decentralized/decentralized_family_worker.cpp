#include "core/decentralized/decentralized_family_worker.hpp"

#include <algorithm>
#include <span>

#include "core/decentralized/gossip_message.hpp"
#include "core/util/check.hpp"

namespace distopt {

DecentralizedFamilyWorker::DecentralizedFamilyWorker(std::shared_ptr<const DecentralizedSetup> setup,
                                                     const Problem& problem, const Shard& shard,
                                                     const TimeModel& timeModel, const Vector& x0,
                                                     std::uint64_t seed, int node)
    : m_setup(std::move(setup)),
      m_oracle(problem, shard),
      m_timeModel(timeModel),
      m_x0(x0),
      m_seed(seed),
      m_id(node) {
  DISTOPT_CHECK(m_setup);
  const Matrix& w = m_setup->network.w;
  for (int j = 0; j < w.cols(); ++j)
    if (j != node && w(node, j) != 0.0) m_edges.push_back({.neighbour = j});
}

void DecentralizedFamilyWorker::onMessage(DecDown&& message, WorkerLink<DecUp>& link) {
  const auto* start = std::get_if<DecStart>(&message);
  DecentralizedRunOptions options = m_setup->options;
  if (start) options.setAlpha(start->alpha);
  std::string why;
  if (!start || m_node || start->reportEvery < 1 || !options.isValid(&why)) {
    link.countMalformed();
    return;
  }
  m_limit = start->iterations;
  m_reportEvery = static_cast<std::uint64_t>(start->reportEvery);
  m_node = makeGossipNode(*m_setup, options, m_id, m_oracle, m_x0, m_seed);
  m_offset = 0.0;
  m_iterationStart = link.now();
  charge(m_node->start(), link);
  if (m_node->exchanging()) m_sendPending = true;
  advance(link);
}

void DecentralizedFamilyWorker::onPeerMessage(int from, DecUp&& message, WorkerLink<DecUp>& link) {
  const auto* gossip = std::get_if<DecGossip>(&message);
  GossipTag tag;
  const auto edge =
      std::find_if(m_edges.begin(), m_edges.end(), [from](const Edge& e) { return e.neighbour == from; });
  // The tag must name the link it came over: a node cannot speak for another.
  if (!gossip || !m_node || edge == m_edges.end() || !peekGossipTag(gossip->bytes, tag) ||
      tag.sender != static_cast<std::uint32_t>(from) || !m_node->receive(gossip->bytes)) {
    link.countMalformed();
    return;
  }
  edge->bytesReceived += gossip->bytes.size();
  ++edge->messagesReceived;
  m_offset = 0.0;
  // Between iterations (waiting for its wake) a node only keeps what arrives for the next round.
  if (m_node->exchanging()) advance(link);
}

void DecentralizedFamilyWorker::onWake(WorkerLink<DecUp>& link) {
  m_offset = 0.0;
  if (!m_node || m_finished || m_node->exchanging()) return;
  m_iterationStart = link.now();
  charge(m_node->beginIteration(), link);
  m_sendPending = true;
  advance(link);
}

void DecentralizedFamilyWorker::charge(const LocalWork& work, const WorkerLink<DecUp>& link) {
  if (work.ifo == 0) return;
  const double draw = m_timeModel.duration(m_id, m_localSteps++, at(link));
  const double duration = draw * static_cast<double>(work.ifo) / m_setup->options.computeUnit;
  m_offset += duration;
  m_computeUnits += duration;
}

void DecentralizedFamilyWorker::advance(WorkerLink<DecUp>& link) {
  while (m_node->exchanging()) {
    if (m_sendPending) {
      m_sendPending = false;
      sendRound(link);
    }
    if (!m_node->roundComplete()) return;
    m_waitUnits += at(link) - m_roundSent;
    charge(m_node->completeRound(), link);
    if (m_node->exchanging()) m_sendPending = true;
  }
  // An iteration (or the start) is complete.
  if (m_node->iteration() > m_reported) report(link);
  if (m_limit > 0 && m_node->iteration() >= m_limit) {
    m_finished = true;  // every round message of the last iteration is out
    return;
  }
  link.wakeAfterCompute(m_offset);
}

void DecentralizedFamilyWorker::sendRound(WorkerLink<DecUp>& link) {
  const std::vector<std::uint8_t>& outgoing = m_node->outgoing();
  for (Edge& edge : m_edges) {
    link.sendToPeer(edge.neighbour, m_offset, DecGossip{outgoing});
    ++edge.messagesSent;
  }
  m_roundSent = at(link);
}

void DecentralizedFamilyWorker::report(WorkerLink<DecUp>& link) {
  const std::uint64_t t = m_node->iteration();
  m_reported = t;
  const NodeCounters& counters = m_node->counters();
  DecReport message;
  message.report = NodeReport{.iteration = t,
                              .ifo = counters.ifo,
                              .rounds = counters.rounds,
                              .messagesSent = counters.messagesSent,
                              .payloadBytesSent = counters.payloadBytesSent,
                              .bytesSent = counters.bytesSent,
                              .bytesReceived = counters.bytesReceived,
                              .computeUnits = m_computeUnits,
                              .waitUnits = m_waitUnits,
                              .iterationUnits = at(link) - m_iterationStart,
                              .edges = {}};
  const auto& bytesSent = m_node->bytesSentPerNeighbour();
  for (std::size_t k = 0; k < m_edges.size(); ++k)
    message.report.edges.push_back({.neighbour = m_edges[k].neighbour,
                                    .bytesSent = bytesSent[k],
                                    .bytesReceived = m_edges[k].bytesReceived,
                                    .messagesSent = m_edges[k].messagesSent,
                                    .messagesReceived = m_edges[k].messagesReceived});
  if (t % m_reportEvery == 0 || t == m_limit) {
    const bool tracking = tracksGradient(m_setup->options.method);
    message.withState = true;
    message.state.tracking = tracking;
    message.state.x = m_node->x();
    if (tracking) {
      message.state.y = *m_node->tracker();
      message.state.v = *m_node->estimator();
    }
  }
  link.sendAfterCompute(m_offset, std::move(message));
}

}  // namespace distopt
