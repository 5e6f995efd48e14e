#pragma once
// The JSON form of telemetry records, both directions: one definition for the telemetry PUB socket
// (net/telemetry/telemetry_publisher.hpp) and its subscribers (the GUI's client object, scripts) and
// for run exports, so every JSON a user sees has the same fields.

#include <nlohmann/json.hpp>

#include "core/telemetry/telemetry.hpp"

namespace distopt {

nlohmann::json toJson(const UpdateEvent& event);
nlohmann::json toJson(const EvaluationPoint& point);
nlohmann::json toJson(const WorkerStatus& status);
nlohmann::json toJson(const BandwidthSample& sample);

/// Parsers: false for a record that is not an object with the fields toJson writes.
bool fromJson(const nlohmann::json& json, UpdateEvent* event);
bool fromJson(const nlohmann::json& json, EvaluationPoint* point);
bool fromJson(const nlohmann::json& json, WorkerStatus* status);
bool fromJson(const nlohmann::json& json, BandwidthSample* sample);

/// Outcome from its name ("accepted", ...); false if unknown.
bool outcomeFromName(const std::string& name, Outcome* outcome);

}  // namespace distopt
