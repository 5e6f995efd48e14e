#pragma once
// The compressed-SGD family on live workers (net/PROTOCOL.md §10): the coordinator runs the family's
// server role and each worker its worker role — the very roles CompressedSimRun drives — with the
// synchronous round (compressed-sgd §2.1): every worker computes and compresses its stochastic gradient
// at its replica, the coordinator aggregates once all M uplinks of the round are in, and the downlink
// travels with the next round's order.
//
// Uplinks are handed to the server role in worker order, not arrival order, so a live run computes the
// same floating-point sums as the simulator: same seed, same iterates.

#include "net/families/live_families.hpp"

namespace distopt::net {

LiveFamilyDriver compressedLiveDriver();

}  // namespace distopt::net
