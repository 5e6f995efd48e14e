#pragma once
// Live driver of the decentralized family (net/PROTOCOL.md §11): every worker process is one node of
// the communication graph and runs the family's node role (core/decentralized, the very code the
// simulator drives) on a peer mesh of ZeroMQ sockets — a PULL socket it binds, a PUSH socket per graph
// neighbour. The coordinator only starts the nodes, introduces them to their neighbours, collects
// their reports (update events, per-edge bytes counted at the node's sockets, and every k iterations
// the node states it evaluates) and stops them.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "net/families/live_families.hpp"

namespace distopt::net {

LiveFamilyDriver decentralizedLiveDriver();

/// The coordinator's role, exposed for tests that run it in process with real worker processes.
class DecentralizedCoordinatorRole;
std::unique_ptr<CoordinatorRole> makeDecentralizedCoordinator(const Experiment& experiment,
                                                              const BuiltRun& built);

/// Cumulative bytes node i reported sending to node j (directed edge (i, j)), as of the last report;
/// for a role made by makeDecentralizedCoordinator, empty for any other role.
std::map<std::pair<int, int>, std::uint64_t> decentralizedEdgeBytes(const CoordinatorRole& role);

}  // namespace distopt::net
