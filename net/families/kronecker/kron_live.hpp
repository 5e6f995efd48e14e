#pragma once
// Live driver of the Kronecker family (kron-naive, kron-fast): the neuron-sharded protocol of docs/papers.md,
// kronecker-async §3.9 on real worker processes (net/PROTOCOL.md §13). The coordinator role drives
// the same KronCoordinatorRole and KronEvaluationBook the simulator drives; the worker role holds one
// KronWorkerRole (its NeuronBlock) and answers with the same code. Staleness τ = 0 reproduces the
// single-process iterates; τ > 0 is the pipelined mode whose delays go out as update events.

#include "net/families/live_families.hpp"

namespace distopt::net {

LiveFamilyDriver kroneckerLiveDriver();

}  // namespace distopt::net
