#pragma once
// The JSON form of telemetry records on the PUB socket (net/telemetry/telemetry_publisher.hpp), both
// directions, so the publisher and every subscriber (the GUI's client object, scripts) agree.

#include <nlohmann/json.hpp>

#include "core/telemetry/telemetry.hpp"

namespace distopt::net {

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

}  // namespace distopt::net
