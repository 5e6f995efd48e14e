#pragma once
// The virtual network: a family's roles (core/transport/role_links.hpp) run in virtual time, one
// process, deterministic. It is the family's simulator: the same role code runs live on ZeroMQ.
//
// Events are ordered by (time, worker, posting order), so two runs with one seed give the same bytes,
// the same iterates and the same telemetry. A message leaves its sender when posted (a worker's result
// only when its emulated compute ends), is counted then (bytes as the family's wire size says: the
// encoded sizes its papers count), and arrives after the link's latency and its transfer time (a link
// carries `bytesPerUnit`; messages on one link and direction queue behind each other). A result whose
// link takes no time arrives the moment its compute ends; a message posted by a role's handler is
// queued, so no role is called from inside another's handler. A worker computes one thing at a time:
// messages that reach it while a result of its compute has not left yet wait, in arrival order, and are
// handed over the moment it leaves (a single-threaded worker process busy with its compute).
//
// Workers may also send to each other (WorkerLink::sendToPeer: decentralized nodes). Each directed link
// between two workers has its own latency and bandwidth (`peerLinks`), a message is counted in the
// summary as its sender's upload and its receiver's download (not charted here: no coordinator sees it,
// live neither, so a family charts it from its workers' reports), and waits at a computing receiver. WorkerLink::wakeAfterCompute is a compute without a message:
// the worker is called back when it ends (a role that goes on by itself yields there, so virtual time passes
// between its steps).
//
// The run ledger is the simulator's one: stop rules (core/run/run_rules.hpp, the same stopRule the live
// engines use), the evaluation grid walked in virtual time before each event (core/run/evaluation_grid),
// divergence, targets, traffic samples per worker, direction and kind, and the summary. A family whose
// model lives on the workers evaluates through its own messages (CoordinatorState::evaluatesRemotely):
// the grid then requests evaluations, finished points are taken after every event, and the run's end
// requests one more and lets the messages flow until it is complete (its point carries the end's time).

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/run/evaluation_grid.hpp"
#include "core/run/run_ledger.hpp"
#include "core/sim/sim_run.hpp"
#include "core/telemetry/run_tally.hpp"
#include "core/transport/role_links.hpp"
#include "core/transport/wire_size.hpp"

namespace distopt {

struct VirtualLinkOptions {
  /// Units from a message leaving its sender to its arrival, on every link.
  double latency = 0.0;
  /// Bytes per unit a link carries in each direction; 0 = no limit (a message takes no time to send).
  double bytesPerUnit = 0.0;

  bool isValid(std::string* why) const;
};

/// The event queue, the links' clocks and the run ledger; knows nothing of a family's message types: the
/// messages in flight stay with a Carrier (RolesOnVirtualNetwork below), the queue holds their slots.
class VirtualNetwork {
 public:
  /// Holds the messages in flight by slot and hands one to its receiver when it arrives.
  class Carrier {
   public:
    virtual ~Carrier() = default;
    /// The message in `slot` arrives: from worker `worker` when `uplink`, else to it.
    virtual void deliver(bool uplink, int worker, std::uint32_t slot) = 0;
    /// The worker-to-worker message in (uplink) `slot` arrives at `to`.
    virtual void deliverPeer(int from, int to, std::uint32_t slot) = 0;
    /// Worker `worker`'s message-less compute ended (wakeAfterCompute).
    virtual void wake(int worker) = 0;
    /// The message in `slot` will never arrive (its worker is gone, or the run ended first); worker-to-
    /// worker messages are in the uplink slots.
    virtual void discard(bool uplink, std::uint32_t slot) = 0;
  };

  /// What the ledger drives: the coordinator's state, its start, worker losses, remote evaluations and
  /// the messages.
  struct Roles {
    CoordinatorState* state = nullptr;
    std::function<void()> start;
    std::function<void(int worker, const std::string& reason)> workerLost;
    std::function<void(const EvaluationRequest& request, bool atEnd)> requestEvaluation;
    Carrier* carrier = nullptr;
  };

  /// `links`: between the coordinator and each worker; `peerLinks`: each directed link between workers.
  VirtualNetwork(const SimRunContext& context, const VirtualLinkOptions& links, TelemetrySink& sink,
                 const VirtualLinkOptions& peerLinks = {});

