#pragma once
// HandshakeWatch: tells a client (a worker, a dashboard) that the server refused it. ZeroMQ keeps retrying
// a refused handshake silently on the data socket, so without this a worker or dashboard with the wrong
// key, or none, would only ever see silence (and a worker would leave as "coordinator lost"); the socket's
// monitor events say what went wrong.

#include <optional>
#include <string>
#include <utility>

#include <zmq.hpp>

namespace distopt::net {

enum class HandshakeFailure {
  KeyRefused,         ///< the server's ZAP handler refused the client's key
  WrongServer,        ///< the CURVE handshake itself failed: not the server key the client was given
  MechanismMismatch,  ///< one side uses CURVE and the other not (a worker without keys on a secured run)
};

class HandshakeWatch {
 public:
  /// Watches `socket` (created in `context`, not yet connected); `name` makes the inproc monitor
  /// endpoint unique within the context. `watchReconnects`: also notice a connection that was lost and
  /// made again (a socket has one monitor, so this one says both).
  HandshakeWatch(zmq::context_t& context, zmq::socket_t& socket, const std::string& name,
                 bool watchReconnects = false);
  /// A failure seen since the last call, without blocking. A server that drops the connection during
  /// the handshake (what a CURVE server does with a HELLO it cannot decrypt: the client's server key is
  /// wrong) is a failure only the third time in a row with no handshake succeeding, so a connection cut
  /// once mid-handshake is not taken for a refusal.
  std::optional<HandshakeFailure> poll();
  /// True once after the connection was lost and a new one completed its handshake (seen by poll()).
  bool takeReconnect() { return std::exchange(m_reconnected, false); }

  /// Dropped handshakes in a row that count as WrongServer.
  static constexpr int kDroppedHandshakesRefused = 3;

 private:
  zmq::socket_t m_monitor;
  bool m_disconnected = false;
  bool m_reconnected = false;
  int m_droppedInARow = 0;
};

/// What a refused client tells its user.
std::string describeHandshakeFailure(HandshakeFailure failure);

}  // namespace distopt::net
