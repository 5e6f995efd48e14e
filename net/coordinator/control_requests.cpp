#include "net/coordinator/control_requests.hpp"

#include <limits>

#include "net/protocol/json_fields.hpp"
#include "net/security/curve_keys.hpp"

namespace distopt::net {

std::optional<ControlRequest> parseControlRequest(const void* data, std::size_t size, std::string* why) {
  auto body = parseWireJsonObject(static_cast<const char*>(data), size, why);
  if (!body) {
    if (why) *why = "a request is one JSON object {\"command\": ...}, this is " + *why;
    return std::nullopt;
  }
  ControlRequest request;
  JsonFields fields(*body, "control request");
  // A "command" that is not a string is refused, not an exception.
  if (!fields.string("command", &request.command, Presence::Required, 64)) {
    if (why) *why = fields.reason();
    return std::nullopt;
  }
  request.body = std::move(*body);
  return request;
}

std::string controlReply(const void* data, std::size_t size, const ControlAnswer& answer) {
  constexpr const char* kKnown = "known commands: status, stop (live runs also: exclude, allow_key)";
  nlohmann::json reply;
  std::string why;
  if (const auto request = parseControlRequest(data, size, &why)) {
    reply = answer(request->command, request->body);
    if (reply.is_null()) reply = {{"error", std::string("unknown command; ") + kKnown}};
  } else {
    reply = {{"error", why + "; " + kKnown}};
  }
  return reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::string> parseKeyArgument(const nlohmann::json& request, const std::string& command,
                                            std::string* why) {
  std::string key;
  JsonFields fields(request, command);
  if (!fields.string("key", &key, Presence::Required, 64)) {
    if (why) *why = fields.reason();
    return std::nullopt;
  }
  if (!isCurveKey(key)) {
    if (why) *why = command + ": key must be a 40-character Z85 CURVE public key";
    return std::nullopt;
  }
  return key;
}

std::optional<int> parseWorkerArgument(const nlohmann::json& request, std::string* why) {
  int worker = -1;
  JsonFields fields(request, "exclude");
  if (!fields.integer("worker", &worker, 0, std::numeric_limits<int>::max())) {
    if (why) *why = fields.reason() + " (exclude needs \"worker\": an id)";
    return std::nullopt;
  }
  return worker;
}

}  // namespace distopt::net
