#pragma once
// A hostile or fake peer for the live tests: a DEALER driven by the test that speaks the protocol (or
// not), and the coordinator's memory as /proc tells it.

#include <QElapsedTimer>
#include <QtTest>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "net/protocol/message.hpp"

namespace hostile_test {

using distopt::net::Message;
using distopt::net::MessageKind;

/// A protocol peer on a DEALER socket.
class FakePeer {
 public:
  explicit FakePeer(const std::string& endpoint, int receiveQueue = 1000)
      : m_socket(m_context, zmq::socket_type::dealer) {
    m_socket.set(zmq::sockopt::linger, 0);
    m_socket.set(zmq::sockopt::rcvhwm, receiveQueue);
    m_socket.connect(endpoint);
  }

  void send(Message&& message) {
    message.seq = m_seq.next();
    distopt::net::sendMessage(m_socket, std::move(message));
  }
  /// Blocking send (waits at the high-water mark), for floods that must all go out.
  void sendBlocking(Message&& message) {
    message.seq = m_seq.next();
    auto frames = distopt::net::encode(std::move(message));
    zmq::send_multipart(m_socket, frames);
  }
  void sendRaw(const std::vector<std::string>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i)
      m_socket.send(zmq::buffer(frames[i]),
                    i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }

  /// Next decodable message within `timeoutMs`.
  std::optional<Message> receive(int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
      zmq::pollitem_t items[] = {{m_socket.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, std::chrono::milliseconds(std::max<qint64>(1, timeoutMs - timer.elapsed())));
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(m_socket, std::back_inserter(frames), zmq::recv_flags::dontwait)) continue;
      distopt::net::DecodeError error = distopt::net::DecodeError::None;
      auto message = distopt::net::decode(std::move(frames), &error);
      if (message) return message;
    }
    return std::nullopt;
  }

  /// Next message of `kind` within `timeoutMs`, skipping others; a heartbeat goes out every 200 ms so the
  /// coordinator keeps the session.
  std::optional<Message> receiveKind(MessageKind kind, int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
      auto message =
          receive(static_cast<int>(std::min<qint64>(200, std::max<qint64>(1, timeoutMs - timer.elapsed()))));
      if (message && message->kind == kind) return message;
      send(Message::of(MessageKind::Heartbeat));
    }
    return std::nullopt;
  }

  zmq::socket_t& socket() { return m_socket; }

 private:
  zmq::context_t m_context{1};
  zmq::socket_t m_socket;
  distopt::net::SeqCounter m_seq;
};

inline Message helloMessage(const nlohmann::json& changes = nlohmann::json::object()) {
  nlohmann::json body = {{"worker_id", nullptr}, {"protocol", 1}, {"program_version", "fake"},
                         {"host", "test"},       {"cores", 1},    {"pid", static_cast<int>(getpid())}};
  for (const auto& [key, value] : changes.items()) body[key] = value;
  return Message::withJson(MessageKind::Hello, body);
}

/// A field of /proc/PID/status in kB (VmRSS now, VmHWM the peak); -1 if unreadable.
inline long procStatusKb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  return -1;
}

}  // namespace hostile_test
