#include "net/security/handshake_monitor.hpp"

#include <cstring>
#include <map>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <zmq_addon.hpp>

namespace distopt::net {
namespace {

std::string peerAddress(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "unknown";
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (address.ss_family == AF_INET6) {
    const auto* in = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &in->sin6_addr, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(in->sin6_port));
  }
  if (address.ss_family == AF_UNIX) return "local (ipc)";
  return "unknown";
}

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

}  // namespace

HandshakeMonitor::HandshakeMonitor(zmq::context_t& context, zmq::socket_t& socket, const std::string& name,
                                   std::string domain)
    : m_context(context), m_domain(std::move(domain)) {
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
  std::map<int, std::string> addresses;  // open connections: descriptor -> peer address
  std::string failed;                    // the reason of a failure awaiting its DISCONNECTED
  while (!m_stop.load()) {
    zmq::pollitem_t items[] = {{monitor.handle(), 0, ZMQ_POLLIN, 0}};
    std::vector<zmq::message_t> frames;
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
        if (addresses.size() < 65536) addresses[fd] = peerAddress(fd);
        break;
      case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        failed.clear();
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        failed = describeProtocolError(value);
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        // A peer that closed the connection (or sent what is not ZMTP) before the handshake ended.
        failed = "connection closed during the handshake (" +
                 std::string(std::strerror(static_cast<int>(value))) + ")";
        break;
      case ZMQ_EVENT_DISCONNECTED: {
        const auto it = addresses.find(fd);
        const std::string address = it == addresses.end() ? "unknown" : it->second;
        if (it != addresses.end()) addresses.erase(it);
        if (failed.empty()) break;
        ++m_refusedCount;
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
