#include "core/telemetry/run_files.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/util/input_error.hpp"

namespace distopt {
namespace {

nlohmann::json optionalNumber(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

std::string optionalField(const std::optional<double>& value) {
  if (!value) return ",";
  char text[40];
  std::snprintf(text, sizeof text, ",%.17g", *value);
  return text;
}

nlohmann::json workersToJson(const std::vector<WorkerStatus>& workers) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& w : workers) {
    list.push_back({{"worker", w.worker},
                    {"host", w.host},
                    {"pid", w.pid},
                    {"state", w.state},
                    {"reason", w.reason},
                    {"jobs_sent", w.counters.jobsSent},
                    {"accepted", w.counters.accepted},
                    {"discarded", w.counters.discarded},
                    {"cancelled", w.counters.cancelled},
                    {"late_cancelled", w.counters.lateCancelled},
                    {"lost", w.counters.lost},
                    {"bytes_up", w.bytesUp},
                    {"bytes_down", w.bytesDown},
                    {"mean_delay", w.meanDelay},
                    {"mean_job_seconds", w.meanJobSeconds}});
    // On the coordinator's clock, from heartbeats; live runs only (a simulated worker has no clock).
    if (w.clockOffset) list.back()["clock_offset"] = *w.clockOffset;
    if (w.roundTrip) list.back()["rtt"] = *w.roundTrip;
    if (w.uplinkTransit) list.back()["uplink_transit"] = *w.uplinkTransit;
  }
  return list;
}

}  // namespace

const char* const kEventsCsvHeader = "time,worker,job,job_version,delay,outcome,version_after,age,bytes\n";

void writeDelayRows(LineFile& file, const std::vector<DelayCount>& counts) {
  file.write("worker,outcome,delay,count\n");
  for (const DelayCount& c : counts)
    file.print("%d,%s,%lld,%llu\n", c.worker, outcomeName(c.outcome), static_cast<long long>(c.delay),
               static_cast<unsigned long long>(c.count));
}

const char* const kEvaluationsCsvHeader =
    "time,updates,loss,gap,grad_norm_sq,test_accuracy,bytes_up,bytes_down\n";
const char* const kMetricsCsvHeader = "time,updates,name,value\n";

void writeEvaluationRows(LineFile& evaluations, LineFile& metrics, const EvaluationPoint& p) {
  evaluations.print("%.17g,%llu,%.17g%s%s%s,%llu,%llu\n", p.time, static_cast<unsigned long long>(p.updates),
                    p.loss, optionalField(p.gap).c_str(), optionalField(p.gradNormSq).c_str(),
                    optionalField(p.testAccuracy).c_str(), static_cast<unsigned long long>(p.bytesUp),
                    static_cast<unsigned long long>(p.bytesDown));
  for (const auto& [name, value] : p.metrics)
    metrics.print("%.17g,%llu,%s,%.17g\n", p.time, static_cast<unsigned long long>(p.updates), name.c_str(),
                  value);
}

RunFileWriter::RunFileWriter(const std::string& directory, const Options& options)
    : m_directory(directory), m_options(options), m_sample(options.sample) {
  requireValid(options, "out");
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) throw InputError(directory, "cannot create the output folder: " + error.message());
  if (options.eventLog == EventLog::Full) {
    m_events = std::make_unique<LineFile>(directory + "/events.csv.gz", true);
    m_events->write(kEventsCsvHeader);
  }
  m_evaluations = std::make_unique<LineFile>(directory + "/evaluations.csv", false);
  m_metrics = std::make_unique<LineFile>(directory + "/metrics.csv", false);
  m_evaluations->write(kEvaluationsCsvHeader);
  m_metrics->write(kMetricsCsvHeader);
}

RunFileWriter::~RunFileWriter() = default;

void writeEventRow(LineFile& file, const UpdateEvent& e) {
  file.print("%.17g,%d,%llu,%llu,%lld,%s,%llu,%.17g,%llu\n", e.time, e.worker,
             static_cast<unsigned long long>(e.jobId), static_cast<unsigned long long>(e.jobVersion),
             static_cast<long long>(e.delay), outcomeName(e.outcome),
             static_cast<unsigned long long>(e.versionAfter), e.age,
             static_cast<unsigned long long>(e.bytes));
}

