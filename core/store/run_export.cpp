#include "core/store/run_export.hpp"

#include <filesystem>

#include "core/telemetry/run_files.hpp"
#include "core/telemetry/telemetry_json.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

void closeOrThrow(LineFile& file) {
  if (!file.close()) throw InputError(file.path(), file.error());
}

// Tags and host names are user text: quote every field that could hold a comma or a quote.
std::string csvText(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void writeBandwidthCsv(const StoredRun& run, const std::string& path) {
  LineFile file(path, false);
  file.write("time,worker,direction,kind,bytes,messages\n");
  for (const auto& s : run.bandwidth)
    file.print("%.17g,%d,%s,%s,%llu,%llu\n", s.time, s.worker, s.uplink ? "up" : "down",
               csvText(s.kind).c_str(), static_cast<unsigned long long>(s.bytes),
               static_cast<unsigned long long>(s.messages));
  closeOrThrow(file);
}

void writeWorkersCsv(const StoredRun& run, const std::string& path) {
  LineFile file(path, false);
  file.write(
      "worker,host,pid,state,reason,jobs,accepted,discarded,cancelled,late_cancelled,bytes_up,bytes_down,"
      "mean_delay,mean_job_seconds\n");
  for (const auto& w : run.workers)
    file.print("%d,%s,%d,%s,%s,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%.17g,%.17g\n", w.worker,
               csvText(w.host).c_str(), w.pid, csvText(w.state).c_str(), csvText(w.reason).c_str(),
               static_cast<unsigned long long>(w.counters.jobsSent),
               static_cast<unsigned long long>(w.counters.accepted),
               static_cast<unsigned long long>(w.counters.discarded),
               static_cast<unsigned long long>(w.counters.cancelled),
               static_cast<unsigned long long>(w.counters.lateCancelled),
               static_cast<unsigned long long>(w.bytesUp), static_cast<unsigned long long>(w.bytesDown),
               w.meanDelay, w.meanJobSeconds);
  closeOrThrow(file);
}

template <typename Record>
nlohmann::json arrayOf(const std::vector<Record>& records) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& record : records) array.push_back(toJson(record));
  return array;
}

}  // namespace

nlohmann::json runInfoToJson(const RunInfo& info) {
  return {
      {"id", info.id},
      {"name", info.record.name},
      {"label", info.label()},
      {"tags", info.record.tags},
      {"algorithm", info.record.algorithm},
      {"problem", info.record.problem},
      {"engine", info.record.engine},
      {"workers", info.record.workers},
      {"seed", info.record.seed},
      {"program_version", info.record.programVersion},
      {"started_at", info.record.startedAt},
      {"ended_at", info.endedAt.empty() ? nlohmann::json() : nlohmann::json(info.endedAt)},
      {"termination", info.terminationName.empty() ? nlohmann::json() : nlohmann::json(info.terminationName)},
      {"termination_detail", info.terminationDetail},
      {"event_log", eventLogName(info.record.eventLog)},
      {"event_count", info.eventCount},
      {"evaluation_count", info.evaluationCount},
      {"last_commit_at", info.lastCommitAt.empty() ? nlohmann::json() : nlohmann::json(info.lastCommitAt)},
      {"coordinator", {{"host", info.record.coordinator.host}, {"pid", info.record.coordinator.pid}}}};
}

void exportRunCsv(const StoredRun& run, const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) throw InputError(directory, "cannot create the folder: " + error.message());
  // The files and row formats distopt-run writes (run_files), so an exported run and a results folder
  // read alike: a run that kept its full log gets events.csv.gz, others their sample.
  {
    const bool full = run.info.record.eventLog == EventLog::Full;
    LineFile events(directory + (full ? "/events.csv.gz" : "/events_sample.csv"), full);
    writeEventRows(events, run.events);
    closeOrThrow(events);
  }
  {
    LineFile evaluations(directory + "/evaluations.csv", false);
    LineFile metrics(directory + "/metrics.csv", false);
    writeEvaluationRows(evaluations, metrics, run.evaluations);
    closeOrThrow(evaluations);
    closeOrThrow(metrics);
  }
  {
    LineFile delays(directory + "/delays.csv.gz", true);
    writeDelayRows(delays, run.delays);
    closeOrThrow(delays);
  }
  writeBandwidthCsv(run, directory + "/bandwidth.csv");
  writeWorkersCsv(run, directory + "/workers.csv");
  writeJsonFile(directory + "/experiment.json", run.experiment);
  if (!run.summary.is_null()) writeJsonFile(directory + "/summary.json", run.summary);
}

nlohmann::json runToJson(const StoredRun& run) {
  nlohmann::json delays = nlohmann::json::array();
  for (const DelayCount& d : run.delays)
    delays.push_back(
        {{"worker", d.worker}, {"outcome", outcomeName(d.outcome)}, {"delay", d.delay}, {"count", d.count}});
  nlohmann::json accepted = nlohmann::json::array();
  for (const AcceptedPoint& p : run.accepted) accepted.push_back({{"time", p.time}, {"count", p.count}});
  return {{"run", runInfoToJson(run.info)}, {"experiment", run.experiment},
          {"summary", run.summary},         {"evaluations", arrayOf(run.evaluations)},
          {"events", arrayOf(run.events)},  {"delays", delays},
          {"accepted", accepted},           {"bandwidth", arrayOf(run.bandwidth)},
          {"workers", arrayOf(run.workers)}};
}

void exportRunJson(const StoredRun& run, const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) throw InputError(parent.string(), "cannot create the folder: " + error.message());
  }
  writeJsonFile(path, runToJson(run));
}

}  // namespace distopt
