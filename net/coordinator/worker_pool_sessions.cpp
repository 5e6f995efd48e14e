// WorkerPool's sessions with the workers (PROTOCOL.md §4): the worker socket drained, HELLO / WELCOME /
// ASSIGN / READY, resumption after a reconnection and the messages an old connection left behind after a
// handover, heartbeats and clock probes, liveness, refused messages, and sends counted per worker and kind.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <zmq_addon.hpp>

#include "net/coordinator/worker_pool_peer.hpp"
#include "net/protocol/frame_limits.hpp"
#include "net/protocol/heartbeat_messages.hpp"
#include "net/protocol/session_messages.hpp"

namespace distopt::net {

using pool_detail::Clock;
using pool_detail::kLinkLostReason;
using pool_detail::secondsBetween;

int WorkerPool::peerOf(const std::string& identity) const {
  auto it = m_byIdentity.find(identity);
  return it == m_byIdentity.end() ? -1 : it->second;
}

std::string WorkerPool::handedOverSession(const std::string& identity, const zmq::message_t& frame) const {
  // ROUTER_HANDOVER gives a worker's new connection its routing id and renames the old connection's pipe
  // to an id of libzmq's own (a 0 byte and a 32-bit counter). What the old connection delivered but this
  // side had not read yet comes out under that name: a worker rebuilding its connection for the run's
  // frame limit (reconnectForRun) answers the clock probe that followed ASSIGN on the old one. The
  // routing id the connection announced in its handshake stays on its messages (ZeroMQ metadata
  // "Identity"): it names the session they belong to. A stranger cannot announce a worker's routing id
  // without taking the session over in the first place (PROTOCOL.md §4.4), so strangers are still refused.
  if (identity.size() != 5 || identity.front() != '\0') return identity;
  const char* announced = zmq_msg_gets(frame.handle(), "Identity");
  // A C string: a routing id with a 0 byte in it is cut short and names no session (workers make theirs
  // without one).
  if (!announced || peerOf(announced) < 0) return identity;
  return announced;
}

void WorkerPool::drain(double waitMs) {
  m_socketDrained = false;
  const auto drainStart = Clock::now();
  std::vector<zmq::message_t> frames;
  bool first = true;
  while (true) {
    // Hand back to the run loop once a stopping rule holds, and at least every 50 ms: with many
    // workers or big models the socket is never empty, and draining on would apply updates past the
    // update limit and the horizon, ignore stop requests, and starve liveness checks and evaluation.
    if (m_running && (m_stopRequested.load() || (m_hooks.mustYield && m_hooks.mustYield()))) return;
    if (!first && Clock::now() - drainStart > std::chrono::milliseconds(50)) return;
    // The first receive is the turn's wait, inside the receive: one system call per wake, where
    // zmq_poll makes three (a zero-timeout pass, the wait, the events query). The rest take only what
    // is queued.
    const int timeoutMs = first ? static_cast<int>(std::ceil(std::max(0.0, waitMs))) : 0;
    first = false;
    if (timeoutMs != m_receiveTimeoutMs) {
      m_receiveTimeoutMs = timeoutMs;
      m_router.set(zmq::sockopt::rcvtimeo, timeoutMs);
    }
    frames.clear();
    frames.reserve(4);  // decode() took the last one's storage
    std::optional<std::size_t> received;
    try {
      received = zmq::recv_multipart(m_router, std::back_inserter(frames));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      return;  // a signal (a stop request): the run loop looks at it
    }
    if (!received) {
      m_socketDrained = true;
      return;
    }
    if (frames.size() < 2) {
      refuseMessage(-1, "a message without frames");
      continue;
    }
    std::size_t bytes = 0;
    for (const auto& frame : frames) bytes += frame.size();
    std::string identity(static_cast<const char*>(frames.front().data()), frames.front().size());
    if (peerOf(identity) < 0) identity = handedOverSession(identity, frames.back());
    if (m_zap) {
      const char* key = zmq_msg_gets(frames.back().handle(), "User-Id");  // set by our ZAP handler
      m_messageKey = key ? key : "";
    }
    frames.erase(frames.begin());
    DecodeError error = DecodeError::None;
    auto message = decode(std::move(frames), &error);
    if (!message) {
      refuseMessage(peerOf(identity), std::string("undecodable message: ") + decodeErrorName(error));
      continue;
    }
    handleMessage(identity, std::move(*message), bytes);
    processDeaths(/*reapProcesses=*/false);
  }
}

void WorkerPool::handleMessage(const std::string& identity, Message&& message, std::size_t bytes) {
  const int worker = peerOf(identity);
  if (message.version != kProtocolVersion) {
    sendToIdentity(
        identity,
        Message::withJson(MessageKind::Error,
                          {{"code", "version_mismatch"},
                           {"message", "coordinator speaks protocol " + std::to_string(kProtocolVersion) +
                                           ", worker sent " + std::to_string(message.version)}}));
    sendToIdentity(identity, Message::withJson(MessageKind::Stop, {{"reason", "version_mismatch"}}));
    if (worker >= 0) m_pendingDeaths.emplace_back(worker, "version_mismatch");
    return;
  }
  if (worker >= 0 && m_peers[static_cast<std::size_t>(worker)].key != m_messageKey) {
    // The routing id is secret (128 random bits inside the encrypted session); under CURVE the session is
    // also bound to the key it joined with. A connection with another key that took the routing id over
    // (ROUTER_HANDOVER) gets nothing more: the session ends here.
    ++m_malformed;
    std::fprintf(stderr,
                 "distopt-run: worker %d's session was taken over by a connection with another key (%s)\n",
                 worker, m_messageKey.empty() ? "none" : m_messageKey.c_str());
    m_pendingDeaths.emplace_back(worker, "session taken over by a connection with another key");
    return;
  }
  if (message.kind == MessageKind::Hello) {
    if (worker < 0)
      handleHello(identity, message);
    else
      resumeSession(worker, message);
    return;
  }
  if (worker < 0) {
    refuseMessage(-1, std::string(messageKindName(message.kind)) + " from a peer that sent no HELLO");
    return;
  }
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (peer.state == Peer::State::Dead) {
    sendToIdentity(identity,
                   Message::withJson(MessageKind::Stop, {{"reason", "declared dead: " + peer.reason}}));
    return;
  }
  peer.lastHeard = Clock::now();
  const auto kind = static_cast<std::size_t>(message.kind);
  if (kind < kKindSlots) {
    peer.bytesUp[kind] += bytes;
    ++peer.messagesUp[kind];
  }
  peer.totalUp += bytes;
  m_bytesUp += bytes;
  m_lastMessageBytes = bytes;
  m_handling = worker;
  switch (message.kind) {
    case MessageKind::Ready:
      handleReady(worker, message);
      break;
    case MessageKind::Error: {
      ErrorBody error;
      std::string why;
      if (!parseError(message, &error, &why)) {
        refuseMessage(worker, why);
        break;
      }
      m_pendingDeaths.emplace_back(worker, error.code + ": " + error.message);
      break;
    }
    case MessageKind::Heartbeat:
      handleHeartbeat(worker, message);
      break;
    case MessageKind::EchoReply:
      break;
    case MessageKind::Welcome:
    case MessageKind::Assign:
    case MessageKind::Stop:
    case MessageKind::EchoRequest:
      refuseMessage(worker, std::string(messageKindName(message.kind)) + " is a coordinator-to-worker kind");
      break;
    default:
      if (m_running && peer.state == Peer::State::Ready && m_hooks.onMessage)
        m_hooks.onMessage(worker, std::move(message), bytes);
      else if (!m_running)
        refuseMessage(worker, std::string(messageKindName(message.kind)) + " before the run started");
      break;
  }
  m_handling = -1;
}

void WorkerPool::handleHello(const std::string& identity, const Message& message) {
  HelloBody hello;
  std::string refusal;
  if (!parseHello(message, &hello, &refusal)) {
    refuseMessage(-1, refusal);
    return;
  }
  const int requested = hello.workerId.value_or(-1);
  int worker = -1;
  if (requested >= 0 && requested < numWorkers() &&
      m_peers[static_cast<std::size_t>(requested)].state == Peer::State::Expected) {
    worker = requested;
  } else if (requested < 0) {
    // A worker that asks for no id gets a slot left for remote workers, never one of a worker this
    // coordinator starts itself, locally or by ssh (that worker would then be refused and the run fail).
    for (std::size_t i = static_cast<std::size_t>(m_localSlots);
         i < static_cast<std::size_t>(m_remoteBegin) && worker < 0; ++i)
      if (m_peers[i].state == Peer::State::Expected) worker = static_cast<int>(i);
  }
  if (worker < 0) {
    const std::string why = requested >= 0
                                ? "worker id " + std::to_string(requested) + " is taken or out of range"
                                : "the run has no free worker slot";
    refuseMessage(-1, "HELLO refused: " + why);
    sendToIdentity(identity, Message::withJson(MessageKind::Error, {{"code", "protocol"}, {"message", why}}));
    sendToIdentity(identity, Message::withJson(MessageKind::Stop, {{"reason", why}}));
    return;
  }
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  peer.state = Peer::State::Joined;
  peer.identity = identity;
  peer.key = m_messageKey;
  peer.host = hello.host;
  peer.slurmStep = hello.slurmStep;
  peer.pid = hello.pid;
  peer.cores = hello.cores;
  peer.version = hello.programVersion;
  peer.lastHeard = Clock::now();
  m_byIdentity[identity] = worker;
  send(worker, Message::withJson(MessageKind::Welcome, {{"worker_id", worker},
                                                        {"heartbeat_ms", m_options.heartbeatMs},
                                                        {"liveness", m_options.liveness}}));
  sendAssign(worker);
}

void WorkerPool::sendAssign(int worker) {
  std::error_code error;
  const auto base = std::filesystem::absolute(m_experiment.baseDirectory, error);
  send(worker, Message::withJson(MessageKind::Assign, {{"worker_id", worker},
                                                       {"workers", m_experiment.workers},
                                                       {"seed", m_experiment.seed},
                                                       {"unit_ms", m_experiment.unitMs},
                                                       {"base_directory", error ? "." : base.string()},
                                                       {"experiment", m_experiment.document}}));
}

void WorkerPool::resumeSession(int worker, const Message& message) {
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (peer.state == Peer::State::Dead) {
    sendToIdentity(peer.identity,
                   Message::withJson(MessageKind::Stop, {{"reason", "declared dead: " + peer.reason}}));
    return;
  }
  HelloBody hello;
  std::string why;
  if (!parseHello(message, &hello, &why)) {
    refuseMessage(worker, "HELLO (resume) refused: " + why);
    return;
  }
  peer.linkDown = false;
  peer.lastHeard = Clock::now();
  ++peer.resumes;
  std::fprintf(stderr, "distopt-run: worker %d reconnected (%d time%s); resuming its session\n", worker,
               peer.resumes, peer.resumes == 1 ? "" : "s");
  send(worker, Message::withJson(MessageKind::Welcome, {{"worker_id", worker},
                                                        {"heartbeat_ms", m_options.heartbeatMs},
                                                        {"liveness", m_options.liveness}}));
  if (peer.state == Peer::State::Joined) {
    sendAssign(worker);  // it may not have arrived; a worker that has one ignores a second
  } else if (m_running) {
    if (!m_hooks.onWorkerResumed || !m_hooks.onWorkerResumed(worker))
      m_pendingDeaths.emplace_back(worker, kLinkLostReason);
  }
}

void WorkerPool::handleReady(int worker, const Message& message) {
  ReadyBody ready;
  std::string why;
  if (!parseReady(message, &ready, &why)) {
    refuseMessage(worker, why);
    return;
  }
  if (ready.dimension != m_dimension) {
    m_pendingDeaths.emplace_back(worker, "built a problem of dimension " + std::to_string(ready.dimension) +
                                             ", expected " + std::to_string(m_dimension));
    return;
  }
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (peer.state == Peer::State::Joined) peer.state = Peer::State::Ready;
}

void WorkerPool::handleHeartbeat(int worker, const Message& message) {
  std::optional<ClockMeta> meta;
  std::string why;
  if (!parseHeartbeat(message, &meta, &why)) {
    refuseMessage(worker, "HEARTBEAT " + why);
    return;
  }
  if (!meta || meta->isProbe()) return;  // a plain sign of life
  m_peers[static_cast<std::size_t>(worker)].clock.addExchange(meta->echoNs, meta->sentNs, meta->holdNs,
                                                              monotonicNs());
}

void WorkerPool::noteSentAt(int worker, double workerClockSeconds) {
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (!peer.clock.valid()) return;
  const double arrived = static_cast<double>(monotonicNs()) * 1e-9;
  const double transit = arrived - peer.clock.toCoordinatorSeconds(workerClockSeconds);
  // A clock estimate is good to about half a round trip: keep what is within it, not garbage from a
  // worker whose clock stepped.
  if (transit < -peer.clock.roundTripSeconds() || transit > 3600.0) return;
  peer.transitSum += std::max(0.0, transit);
  ++peer.transits;
}

const ClockSync& WorkerPool::clockOf(int worker) const {
  return m_peers[static_cast<std::size_t>(worker)].clock;
}

void WorkerPool::countMalformed(const std::string& why) { refuseMessage(m_handling, why); }

void WorkerPool::refuseMessage(int worker, const std::string& why) {
  ++m_malformed;
  const bool known = worker >= 0 && worker < numWorkers();
  std::uint64_t count = 0;
  if (known) count = ++m_peers[static_cast<std::size_t>(worker)].malformed;
  // The first refusals are logged; a flood is counted, and the latest kept for the control status.
  if (m_malformed <= 20)
    std::fprintf(stderr, "distopt-run: refused a message from %s: %s%s\n",
                 known ? ("worker " + std::to_string(worker)).c_str() : "a peer that is no worker",
                 why.c_str(), m_malformed == 20 ? " (further refusals are counted, not logged)" : "");
  m_malformedRecent.push_back(
      {{"worker", known ? nlohmann::json(worker) : nlohmann::json()}, {"reason", why}});
  if (m_malformedRecent.size() > 20) m_malformedRecent.erase(m_malformedRecent.begin());
  if (!known || m_options.malformedLimit <= 0 ||
      count != static_cast<std::uint64_t>(m_options.malformedLimit))
    return;
  // A worker that keeps sending what the protocol refuses is broken or hostile: it leaves the run.
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  const std::string reason =
      "malformed: " + std::to_string(count) + " of its messages were refused (the last: " + why + ")";
  if (peer.state != Peer::State::Dead && !peer.identity.empty())
    send(worker, Message::withJson(MessageKind::Stop, {{"reason", reason}}));
  m_pendingDeaths.emplace_back(worker, reason);
}

void WorkerPool::checkLiveness() {
  const auto limit = std::chrono::milliseconds(m_options.heartbeatMs) * m_options.liveness;
  const auto current = Clock::now();
  for (std::size_t i = 0; i < m_peers.size(); ++i) {
    Peer& peer = m_peers[i];
    if (peer.state != Peer::State::Joined && peer.state != Peer::State::Ready) continue;
    // In set-up the set-up timeout is the limit: a thousand workers starting on two cores may each go
    // without the CPU for seconds, and a worker's process that ends is seen at once anyway.
    if (!m_running) continue;
    if (current - peer.lastHeard > limit)
      m_pendingDeaths.emplace_back(
          static_cast<int>(i),
          "heartbeat_timeout: silent for " + std::to_string(secondsBetween(peer.lastHeard, current)) + " s");
  }
}

void WorkerPool::sendHeartbeats() {
  const auto interval = std::chrono::milliseconds(m_options.heartbeatMs);
  const auto current = Clock::now();
  for (std::size_t i = 0; i < m_peers.size(); ++i) {
    Peer& peer = m_peers[i];
    if (peer.state != Peer::State::Joined && peer.state != Peer::State::Ready) continue;
    // Every heartbeat is a clock probe, and one goes out each interval even while other traffic keeps the
    // session alive: the offset must be measured during busy runs too (PROTOCOL.md §4.3).
    if (current - peer.lastProbe >= interval) {
      peer.lastProbe = current;
      send(static_cast<int>(i), makeClockHeartbeat({.sentNs = monotonicNs(), .echoNs = 0, .holdNs = 0}));
    }
  }
}

bool WorkerPool::send(int worker, Message&& message) {
  Peer& peer = m_peers[static_cast<std::size_t>(worker)];
  if (peer.identity.empty() || peer.state == Peer::State::Dead) return false;
  const auto kind = static_cast<std::size_t>(message.kind);
  message.seq = m_seq.next();
  zmq::message_t id(peer.identity.data(), peer.identity.size());
  SendFailure failure = SendFailure::None;
  const std::size_t bytes = sendMessage(m_router, std::move(message), &id, &failure);
  m_lastMessageBytes = bytes;
  if (bytes == 0) {
    if (failure == SendFailure::Full) {
      // Its queue is full: the worker does not read, and waiting for it would only grow memory.
      m_pendingDeaths.emplace_back(worker, "not_reading: " + std::to_string(kWorkerQueueMessages) +
                                               " messages to the worker are queued unread");
    } else if (m_running && !m_hooks.onWorkerResumed) {
      // No connection to the worker right now. A cut link comes back within the liveness window with the
      // same routing id (PROTOCOL.md §4.4) and the engine re-sends what was lost; an engine that cannot
      // replay its messages loses the worker now.
      m_pendingDeaths.emplace_back(worker, kLinkLostReason);
    } else {
      peer.linkDown = true;
    }
    return false;
  }
  peer.lastSent = Clock::now();
  if (kind < kKindSlots) {
    peer.bytesDown[kind] += bytes;
    ++peer.messagesDown[kind];
  }
  peer.totalDown += bytes;
  m_bytesDown += bytes;
  return true;
}

void WorkerPool::sendToIdentity(const std::string& identity, Message&& message) {
  message.seq = m_seq.next();
  zmq::message_t id(identity.data(), identity.size());
  sendMessage(m_router, std::move(message), &id);
}

}  // namespace distopt::net