  double now() const { return m_now; }
  int numWorkers() const { return m_context.numWorkers; }
  bool alive(int worker) const;
  /// Posts the message in the carrier's `slot` on worker `worker`'s link (`uplink`: from it, else to it),
  /// leaving at `leaveTime` (>= now). A message to a worker that is gone by then is discarded; one from a
  /// worker that failed after sending it still arrives. `computed`: the result of the worker's compute,
  /// which keeps the worker busy until it leaves.
  void post(double leaveTime, int worker, bool uplink, WireSize size, std::uint32_t slot,
            bool computed = false);
  /// Posts worker `worker`'s result in (uplink) `slot`, leaving at `leaveTime` unless cancelCompute(worker)
  /// comes first; the worker is not busy meanwhile (WorkerLink::sendAfterCancellableCompute).
  void postCancellable(double leaveTime, int worker, WireSize size, std::uint32_t slot);
  /// Drops `worker`'s cancellable results that have not left yet. (One that leaves at the very moment
  /// of the cancel, posted before it, has left: it reaches the coordinator, as on a real network.)
  void cancelCompute(int worker);
  /// Posts the worker-to-worker message in (uplink) `slot` from `from` to `to`, leaving at `leaveTime`
  /// after `from`'s compute (which keeps it busy until then).
  void postPeer(double leaveTime, int from, int to, WireSize size, std::uint32_t slot);
  /// Keeps `worker` computing until `time`, then wakes it (Carrier::wake).
  void postWake(double time, int worker);
  /// Bytes of the uplink being delivered.
  std::size_t lastMessageBytes() const { return m_lastMessageBytes; }
  /// The roles' telemetry (accepted delays counted for the summary).
  TelemetrySink& roleSink() { return m_roleSink; }
  /// Ends worker `worker`; the coordinator learns it once the event being handled is done.
  void workerFailed(int worker, const std::string& reason);
  /// A role refused a message another role sent: the roles broke their own protocol.
  void countMalformed() { ++m_malformed; }

  /// Runs to a stopping rule and returns the summary (also given to the sink's onFinish).
  RunSummary run(const Roles& roles, const std::function<bool()>& stopRequested);

 private:
  enum class Route : std::uint8_t { Down, Up, Peer, Wake };
  /// Small and trivially movable: the heap moves these, never a message.
  struct Event {
    double time = 0.0;
    int worker = 0;        ///< the worker it concerns: a peer message's sender while leaving, receiver after
    int from = -1;         ///< a peer message's sender
    int to = -1;           ///< a peer message's receiver
    bool leaving = false;  ///< the message leaves its sender now (counted), else it arrives
    Route route = Route::Down;
    bool computed = false;  ///< leaving: a compute's result; its worker is busy until then
    std::uint32_t slot = 0;
    std::uint32_t ticket = 0;  ///< a cancellable result's: its worker's cancel count + 1 when posted
    std::uint64_t seq = 0;
    WireSize size;
  };
  void schedule(Event event);
  static bool later(const Event& a, const Event& b);
  void push(Event event);
  Event pop();
  /// Counts a message leaving now; returns its arrival.
  Event departed(Event event);
  /// Handles the next event; true when it delivered a message to the coordinator.
  bool handleNext(Carrier& carrier, bool coordinatorListens);
  /// Hands a message that arrived at a worker over, or holds it while the worker computes.
  void deliverToWorker(Carrier& carrier, const Event& event);
  void handOver(Carrier& carrier, const Event& event);
  /// Hands the held messages over while the worker is not computing.
  void releaseHeld(Carrier& carrier, int worker);
  void processLosses(const Roles& roles);
  Verdict evaluate(const Roles& roles, double time);
  /// Notes the points a remotely evaluating role finished; the traffic is sampled at `trafficTime`.
  Verdict collect(CoordinatorState& role, double trafficTime);
  /// The end of a remotely evaluating run: one more request, messages flow until it is complete.
  void finishRemoteEvaluation(const Roles& roles, double endTime, std::string* detail);
  void flushTraffic(double time);
  BudgetFacts spent(const CoordinatorState& role) const;

