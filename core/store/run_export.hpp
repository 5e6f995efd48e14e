#pragma once
// A stored run's data as files a user takes elsewhere (spreadsheets, pandas, a paper's plots):
// CSV in a folder, or one JSON document. Both carry everything the store has for the run.

#include <string>

#include <nlohmann/json.hpp>

#include "core/store/stored_run.hpp"

namespace distopt {

/// A run's description: {id, name, label, tags, algorithm, problem, engine, workers, seed, started_at,
/// ended_at, termination, termination_detail, event_log, event_count, ...} (null for what is unknown).
nlohmann::json runInfoToJson(const RunInfo& info);

/// Writes into `directory` (created if needed): evaluations.csv, metrics.csv and delays.csv.gz in the same
/// format distopt-run writes, the event rows the store holds (events.csv.gz for a run with a full log,
/// else events_sample.csv), plus bandwidth.csv, workers.csv, experiment.json and summary.json (when the
/// run finished). Throws InputError naming the file that cannot be written.
void exportRunCsv(const StoredRun& run, const std::string& directory);

/// {"run": {id, name, label, tags, started_at, ended_at, termination, event_log, ...}, "experiment": {...},
///  "summary": {...} | null, "evaluations": [...], "events": [...], "delays": [{worker, outcome, delay,
///  count}], "accepted": [{time, count}], "bandwidth": [...], "workers": [...]}
/// with records in the telemetry JSON form (core/telemetry/telemetry_json.hpp).
nlohmann::json runToJson(const StoredRun& run);

/// Writes runToJson(run) to `path` (atomically). Throws InputError naming the path.
void exportRunJson(const StoredRun& run, const std::string& path);

}  // namespace distopt
