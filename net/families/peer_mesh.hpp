#pragma once
// The live transport's links between workers, for a family whose workers talk to each other
// (WorkerLink::sendToPeer: decentralized nodes). Each worker binds one PULL socket on the interface it
// reached the coordinator on and publishes it; once every worker's endpoint is known the coordinator
// hands the list to all of them, and a worker dials a peer (one PUSH socket) the first time it sends to
// it. Who sent a frame is the family's to say (its codec reads it from the frame); the role checks it.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "net/protocol/message.hpp"

namespace distopt::net {

struct PeerEndpoint {
  int node = 0;
  std::string endpoint;
  bool operator==(const PeerEndpoint&) const = default;
};

/// Where worker `worker` binds its peer socket: loopback when the coordinator is on loopback, every
/// interface otherwise, a wildcard port; an ipc coordinator gets an ipc path.
std::string peerBindEndpoint(const std::string& coordinatorEndpoint, int worker);
/// The endpoint a peer dials: a wildcard bind is published with this machine's name.
std::string publishedEndpoint(const std::string& bound);

class PeerMesh {
 public:
  /// Binds the PULL socket (frames beyond `frameLimit` cut their sender off before they are stored; a
  /// flooding sender waits at the high-water mark). Returns the published endpoint, empty with *why.
  std::string bind(zmq::context_t& context, const std::string& coordinatorEndpoint, int worker,
                   std::int64_t frameLimit, std::string* why);
  bool bound() const { return m_pull.has_value(); }
  /// Every other worker's endpoint (of `workers`); false for a list that is not exactly that.
  bool setPeers(const std::vector<PeerEndpoint>& peers, int self, int workers);
  bool ready() const { return m_ready; }
  /// Sends to `peer`; the bytes handed to the socket, 0 when it refused (unknown peer, a full queue).
  std::size_t send(zmq::context_t& context, int peer, Message&& message);
  void pollItems(std::vector<zmq::pollitem_t>& items);
  /// Hands every frame set waiting on the PULL socket over, decoded (nullopt: not a message).
  void receive(const std::function<void(std::optional<Message>&&)>& handle);

 private:
  std::optional<zmq::socket_t> m_pull;
  std::map<int, std::string> m_endpoints;
  std::map<int, zmq::socket_t> m_push;
  std::map<int, SeqCounter> m_seq;
  bool m_ready = false;
};

}  // namespace distopt::net
