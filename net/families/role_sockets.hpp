#pragma once
// A family's core roles (core/transport/role_links.hpp) on ZeroMQ: the live transport. The coordinator
// role runs in the FamilyEngine's loop, the worker role in a distopt-worker's runtime; this file only
// turns their typed messages into the family's frames (net/PROTOCOL.md, its kind range) and back, and a
// worker's "send after the emulated compute" into a deadline on the wall clock (emulatedDue), holding the
// messages that reach a computing worker until its result left, as the virtual network does. What the
// roles decide — rounds, replicas, failures — is the very code the simulator runs on the virtual network.

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/transport/role_links.hpp"
#include "net/coordinator/coordinator_role.hpp"
#include "net/worker/worker_role.hpp"

namespace distopt::net {

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
    Up up{};
    std::string why;
    if (!m_codec.decodeUp(message, worker, &up, &why)) {
      host.countMalformed();
      return;
    }
    m_role->onMessage(worker, std::move(up), *this);
  }
  void onWorkerLost(int worker, const std::string& reason, CoordinatorHost& host) override {
    m_host = &host;
    m_role->onWorkerLost(worker, reason, *this);
  }
  void requestEvaluation(const EvaluationRequest& request, bool atEnd, CoordinatorHost& host) override {
    m_host = &host;
    m_role->requestEvaluation(request, atEnd, *this);
  }
  std::int64_t largestUplinkFrame() const override { return m_codec.largestUplinkFrame; }
  std::string name() const override { return m_role->name(); }
  std::uint64_t iterations() const override { return m_role->iterations(); }
  std::uint64_t gradientEvaluations() const override { return m_role->gradientEvaluations(); }
  const Vector* model() const override { return m_role->model(); }
  void takeMetrics(std::map<std::string, double>& metrics) override { m_role->takeMetrics(metrics); }
  bool metricsPending() const override { return m_role->metricsPending(); }
  double lossOffset() const override { return m_role->lossOffset(); }
  std::string failure() const override { return m_role->failure(); }
  bool diverged() const override { return m_role->diverged(); }
  std::string divergence() const override { return m_role->divergence(); }
  WorkCounters counters(int worker) const override { return m_role->counters(worker); }
  bool evaluatesRemotely() const override { return m_role->evaluatesRemotely(); }
  bool evaluationPending() const override { return m_role->evaluationPending(); }
  std::vector<EvaluationPoint> takeEvaluations() override { return m_role->takeEvaluations(); }

 private:
  bool send(int worker, Down&& message) override { return m_host->send(worker, m_codec.encodeDown(message)); }
  double now() const override { return m_host->now(); }
  int numWorkers() const override { return m_host->numWorkers(); }
  bool alive(int worker) const override { return m_host->alive(worker); }
  std::size_t lastMessageBytes() const override { return m_host->lastMessageBytes(); }
  TelemetrySink& sink() override { return m_host->sink(); }
  void countMalformed() override { m_host->countMalformed(); }

  std::unique_ptr<FamilyCoordinator<Down, Up>> m_role;
  RoleCodec<Down, Up> m_codec;
  CoordinatorHost* m_host = nullptr;  ///< the engine's, set on every call into the role
};

template <class Down, class Up>
class WorkerOnSockets final : public WorkerRole, private WorkerLink<Up> {
 public:
  WorkerOnSockets(std::unique_ptr<FamilyWorker<Down, Up>> role, RoleCodec<Down, Up> codec)
      : m_role(std::move(role)), m_codec(std::move(codec)) {}

  void onMessage(Message&& message, WorkerHost& host) override {
    m_host = &host;
    if (!m_runStart) m_runStart = Clock::now();
    if (!m_pending.empty()) {
      m_held.push_back(std::move(message));  // computing: handled once the result left
      return;
    }
    handle(std::move(message), host);
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
      host.send(std::move(m_pending.front().message));
      m_pending.erase(m_pending.begin());
    }
    while (m_pending.empty() && !m_held.empty()) {
      Message next = std::move(m_held.front());
      m_held.pop_front();
      handle(std::move(next), host);
    }
  }

 private:
  void handle(Message&& message, WorkerHost& host) {
    Down down{};
    std::string why;
    if (!m_codec.decodeDown(message, &down, &why)) {
      host.countMalformed();
      return;
    }
    m_arrived = Clock::now();
    m_role->onMessage(std::move(down), *this);
  }

  struct Pending {
    Clock::time_point due;
    Message message;
  };

  int workerId() const override { return m_host->workerId(); }
  void send(Up&& message) override { m_host->send(m_codec.encodeUp(message, m_host->workerId())); }
  void sendAfterCompute(double tauUnits, Up&& message) override {
    const auto computeEnd = Clock::now();
    const double seconds = std::chrono::duration<double>(computeEnd - m_arrived).count();
    const Clock::time_point due = emulatedDue(*m_host->built().timeModel, m_host->workerId(), tauUnits, seconds,
                                              m_host->unitSeconds(), computeEnd);
    Pending pending{due, m_codec.encodeUp(message, m_host->workerId())};
    // Sent in due order; results due at the same moment keep the order they were computed in.
    const auto at = std::upper_bound(m_pending.begin(), m_pending.end(), due,
                                     [](Clock::time_point t, const Pending& p) { return t < p.due; });
    m_pending.insert(at, std::move(pending));
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
  std::deque<Message> m_held;
};

}  // namespace distopt::net
