#pragma once
// A worker of a live hybrid-order run (PROTOCOL.md §12): its Dho2Worker and a replica of θ.

#include <memory>

#include "net/families/hybrid/hybrid_setup.hpp"
#include "net/worker/worker_role.hpp"

namespace distopt::net::hybrid_live {

/// Worker `worker`'s role in a live hybrid-order run.
std::unique_ptr<WorkerRole> makeWorker(HybridSetup setup, const BuiltRun& built, int worker);

}  // namespace distopt::net::hybrid_live
