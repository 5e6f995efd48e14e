#pragma once
// The control socket's requests as bytes and JSON, free of sockets so that a fuzz target
// (tests/fuzz/fuzz_control_requests) reaches every parser a control client can feed: the request itself
// and each command's arguments. A request is one JSON object {"command": "...", ...arguments}
// (net/PROTOCOL.md §4.6); nothing here throws, whatever the bytes.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace distopt::net {

/// One control request: {"command": str, ...arguments}.
struct ControlRequest {
  std::string command;
  nlohmann::json body;  ///< the whole request object, for commands with arguments
};
/// Parses a request's bytes; nullopt with *why for anything but a JSON object with a string "command".
std::optional<ControlRequest> parseControlRequest(const void* data, std::size_t size, std::string* why);

/// `answer(command, request)` returns the reply, or null for a command it does not know (the requester then
/// gets an error naming the known ones); `request` is the whole request object, for commands with arguments.
using ControlAnswer =
    std::function<nlohmann::json(const std::string& command, const nlohmann::json& request)>;
/// The reply text to a request's bytes: `answer`'s reply, or an error saying what is wrong with the
/// request. Never throws (text a reply carries that is not UTF-8 is replaced, not thrown on).
std::string controlReply(const void* data, std::size_t size, const ControlAnswer& answer);

/// The "key" argument of allow_key and allow_dashboard_key (`command` names it in reasons): a
/// 40-character Z85 CURVE public key, or nullopt with *why.
std::optional<std::string> parseKeyArgument(const nlohmann::json& request, const std::string& command,
                                            std::string* why);
/// The "worker" argument of exclude: a worker id (>= 0; whether that worker exists is the pool's
/// business), or nullopt with *why.
std::optional<int> parseWorkerArgument(const nlohmann::json& request, std::string* why);

}  // namespace distopt::net
