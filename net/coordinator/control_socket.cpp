#include "net/coordinator/control_socket.hpp"

#include <vector>

#include <zmq_addon.hpp>

#include "net/coordinator/run_directory.hpp"

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
    socket.bind(endpoint);
    if (boundEndpoint) *boundEndpoint = socket.get(zmq::sockopt::last_endpoint);
    return socket;
  } catch (const zmq::error_t& e) {
    if (why) *why = "cannot bind control " + endpoint + ": " + e.what();
    return std::nullopt;
  }
}

void answerControlRequests(zmq::socket_t& socket, const ControlAnswer& answer) {
  while (true) {
    std::vector<zmq::message_t> frames;
    std::optional<std::size_t> received;
    try {
      received = zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait);
    } catch (const zmq::error_t&) {
      return;
    }
    if (!received || frames.size() < 2) return;
    const auto& body = frames.back();
    const auto request = nlohmann::json::parse(static_cast<const char*>(body.data()),
                                               static_cast<const char*>(body.data()) + body.size(), nullptr, false);
    // A "command" that is not a string is an unknown command, not an exception.
    const auto field = request.is_object() ? request.find("command") : request.end();
    const std::string command =
        request.is_object() && field != request.end() && field->is_string() ? field->get<std::string>() : std::string();
    nlohmann::json reply = answer(command, request.is_object() ? request : nlohmann::json::object());
    if (reply.is_null()) reply = {{"error", "unknown command; known: status, stop (live runs also: exclude, allow_key)"}};
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
