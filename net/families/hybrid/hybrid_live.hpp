#pragma once
// Live driver of the hybrid-order family (net/PROTOCOL.md §12): dist-sgdm, dist-adam and DHO2 (update
// modes S and R) on real worker processes. The coordinator is the hub of every collective; the
// workers run the same transport-free roles as HybridSimRun (Dho2Worker: FosiSegment and
// LanczosSegment), and the coordinator reduces in worker order exactly as the simulator does, so a
// live run with the simulator's seed follows the simulated iterates.

#include "net/families/live_families.hpp"

namespace distopt::net {

LiveFamilyDriver hybridLiveDriver();

}  // namespace distopt::net
