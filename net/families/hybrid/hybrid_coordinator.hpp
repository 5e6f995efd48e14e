#pragma once
// The coordinator of a live hybrid-order run (PROTOCOL.md §12): the hub of every collective.

#include <memory>

#include "net/coordinator/coordinator_role.hpp"
#include "net/families/hybrid/hybrid_setup.hpp"

namespace distopt::net::hybrid_live {

/// The coordinator role of a live hybrid-order run.
std::unique_ptr<CoordinatorRole> makeCoordinator(HybridSetup setup, const BuiltRun& built);

}  // namespace distopt::net::hybrid_live
