#pragma once
// Live driver of the hybrid-order family (net/PROTOCOL.md §12): the family's core roles
// (core/hybrid/hybrid_coordinator, hybrid_worker) on ZeroMQ, with the frames of hybrid_messages. They
// are the roles HybridSimRun runs on the virtual network, so a live run with the simulator's seed
// follows the simulated iterates. MR-DHO2's stop_the_world is refused here: it runs simulated only.

#include "net/families/live_families.hpp"

namespace distopt::net {

LiveFamilyDriver hybridLiveDriver();

}  // namespace distopt::net
