#include "net/security/handshake_watch.hpp"

#include <cstdint>
#include <cstring>
#include <vector>

#include <zmq_addon.hpp>

namespace distopt::net {

HandshakeWatch::HandshakeWatch(zmq::context_t& context, zmq::socket_t& socket, const std::string& name,
                               bool watchReconnects)
    : m_monitor(context, zmq::socket_type::pair) {
  const std::string endpoint = "inproc://handshake-watch-" + name;
  int events = ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL;
  if (watchReconnects) events |= ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
  zmq_socket_monitor(socket.handle(), endpoint.c_str(), events);
  m_monitor.set(zmq::sockopt::linger, 0);
  m_monitor.connect(endpoint);
}

std::optional<HandshakeFailure> HandshakeWatch::poll() {
  // Monitor events: frame 1 is 6 bytes (u16 event, u32 value), frame 2 the endpoint.
  std::vector<zmq::message_t> frames;
  while (zmq::recv_multipart(m_monitor, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
    if (!frames.empty() && frames[0].size() >= 6) {
      std::uint16_t event = 0;
      std::memcpy(&event, frames[0].data(), sizeof event);
      if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) return HandshakeFailure::KeyRefused;
      if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) return HandshakeFailure::WrongServer;
      if (event == ZMQ_EVENT_DISCONNECTED) m_disconnected = true;
      if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED && m_disconnected) {
        m_disconnected = false;
        m_reconnected = true;
      }
    }
    frames.clear();
  }
  return std::nullopt;
}

}  // namespace distopt::net
