#pragma once
// A past run read back from the run store in one piece, for the GUI's history (reopen, overlay,
// compare) and for exports. The experiment and summary documents are parsed here once so readers never
// handle SQLite text. Charts work from the aggregates (delays, accepted); `events` holds every event
// only for runs recorded with EventLog::Full, else a sample. Loading is a few queries whatever the
// run's length; it may run on any thread with its own RunStore.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/store/run_store.hpp"

namespace distopt {

struct StoredRun {
  RunInfo info;
  nlohmann::json experiment;  ///< the normalised experiment document (object; empty object if unreadable)
  nlohmann::json summary;     ///< summary.json content; null while the run has not finished
  /// Every update event (EventLog::Full), or the stored sample of them (info.record.eventLog).
  std::vector<UpdateEvent> events;
  /// The exact delay histogram per worker, outcome and delay; ordered by worker, outcome, delay.
  std::vector<DelayCount> delays;
  /// Cumulative accepted updates over time (thinned, last point exact).
  std::vector<AcceptedPoint> accepted;
  std::vector<EvaluationPoint> evaluations;
  std::vector<BandwidthSample> bandwidth;
  std::vector<WorkerStatus> workers;

  /// The summary's time to target, when the run reached its target.
  std::optional<double> timeToTarget() const;
  /// Total bytes (up + down) at the run's last evaluation point or summary, whichever says more.
  std::uint64_t totalBytes() const;
};

/// Which parts to load: full event logs can be millions of rows, and an overlay needs only the curve.
struct StoredRunParts {
  bool events = true;
  bool aggregates = true;  ///< delays and accepted (derived from the events for runs before schema 3)
  bool evaluations = true;
  bool bandwidth = true;
  bool workers = true;
};

/// nullopt when the store has no run `runId`. Throws InputError when the store cannot be read.
std::optional<StoredRun> loadStoredRun(RunStore& store, std::int64_t runId, const StoredRunParts& parts = {});

/// Where a results folder records which stored run it belongs to (written by distopt-run as
/// RUN_DIR/store.json: {"path": ..., "run_id": N}).
struct StoreLocation {
  std::string path;
  std::int64_t runId = 0;
};
void writeStoreLocation(const std::string& runDirectory, const StoreLocation& location);
/// nullopt when the folder has no (readable) store.json.
std::optional<StoreLocation> readStoreLocation(const std::string& runDirectory);

}  // namespace distopt
