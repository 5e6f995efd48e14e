#pragma once
// LinkRelay: a TCP relay on loopback that holds every chunk of bytes `delay` before passing it on, in
// both directions: a slow link between a worker and the coordinator, for tests on machines whose kernel
// has no `tc netem` (the namespace test uses netem where it can). A stall (`stall()`) holds everything
// for a while, as a burst of lost packets does to a TCP stream while it retransmits.
//
// One thread; poll() over every socket with the next due chunk as the timeout.

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace live_test {

class LinkRelay {
 public:
  using Clock = std::chrono::steady_clock;

  /// Relays connections made to port() on 127.0.0.1 to 127.0.0.1:`targetPort`.
  LinkRelay(int targetPort, std::chrono::milliseconds delay) : m_target(targetPort), m_delay(delay) {
    m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    ::bind(m_listen, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(m_listen, 16);
    socklen_t length = sizeof address;
    ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&address), &length);
    m_port = ntohs(address.sin_port);
    m_thread = std::thread([this] { loop(); });
  }
  ~LinkRelay() {
    m_quit.store(true);
    m_thread.join();
    for (auto& link : m_links) {
      ::close(link.a);
      ::close(link.b);
    }
    ::close(m_listen);
  }

  int port() const { return m_port; }
  /// Holds all traffic for `duration` from now.
  void stall(std::chrono::milliseconds duration) {
    std::lock_guard lock(m_mutex);
    m_stallUntil = Clock::now() + duration;
  }
  /// Drops every connection (a link that goes down and comes back: the worker's reconnect is refused
  /// while `down`).
  void setDown(bool down) { m_down.store(down); }

 private:
  struct Chunk {
    Clock::time_point due;
    std::vector<char> bytes;
    std::size_t sent = 0;
  };
  struct Link {
    int a = -1;  // the accepted side (the worker)
    int b = -1;  // the target side (the coordinator)
    std::deque<Chunk> toB, toA;
    bool aEnded = false;  // a side that closed: what it sent is still delivered, as a real link would
    bool bEnded = false;
    bool closed = false;
  };

  static void nonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

  void accept() {
    const int a = ::accept(m_listen, nullptr, nullptr);
    if (a < 0) return;
    if (m_down.load()) {
      ::close(a);
      return;
    }
    const int b = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(m_target));
    if (::connect(b, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(a);
      ::close(b);
      return;
    }
    const int one = 1;
    ::setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    nonBlocking(a);
    nonBlocking(b);
    m_links.push_back(Link{a, b, {}, {}, false, false, false});
  }

  /// Reads what `from` has into `queue`, due after the delay; false when `from` closed.
  bool readInto(int from, std::deque<Chunk>& queue) {
    char buffer[65536];
    while (true) {
      const ssize_t n = ::read(from, buffer, sizeof buffer);
      if (n > 0) {
        queue.push_back(Chunk{Clock::now() + m_delay, std::vector<char>(buffer, buffer + n), 0});
        continue;
      }
      return !(n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR));
    }
  }

  void writeDue(int to, std::deque<Chunk>& queue, Clock::time_point now) {
    while (!queue.empty() && queue.front().due <= now) {
      Chunk& chunk = queue.front();
      const ssize_t n = ::write(to, chunk.bytes.data() + chunk.sent, chunk.bytes.size() - chunk.sent);
      if (n <= 0) return;  // full: try again on the next turn
      chunk.sent += static_cast<std::size_t>(n);
      if (chunk.sent < chunk.bytes.size()) return;
      queue.pop_front();
    }
  }

  void loop() {
    while (!m_quit.load()) {
      const auto now = Clock::now();
      Clock::time_point stallUntil;
      {
        std::lock_guard lock(m_mutex);
        stallUntil = m_stallUntil;
      }
      if (m_down.load()) {
        for (auto& link : m_links) link.closed = true;
      }
      std::vector<pollfd> fds = {{m_listen, POLLIN, 0}};
      auto next = now + std::chrono::milliseconds(20);
      for (auto& link : m_links) {
        if (link.closed) continue;
        if (!link.aEnded) fds.push_back({link.a, POLLIN, 0});
        if (!link.bEnded) fds.push_back({link.b, POLLIN, 0});
        for (const auto* queue : {&link.toA, &link.toB})
          if (!queue->empty()) next = std::min(next, std::max(queue->front().due, stallUntil));
      }
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count();
      ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(0, wait)));
      if (fds[0].revents & POLLIN) accept();
      const auto current = Clock::now();
      for (auto& link : m_links) {
        if (link.closed) continue;
        if (!link.aEnded && !readInto(link.a, link.toB)) link.aEnded = true;
        if (!link.bEnded && !readInto(link.b, link.toA)) link.bEnded = true;
        if (current >= stallUntil) {
          if (!link.bEnded) writeDue(link.b, link.toB, current);
          if (!link.aEnded) writeDue(link.a, link.toA, current);
        }
        // Closed once the ended side's last bytes have reached the other side.
        if ((link.bEnded && link.toA.empty()) || (link.aEnded && link.toB.empty())) link.closed = true;
      }
      for (auto& link : m_links) {
        if (link.closed && link.a >= 0) {
          ::close(link.a);
          ::close(link.b);
          link.a = link.b = -1;
        }
      }
      std::erase_if(m_links, [](const Link& link) { return link.a < 0; });
    }
  }

  int m_target;
  std::chrono::milliseconds m_delay;
  int m_listen = -1;
  int m_port = 0;
  std::vector<Link> m_links;
  std::mutex m_mutex;
  Clock::time_point m_stallUntil{};
  std::atomic<bool> m_down{false};
  std::atomic<bool> m_quit{false};
  std::thread m_thread;
};

}  // namespace live_test