  const SimRunContext& m_context;
  VirtualLinkOptions m_links;
  VirtualLinkOptions m_peerLinks;
  TelemetrySink& m_sink;
  RunLedger m_ledger;
  RunTally& m_tally;  ///< the ledger's
  TallyingSink m_roleSink;
  std::vector<Event> m_queue;  ///< a heap by later()
  std::uint64_t m_seq = 0;
  double m_now = 0.0;
  std::vector<double> m_linkFreeUp;
  std::vector<double> m_linkFreeDown;
  std::map<std::pair<int, int>, double> m_peerLinkFree;
  std::vector<bool> m_alive;
  int m_aliveCount = 0;
  std::vector<int> m_computing;           ///< per worker: results of its compute not yet left
  std::vector<std::uint32_t> m_cancels;   ///< per worker: cancelCompute calls
  std::vector<std::deque<Event>> m_held;  ///< per worker: arrived while it computed
  std::vector<std::pair<int, std::string>> m_losses;
  std::size_t m_lastMessageBytes = 0;
  std::uint64_t m_malformed = 0;
  struct Traffic {
    std::uint64_t bytes = 0;
    std::uint64_t messages = 0;
    bool changed = false;
  };
  std::map<std::tuple<int, bool, std::string_view>, Traffic> m_traffic;
  Vector m_scratch;
};

/// A family's simulator: its coordinator and worker roles on the virtual network. `Down` and `Up` are the
/// family's messages to and from workers; `Wire` says what each costs on the wire.
template <class Down, class Up>
class RolesOnVirtualNetwork : public SimRun {
 public:
  using Coordinator = FamilyCoordinator<Down, Up>;
  using Worker = FamilyWorker<Down, Up>;
  struct Wire {
    std::function<WireSize(const Down&)> down;
    std::function<WireSize(const Up&)> up;
  };

  /// The problem and time model in `context` must outlive the run; one worker role per worker.
  RolesOnVirtualNetwork(std::unique_ptr<Coordinator> coordinator,
                        std::vector<std::unique_ptr<Worker>> workers, Wire wire, SimRunContext context,
                        VirtualLinkOptions links = {}, VirtualLinkOptions peerLinks = {})
      : m_coordinator(std::move(coordinator)),
        m_workers(std::move(workers)),
        m_wire(std::move(wire)),
        m_context(std::move(context)),
        m_links(links),
        m_peerLinks(peerLinks) {}

  RunSummary run(TelemetrySink& sink) override {
    VirtualNetwork network(m_context, m_links, sink, m_peerLinks);
    Session session(network, *m_coordinator, m_workers, m_wire);
    VirtualNetwork::Roles roles{.state = m_coordinator.get(),
                                .start = [&] { m_coordinator->start(session.coordinatorSide); },
                                .workerLost =
                                    [&](int worker, const std::string& reason) {
                                      m_coordinator->onWorkerLost(worker, reason, session.coordinatorSide);
                                    },
                                .requestEvaluation =
                                    [&](const EvaluationRequest& request, bool atEnd) {
                                      m_coordinator->requestEvaluation(request, atEnd,
                                                                       session.coordinatorSide);
                                    },
                                .carrier = &session};
    return network.run(roles, [this] { return stopRequested(); });
  }

  /// The roles, for tests (final state after run()).
  const Coordinator& coordinatorRole() const { return *m_coordinator; }
  int workerCount() const { return static_cast<int>(m_workers.size()); }
  const Worker& workerRole(int m) const { return *m_workers[static_cast<std::size_t>(m)]; }

 private:
  /// Messages in flight, by slot; a freed slot is reused, so a run holds about as many as are in flight.
  template <class Message>
  class Slots {
   public:
    std::uint32_t put(Message&& message) {
      if (m_free.empty()) {
        m_items.emplace_back(std::move(message));
        return static_cast<std::uint32_t>(m_items.size() - 1);
      }
      const std::uint32_t slot = m_free.back();
      m_free.pop_back();
      m_items[slot].emplace(std::move(message));
      return slot;
    }
    Message take(std::uint32_t slot) {
      Message message = std::move(*m_items[slot]);
      release(slot);
      return message;
    }
    void release(std::uint32_t slot) {
      m_items[slot].reset();
      m_free.push_back(slot);
    }

   private:
    std::vector<std::optional<Message>> m_items;
    std::vector<std::uint32_t> m_free;
  };

  struct Session;

