#pragma once
// A family's core roles (core/transport/role_links.hpp) on ZeroMQ: the live transport. The coordinator
// role runs in the LiveEngine's loop, the worker role in a distopt-worker's runtime; this file only
// turns their typed messages into the family's frames (net/PROTOCOL.md, its kind range) and back, and a
// worker's "send after the emulated compute" into a deadline on the wall clock (emulatedDue), holding the
// messages that reach a computing worker until its result left, as the virtual network does. What the
// roles decide — rounds, replicas, failures — is the very code the simulator runs on the virtual network.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/transport/role_links.hpp"
#include "net/coordinator/coordinator_role.hpp"
#include "net/families/peer_mesh.hpp"
#include "net/protocol/frame_limits.hpp"
#include "net/worker/worker_role.hpp"

namespace distopt::net {

/// What a codec can say of a worker's message it could not decode.
enum class RefusedAnswer : std::uint8_t {
  None,        ///< not an answer to anything the coordinator sent
  Unreadable,  ///< an answer, but which job it answers cannot be read
  Read,        ///< an answer whose header (the job it names) was read
};

/// A family's frames: builders and strict parsers for both directions (the family's *_messages).
template <class Down, class Up>
struct RoleCodec {
  std::function<Message(const Down& message)> encodeDown;
  /// False with *why for a message the family's protocol section does not allow.
  std::function<bool(const Message& message, Down* out, std::string* why)> decodeDown;
  std::function<Message(const Up& message, int sender)> encodeUp;
  std::function<bool(const Message& message, int sender, Up* out, std::string* why)> decodeUp;
  /// Bytes of the largest uplink frame the family sends, when it exceeds the engine's default for a
  /// model of the run's dimension (CoordinatorRole::largestUplinkFrame); 0: the default.
  std::int64_t largestUplinkFrame = 0;
  /// The same for the frames the coordinator sends (WorkerRole::largestDownlinkFrame): the worker's
  /// socket refuses, and cuts the link over, a frame beyond its limit.
  std::int64_t largestDownlinkFrame = 0;
  /// Room for a vector a worker role writes and then sends (WorkerLink::outgoingVector): the frame it
  /// leaves in, so a large result is not copied into it. Empty: a heap vector, encoded when sent.
  std::function<VectorPayload(Eigen::Index size)> outgoingVector;
  /// Writes into a worker's result that waited for its compute what only the moment it leaves knows
  /// (a GRAD's elapsed seconds and the worker's clock); `elapsed` counts from the message that began the
  /// compute. Empty: nothing to write.
  std::function<void(Message& message, double elapsed)> stampSent;
  /// For a message decodeUp refused: whether it is an answer to what the coordinator sent (a GRAD), and
  /// then what of it can still be read (the job it names), for FamilyCoordinator::onRefused. Empty: no
  /// refused message is an answer (the role is not told; the refusal is counted).
  std::function<RefusedAnswer(const Message& message, int sender, Up* header)> refusedHeader;
  /// The worker's clock when it sent `message` (decoded), for the uplink transit in its status row; NaN
  /// when the message does not say. Empty: no message says.
  std::function<double(const Up& message)> sentClock;

  /// For a family whose workers talk to each other (WorkerLink::sendToPeer): the frames the peer mesh is
  /// built with (net/families/peer_mesh.hpp), and who sent a frame that reached a worker's peer socket.
  struct PeerFrames {
    std::function<Message(const std::string& endpoint)> makeEndpoint;
    /// False for a message of another kind or one that does not parse.
    std::function<bool(const Message& message, std::string* endpoint)> parseEndpoint;
    std::function<Message(const std::vector<PeerEndpoint>& peers)> makePeers;
    std::function<bool(const Message& message, std::vector<PeerEndpoint>* peers)> parsePeers;
    /// The worker that sent `message`, or -1 when it is not a frame peers send.
    std::function<int(const Message& message)> sender;
  };
  std::optional<PeerFrames> peers;
};

template <class Down, class Up>
class CoordinatorOnSockets final : public CoordinatorRole, private CoordinatorLink<Down> {
 public:
  CoordinatorOnSockets(std::unique_ptr<FamilyCoordinator<Down, Up>> role, RoleCodec<Down, Up> codec)
      : m_role(std::move(role)), m_codec(std::move(codec)) {}

