#include "net/security/zap_authenticator.hpp"

#include <array>
#include <utility>

#include <zmq_addon.hpp>

namespace distopt::net {

ZapAuthenticator::ZapAuthenticator(zmq::context_t& context) : m_context(context) {
  m_thread = std::thread([this] { loop(); });
  // The endpoint must be bound before any CURVE socket of the context accepts a connection.
  while (!m_bound.load()) std::this_thread::yield();
}

ZapAuthenticator::~ZapAuthenticator() {
  m_stop.store(true);
  if (m_thread.joinable()) m_thread.join();
}

void ZapAuthenticator::allow(const std::string& publicKey, const std::string& domain) {
  std::lock_guard lock(m_mutex);
  m_allowed.emplace(domain, publicKey);
}

void ZapAuthenticator::revoke(const std::string& publicKey, const std::string& domain) {
  std::lock_guard lock(m_mutex);
  m_allowed.erase({domain, publicKey});
}

bool ZapAuthenticator::allowed(const std::string& publicKey, const std::string& domain) const {
  std::lock_guard lock(m_mutex);
  return m_allowed.count({domain, publicKey}) > 0;
}

std::vector<RefusedAttempt> ZapAuthenticator::takeRefusals() {
  std::lock_guard lock(m_mutex);
  return std::exchange(m_refusals, {});
}

void ZapAuthenticator::loop() {
  zmq::socket_t socket(m_context, zmq::socket_type::rep);
  socket.set(zmq::sockopt::linger, 0);
  socket.bind("inproc://zeromq.zap.01");
  m_bound.store(true);
  while (!m_stop.load()) {
    zmq::pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 1, std::chrono::milliseconds(100));
      if (items[0].revents & ZMQ_POLLIN) answer(socket);
    } catch (const zmq::error_t&) {
      // EINTR or a context being shut down: look at m_stop again.
    }
  }
}

void ZapAuthenticator::answer(zmq::socket_t& socket) {
  std::vector<zmq::message_t> frames;
  if (!zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
  // RFC 27 request: version, request id, domain, address, identity, mechanism, credentials...
  auto text = [&](std::size_t i) { return i < frames.size() ? frames[i].to_string() : std::string(); };
  const std::string requestId = text(1);
  const std::string domain = text(2);
  std::string status = "400";
  std::string statusText = "refused";
  std::string publicKey;
  if (frames.size() >= 6 && text(0) == "1.0") {
    const std::string mechanism = text(5);
    if (mechanism == "CURVE" && frames.size() >= 7 && frames[6].size() == 32) {
      std::array<char, 41> z85{};
      zmq_z85_encode(z85.data(), static_cast<const std::uint8_t*>(frames[6].data()), 32);
      publicKey = z85.data();
      if (allowed(publicKey, domain)) {
        status = "200";
        statusText = "OK";
      } else {
        statusText = "client key not allowed" + (domain.empty() ? std::string() : " for " + domain);
      }
    } else {
      statusText = "mechanism " + mechanism + " not accepted";
    }
  } else {
    statusText = "malformed ZAP request";
  }
  if (status == "200") {
    ++m_acceptedCount;
  } else {
    ++m_refusedCount;
    std::lock_guard lock(m_mutex);
    if (m_refusals.size() < 1000)  // a flood of attempts must not grow memory without bound
      m_refusals.push_back({std::chrono::system_clock::now(), text(3), publicKey, domain, statusText});
  }
  // The user id is the client's key: the coordinator reads it from each message ("User-Id") to bind a
  // worker's session to the key it joined with (PROTOCOL.md §4.4).
  const std::string userId = status == "200" ? publicKey : std::string();
  std::array<zmq::const_buffer, 6> reply = {zmq::str_buffer("1.0"), zmq::buffer(requestId),
                                            zmq::buffer(status),    zmq::buffer(statusText),
                                            zmq::buffer(userId),    zmq::str_buffer("")};
  zmq::send_multipart(socket, reply);
}

}  // namespace distopt::net
