#pragma once
// A decentralized node as a worker role (core/transport/role_links.hpp): the same code runs on the
// virtual network (the simulator) and in a distopt-worker on a live peer mesh.
//
// On DEC_START the node builds its GossipNode with the run's step and runs (gossip_node.hpp's driver
// protocol): each local step lasts TimeModel::duration(i, s, start) · IFO calls / compute_unit (one draw
// is the time of one minibatch of compute_unit samples, decentralized-proxgt §3.6); a round's message
// goes to every neighbour when the compute before it ends; the node completes a round when it holds
// every neighbour's message, so it waits only for its neighbours, never for a global barrier, and a
// slow node delays the network exactly through the graph. At the end of each iteration it reports to
// the coordinator (counters, traffic per link, compute and wait time; its vectors every k-th
// iteration) and yields (wakeAfterCompute) before the next, so time passes between iterations.

#include <cstdint>
#include <memory>

#include "core/decentralized/decentralized_family_messages.hpp"
#include "core/decentralized/decentralized_setup.hpp"
#include "core/timing/time_model.hpp"
#include "core/transport/role_links.hpp"

namespace distopt {

class DecentralizedFamilyWorker final : public FamilyWorker<DecDown, DecUp> {
 public:
  /// `setup`'s step is replaced by DEC_START's (a default α needs L̂ over every node's data, which only
  /// the coordinator estimates). The problem, shard and time model must outlive the role.
  DecentralizedFamilyWorker(std::shared_ptr<const DecentralizedSetup> setup, const Problem& problem,
                            const Shard& shard, const TimeModel& timeModel, const Vector& x0,
                            std::uint64_t seed, int node);

  void onMessage(DecDown&& message, WorkerLink<DecUp>& link) override;
  void onPeerMessage(int from, DecUp&& message, WorkerLink<DecUp>& link) override;
  void onWake(WorkerLink<DecUp>& link) override;

  /// The node, once started (null before DEC_START), for tests and the simulator's accessors.
  const GossipNode* node() const { return m_node.get(); }

 private:
  struct Edge {
    int neighbour = 0;
    std::uint64_t bytesReceived = 0, messagesSent = 0, messagesReceived = 0;
  };

  /// The time this handler's computes have reached: the message's arrival plus what they lasted.
  double at(const WorkerLink<DecUp>& link) const { return link.now() + m_offset; }
  /// Charges a local step's compute to this handler.
  void charge(const LocalWork& work, const WorkerLink<DecUp>& link);
  /// Runs the node until it waits for a neighbour, has finished, or ended an iteration (it then yields).
  void advance(WorkerLink<DecUp>& link);
  void sendRound(WorkerLink<DecUp>& link);
  void report(WorkerLink<DecUp>& link);

  std::shared_ptr<const DecentralizedSetup> m_setup;
  ProblemOracle m_oracle;
  const TimeModel& m_timeModel;
  Vector m_x0;
  std::uint64_t m_seed;
  int m_id;
  std::unique_ptr<GossipNode> m_node;
  std::vector<Edge> m_edges;  ///< ascending neighbour id, as the node's config

  std::uint64_t m_limit = 0;
  std::uint64_t m_reportEvery = 1;
  std::uint64_t m_reported = 0;
  std::uint64_t m_localSteps = 0;
  bool m_sendPending = false;
  bool m_finished = false;
  double m_offset = 0.0;  ///< compute time spent in the handler running now
  double m_roundSent = 0.0, m_iterationStart = 0.0;
  double m_computeUnits = 0.0, m_waitUnits = 0.0;
};

}  // namespace distopt
