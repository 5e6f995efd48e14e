#pragma once
// GossipNode: the transport-free node role of the decentralized methods (docs/architecture.md, rule 3;
// docs/papers.md, decentralized-proxgt §2.3, §3.6). A node alternates local steps with mixing calls; a mixing
// call is K rounds of neighbour exchange, each round: send u(r-1) to every neighbour, receive every
// neighbour's u(r-1) (buffered by tag, any order), then u(r) = θ_r·(W u(r-1))_i + (1-θ_r)·u(r-2).
//
// Driver protocol (a simulator or a live peer mesh):
//   start()                 once: local initialisation; may open a mixing call (tracker_init = mixed)
//   loop:
//     if idle(): beginIteration()      local step, opens the iteration's first mixing call
//     while exchanging():
//       send outgoing() to every neighbour (the same bytes to each)
//       receive(bytes) for every message that arrives (early ones are buffered)
//       when roundComplete(): completeRound()   may run the next local step and open the next call
// Every local step returns its LocalWork (IFO calls) so a driver can charge compute time. A node with
// no neighbours (n = 1) mixes with the identity and sends nothing.
//
// The mixing sum runs over {i} ∪ N_i in ascending id order, whatever the arrival order, so a run is
// bit-for-bit reproducible and nodes with the same inputs compute the same sum (complete graph).
// No clock, no socket, no global RNG: randomness comes from keyed streams the subclasses make.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/decentralized/gossip_message.hpp"
#include "core/topology/gossip.hpp"

namespace distopt {

/// The step size and minibatch every node role has ("alpha", "batch"): the one check their Options
/// share, with the same field names in the message.
bool validStepOptions(double alpha, std::int64_t batch, std::string* why);

/// What one node needs of the network: its id, its row of W, and the shared gossip plan.
struct NodeConfig {
  int id = 0;
  std::vector<int> neighbours;           ///< ascending
  std::vector<double> neighbourWeights;  ///< w_ij, same order as neighbours
  double selfWeight = 1.0;               ///< w_ii
  GossipPlan plan;
  VectorEncoding wire = VectorEncoding::DenseFloat64;
};

/// The row of W for node `id` of `w`, with the plan.
NodeConfig nodeConfigFor(const Matrix& w, int id, const GossipPlan& plan, VectorEncoding wire);

struct LocalWork {
  std::uint64_t ifo = 0;  ///< per-sample gradient evaluations in this local step
};

/// Cumulative counters of one node.
struct NodeCounters {
  std::uint64_t ifo = 0;
  std::uint64_t rounds = 0;  ///< communication rounds taken part in
  std::uint64_t messagesSent = 0;
  std::uint64_t bytesSent = 0;         ///< exact encoded sizes
  std::uint64_t payloadBytesSent = 0;  ///< vector coordinates only (p·s per message)
  std::uint64_t bytesReceived = 0;
  std::array<std::uint64_t, kGossipPhaseCount> bytesSentByPhase{};
  std::array<std::uint64_t, kGossipPhaseCount> messagesSentByPhase{};
};

class GossipNode {
 public:
  explicit GossipNode(NodeConfig config);
  virtual ~GossipNode() = default;
  GossipNode(const GossipNode&) = delete;
  GossipNode& operator=(const GossipNode&) = delete;

  virtual std::string name() const = 0;

  // --- driver protocol ---
  LocalWork start();
  LocalWork beginIteration();
  bool idle() const { return m_started && !m_open; }
  bool exchanging() const { return m_open; }
  /// The current round's message (valid while exchanging()).
  const std::vector<std::uint8_t>& outgoing() const { return m_outgoing; }
  /// Takes one neighbour message; false (and counted nowhere) for a malformed message, a sender that
  /// is not a neighbour, a duplicate, or a tag that is already past.
  bool receive(std::span<const std::uint8_t> bytes, std::string* why = nullptr);
  bool roundComplete() const;
  LocalWork completeRound();

  // --- state, for evaluators and tests ---
  int id() const { return m_config.id; }
  const NodeConfig& config() const { return m_config; }
  /// Completed iterations t.
  std::uint64_t iteration() const { return m_iteration; }
  const NodeCounters& counters() const { return m_counters; }
  /// Bytes sent to each neighbour (order of config().neighbours): the per-edge traffic.
  const std::vector<std::uint64_t>& bytesSentPerNeighbour() const { return m_bytesPerNeighbour; }
  virtual const Vector& x() const = 0;
  /// Gradient tracker y_i and local estimator v_i; nullptr for methods without tracking.
  virtual const Vector* tracker() const { return nullptr; }
  virtual const Vector* estimator() const { return nullptr; }

 protected:
  struct MixRequest {
    GossipPhase phase;
    Vector input;
  };
  /// Local initialisation; returns a mixing call to open, or nothing.
  virtual std::optional<MixRequest> onStart(LocalWork& work) = 0;
  /// The iteration's first local step; must open a mixing call.
  virtual MixRequest onIterationBegin(LocalWork& work) = 0;
  /// A mixing call ended with `mixed`; returns the next call of this iteration, or nothing when the
  /// iteration (or the initialisation) is complete.
  virtual std::optional<MixRequest> onMixed(GossipPhase phase, Vector mixed, LocalWork& work) = 0;

 private:
  struct BufferKey {
    std::uint64_t iteration;
    std::uint8_t phase;
    std::uint16_t round;
    auto operator<=>(const BufferKey&) const = default;
  };

  void proceed(std::optional<MixRequest> request, LocalWork& work);
  void openRound();
  BufferKey currentKey() const;
  int neighbourIndex(std::uint32_t sender) const;

  NodeConfig m_config;
  NodeCounters m_counters;
  std::vector<std::uint64_t> m_bytesPerNeighbour;
  bool m_started = false;
  bool m_open = false;
  bool m_inIteration = false;
  std::uint64_t m_iteration = 0;
  GossipPhase m_phase = GossipPhase::X;
  int m_round = 0;
  Vector m_previous;  // u(r-2)
  Vector m_current;   // u(r-1)
  std::vector<std::uint8_t> m_outgoing;
  std::map<BufferKey, std::vector<std::optional<Vector>>> m_inbox;
};

}  // namespace distopt