  void start(CoordinatorHost& host) override {
    m_host = &host;
    m_role->start(*this);
  }
  void onMessage(int worker, Message&& message, CoordinatorHost& host) override {
    m_host = &host;
    std::string endpoint;
    if (m_codec.peers && m_codec.peers->parseEndpoint(message, &endpoint)) {
      introduce(worker, std::move(endpoint), host);
      return;
    }
    if (m_codec.peers && !m_introduced) {
      host.countMalformed();  // no worker runs before it knows its peers
      return;
    }
    Up up{};
    std::string why;
    if (!m_codec.decodeUp(message, worker, &up, &why)) {
      // The decoder's reason reaches the log and the control status (which field, what was wrong).
      if (why.empty()) why = "malformed " + m_role->name() + " message";
      Up header{};
      const RefusedAnswer answer =
          m_codec.refusedHeader ? m_codec.refusedHeader(message, worker, &header) : RefusedAnswer::None;
      if (answer == RefusedAnswer::None) {
        host.refuse(why);
        return;
      }
      m_role->onRefused(worker, why, answer == RefusedAnswer::Read ? &header : nullptr, *this);
      return;
    }
    if (m_codec.sentClock) {
      const double clock = m_codec.sentClock(up);
      if (!std::isnan(clock)) host.noteSentAt(worker, clock);
    }
    m_role->onMessage(worker, std::move(up), *this);
  }
  void onWorkerLost(int worker, const std::string& reason, CoordinatorHost& host) override {
    m_host = &host;
    m_role->onWorkerLost(worker, reason, *this);
  }
  bool onWorkerResumed(int worker, CoordinatorHost& host) override {
    m_host = &host;
    return m_role->onWorkerResumed(worker, *this);
  }
  void fillStatus(WorkerStatus& status) const override { m_role->fillStatus(status); }
  void fillControlStatus(nlohmann::json& status) const override { m_role->fillControlStatus(status); }
  void useSpareCore() override { m_role->useSpareCore(); }
  void requestEvaluation(const EvaluationRequest& request, bool atEnd, CoordinatorHost& host) override {
    m_host = &host;
    m_role->requestEvaluation(request, atEnd, *this);
  }
  std::int64_t largestUplinkFrame() const override { return m_codec.largestUplinkFrame; }
  /// The family's role, for tests and family-specific read-outs.
  const FamilyCoordinator<Down, Up>& role() const { return *m_role; }
  std::string name() const override { return m_role->name(); }
  std::uint64_t iterations() const override { return m_role->iterations(); }
  std::uint64_t gradientEvaluations() const override { return m_role->gradientEvaluations(); }
  const Vector* model() const override { return m_role->model(); }
  void takeMetrics(std::map<std::string, double>& metrics) override { m_role->takeMetrics(metrics); }
  bool metricsPending() const override { return m_role->metricsPending(); }
  double lossOffset() const override { return m_role->lossOffset(); }
  std::optional<double> stationarity(const EvaluationPoint& point) const override {
    return m_role->stationarity(point);
  }
  std::string failure() const override { return m_role->failure(); }
  bool diverged() const override { return m_role->diverged(); }
  std::string divergence() const override { return m_role->divergence(); }
  WorkCounters counters(int worker) const override { return m_role->counters(worker); }
  PeerBytes peerBytes() const override { return m_role->peerBytes(); }
  bool evaluatesRemotely() const override { return m_role->evaluatesRemotely(); }
  bool evaluationPending() const override { return m_role->evaluationPending(); }
  std::vector<EvaluationPoint> takeEvaluations() override { return m_role->takeEvaluations(); }

 private:
  bool send(int worker, Down&& message) override { return m_host->send(worker, m_codec.encodeDown(message)); }
  double now() const override { return m_host->now(); }
  int numWorkers() const override { return m_host->numWorkers(); }
  bool alive(int worker) const override { return m_host->alive(worker); }
  std::size_t lastMessageBytes() const override { return m_host->lastMessageBytes(); }
  std::size_t lastSentBytes() const override { return m_host->lastSentBytes(); }
  bool losesMessages() const override { return true; }
  TelemetrySink& sink() override { return m_host->sink(); }
  void countMalformed() override { m_host->countMalformed(); }
  void refuse(const std::string& why) override { m_host->refuse(why); }
  bool leaving(int worker) const override { return m_host->leaving(worker); }
  VectorPayload outgoingVector(Eigen::Index size) override {
    return m_codec.outgoingVector ? m_codec.outgoingVector(size) : VectorPayload(Vector(size));
  }

  /// A worker's peer endpoint; once every worker's is in, each gets everyone else's.
  void introduce(int worker, std::string endpoint, CoordinatorHost& host) {
    m_endpoints.resize(static_cast<std::size_t>(host.numWorkers()));
    auto& slot = m_endpoints[static_cast<std::size_t>(worker)];
    if (m_introduced || !slot.empty() || endpoint.empty()) {
      host.countMalformed();
      return;
    }
    slot = std::move(endpoint);
    if (++m_endpointCount < host.numWorkers()) return;
    m_introduced = true;
    for (int i = 0; i < host.numWorkers(); ++i) {
      std::vector<PeerEndpoint> peers;
      for (int j = 0; j < host.numWorkers(); ++j)
        if (j != i) peers.push_back({j, m_endpoints[static_cast<std::size_t>(j)]});
      host.send(i, m_codec.peers->makePeers(peers));
    }
  }

