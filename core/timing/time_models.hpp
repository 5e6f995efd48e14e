#pragma once
// The list of every time model the registry offers (docs/papers.md, async-sgd §3), and small helpers shared
// by the code that consumes a built model.

#include <optional>
#include <string>
#include <vector>

#include "core/registry/component.hpp"
#include "core/timing/time_model.hpp"

namespace distopt {

/// fixed (TM-1), ringmaster (TM-2/2s), jitter (TM-3), stragglers (TM-4), universal (TM-5),
/// natural (TM-6), in that order.
std::vector<TimeModelEntry> allTimeModelEntries();

/// The entry called `name`, or nullopt.
std::optional<TimeModelEntry> findTimeModelEntry(const std::string& name);

/// nominalTime(i) for every worker (0-based index), the tau_i the time-complexity formulas take.
std::vector<double> nominalTimes(const TimeModel& model);

}  // namespace distopt
