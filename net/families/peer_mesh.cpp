#include "net/families/peer_mesh.hpp"

#include <set>

#include <unistd.h>

#include <zmq_addon.hpp>

#include "net/protocol/frame_limits.hpp"

namespace distopt::net {

std::string peerBindEndpoint(const std::string& coordinator, int worker) {
  if (coordinator.rfind("ipc://", 0) == 0)
    return "ipc:///tmp/distopt-peer-" + std::to_string(getpid()) + "-" + std::to_string(worker);
  const auto scheme = coordinator.find("://");
  const auto colon = coordinator.rfind(':');
  const std::string host = scheme == std::string::npos || colon == std::string::npos || colon < scheme + 3
                               ? std::string()
                               : coordinator.substr(scheme + 3, colon - scheme - 3);
  if (host == "127.0.0.1" || host == "localhost") return "tcp://127.0.0.1:*";
  return "tcp://*:*";
}

std::string publishedEndpoint(const std::string& bound) {
  const std::string wildcard = "tcp://0.0.0.0:";
  if (bound.rfind(wildcard, 0) != 0) return bound;
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return bound;
  return "tcp://" + std::string(name) + ":" + bound.substr(wildcard.size());
}

std::string PeerMesh::bind(zmq::context_t& context, const std::string& coordinatorEndpoint, int worker,
                           std::int64_t frameLimit, std::string* why) {
  try {
    m_pull.emplace(context, zmq::socket_type::pull);
    m_pull->set(zmq::sockopt::linger, 0);
    // Whoever reaches the port can connect (peer links are not authenticated).
    m_pull->set(zmq::sockopt::maxmsgsize, frameLimit);
    m_pull->set(zmq::sockopt::rcvhwm, kWorkerQueueMessages);
    m_pull->bind(peerBindEndpoint(coordinatorEndpoint, worker));
    return publishedEndpoint(m_pull->get(zmq::sockopt::last_endpoint));
  } catch (const zmq::error_t& e) {
    m_pull.reset();
    if (why) *why = std::string("could not bind the peer socket: ") + e.what();
    return {};
  }
}

bool PeerMesh::setPeers(const std::vector<PeerEndpoint>& peers, int self, int workers) {
  if (m_ready || !bound() || static_cast<int>(peers.size()) != workers - 1) return false;
  std::map<int, std::string> endpoints;
  for (const auto& peer : peers) {
    if (peer.node < 0 || peer.node >= workers || peer.node == self || peer.endpoint.empty()) return false;
    if (!endpoints.emplace(peer.node, peer.endpoint).second) return false;
  }
  m_endpoints = std::move(endpoints);
  m_ready = true;
  return true;
}

std::size_t PeerMesh::send(zmq::context_t& context, int peer, Message&& message) {
  const auto endpoint = m_endpoints.find(peer);
  if (endpoint == m_endpoints.end()) return 0;
  auto socket = m_push.find(peer);
  if (socket == m_push.end()) {
    try {
      zmq::socket_t push(context, zmq::socket_type::push);
      push.set(zmq::sockopt::linger, 0);
      push.connect(endpoint->second);
      socket = m_push.emplace(peer, std::move(push)).first;
    } catch (const zmq::error_t&) {
      return 0;
    }
  }
  message.seq = m_seq[peer].next();
  return sendMessage(socket->second, std::move(message));
}

void PeerMesh::pollItems(std::vector<zmq::pollitem_t>& items) {
  if (m_pull) items.push_back({m_pull->handle(), 0, ZMQ_POLLIN, 0});
}

void PeerMesh::receive(const std::function<void(std::optional<Message>&&)>& handle) {
  if (!m_pull) return;
  while (true) {
    std::vector<zmq::message_t> frames;
    std::optional<std::size_t> got;
    try {
      got = zmq::recv_multipart(*m_pull, std::back_inserter(frames), zmq::recv_flags::dontwait);
    } catch (const zmq::error_t&) {
      break;
    }
    if (!got) break;
    DecodeError error = DecodeError::None;
    auto message = decode(std::move(frames), &error);
    if (message && message->version != kProtocolVersion) message.reset();
    handle(std::move(message));
  }
}

}  // namespace distopt::net