  std::unique_ptr<FamilyCoordinator<Down, Up>> m_role;
  RoleCodec<Down, Up> m_codec;
  CoordinatorHost* m_host = nullptr;     ///< the engine's, set on every call into the role
  std::vector<std::string> m_endpoints;  ///< peer endpoints by worker (families with a peer mesh)
  int m_endpointCount = 0;
  bool m_introduced = false;
};

template <class Down, class Up>
class WorkerOnSockets final : public WorkerRole, private WorkerLink<Up> {
 public:
  WorkerOnSockets(std::unique_ptr<FamilyWorker<Down, Up>> role, RoleCodec<Down, Up> codec)
      : m_role(std::move(role)), m_codec(std::move(codec)) {}

  void onMessage(Message&& message, WorkerHost& host) override {
    m_host = &host;
    if (!m_runStart) m_runStart = Clock::now();
    if (m_codec.peers && !m_mesh.ready()) return buildMesh(std::move(message), host);
    arrived(Held{std::move(message), -1}, host);
  }
  std::int64_t largestDownlinkFrame() const override { return m_codec.largestDownlinkFrame; }
  std::optional<Clock::time_point> deadline() const override {
    if (m_pending.empty()) return std::nullopt;
    return m_pending.front().due;
  }
  void onDeadline(WorkerHost& host) override {
    m_host = &host;
    const auto now = Clock::now();
    while (!m_pending.empty() && m_pending.front().due <= now) {
      Pending due = std::move(m_pending.front());
      m_pending.erase(m_pending.begin());
      if (due.wake) {
        m_arrived = Clock::now();
        m_role->onWake(*this);
      } else if (due.peer >= 0) {
        sendToPeerNow(due.peer, std::move(due.message), host);
      } else {
        if (m_codec.stampSent)
          m_codec.stampSent(due.message, std::chrono::duration<double>(Clock::now() - due.began).count());
        host.send(std::move(due.message));
      }
    }
    release(host);
  }
  void pollItems(std::vector<zmq::pollitem_t>& items) override { m_mesh.pollItems(items); }
  void onPolled(const zmq::pollitem_t* items, std::size_t count, WorkerHost& host) override {
    m_host = &host;
    if (!m_mesh.bound() || count < 1 || !(items[0].revents & ZMQ_POLLIN)) return;
    m_mesh.receive([&](std::optional<Message>&& message) {
      const int from = message ? m_codec.peers->sender(*message) : -1;
      if (from < 0 || from == host.workerId()) {
        host.countMalformed();
        return;
      }
      arrived(Held{std::move(*message), from}, host);
    });
  }

 private:
  /// A message from the coordinator (`from` -1) or from peer `from`.
  struct Held {
    Message message;
    int from = -1;
  };
  struct Pending {
    Clock::time_point due;
    Message message;
    int peer = -1;             ///< to the coordinator when -1
    bool wake = false;         ///< no message: the role's compute ends (onWake)
    bool cancellable = false;  ///< sendAfterCancellableCompute's: the worker is not busy meanwhile
    Clock::time_point began{};  ///< when the message that began the compute arrived
  };

  /// Computing something that holds messages back (a cancellable compute does not).
  bool busy() const {
    return std::any_of(m_pending.begin(), m_pending.end(), [](const Pending& p) { return !p.cancellable; });
  }
  void arrived(Held&& held, WorkerHost& host) {
    if (busy() || !m_held.empty()) {
      m_held.push_back(std::move(held));  // computing: handled once its result left
      return;
    }
    handle(std::move(held), host);
  }
  void release(WorkerHost& host) {
    while (!busy() && !m_held.empty()) {
      Held next = std::move(m_held.front());
      m_held.pop_front();
      handle(std::move(next), host);
    }
  }
  void handle(Held&& held, WorkerHost& host) {
    std::string why;
    if (held.from >= 0) {
      Up up{};
      if (!m_codec.decodeUp(held.message, held.from, &up, &why)) {
        host.countMalformed();
        return;
      }
      m_arrived = Clock::now();
      m_role->onPeerMessage(held.from, std::move(up), *this);
      return;
    }
    Down down{};
    if (!m_codec.decodeDown(held.message, &down, &why)) {
      host.countMalformed();
      return;
    }
    m_arrived = Clock::now();
    m_role->onMessage(std::move(down), *this);
  }

