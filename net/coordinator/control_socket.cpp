#include "net/coordinator/control_socket.hpp"

#include <vector>

#include <zmq_addon.hpp>

#include "net/coordinator/run_directory.hpp"
#include "net/protocol/frame_limits.hpp"

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
    const std::string text = controlReply(body.data(), body.size(), answer);
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
