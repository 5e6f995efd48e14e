#pragma once
// What the cluster tests share about the daemons they start (sshd, Slurm's).
#include <QString>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cluster_test {

/// A free TCP port on loopback (bound, read, released: another process may take it in between, which
/// a test then reports as its daemon failing to start).
inline int freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

/// For a daemon's start(): false, with `reason` in *why.
inline bool failWith(const QString& reason, QString* why) {
  *why = reason;
  return false;
}

}  // namespace cluster_test
