#pragma once
// The compressed-SGD family on live workers (net/PROTOCOL.md §10): its core roles
// (core/compressed/round_coordinator, round_worker) on ZeroMQ (net/families/role_sockets.hpp) — the very
// roles CompressedSimRun runs on the virtual network, so a live run computes the simulator's iterates:
// same seed, same floating-point sums (the coordinator role aggregates in worker order, not arrival
// order). What is here is only the frames of §10 for the roles' messages.

#include "net/families/live_families.hpp"

namespace distopt::net {

LiveFamilyDriver compressedLiveDriver();

}  // namespace distopt::net
