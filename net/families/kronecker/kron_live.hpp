#pragma once
// Live driver of the Kronecker family (kron-naive, kron-fast): the neuron-sharded protocol of docs/papers.md,
// kronecker-async §3.9 on real worker processes (net/PROTOCOL.md §13): the family's core roles
// (core/kronecker/kron_family_coordinator, kron_family_worker), the very code the simulator runs on the
// virtual network, with this file's frames. Staleness τ = 0 reproduces the single-process iterates;
// τ > 0 is the pipelined mode whose delays go out as update events.

#include "net/families/live_families.hpp"

namespace distopt::net {

LiveFamilyDriver kroneckerLiveDriver();

}  // namespace distopt::net
