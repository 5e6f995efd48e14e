#include "core/store/stored_run.hpp"

#include <fstream>

#include "core/telemetry/run_files.hpp"

namespace distopt {

std::optional<double> StoredRun::timeToTarget() const {
  if (summary.is_object() && summary.contains("time_to_target") && summary["time_to_target"].is_number())
    return summary["time_to_target"].get<double>();
  return std::nullopt;
}

std::uint64_t StoredRun::totalBytes() const {
  std::uint64_t bytes = 0;
  if (!evaluations.empty()) bytes = evaluations.back().bytesUp + evaluations.back().bytesDown;
  if (summary.is_object()) {
    const std::uint64_t fromSummary =
        summary.value("bytes_uplink", std::uint64_t{0}) + summary.value("bytes_downlink", std::uint64_t{0});
    bytes = std::max(bytes, fromSummary);
  }
  return bytes;
}

std::optional<StoredRun> loadStoredRun(RunStore& store, std::int64_t runId, const StoredRunParts& parts) {
  auto info = store.loadRun(runId);
  if (!info) return std::nullopt;
  StoredRun run;
  run.info = std::move(*info);
  // Written by the coordinator from parsed documents; a damaged one still leaves the data usable.
  run.experiment = nlohmann::json::parse(run.info.record.experimentJson, nullptr, false);
  if (!run.experiment.is_object()) run.experiment = nlohmann::json::object();
  if (!run.info.summaryJson.empty()) {
    run.summary = nlohmann::json::parse(run.info.summaryJson, nullptr, false);
    if (!run.summary.is_object()) run.summary = nullptr;
  }
  if (parts.events) run.events = store.loadEvents(runId);
  if (parts.aggregates) {
    const DelayCounts counts = store.loadDelayCounts(runId);
    run.accepted = store.loadAcceptedTimeline(runId);
    if (counts.empty() && run.info.eventCount > 0 && run.info.record.eventLog == EventLog::Full) {
      // Recorded before the store kept aggregates: the full log is there to derive them from.
      const std::vector<UpdateEvent> own =
          parts.events ? std::vector<UpdateEvent>() : store.loadEvents(runId);
      const auto& events = parts.events ? run.events : own;
      DelayCounts derived;
      AcceptedTimeline timeline;
      for (const UpdateEvent& e : events) {
        derived.add(e);
        timeline.add(e);
      }
      timeline.finish();
      run.delays = derived.sorted();
      run.accepted = timeline.points();
    } else {
      run.delays = counts.sorted();
    }
  }
  if (parts.evaluations) run.evaluations = store.loadEvaluations(runId);
  if (parts.bandwidth) run.bandwidth = store.loadBandwidth(runId);
  if (parts.workers) run.workers = store.loadWorkers(runId);
  return run;
}

void writeStoreLocation(const std::string& runDirectory, const StoreLocation& location) {
  writeJsonFile(runDirectory + "/store.json", {{"path", location.path}, {"run_id", location.runId}});
}

std::optional<StoreLocation> readStoreLocation(const std::string& runDirectory) {
  std::ifstream in(runDirectory + "/store.json");
  if (!in) return std::nullopt;
  const auto json = nlohmann::json::parse(in, nullptr, false);
  if (!json.is_object() || !json.contains("path") || !json["path"].is_string() || !json.contains("run_id") ||
      !json["run_id"].is_number_integer())
    return std::nullopt;
  return StoreLocation{json["path"].get<std::string>(), json["run_id"].get<std::int64_t>()};
}

}  // namespace distopt
