#include "core/store/run_prune.hpp"
#include "core/store/run_store.hpp"

#include <cmath>
#include <ctime>

namespace distopt {

bool PruneRule::isValid(std::string* why) const {
  if (!keep && !olderThanDays) {
    if (why) *why = "keep: a count to keep or an age (olderThanDays) is needed";
    return false;
  }
  if (olderThanDays && !(std::isfinite(*olderThanDays) && *olderThanDays >= 0.0)) {
    if (why) *why = "olderThanDays: must be a number of days >= 0";
    return false;
  }
  return true;
}

std::string isoTimeDaysBefore(std::chrono::system_clock::time_point now, double days) {
  using namespace std::chrono;
  // With milliseconds, as started_at is written: cut at whole seconds, a run started within the current
  // second was never "older than 0 days" (a flaky prune test once runs took well under a second).
  return isoTime(now - duration_cast<system_clock::duration>(duration<double>(days * 86400.0)));
}

std::vector<RunInfo> runsToPrune(const std::vector<RunInfo>& newestFirst, const PruneRule& rule,
                                 std::chrono::system_clock::time_point now) {
  std::vector<RunInfo> doomed;
  if (!rule.isValid(nullptr)) return doomed;
  const std::string cutoff = rule.olderThanDays ? isoTimeDaysBefore(now, *rule.olderThanDays) : std::string();
  std::uint64_t finished = 0;
  for (const RunInfo& info : newestFirst) {
    if (!info.finished()) continue;  // being written: never a candidate, and not counted as kept
    const bool beyondKeep = !rule.keep || finished >= *rule.keep;
    ++finished;
    const bool old = !rule.olderThanDays || info.record.startedAt < cutoff;
    if (beyondKeep && old) doomed.push_back(info);
  }
  return doomed;
}

}  // namespace distopt
