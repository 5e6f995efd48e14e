#pragma once
// HandshakeMonitor: the server side of refused handshakes that no ZAP request ever shows. A peer whose
// CURVE HELLO does not decrypt (wrong server key), one that speaks no CURVE to a secured socket (no key),
// or one that does not speak ZMTP at all (garbage on the port) fails before ZAP is asked, and ZeroMQ
// drops it silently. The socket's monitor events say so; this keeps each such attempt (time, peer
// address, reason) for the coordinator to log and count beside the ZAP refusals (ZapAuthenticator).
//
// A frame over the socket's ZMQ_MAXMSGSIZE (or broken framing) after the handshake is refused too: ZeroMQ
// drops its sender with nothing but a DISCONNECTED event, which PeerSockets tells apart from a peer
// closing its connection (the peer had not hung up).
//
// The peer's address: monitor events of a bound socket name only the local endpoint, so the address is
// read from the accepted file descriptor (getpeername) when ZMQ_EVENT_ACCEPTED arrives, on a thread of
// its own so that this happens while the connection is still open; a failure is paired with the
// DISCONNECTED event of its descriptor that follows it. "unknown" when the connection was already gone.
//
// Threads: events are read on the monitor's own thread; takeRefusals/refusedCount from any thread.

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "net/security/zap_authenticator.hpp"

namespace distopt::net {

/// Why ZeroMQ refused a connection before or after its handshake: counted per kind so that an operator (and
/// a test) can tell a flood of port scanners from a misconfigured worker.
enum class RefusalKind {
  MechanismMismatch,      ///< CURVE against NULL or the reverse (a worker without the run's keys)
  WrongServerKey,         ///< a CURVE HELLO that did not decrypt
  BrokenHandshake,        ///< any other ZMTP protocol error during the handshake
  ClosedDuringHandshake,  ///< the peer hung up (or sent what is not ZMTP) before the handshake ended
  FrameOverLimit,         ///< ZeroMQ dropped a peer still sending: a frame over the limit, broken framing
};
inline constexpr std::size_t kRefusalKinds = 5;
/// "mechanism_mismatch", "wrong_server_key", ...: the keys of the control status's refused_by_kind.
const char* refusalKindName(RefusalKind kind);

class HandshakeMonitor {
 public:
  /// Watches `socket` (of `context`; call before it binds, after its ZMQ_MAXMSGSIZE is set). `name` makes the
  /// inproc endpoint unique; `domain` is what refusals say they tried (the socket's ZAP domain, or "" when
  /// unsecured).
  HandshakeMonitor(zmq::context_t& context, zmq::socket_t& socket, const std::string& name,
                   std::string domain);
  ~HandshakeMonitor();
  HandshakeMonitor(const HandshakeMonitor&) = delete;
  HandshakeMonitor& operator=(const HandshakeMonitor&) = delete;

  /// Failed handshakes since the last call, oldest first (at most 1000 are kept between calls).
  std::vector<RefusedAttempt> takeRefusals();
  std::uint64_t refusedCount() const { return m_refusedCount.load(); }
  std::uint64_t refusedCount(RefusalKind kind) const {
    return m_refusedByKind[static_cast<std::size_t>(kind)].load();
  }

 private:
  void loop(std::string endpoint);

  zmq::context_t& m_context;
  std::string m_domain;
  std::int64_t m_frameLimit;  // the socket's ZMQ_MAXMSGSIZE, named in refusals (-1: none)
  std::mutex m_mutex;
  std::vector<RefusedAttempt> m_refusals;
  std::atomic<std::uint64_t> m_refusedCount{0};
  std::array<std::atomic<std::uint64_t>, kRefusalKinds> m_refusedByKind{};
  std::atomic<bool> m_stop{false};
  std::atomic<bool> m_connected{false};
  std::thread m_thread;
};

}  // namespace distopt::net
