#pragma once
// Live driver of the decentralized family (net/PROTOCOL.md §11): every worker process is one node of
// the communication graph and runs the family's node role (core/decentralized/decentralized_family_worker,
// the very code the simulator runs on the virtual network) on the live transport's peer mesh
// (net/families/peer_mesh.hpp: a PULL socket each node binds, a PUSH socket per peer it sends to). The
// coordinator role (decentralized_family_coordinator) starts the nodes and collects their reports
// (update events, per-edge traffic, every k iterations the node states it evaluates); the transport
// introduces the nodes to each other first. This file holds only the frames of their messages.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "net/families/live_families.hpp"

namespace distopt::net {

LiveFamilyDriver decentralizedLiveDriver();

/// The coordinator's role, exposed for tests that run it in process with real worker processes.
std::unique_ptr<CoordinatorRole> makeDecentralizedCoordinator(const Experiment& experiment,
                                                              const BuiltRun& built);

/// Cumulative bytes node i reported sending to node j (directed edge (i, j)), as of the last report;
/// for a role made by makeDecentralizedCoordinator, empty for any other role.
std::map<std::pair<int, int>, std::uint64_t> decentralizedEdgeBytes(const CoordinatorRole& role);

}  // namespace distopt::net
