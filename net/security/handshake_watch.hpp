#pragma once
// HandshakeWatch: tells a CURVE client that the server refused it. ZeroMQ keeps retrying a refused
// handshake silently on the data socket, so without this a worker or dashboard with the wrong key would
// only ever see silence; the socket's monitor events say at once what went wrong.

#include <optional>
#include <string>
#include <utility>

#include <zmq.hpp>

namespace distopt::net {

enum class HandshakeFailure {
  KeyRefused,   ///< the server's ZAP handler refused the client's key
  WrongServer,  ///< the CURVE handshake itself failed: not the server key the client was given
};

class HandshakeWatch {
 public:
  /// Watches `socket` (created in `context`, not yet connected); `name` makes the inproc monitor
  /// endpoint unique within the context. `watchReconnects`: also notice a connection that was lost and
  /// made again (a socket has one monitor, so this one says both).
  HandshakeWatch(zmq::context_t& context, zmq::socket_t& socket, const std::string& name,
                 bool watchReconnects = false);
  /// A failure seen since the last call, without blocking.
  std::optional<HandshakeFailure> poll();
  /// True once after the connection was lost and a new one completed its handshake (seen by poll()).
  bool takeReconnect() { return std::exchange(m_reconnected, false); }

 private:
  zmq::socket_t m_monitor;
  bool m_disconnected = false;
  bool m_reconnected = false;
};

}  // namespace distopt::net
