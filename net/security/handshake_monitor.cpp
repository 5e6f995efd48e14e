#include "net/security/handshake_monitor.hpp"

#include <cstring>

#include <zmq_addon.hpp>

#include "net/security/peer_sockets.hpp"

namespace distopt::net {
namespace {

std::string describeProtocolError(std::uint32_t code) {
  switch (code) {
    case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
      return "security mechanism mismatch (a peer without CURVE keys on a secured socket, or the reverse)";
    case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
      return "CURVE handshake did not decrypt (the peer has another server key)";
    default:
      return "ZMTP handshake failed (protocol error 0x" + [code] {
        char hex[16];
        std::snprintf(hex, sizeof hex, "%x", code);
        return std::string(hex);
      }() + ")";
  }
}

RefusalKind protocolErrorKind(std::uint32_t code) {
  if (code == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) return RefusalKind::MechanismMismatch;
  if (code == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC) return RefusalKind::WrongServerKey;
  return RefusalKind::BrokenHandshake;
}

}  // namespace

const char* refusalKindName(RefusalKind kind) {
  switch (kind) {
    case RefusalKind::MechanismMismatch:
      return "mechanism_mismatch";
    case RefusalKind::WrongServerKey:
      return "wrong_server_key";
    case RefusalKind::BrokenHandshake:
      return "broken_handshake";
    case RefusalKind::ClosedDuringHandshake:
      return "closed_during_handshake";
    case RefusalKind::FrameOverLimit:
      return "frame_over_limit";
  }
  return "unknown";
}

HandshakeMonitor::HandshakeMonitor(zmq::context_t& context, zmq::socket_t& socket, const std::string& name,
                                   std::string domain)
    : m_context(context), m_domain(std::move(domain)), m_frameLimit(socket.get(zmq::sockopt::maxmsgsize)) {
  const std::string endpoint = "inproc://handshake-monitor-" + name;
  zmq_socket_monitor(socket.handle(), endpoint.c_str(),
                     ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
                         ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
  m_thread = std::thread([this, endpoint] { loop(endpoint); });
  // Connected before the socket binds: no ACCEPTED event may be missed.
  while (!m_connected.load()) std::this_thread::yield();
}

HandshakeMonitor::~HandshakeMonitor() {
  m_stop.store(true);
  if (m_thread.joinable()) m_thread.join();
}

std::vector<RefusedAttempt> HandshakeMonitor::takeRefusals() {
  std::lock_guard lock(m_mutex);
  return std::exchange(m_refusals, {});
}

void HandshakeMonitor::loop(std::string endpoint) {
  zmq::socket_t monitor(m_context, zmq::socket_type::pair);
  monitor.set(zmq::sockopt::linger, 0);
  monitor.connect(endpoint);
  m_connected.store(true);
  PeerSockets peers;   // open connections: address, and whether ZeroMQ or the peer ended each
  std::string failed;  // the reason of a failure awaiting its DISCONNECTED
  RefusalKind failedKind = RefusalKind::BrokenHandshake;
  const std::string dropped =
      "ZeroMQ closed the connection of a peer still sending: a frame over the limit" +
      (m_frameLimit > 0 ? " (" + std::to_string(m_frameLimit) + " bytes)" : std::string()) +
      " or broken ZMTP framing";
  auto sweptAt = std::chrono::steady_clock::now();
  while (!m_stop.load()) {
    zmq::pollitem_t items[] = {{monitor.handle(), 0, ZMQ_POLLIN, 0}};
    std::vector<zmq::message_t> frames;
    if (const auto now = std::chrono::steady_clock::now(); now - sweptAt > std::chrono::seconds(1)) {
      peers.sweep();
      sweptAt = now;
    }
    try {
      zmq::poll(items, 1, std::chrono::milliseconds(100));
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      if (!zmq::recv_multipart(monitor, std::back_inserter(frames), zmq::recv_flags::dontwait)) continue;
    } catch (const zmq::error_t&) {
      continue;  // EINTR, or the context going down: look at m_stop again
    }
    if (frames.empty() || frames[0].size() < 6) continue;
    std::uint16_t event = 0;
    std::uint32_t value = 0;
    std::memcpy(&event, frames[0].data(), sizeof event);
    std::memcpy(&value, static_cast<const char*>(frames[0].data()) + 2, sizeof value);
    const int fd = static_cast<int>(value);
    switch (event) {
      case ZMQ_EVENT_ACCEPTED:
        peers.accepted(fd);
        break;
      case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        failed.clear();
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        failed = describeProtocolError(value);
        failedKind = protocolErrorKind(value);
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        // A peer that closed the connection (or sent what is not ZMTP) before the handshake ended.
        failed = "connection closed during the handshake (" +
                 std::string(std::strerror(static_cast<int>(value))) + ")";
        failedKind = RefusalKind::ClosedDuringHandshake;
        break;
      case ZMQ_EVENT_DISCONNECTED: {
        const auto ended = peers.disconnected(fd);
        const std::string& address = ended.address;
        // No handshake failure explains it, yet the peer had not hung up: ZeroMQ refused what it sent.
        if (failed.empty() && ended.droppedLivePeer) {
          failed = dropped;
          failedKind = RefusalKind::FrameOverLimit;
        }
        if (failed.empty()) break;
        ++m_refusedCount;
        ++m_refusedByKind[static_cast<std::size_t>(failedKind)];
        std::lock_guard lock(m_mutex);
        if (m_refusals.size() < 1000)  // a flood of attempts must not grow memory without bound
          m_refusals.push_back({std::chrono::system_clock::now(), address, "", m_domain, failed});
        failed.clear();
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace distopt::net
