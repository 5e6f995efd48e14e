#pragma once
// Which stored runs a prune deletes: by count (keep the newest N) and/or by age (started more than D
// days ago). One rule for `distopt-run runs prune` and the history panel, so both delete the same runs.
// A run still being written (not finished, not marked interrupted) is never deleted.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/store/run_store.hpp"

namespace distopt {

struct PruneRule {
  /// Keep the newest this many finished runs (of those the caller lists); unset: no count limit.
  std::optional<std::uint64_t> keep;
  /// Delete only runs started more than this many days ago; unset: any age.
  std::optional<double> olderThanDays;

  /// At least one of the two, and a finite age >= 0.
  bool isValid(std::string* why) const;
};

/// The runs of `newestFirst` (as RunStore::listRuns orders them) that `rule` deletes, newest first.
/// `now` is the clock the age is measured against.
std::vector<RunInfo> runsToPrune(
    const std::vector<RunInfo>& newestFirst, const PruneRule& rule,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

/// `days` before `now` in the store's started_at form (UTC, "YYYY-MM-DDTHH:MM:SS.mmmZ").
std::string isoTimeDaysBefore(std::chrono::system_clock::time_point now, double days);

}  // namespace distopt