  /// Before the mesh is up: the first message of the role binds this worker's peer socket and waits
  /// (with what follows it) until the coordinator introduced every peer.
  void buildMesh(Message&& message, WorkerHost& host) {
    std::vector<PeerEndpoint> peers;
    if (m_mesh.bound() && m_codec.peers->parsePeers(message, &peers)) {
      if (!m_mesh.setPeers(peers, host.workerId(), host.experiment().workers)) {
        host.countMalformed();
        return;
      }
      release(host);
      return;
    }
    Down down{};
    std::string why;
    if (!m_codec.decodeDown(message, &down, &why)) {
      host.countMalformed();
      return;
    }
    if (!m_mesh.bound()) {
      const std::int64_t dimension = host.built().familyContext.x0.size();
      const std::string endpoint = m_mesh.bind(
          host.context(), host.coordinatorEndpoint(), host.workerId(),
          frameLimitFor(std::max(m_codec.largestUplinkFrame, vectorRunLargestFrame(dimension))), &why);
      if (endpoint.empty()) {
        host.fail("internal", why);
        return;
      }
      host.send(m_codec.peers->makeEndpoint(endpoint));
    }
    m_held.push_back(Held{std::move(message), -1});
  }

  void sendToPeerNow(int peer, Message&& message, WorkerHost& host) {
    // A PUSH link queues up to its high-water mark and a worker is at most a round ahead of a peer: a
    // refused send means the link is broken beyond what the protocol allows.
    if (m_mesh.send(host.context(), peer, std::move(message)) == 0)
      host.fail("internal", "peer link to worker " + std::to_string(peer) + " refused a frame");
  }

  /// When the compute that began with the message being handled and lasts `tauUnits` ends.
  Clock::time_point computeDue(double tauUnits) const {
    const auto computeEnd = Clock::now();
    const double seconds = std::chrono::duration<double>(computeEnd - m_arrived).count();
    return emulatedDue(*m_host->built().timeModel, m_host->workerId(), tauUnits, seconds,
                       m_host->unitSeconds(), computeEnd);
  }
  void schedule(Pending&& pending) {
    // Sent in due order; results due at the same moment keep the order they were computed in.
    const auto at = std::upper_bound(m_pending.begin(), m_pending.end(), pending.due,
                                     [](Clock::time_point t, const Pending& p) { return t < p.due; });
    m_pending.insert(at, std::move(pending));
  }

  int workerId() const override { return m_host->workerId(); }
  void send(Up&& message) override { m_host->send(m_codec.encodeUp(message, m_host->workerId())); }
  void sendAfterCompute(double tauUnits, Up&& message) override {
    schedule(Pending{.due = computeDue(tauUnits),
                     .message = m_codec.encodeUp(message, m_host->workerId()),
                     .began = m_arrived});
  }
  void sendAfterCancellableCompute(double tauUnits, Up&& message) override {
    schedule(Pending{.due = computeDue(tauUnits),
                     .message = m_codec.encodeUp(message, m_host->workerId()),
                     .cancellable = true,
                     .began = m_arrived});
  }
  void cancelCompute() override {
    std::erase_if(m_pending, [](const Pending& p) { return p.cancellable; });
  }
  VectorPayload outgoingVector(Eigen::Index size) override {
    return m_codec.outgoingVector ? m_codec.outgoingVector(size) : VectorPayload(Vector(size));
  }
  void sendToPeer(int peer, double tauUnits, Up&& message) override {
    if (!m_mesh.ready()) {
      m_host->fail("internal", "this family's workers have no peer mesh");
      return;
    }
    schedule(Pending{.due = computeDue(tauUnits),
                     .message = m_codec.encodeUp(message, m_host->workerId()),
                     .peer = peer,
                     .began = m_arrived});
  }
  void wakeAfterCompute(double tauUnits) override {
    schedule(Pending{.due = computeDue(tauUnits), .message = {}, .peer = -1, .wake = true});
  }
  double computeSeconds() const override {
    return std::chrono::duration<double>(Clock::now() - m_arrived).count();
  }
  double now() const override {
    return std::chrono::duration<double>(Clock::now() - m_runStart.value_or(Clock::now())).count() /
           m_host->unitSeconds();
  }
  void fail(const std::string& code, const std::string& message) override { m_host->fail(code, message); }
  void countMalformed() override { m_host->countMalformed(); }

  std::unique_ptr<FamilyWorker<Down, Up>> m_role;
  RoleCodec<Down, Up> m_codec;
  WorkerHost* m_host = nullptr;  ///< the runtime's, set on every call into the role
  Clock::time_point m_arrived{};
  std::optional<Clock::time_point> m_runStart;
  std::vector<Pending> m_pending;
  std::deque<Held> m_held;
  PeerMesh m_mesh;
};

}  // namespace distopt::net
