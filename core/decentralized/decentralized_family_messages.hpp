#pragma once
// The decentralized family's messages as its roles exchange them (decentralized_family_coordinator,
// decentralized_family_worker): the coordinator starts the nodes and observes them through their
// reports; the nodes gossip with each other (WorkerLink::sendToPeer). Live, net/families/decentralized
// turns these into the frames of net/PROTOCOL.md §11.
//
// What a message costs on the wire, as the simulator counts it: a gossip message its exact encoding
// (gossip_message: the bytes decentralized-proxgt §2.7 counts); the start order and the reports nothing — a decentralized method has no coordinator, ours only watches, and the
// summary's traffic is the method's (live, the reports are counted at the coordinator's sockets).

#include <cstdint>
#include <variant>
#include <vector>

#include "core/problems/problem.hpp"
#include "core/run/run_rules.hpp"
#include "core/transport/wire_size.hpp"

namespace distopt {

/// Coordinator to every node: run.
struct DecStart {
  std::uint64_t iterations = 0;  ///< stop after this many iterations; 0 = until the run ends
  int reportEvery = 1;           ///< k >= 1: the node's vectors with every k-th report
  double alpha = 0.0;            ///< the step α every node uses (> 0, finite)
};

/// Cumulative traffic of one directed peer link, as the sending and receiving node count it.
struct EdgeReport {
  int neighbour = 0;
  std::uint64_t bytesSent = 0;
  std::uint64_t bytesReceived = 0;
  std::uint64_t messagesSent = 0;
  std::uint64_t messagesReceived = 0;
  bool operator==(const EdgeReport&) const = default;
};

/// What a node says at the end of each iteration (cumulative counts; times in time units).
struct NodeReport {
  std::uint64_t iteration = 0;
  std::uint64_t ifo = 0;
  std::uint64_t rounds = 0;
  std::uint64_t messagesSent = 0;
  std::uint64_t payloadBytesSent = 0;
  std::uint64_t bytesSent = 0;
  std::uint64_t bytesReceived = 0;
  double computeUnits = 0.0;
  double waitUnits = 0.0;
  double iterationUnits = 0.0;
  std::vector<EdgeReport> edges;  ///< ascending neighbour id
  bool operator==(const NodeReport&) const = default;
};

/// A node's vectors: x always; y and v for tracking methods.
struct NodeStateVectors {
  Vector x, y, v;
  bool tracking = false;
};

/// Node to coordinator: a report, with the node's vectors every reportEvery iterations and at the last.
struct DecReport {
  NodeReport report;
  bool withState = false;
  NodeStateVectors state;
};

/// Node to neighbour: one round's gossip message (gossip_message's encoding).
struct DecGossip {
  std::vector<std::uint8_t> bytes;
};

using DecDown = std::variant<DecStart>;
using DecUp = std::variant<DecReport, DecGossip>;

WireSize decDownWireSize(const DecDown& message);
WireSize decUpWireSize(const DecUp& message);

/// How often a node sends its vectors: every evaluation's k when the run is evaluated only every k
/// iterations, no budget is counted between them and no time limit ends it between two, else every iteration
/// (a time-grid point or a byte or gradient budget needs the state of whatever iteration is complete then).
std::uint64_t decentralizedReportEvery(const RunRules& rules);

}  // namespace distopt
