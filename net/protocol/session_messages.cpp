#include "net/protocol/session_messages.hpp"

#include <limits>

#include "net/protocol/json_fields.hpp"
#include "net/protocol/wire_fields.hpp"

namespace distopt::net {
namespace {

constexpr int kIntMax = std::numeric_limits<int>::max();

/// The one JSON object payload of `message`, or false with a reason.
bool jsonBody(const Message& message, nlohmann::json* body, std::string* why) {
  const char* name = messageKindName(message.kind);
  if (message.payload.size() != 1)
    return wire::fail(
        why, std::string(name) + ": expected 1 payload frame, got " + std::to_string(message.payload.size()));
  auto parsed = message.jsonPayload();
  if (!parsed) return wire::fail(why, std::string(name) + ": the payload is not a JSON object");
  *body = std::move(*parsed);
  return true;
}

bool finish(const JsonFields& fields, std::string* why) {
  return fields.ok() || wire::fail(why, fields.reason());
}

}  // namespace

bool parseHello(const Message& message, HelloBody* hello, std::string* why) {
  nlohmann::json body;
  if (!jsonBody(message, &body, why)) return false;
  JsonFields fields(body, "HELLO");
  HelloBody parsed;
  int requested = -1;
  fields.integer("worker_id", &requested, 0, kIntMax, Presence::OptionalOrNull);
  fields.integer("protocol", &parsed.protocol, 0, 0xffff, Presence::Optional);
  fields.string("program_version", &parsed.programVersion, Presence::Optional, 256);
  fields.string("host", &parsed.host, Presence::Optional, 256);
  fields.integer("cores", &parsed.cores, 0, 1 << 20, Presence::Optional);
  fields.integer("pid", &parsed.pid, 0, kIntMax, Presence::Optional);
  fields.string("slurm_step", &parsed.slurmStep, Presence::Optional, 64);
  if (!finish(fields, why)) return false;
  // It is shown beside the host in every table: job and step numbers only ("123.0", "123+1.4").
  if (parsed.slurmStep.find_first_not_of("0123456789.+") != std::string::npos)
    return wire::fail(why, "HELLO: slurm_step must be JOB.STEP (digits, '.', '+')");
  if (requested >= 0) parsed.workerId = requested;
  *hello = std::move(parsed);
  return true;
}

bool parseWelcome(const Message& message, WelcomeBody* welcome, std::string* why) {
  nlohmann::json body;
  if (!jsonBody(message, &body, why)) return false;
  JsonFields fields(body, "WELCOME");
  WelcomeBody parsed;
  int heartbeatMs = -1;
  int liveness = -1;
  fields.integer("worker_id", &parsed.workerId, 0, kIntMax);
  // The worker's own limits (WorkerOptions::isValid) bound what a coordinator may ask for.
  fields.integer("heartbeat_ms", &heartbeatMs, 10, 3'600'000, Presence::Optional);
  fields.integer("liveness", &liveness, 2, 1000, Presence::Optional);
  if (!finish(fields, why)) return false;
  if (heartbeatMs >= 0) parsed.heartbeatMs = heartbeatMs;
  if (liveness >= 0) parsed.liveness = liveness;
  *welcome = parsed;
  return true;
}

bool parseAssign(const Message& message, AssignBody* assign, std::string* why) {
  nlohmann::json body;
  if (!jsonBody(message, &body, why)) return false;
  JsonFields fields(body, "ASSIGN");
  AssignBody parsed;
  double unitMs = -1.0;
  const nlohmann::json* experiment = nullptr;
  fields.integer("worker_id", &parsed.workerId, 0, kIntMax);
  fields.string("base_directory", &parsed.baseDirectory, Presence::Optional);
  fields.number("unit_ms", &unitMs, 1e-6, 1e9, Presence::Optional);
  fields.object("experiment", &experiment);
  if (!finish(fields, why)) return false;
  if (unitMs > 0.0) parsed.unitMs = unitMs;
  parsed.experiment = *experiment;
  *assign = std::move(parsed);
  return true;
}

bool parseReady(const Message& message, ReadyBody* ready, std::string* why) {
  nlohmann::json body;
  if (!jsonBody(message, &body, why)) return false;
  JsonFields fields(body, "READY");
  ReadyBody parsed;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  fields.integer("dimension", &parsed.dimension, 0, kMax);
  fields.integer("shard_size", &parsed.shardSize, 0, kMax, Presence::Optional);
  fields.number("setup_seconds", &parsed.setupSeconds, 0.0, 1e9, Presence::Optional);
  if (!finish(fields, why)) return false;
  *ready = parsed;
  return true;
}

bool parseError(const Message& message, ErrorBody* error, std::string* why) {
  nlohmann::json body;
  if (!jsonBody(message, &body, why)) return false;
  JsonFields fields(body, "ERROR");
  ErrorBody parsed;
  fields.string("code", &parsed.code, Presence::Optional, 64);
  fields.string("message", &parsed.message, Presence::Optional);
  if (!finish(fields, why)) return false;
  *error = std::move(parsed);
  return true;
}

bool parseStop(const Message& message, std::string* reason, std::string* why) {
  if (message.payload.empty()) {
    reason->clear();
    return true;
  }
  nlohmann::json body;
  if (!jsonBody(message, &body, why)) return false;
  JsonFields fields(body, "STOP");
  std::string parsed;
  fields.string("reason", &parsed, Presence::Optional);
  if (!finish(fields, why)) return false;
  *reason = std::move(parsed);
  return true;
}

}  // namespace distopt::net
