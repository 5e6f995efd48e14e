#include "core/telemetry/run_files.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/util/input_error.hpp"

namespace distopt {
namespace {

std::FILE* openForWrite(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (!file) throw InputError(path, std::string("cannot write: ") + std::strerror(errno));
  // Large buffer: millions of event rows in big simulations.
  std::setvbuf(file, nullptr, _IOFBF, 1 << 20);
  return file;
}

nlohmann::json optionalNumber(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

void printOptional(std::FILE* file, const std::optional<double>& value) {
  if (value) std::fprintf(file, ",%.17g", *value);
  else std::fputs(",", file);
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

RunFileWriter::RunFileWriter(const std::string& directory) : m_directory(directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) throw InputError(directory, "cannot create the output folder: " + error.message());
  m_events = openForWrite(directory + "/events.csv");
  m_evaluations = openForWrite(directory + "/evaluations.csv");
  m_metrics = openForWrite(directory + "/metrics.csv");
  std::fputs("time,worker,job,job_version,delay,outcome,version_after,age,bytes\n", m_events);
  std::fputs("time,updates,loss,gap,grad_norm_sq,test_accuracy,bytes_up,bytes_down\n", m_evaluations);
  std::fputs("time,updates,name,value\n", m_metrics);
}

RunFileWriter::~RunFileWriter() {
  if (m_events) std::fclose(m_events);
  if (m_evaluations) std::fclose(m_evaluations);
  if (m_metrics) std::fclose(m_metrics);
}

void RunFileWriter::onUpdate(const UpdateEvent& e) {
  std::fprintf(m_events, "%.17g,%d,%llu,%llu,%lld,%s,%llu,%.17g,%llu\n", e.time, e.worker,
               static_cast<unsigned long long>(e.jobId), static_cast<unsigned long long>(e.jobVersion),
               static_cast<long long>(e.delay), outcomeName(e.outcome),
               static_cast<unsigned long long>(e.versionAfter), e.age, static_cast<unsigned long long>(e.bytes));
}

void RunFileWriter::onEvaluation(const EvaluationPoint& p) {
  std::fprintf(m_evaluations, "%.17g,%llu,%.17g", p.time, static_cast<unsigned long long>(p.updates), p.loss);
  printOptional(m_evaluations, p.gap);
  printOptional(m_evaluations, p.gradNormSq);
  printOptional(m_evaluations, p.testAccuracy);
  std::fprintf(m_evaluations, ",%llu,%llu\n", static_cast<unsigned long long>(p.bytesUp),
               static_cast<unsigned long long>(p.bytesDown));
  for (const auto& [name, value] : p.metrics)
    std::fprintf(m_metrics, "%.17g,%llu,%s,%.17g\n", p.time, static_cast<unsigned long long>(p.updates), name.c_str(),
                 value);
}

void RunFileWriter::onFinish(const RunSummary& /*summary*/) {
  std::fflush(m_events);
  std::fflush(m_evaluations);
  std::fflush(m_metrics);
}

nlohmann::json summaryToJson(const RunSummary& s, const nlohmann::json& experiment) {
  return {{"algorithm", s.algorithm},
          {"engine", s.engine},
          {"workers", s.workers},
          {"termination", terminationName(s.termination)},
          {"termination_detail", s.terminationDetail},
          {"updates_applied", s.updatesApplied},
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

void writeJsonFile(const std::string& path, const nlohmann::json& json) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path, std::string("cannot write: ") + std::strerror(errno));
    out << json.dump(2) << '\n';
    if (!out) throw InputError(path, "write failed");
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) throw InputError(path, "cannot move the finished file into place: " + error.message());
}

}  // namespace distopt
