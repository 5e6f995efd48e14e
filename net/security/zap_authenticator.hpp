#pragma once
// A ZAP handler (ZeroMQ RFC 27) for one context: every CURVE connection to a socket of that context that
// sets a ZAP domain is checked here, and only clients whose public key is allowed *in that domain* get
// in. Domains keep roles apart: a dashboard's key opens the dashboard feed, never the worker socket, and
// a worker's key never the feed. Everyone else is refused and the attempt kept (time, peer address, key,
// domain) so the coordinator can log it and show it.
//
// Threads: the handler answers on its own thread; allow/revoke/refusals may be called from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <zmq.hpp>

namespace distopt::net {

struct RefusedAttempt {
  std::chrono::system_clock::time_point when;
  std::string address;    ///< the peer's IP address as the socket saw it
  std::string publicKey;  ///< Z85; empty when the mechanism was not CURVE
  std::string domain;     ///< the ZAP domain of the socket it tried, e.g. "distopt" (workers)
  std::string reason;
};

class ZapAuthenticator {
 public:
  /// Starts answering ZAP requests for `context` (binds inproc://zeromq.zap.01 on it: one per context).
  explicit ZapAuthenticator(zmq::context_t& context);
  ~ZapAuthenticator();
  ZapAuthenticator(const ZapAuthenticator&) = delete;
  ZapAuthenticator& operator=(const ZapAuthenticator&) = delete;

  /// Lets clients with this Z85 public key into sockets of ZAP domain `domain` (connections made after
  /// the call).
  void allow(const std::string& publicKey, const std::string& domain);
  void revoke(const std::string& publicKey, const std::string& domain);
  bool allowed(const std::string& publicKey, const std::string& domain) const;
  /// Refused attempts since the last call, oldest first.
  std::vector<RefusedAttempt> takeRefusals();
  std::uint64_t refusedCount() const { return m_refusedCount.load(); }
  std::uint64_t acceptedCount() const { return m_acceptedCount.load(); }

 private:
  void loop();
  void answer(zmq::socket_t& socket);

  zmq::context_t& m_context;
  mutable std::mutex m_mutex;
  std::set<std::pair<std::string, std::string>> m_allowed;  // (domain, key)
  std::vector<RefusedAttempt> m_refusals;
  std::atomic<std::uint64_t> m_refusedCount{0};
  std::atomic<std::uint64_t> m_acceptedCount{0};
  std::atomic<bool> m_stop{false};
  std::atomic<bool> m_bound{false};
  std::thread m_thread;
};

}  // namespace distopt::net