  struct CoordinatorSide final : CoordinatorLink<Down> {
    explicit CoordinatorSide(Session& session) : session(session) {}
    bool send(int worker, Down&& message) override {
      lastSent = 0;
      if (!session.network.alive(worker)) return false;
      const WireSize size = session.wire.down(message);
      lastSent = size.bytes;
      session.network.post(session.network.now(), worker, false, size, session.down.put(std::move(message)));
      return true;
    }
    double now() const override { return session.network.now(); }
    int numWorkers() const override { return session.network.numWorkers(); }
    bool alive(int worker) const override { return session.network.alive(worker); }
    std::size_t lastMessageBytes() const override { return session.network.lastMessageBytes(); }
    TelemetrySink& sink() override { return session.network.roleSink(); }
    void countMalformed() override { session.network.countMalformed(); }
    std::size_t lastSentBytes() const override { return lastSent; }

    Session& session;
    std::size_t lastSent = 0;
  };

  struct WorkerSide final : WorkerLink<Up> {
    WorkerSide(Session& session, int id) : session(session), id(id) {}
    int workerId() const override { return id; }
    void send(Up&& message) override { sendAt(session.network.now(), std::move(message)); }
    void sendAfterCompute(double tauUnits, Up&& message) override {
      sendAt(session.network.now() + tauUnits, std::move(message), true);
    }
    void sendToPeer(int peer, double tauUnits, Up&& message) override {
      if (peer < 0 || peer >= session.network.numWorkers() || peer == id) {
        session.network.countMalformed();
        return;
      }
      const WireSize size = session.wire.up(message);
      session.network.postPeer(session.network.now() + tauUnits, id, peer, size,
                               session.up.put(std::move(message)));
    }
    void sendAfterCancellableCompute(double tauUnits, Up&& message) override {
      const WireSize size = session.wire.up(message);
      session.network.postCancellable(session.network.now() + tauUnits, id, size,
                                      session.up.put(std::move(message)));
    }
    void cancelCompute() override { session.network.cancelCompute(id); }
    void wakeAfterCompute(double tauUnits) override {
      session.network.postWake(session.network.now() + tauUnits, id);
    }
    double now() const override { return session.network.now(); }
    double computeSeconds() const override { return 0.0; }
    void fail(const std::string& code, const std::string& message) override {
      session.network.workerFailed(id, code + ": " + message);
    }
    void countMalformed() override { session.network.countMalformed(); }

    void sendAt(double time, Up&& message, bool computed = false) {
      const WireSize size = session.wire.up(message);
      session.network.post(time, id, true, size, session.up.put(std::move(message)), computed);
    }

    Session& session;
    int id;
  };

  /// One run's links and messages in flight.
  struct Session final : VirtualNetwork::Carrier {
    Session(VirtualNetwork& network, Coordinator& coordinator, std::vector<std::unique_ptr<Worker>>& workers,
            const Wire& wire)
        : network(network), coordinator(coordinator), workers(workers), wire(wire), coordinatorSide(*this) {
      workerSides.reserve(workers.size());
      for (std::size_t m = 0; m < workers.size(); ++m) workerSides.emplace_back(*this, static_cast<int>(m));
    }
    void deliver(bool uplink, int worker, std::uint32_t slot) override {
      const auto index = static_cast<std::size_t>(worker);
      if (uplink)
        coordinator.onMessage(worker, up.take(slot), coordinatorSide);
      else
        workers[index]->onMessage(down.take(slot), workerSides[index]);
    }
    void deliverPeer(int from, int to, std::uint32_t slot) override {
      const auto index = static_cast<std::size_t>(to);
      workers[index]->onPeerMessage(from, up.take(slot), workerSides[index]);
    }
    void wake(int worker) override {
      const auto index = static_cast<std::size_t>(worker);
      workers[index]->onWake(workerSides[index]);
    }
    void discard(bool uplink, std::uint32_t slot) override { uplink ? up.release(slot) : down.release(slot); }

    VirtualNetwork& network;
    Coordinator& coordinator;
    std::vector<std::unique_ptr<Worker>>& workers;
    const Wire& wire;
    Slots<Down> down;
    Slots<Up> up;
    CoordinatorSide coordinatorSide;
    std::vector<WorkerSide> workerSides;
  };

  std::unique_ptr<Coordinator> m_coordinator;
  std::vector<std::unique_ptr<Worker>> m_workers;
  Wire m_wire;
  SimRunContext m_context;
  VirtualLinkOptions m_links;
  VirtualLinkOptions m_peerLinks;
};

}  // namespace distopt
