#include "core/telemetry/telemetry_json.hpp"

namespace distopt {
namespace {

nlohmann::json optionalNumber(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

}  // namespace

nlohmann::json toJson(const UpdateEvent& e) {
  return {{"t", e.time},       {"w", e.worker},       {"job", e.jobId}, {"v", e.jobVersion},
          {"delay", e.delay},  {"outcome", outcomeName(e.outcome)},    {"k", e.versionAfter},
          {"age", e.age},      {"bytes", e.bytes}};
}

nlohmann::json toJson(const EvaluationPoint& p) {
  return {{"t", p.time},
          {"updates", p.updates},
          {"loss", p.loss},
          {"gap", optionalNumber(p.gap)},
          {"grad_norm_sq", optionalNumber(p.gradNormSq)},
          {"test_accuracy", optionalNumber(p.testAccuracy)},
          {"bytes_up", p.bytesUp},
          {"bytes_down", p.bytesDown},
          {"metrics", p.metrics}};
}

nlohmann::json toJson(const WorkerStatus& s) {
  return {{"t", s.time},
          {"w", s.worker},
          {"host", s.host},
          {"pid", s.pid},
          {"state", s.state},
          {"reason", s.reason},
          {"jobs", s.counters.jobsSent},
          {"accepted", s.counters.accepted},
          {"discarded", s.counters.discarded},
          {"cancelled", s.counters.cancelled},
          {"late_cancelled", s.counters.lateCancelled},
          {"lost", s.counters.lost},
          {"bytes_up", s.bytesUp},
          {"bytes_down", s.bytesDown},
          {"mean_delay", s.meanDelay},
          {"mean_job_seconds", s.meanJobSeconds},
          {"clock_offset", optionalNumber(s.clockOffset)},
          {"rtt", optionalNumber(s.roundTrip)},
          {"uplink_transit", optionalNumber(s.uplinkTransit)}};
}

nlohmann::json toJson(const BandwidthSample& b) {
  return {{"t", b.time}, {"w", b.worker}, {"dir", b.uplink ? "up" : "down"}, {"kind", b.kind},
          {"bytes", b.bytes}, {"messages", b.messages}};
}


namespace {

template <typename T>
bool read(const nlohmann::json& json, const char* key, T* out) {
  auto it = json.find(key);
  if (it == json.end()) return false;
  try {
    *out = it->get<T>();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

std::optional<double> readOptional(const nlohmann::json& json, const char* key) {
  auto it = json.find(key);
  if (it == json.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

}  // namespace

bool outcomeFromName(const std::string& name, Outcome* outcome) {
  for (Outcome candidate : {Outcome::Accepted, Outcome::Discarded, Outcome::Cancelled, Outcome::LateCancelled}) {
    if (name == outcomeName(candidate)) {
      *outcome = candidate;
      return true;
    }
  }
  return false;
}

bool fromJson(const nlohmann::json& j, UpdateEvent* e) {
  if (!j.is_object()) return false;
  std::string outcome;
  return read(j, "t", &e->time) && read(j, "w", &e->worker) && read(j, "job", &e->jobId) && read(j, "v", &e->jobVersion) &&
         read(j, "delay", &e->delay) && read(j, "outcome", &outcome) && outcomeFromName(outcome, &e->outcome) &&
         read(j, "k", &e->versionAfter) && read(j, "age", &e->age) && read(j, "bytes", &e->bytes);
}

bool fromJson(const nlohmann::json& j, EvaluationPoint* p) {
  if (!j.is_object()) return false;
  if (!(read(j, "t", &p->time) && read(j, "updates", &p->updates) && read(j, "loss", &p->loss) &&
        read(j, "bytes_up", &p->bytesUp) && read(j, "bytes_down", &p->bytesDown)))
    return false;
  p->gap = readOptional(j, "gap");
  p->gradNormSq = readOptional(j, "grad_norm_sq");
  p->testAccuracy = readOptional(j, "test_accuracy");
  // Absent in a publisher without family metrics. JSON has no NaN or Inf (they are written as null), so
  // an entry that is not a number is a diverged measurement: skipped, while the point itself is kept.
  if (const auto metrics = j.find("metrics"); metrics != j.end()) {
    if (!metrics->is_object()) return false;
    for (const auto& [name, value] : metrics->items())
      if (value.is_number()) p->metrics[name] = value.get<double>();
  }
  return true;
}

bool fromJson(const nlohmann::json& j, WorkerStatus* s) {
  if (!j.is_object()) return false;
  s->clockOffset = readOptional(j, "clock_offset");
  s->roundTrip = readOptional(j, "rtt");
  s->uplinkTransit = readOptional(j, "uplink_transit");
  return read(j, "t", &s->time) && read(j, "w", &s->worker) && read(j, "host", &s->host) && read(j, "pid", &s->pid) &&
         read(j, "state", &s->state) && read(j, "reason", &s->reason) && read(j, "jobs", &s->counters.jobsSent) &&
         read(j, "accepted", &s->counters.accepted) && read(j, "discarded", &s->counters.discarded) &&
         read(j, "cancelled", &s->counters.cancelled) && read(j, "late_cancelled", &s->counters.lateCancelled) &&
         read(j, "lost", &s->counters.lost) && read(j, "bytes_up", &s->bytesUp) && read(j, "bytes_down", &s->bytesDown) &&
         read(j, "mean_delay", &s->meanDelay) && read(j, "mean_job_seconds", &s->meanJobSeconds);
}

bool fromJson(const nlohmann::json& j, BandwidthSample* b) {
  if (!j.is_object()) return false;
  std::string direction;
  if (!(read(j, "t", &b->time) && read(j, "w", &b->worker) && read(j, "dir", &direction) && read(j, "kind", &b->kind) &&
        read(j, "bytes", &b->bytes) && read(j, "messages", &b->messages)))
    return false;
  if (direction != "up" && direction != "down") return false;
  b->uplink = direction == "up";
  return true;
}

}  // namespace distopt
