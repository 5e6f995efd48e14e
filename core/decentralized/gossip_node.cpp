#include "core/decentralized/gossip_node.hpp"

#include <algorithm>
#include <cmath>

#include "core/util/check.hpp"

namespace distopt {

bool validStepOptions(double alpha, std::int64_t batch, std::string* why) {
  const char* problem = !(alpha > 0.0) || !std::isfinite(alpha) ? "alpha: must be > 0"
                        : batch < 1                             ? "batch: must be >= 1"
                                                                : nullptr;
  if (problem && why) *why = problem;
  return problem == nullptr;
}

NodeConfig nodeConfigFor(const Matrix& w, int id, const GossipPlan& plan, VectorEncoding wire) {
  NodeConfig config;
  config.id = id;
  config.selfWeight = w(id, id);
  for (int j = 0; j < w.cols(); ++j) {
    if (j == id || w(id, j) == 0.0) continue;
    config.neighbours.push_back(j);
    config.neighbourWeights.push_back(w(id, j));
  }
  config.plan = plan;
  config.wire = wire;
  return config;
}

GossipNode::GossipNode(NodeConfig config)
    : m_config(std::move(config)), m_bytesPerNeighbour(m_config.neighbours.size(), 0) {
  DISTOPT_CHECK(m_config.neighbours.size() == m_config.neighbourWeights.size());
  DISTOPT_CHECK(std::is_sorted(m_config.neighbours.begin(), m_config.neighbours.end()));
  DISTOPT_CHECK(m_config.plan.rounds >= 1 &&
                static_cast<int>(m_config.plan.theta.size()) == m_config.plan.rounds);
}

LocalWork GossipNode::start() {
  DISTOPT_CHECK_MSG(!m_started, "start() runs once");
  m_started = true;
  LocalWork work;
  auto request = onStart(work);
  m_counters.ifo += work.ifo;
  proceed(std::move(request), work);
  return work;
}

LocalWork GossipNode::beginIteration() {
  DISTOPT_CHECK_MSG(idle(), "beginIteration() needs an idle node");
  m_inIteration = true;
  LocalWork work;
  MixRequest request = onIterationBegin(work);
  m_counters.ifo += work.ifo;
  proceed(std::move(request), work);
  return work;
}

void GossipNode::proceed(std::optional<MixRequest> request, LocalWork& work) {
  while (request) {
    if (!m_config.neighbours.empty()) {
      m_phase = request->phase;
      m_round = 1;
      m_previous = request->input;  // u(-1) = u(0)
      m_current = std::move(request->input);
      m_open = true;
      openRound();
      return;
    }
    // Alone (n = 1): every P_K(W) is the identity and nothing is sent.
    const std::uint64_t before = work.ifo;
    request = onMixed(request->phase, std::move(request->input), work);
    m_counters.ifo += work.ifo - before;
  }
  m_open = false;
  if (m_inIteration) {
    m_inIteration = false;
    ++m_iteration;
  }
}

namespace {

// Position of a phase within an iteration, for ordering tags: the tracker initialisation Y0 comes
// before iteration 0's X, and Y after X.
std::uint8_t phaseOrder(GossipPhase phase) {
  switch (phase) {
    case GossipPhase::Y0:
      return 0;
    case GossipPhase::X:
    case GossipPhase::XY:
      return 1;
    case GossipPhase::Y:
      return 2;
  }
  return 3;
}

}  // namespace

GossipNode::BufferKey GossipNode::currentKey() const {
  return {m_iteration, phaseOrder(m_phase), static_cast<std::uint16_t>(m_round)};
}

void GossipNode::openRound() {
  const GossipTag tag{.iteration = m_iteration,
                      .phase = m_phase,
                      .round = static_cast<std::uint16_t>(m_round),
                      .sender = static_cast<std::uint32_t>(m_config.id)};
  m_outgoing = encodeGossipMessage(tag, m_current, m_config.wire);
  const auto size = static_cast<std::uint64_t>(m_outgoing.size());
  const auto degree = static_cast<std::uint64_t>(m_config.neighbours.size());
  const auto payload = static_cast<std::uint64_t>(m_outgoing.size() - kGossipHeaderSize - kVectorPrefixSize);
  m_counters.messagesSent += degree;
  m_counters.bytesSent += size * degree;
  m_counters.payloadBytesSent += payload * degree;
  m_counters.bytesSentByPhase[static_cast<std::size_t>(m_phase)] += size * degree;
  m_counters.messagesSentByPhase[static_cast<std::size_t>(m_phase)] += degree;
  for (auto& bytes : m_bytesPerNeighbour) bytes += size;
}

int GossipNode::neighbourIndex(std::uint32_t sender) const {
  const auto it =
      std::lower_bound(m_config.neighbours.begin(), m_config.neighbours.end(), static_cast<int>(sender));
  if (it == m_config.neighbours.end() || *it != static_cast<int>(sender)) return -1;
  return static_cast<int>(it - m_config.neighbours.begin());
}

bool GossipNode::receive(std::span<const std::uint8_t> bytes, std::string* why) {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  GossipTag tag;
  Vector payload;
  // The length a message of its phase must have, checked whatever the node is doing: one buffered while
  // the node is idle is mixed later, and a wrong one would take the genuine message's slot.
  if (!peekGossipTag(bytes, tag)) return fail("gossip message with a bad header");
  const std::int64_t expected = x().size() * (tag.phase == GossipPhase::XY ? 2 : 1);
  if (!decodeGossipMessage(bytes, expected, tag, payload, why)) return false;
  const int index = neighbourIndex(tag.sender);
  if (index < 0) return fail("gossip message from a node that is not a neighbour");
  // A neighbour is at most one round ahead (it needs this node's messages to go on), so at most one
  // iteration and never beyond the plan's K rounds: anything further would only grow the inbox.
  if (tag.iteration > m_iteration + 1 || tag.round > m_config.plan.rounds)
    return fail("gossip message for a round no neighbour can be in yet");
  const BufferKey key{tag.iteration, phaseOrder(tag.phase), tag.round};
  if (m_open ? key < currentKey() : key.iteration < m_iteration)
    return fail("gossip message for a round already done");
  auto& slots = m_inbox[key];
  if (slots.empty()) slots.resize(m_config.neighbours.size());
  auto& slot = slots[static_cast<std::size_t>(index)];
  if (slot) return fail("duplicate gossip message");
  slot = std::move(payload);
  m_counters.bytesReceived += bytes.size();
  return true;
}

bool GossipNode::roundComplete() const {
  if (!m_open) return false;
  const auto it = m_inbox.find(currentKey());
  if (it == m_inbox.end()) return false;
  return std::all_of(it->second.begin(), it->second.end(), [](const auto& slot) { return slot.has_value(); });
}

LocalWork GossipNode::completeRound() {
  DISTOPT_CHECK_MSG(roundComplete(), "completeRound() before every neighbour message arrived");
  const auto it = m_inbox.find(currentKey());
  auto& slots = it->second;
  // (W u)_i over {i} ∪ N_i in ascending id order.
  Vector mixed = Vector::Zero(m_current.size());
  bool selfAdded = false;
  for (std::size_t k = 0; k < slots.size(); ++k) {
    if (!selfAdded && m_config.neighbours[k] > m_config.id) {
      mixed += m_config.selfWeight * m_current;
      selfAdded = true;
    }
    mixed += m_config.neighbourWeights[k] * *slots[k];
  }
  if (!selfAdded) mixed += m_config.selfWeight * m_current;
  m_inbox.erase(it);
  ++m_counters.rounds;

  const double theta = m_config.plan.theta[static_cast<std::size_t>(m_round - 1)];
  Vector next = theta == 1.0 ? std::move(mixed) : Vector(theta * mixed + (1.0 - theta) * m_previous);
  m_previous = std::move(m_current);
  m_current = std::move(next);

  LocalWork work;
  if (m_round < m_config.plan.rounds) {
    ++m_round;
    openRound();
    return work;
  }
  m_open = false;
  auto request = onMixed(m_phase, std::move(m_current), work);
  m_counters.ifo += work.ifo;
  proceed(std::move(request), work);
  return work;
}

}  // namespace distopt