void writeEventRows(LineFile& file, const std::vector<UpdateEvent>& events) {
  file.write(kEventsCsvHeader);
  for (const UpdateEvent& e : events) writeEventRow(file, e);
}

void writeEvaluationRows(LineFile& evaluations, LineFile& metrics,
                         const std::vector<EvaluationPoint>& points) {
  evaluations.write(kEvaluationsCsvHeader);
  metrics.write(kMetricsCsvHeader);
  for (const EvaluationPoint& point : points) writeEvaluationRows(evaluations, metrics, point);
}

void RunFileWriter::onUpdate(const UpdateEvent& e) {
  if (m_events) writeEventRow(*m_events, e);
  if (m_digest) return;
  m_delays.add(e);
  if (!m_events) m_sample.add(e);
}

void RunFileWriter::onEvaluation(const EvaluationPoint& p) {
  writeEvaluationRows(*m_evaluations, *m_metrics, p);
}

void RunFileWriter::note(const LineFile& file) {
  if (m_error.empty() && !file.error().empty()) m_error = file.error();
}

void RunFileWriter::onFinish(const RunSummary& /*summary*/) {
  if (m_finished) return;
  m_finished = true;
  for (auto* file : {m_events.get(), m_evaluations.get(), m_metrics.get()})
    if (file) {
      file->close();
      note(*file);
    }
  // Written at the end, whole: their content is final only then.
  try {
    LineFile delays(m_directory + "/delays.csv.gz", true);
    writeDelayRows(delays, (m_digest ? m_digest->delayTotals() : m_delays).sorted());
    delays.close();
    note(delays);
    if (!m_events) {
      LineFile sample(m_directory + "/events_sample.csv", false);
      writeEventRows(sample, m_digest ? m_digest->sampledEvents() : m_sample.events());
      sample.close();
      note(sample);
    }
  } catch (const InputError& e) {
    if (m_error.empty()) m_error = e.what();
  }
}

nlohmann::json summaryToJson(const RunSummary& s, const nlohmann::json& experiment) {
  return {{"algorithm", s.algorithm},
          {"engine", s.engine},
          {"workers", s.workers},
          {"termination", terminationName(s.termination)},
          {"termination_detail", s.terminationDetail},
          {"updates_applied", s.updatesApplied},
          {"gradient_evaluations", s.gradientEvaluations},
          {"jobs_sent", s.counters.jobsSent},
          {"arrivals", s.counters.arrivals},
          {"gradients_accepted", s.counters.accepted},
          {"gradients_discarded", s.counters.discarded},
          {"jobs_cancelled", s.counters.cancelled},
          {"late_cancelled", s.counters.lateCancelled},
          {"jobs_lost", s.counters.lost},
          {"final_loss", s.finalLoss},
          {"final_gap", optionalNumber(s.finalGap)},
          {"final_grad_norm_sq", optionalNumber(s.finalGradNormSq)},
          {"final_test_accuracy", optionalNumber(s.finalTestAccuracy)},
          {"time", s.time},
          {"time_to_target", optionalNumber(s.timeToTarget)},
          {"delay_mean", s.delayMean},
          {"delay_max", s.delayMax},
          {"bytes_uplink", s.bytesUplink},
          {"bytes_downlink", s.bytesDownlink},
          {"wall_seconds", s.wallSeconds},
          {"malformed_dropped", s.malformedDropped},
          {"worker_status", workersToJson(s.workerStatus)},
          {"experiment", experiment}};
}

void writeTextFile(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    LineFile out(temporary, false);
    out.write(text);
    if (!out.close()) {
      // A half-written temporary is of no use to anyone: the last good file (if any) stays in place.
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw InputError(path, "cannot write: " + out.error());
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw InputError(path, "cannot move the finished file into place: " + error.message());
  }
}

void writeJsonFile(const std::string& path, const nlohmann::json& json) {
  writeTextFile(path, json.dump(2) + '\n');
}

}  // namespace distopt
