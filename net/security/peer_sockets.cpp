#include "net/security/peer_sockets.hpp"

#include <cerrno>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace distopt::net {
namespace {

/// Bound like the monitor's own address map: a flood of connections must not grow it without bound.
constexpr std::size_t kMaxTracked = 65536;

bool sameSocket(int a, int b) {
  struct stat first {};
  struct stat second {};
  return fstat(a, &first) == 0 && fstat(b, &second) == 0 && first.st_dev == second.st_dev &&
         first.st_ino == second.st_ino;
}

}  // namespace

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

PeerSockets::~PeerSockets() {
  for (auto& [fd, connection] : m_open) release(connection);
}

void PeerSockets::release(Connection& connection) {
  if (connection.duplicate >= 0) close(connection.duplicate);
  connection.duplicate = -1;
}

void PeerSockets::accepted(int fd) {
  const auto it = m_open.find(fd);
  if (it == m_open.end() && m_open.size() >= kMaxTracked) return;
  Connection& connection = m_open[fd];
  release(connection);  // a descriptor number reused before its DISCONNECTED was seen
  connection = Connection{peerAddress(fd), fcntl(fd, F_DUPFD_CLOEXEC, 0), 0};
}

PeerSockets::Ended PeerSockets::disconnected(int fd) {
  Ended ended{"unknown", false};
  const auto it = m_open.find(fd);
  if (it == m_open.end()) return ended;
  ended.address = it->second.address;
  if (const int duplicate = it->second.duplicate; duplicate >= 0) {
    char byte = 0;
    const ssize_t peeked = recv(duplicate, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    // Bytes left unread, or a peer still connected with nothing to say: ZeroMQ hung up, not the peer.
    ended.droppedLivePeer = peeked > 0 || (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
  }
  release(it->second);
  m_open.erase(it);
  return ended;
}

void PeerSockets::sweep() {
  for (auto it = m_open.begin(); it != m_open.end();) {
    Connection& connection = it->second;
    const bool gone = connection.duplicate < 0 || !sameSocket(it->first, connection.duplicate);
    connection.goneSweeps = gone ? connection.goneSweeps + 1 : 0;
    if (connection.goneSweeps >= 2) {
      release(connection);
      it = m_open.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace distopt::net
