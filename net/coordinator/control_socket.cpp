#include "net/coordinator/control_socket.hpp"

#include <vector>

#include <zmq_addon.hpp>

#include "net/coordinator/run_directory.hpp"
#include "net/protocol/frame_limits.hpp"
#include "net/protocol/json_fields.hpp"

namespace distopt::net {

std::optional<zmq::socket_t> bindControlSocket(zmq::context_t& context, const std::string& endpoint,
                                               std::string* boundEndpoint, std::string* why) {
  std::string reason;
  const auto folder = ipcSocketDirectory(endpoint, &reason);
  if (!folder || !isPrivateDirectory(*folder, &reason)) {
    if (why) *why = "control " + endpoint + ": " + reason + " (see net/PROTOCOL.md §4.6)";
    return std::nullopt;
  }
  try {
    zmq::socket_t socket(context, zmq::socket_type::router);
    socket.set(zmq::sockopt::linger, 0);
    // A client that sends requests and never reads the replies must not grow the coordinator's memory:
    // past a few replies queued to it, the next are dropped (a ROUTER drops at the high-water mark).
    socket.set(zmq::sockopt::sndhwm, kControlQueueMessages);
    socket.set(zmq::sockopt::rcvhwm, kControlQueueMessages);
    socket.set(zmq::sockopt::maxmsgsize, kControlFrameLimit);
    socket.bind(endpoint);
    if (boundEndpoint) *boundEndpoint = socket.get(zmq::sockopt::last_endpoint);
    return socket;
  } catch (const zmq::error_t& e) {
    if (why) *why = "cannot bind control " + endpoint + ": " + e.what();
    return std::nullopt;
  }
}

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

void answerControlRequests(zmq::socket_t& socket, const ControlAnswer& answer) {
  // A bounded number per call: a client flooding requests must not keep the run loop answering.
  for (int answered = 0; answered < kControlRequestsPerCall; ++answered) {
    std::vector<zmq::message_t> frames;
    std::optional<std::size_t> received;
    try {
      received = zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait);
    } catch (const zmq::error_t&) {
      return;
    }
    if (!received || frames.size() < 2) return;
    const auto& body = frames.back();
    constexpr const char* kKnown = "known commands: status, stop (live runs also: exclude, allow_key)";
    nlohmann::json reply;
    std::string why;
    if (const auto request = parseControlRequest(body.data(), body.size(), &why)) {
      reply = answer(request->command, request->body);
      if (reply.is_null()) reply = {{"error", std::string("unknown command; ") + kKnown}};
    } else {
      reply = {{"error", why + "; " + kKnown}};
    }
    const std::string text = reply.dump();
    zmq::message_t id(frames.front().data(), frames.front().size());
    try {
      socket.send(id, zmq::send_flags::sndmore | zmq::send_flags::dontwait);
      socket.send(zmq::buffer(text), zmq::send_flags::dontwait);
    } catch (const zmq::error_t&) {
      // The requester left; nothing to do.
    }
  }
}

}  // namespace distopt::net
