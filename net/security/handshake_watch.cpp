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
  int events = ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
  if (watchReconnects) events |= ZMQ_EVENT_DISCONNECTED;
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
      std::uint32_t value = 0;
      std::memcpy(&event, frames[0].data(), sizeof event);
      std::memcpy(&value, static_cast<const char*>(frames[0].data()) + 2, sizeof value);
      switch (event) {
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
          return HandshakeFailure::KeyRefused;
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
          return value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH ? HandshakeFailure::MechanismMismatch
                                                                     : HandshakeFailure::WrongServer;
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
          if (++m_droppedInARow >= kDroppedHandshakesRefused) return HandshakeFailure::WrongServer;
          break;
        case ZMQ_EVENT_DISCONNECTED:
          m_disconnected = true;
          break;
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
          m_droppedInARow = 0;
          if (m_disconnected) {
            m_disconnected = false;
            m_reconnected = true;
          }
          break;
        default:
          break;
      }
    }
    frames.clear();
  }
  return std::nullopt;
}

std::string describeHandshakeFailure(HandshakeFailure failure) {
  switch (failure) {
    case HandshakeFailure::KeyRefused:
      return "the coordinator refused this worker's key (ask for the run's join command, or have your public "
             "key "
             "allowed)";
    case HandshakeFailure::WrongServer:
      return "the CURVE handshake failed: is --server-key the coordinator's public key for this run?";
    case HandshakeFailure::MechanismMismatch:
      return "the coordinator and this program disagree on security: a secured run needs --server-key and "
             "--join-token (or --key-file); an unsecured one neither";
  }
  return "the handshake failed";
}

}  // namespace distopt::net
