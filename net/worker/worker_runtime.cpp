#include "net/worker/worker_runtime.hpp"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <thread>

#include <nlohmann/json.hpp>
#include <zmq_addon.hpp>

#include "distopt_version.hpp"
#include "net/protocol/message.hpp"

namespace distopt::net {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void onSignal(int) { g_interrupted = 1; }

using Clock = std::chrono::steady_clock;

std::string hostName() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof(buffer) - 1) != 0) return "unknown";
  return buffer;
}

}  // namespace

void installWorkerSignalHandlers() {
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
}

bool WorkerOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (endpoint.empty()) return fail("endpoint: must not be empty (e.g. tcp://127.0.0.1:5555)");
  if (endpoint.find("://") == std::string::npos)
    return fail("endpoint: must be a ZeroMQ endpoint such as tcp://HOST:PORT");
  if (workerId && *workerId < 0) return fail("id: must be >= 0");
  if (heartbeatMs < 10) return fail("heartbeat_ms: must be >= 10");
  if (liveness < 2) return fail("liveness: must be >= 2");
  return true;
}

int exitStatus(WorkerExit reason) {
  switch (reason) {
    case WorkerExit::Stopped: return 0;
    case WorkerExit::CoordinatorLost: return 3;
    case WorkerExit::Refused: return 4;
    case WorkerExit::Interrupted: return 130;
  }
  return 1;
}

const char* workerExitName(WorkerExit reason) {
  switch (reason) {
    case WorkerExit::Stopped: return "stopped";
    case WorkerExit::CoordinatorLost: return "coordinator_lost";
    case WorkerExit::Refused: return "refused";
    case WorkerExit::Interrupted: return "interrupted";
  }
  return "unknown";
}

WorkerRuntime::WorkerRuntime(WorkerOptions options) : m_options(std::move(options)) {
  if (m_options.workerId) m_assignedId = *m_options.workerId;
}

WorkerExit WorkerRuntime::run() {
  zmq::context_t context(1);
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::linger, 0);
  socket.connect(m_options.endpoint);

  SeqCounter seq;
  auto send = [&](Message&& message) {
    message.seq = seq.next();
    m_stats.bytesSent += sendMessage(socket, std::move(message));
  };

  nlohmann::json hello = {{"protocol", kProtocolVersion},
                          {"program_version", kVersionString},
                          {"host", hostName()},
                          {"cores", static_cast<int>(std::max(1U, std::thread::hardware_concurrency()))},
                          {"pid", static_cast<int>(getpid())}};
  hello["worker_id"] = m_options.workerId ? nlohmann::json(*m_options.workerId) : nlohmann::json();
  send(Message::withJson(MessageKind::Hello, hello));

  auto heartbeat = std::chrono::milliseconds(m_options.heartbeatMs);
  int liveness = m_options.liveness;
  auto lastHeard = Clock::now();
  auto lastSent = Clock::now();

  while (true) {
    if (g_interrupted) return WorkerExit::Interrupted;
    const auto now = Clock::now();
    if (now - lastHeard > heartbeat * liveness) return WorkerExit::CoordinatorLost;
    if (now - lastSent >= heartbeat) {
      send(Message::of(MessageKind::Heartbeat));
      lastSent = now;
    }
    // Wake for whichever comes first: the next heartbeat due or the liveness deadline.
    const auto nextBeat = lastSent + heartbeat;
    const auto deadline = std::min(nextBeat, lastHeard + heartbeat * liveness);
    auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    timeout = std::clamp(timeout, std::chrono::milliseconds(1), heartbeat);

    zmq::pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 1, timeout);
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }
    if (!(items[0].revents & ZMQ_POLLIN)) continue;

    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait)) continue;
    for (const auto& frame : frames) m_stats.bytesReceived += frame.size();
    lastHeard = Clock::now();

    DecodeError error = DecodeError::None;
    auto message = decode(std::move(frames), &error);
    if (!message) {
      ++m_stats.malformedDropped;
      continue;
    }
    ++m_stats.messagesReceived;
    if (message->version != kProtocolVersion) {
      send(Message::withJson(MessageKind::Error,
                             {{"code", "version_mismatch"},
                              {"message", "worker speaks protocol " + std::to_string(kProtocolVersion) +
                                              ", coordinator sent " +
                                              std::to_string(message->version)}}));
      return WorkerExit::Refused;
    }

    switch (message->kind) {
      case MessageKind::Welcome: {
        auto body = message->jsonPayload();
        if (!body || !body->contains("worker_id") || !(*body)["worker_id"].is_number_integer()) {
          ++m_stats.malformedDropped;
          break;
        }
        m_assignedId = (*body)["worker_id"].get<int>();
        if (body->contains("heartbeat_ms") && (*body)["heartbeat_ms"].is_number_integer())
          heartbeat = std::chrono::milliseconds(std::max(10, (*body)["heartbeat_ms"].get<int>()));
        if (body->contains("liveness") && (*body)["liveness"].is_number_integer())
          liveness = std::max(2, (*body)["liveness"].get<int>());
        break;
      }
      case MessageKind::EchoRequest: {
        Message reply = Message::of(MessageKind::EchoReply);
        reply.payload = std::move(message->payload);
        send(std::move(reply));
        lastSent = Clock::now();
        break;
      }
      case MessageKind::Stop:
        return WorkerExit::Stopped;
      case MessageKind::Error:
        return WorkerExit::Refused;
      case MessageKind::Heartbeat:
        break;
      default:
        // Well-formed but not meant for a worker: dropped and counted (PROTOCOL.md §5).
        ++m_stats.malformedDropped;
        break;
    }
  }
}

}  // namespace distopt::net
