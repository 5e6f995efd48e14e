#pragma once
// The coordinator's control socket (GUI → coordinator: status, stop), shared by the live engine and
// simulated runs so both speak exactly the same request/reply protocol: a ROUTER socket; a request is
// one JSON object {"command": "..."}, the reply one JSON object. Malformed requests get an error reply;
// nothing a client sends can throw out of here (DESIGN.md §7).

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

namespace distopt::net {

/// Binds a ROUTER control socket at `endpoint`, which must be ipc:///FOLDER/NAME with FOLDER private
/// (run_directory.hpp: this user's, mode 0700); the bound endpoint, or nullopt with *why naming the
/// endpoint and what is wrong with it.
std::optional<zmq::socket_t> bindControlSocket(zmq::context_t& context, const std::string& endpoint,
                                               std::string* boundEndpoint, std::string* why);

/// One control request: {"command": str, ...arguments}.
struct ControlRequest {
  std::string command;
  nlohmann::json body;  ///< the whole request object, for commands with arguments
};
/// Parses a request's bytes (free of sockets: a fuzz target calls it on any bytes); nullopt with *why
/// for anything but a JSON object with a string "command".
std::optional<ControlRequest> parseControlRequest(const void* data, std::size_t size, std::string* why);

/// Requests answered per answerControlRequests call; the rest wait for the next turn.
inline constexpr int kControlRequestsPerCall = 32;

/// Answers the requests waiting on `socket` (up to kControlRequestsPerCall) without blocking.
/// `answer(command, request)` returns the reply, or null for a command it does not know (the requester then
/// gets an error naming the known ones); `request` is the whole request object, for commands with arguments.
using ControlAnswer = std::function<nlohmann::json(const std::string& command, const nlohmann::json& request)>;
void answerControlRequests(zmq::socket_t& socket, const ControlAnswer& answer);

}  // namespace distopt::net
