#pragma once
// The coordinator's control socket (GUI → coordinator: status, stop), shared by the live engine and
// simulated runs so both speak exactly the same request/reply protocol: a ROUTER socket; a request is
// one JSON object {"command": "..."}, the reply one JSON object. Malformed requests get an error reply;
// nothing a client sends can throw out of here (docs/architecture.md, rule 7).

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "net/coordinator/control_requests.hpp"

namespace distopt::net {

/// Binds a ROUTER control socket at `endpoint`, which must be ipc:///FOLDER/NAME with FOLDER private
/// (run_directory.hpp: this user's, mode 0700); the bound endpoint, or nullopt with *why naming the
/// endpoint and what is wrong with it.
std::optional<zmq::socket_t> bindControlSocket(zmq::context_t& context, const std::string& endpoint,
                                               std::string* boundEndpoint, std::string* why);

/// Requests answered per answerControlRequests call; the rest wait for the next turn.
inline constexpr int kControlRequestsPerCall = 32;

/// Answers the requests waiting on `socket` (up to kControlRequestsPerCall) without blocking, each with
/// controlReply (control_requests.hpp).
void answerControlRequests(zmq::socket_t& socket, const ControlAnswer& answer);

}  // namespace distopt::net
