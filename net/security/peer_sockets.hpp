#pragma once
// PeerSockets: what the kernel still knows about a bound ZeroMQ socket's connections when ZeroMQ reports
// one gone. libzmq 4.3 reports a frame over ZMQ_MAXMSGSIZE (and any other framing error) exactly as it
// reports a peer closing its connection: one ZMQ_EVENT_DISCONNECTED carrying the descriptor, no reason
// (stream_engine_base: the decoder's EMSGSIZE becomes error(protocol_error), for which no handshake-failure
// event is sent). The difference is on the wire: a peer that closed left an end of file; a peer ZeroMQ
// dropped is still connected, often with the rest of its frame unread. So each accepted descriptor is
// duplicated (close-on-exec) when ZMQ_EVENT_ACCEPTED arrives and asked, when its DISCONNECTED arrives,
// whether the peer had closed. The duplicate holds the connection open a moment longer than ZeroMQ does;
// one whose DISCONNECTED never comes (a connection handed over to a new one with the same routing id,
// the socket closing) is closed by sweep() once the descriptor ZeroMQ had is seen gone twice in a row.
//
// Not thread-safe: one monitor thread owns it.

#include <map>
#include <string>

namespace distopt::net {

class PeerSockets {
 public:
  PeerSockets() = default;
  ~PeerSockets();
  PeerSockets(const PeerSockets&) = delete;
  PeerSockets& operator=(const PeerSockets&) = delete;

  /// At ZMQ_EVENT_ACCEPTED of `fd`: notes the peer's address and keeps a duplicate of the connection.
  void accepted(int fd);

  struct Ended {
    std::string address;  ///< "ip:port", or "unknown" when the connection was already gone at ACCEPTED
    /// ZeroMQ closed a connection whose peer had not: it was still sending or waiting (a frame over the
    /// limit, broken framing). False for a peer that closed (end of file or reset) and when unknown.
    bool droppedLivePeer = false;
  };
  /// At ZMQ_EVENT_DISCONNECTED of `fd`: how it ended; forgets `fd`.
  Ended disconnected(int fd);

  /// Closes the duplicates of connections ZeroMQ closed without a DISCONNECTED (call about once a second).
  void sweep();

  std::size_t size() const { return m_open.size(); }

 private:
  struct Connection {
    std::string address;
    int duplicate = -1;
    int goneSweeps = 0;  // sweeps in a row that found ZeroMQ's descriptor closed or reused
  };
  static void release(Connection& connection);

  std::map<int, Connection> m_open;  // ZeroMQ's descriptor -> what we keep of it
};

/// The peer address of a connected socket ("ip:port", "[ip6]:port", "local (ipc)"), or "unknown".
std::string peerAddress(int fd);

}  // namespace distopt::net
