#pragma once
// Shows a stored run's update events in the dashboard from its aggregates: the exact delay histogram
// and the accepted-update timeline, whatever the run kept of the events themselves (a full log of
// millions of rows, or a sample). Thread: GUI thread only.

#include "core/store/stored_run.hpp"

namespace distopt::ui {

class Dashboard;

/// Adds `run.delays` to the delay histogram and `run.accepted` to the bandwidth chart's updates; updates
/// added to the dashboard later (a reattached run's live telemetry) count on from the run's exact
/// accepted total.
void addStoredUpdates(Dashboard& dashboard, const StoredRun& run);

}  // namespace distopt::ui
