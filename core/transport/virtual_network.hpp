#pragma once
// The virtual network: a family's roles (core/transport/role_links.hpp) run in virtual time, one
// process, deterministic. It is the family's simulator: the same role code runs live on ZeroMQ.
//
// Events are ordered by (time, worker, posting order), so two runs with one seed give the same bytes,
// the same iterates and the same telemetry. A message leaves its sender when posted (a worker's result
// only when its emulated compute ends), is counted then (bytes as the family's wire size says: the
// encoded sizes its papers count), and arrives after the link's latency and its transfer time (a link
// carries `bytesPerUnit`; messages on one link and direction queue behind each other).
//
// The run ledger is the simulator's one: stop rules (core/run/run_rules.hpp, the same stopRule the live
// engines use), the evaluation grid walked in virtual time before each event (core/run/evaluation_grid),
// divergence, targets, traffic samples per worker, direction and kind, and the summary.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "core/run/evaluation_grid.hpp"
#include "core/sim/divergence.hpp"
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

/// The event queue, the links' clocks and the run ledger; knows nothing of a family's message types
/// (RolesOnVirtualNetwork below types them).
class VirtualNetwork {
 public:
  using Delivery = std::function<void()>;

  /// What the ledger drives: the coordinator's state, its start, and worker losses.
  struct Roles {
    CoordinatorState* state = nullptr;
    std::function<void()> start;
    std::function<void(int worker, const std::string& reason)> workerLost;
  };

  VirtualNetwork(const SimRunContext& context, const VirtualLinkOptions& links, TelemetrySink& sink);

  double now() const { return m_now; }
  int numWorkers() const { return m_context.numWorkers; }
  bool alive(int worker) const;
  /// Posts a message on worker `worker`'s link (`uplink`: from it, else to it) that leaves at
  /// `leaveTime` (>= now); `deliver` runs when it arrives. A message to a worker that is gone by then is
  /// dropped; one from a worker that failed after sending it still arrives.
  void post(double leaveTime, int worker, bool uplink, WireSize size, Delivery deliver);
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
  struct Event {
    double time = 0.0;
    int worker = 0;
    std::uint64_t seq = 0;
    bool leaving = false;  ///< the message leaves its sender now (counted), else it arrives
    bool uplink = false;
    WireSize size;
    Delivery deliver;
  };
  static bool later(const Event& a, const Event& b);
  void push(Event event);
  Event pop();
  /// Counts a message leaving now and queues its arrival.
  void depart(Event event);
  /// Handles the next event; true when it delivered a message to the coordinator.
  bool handleNext(bool coordinatorListens);
  void processLosses(const Roles& roles);
  Verdict evaluate(CoordinatorState& role, double time);
  void flushTraffic(double time);
  BudgetFacts spent(const CoordinatorState& role) const;
  int aliveCount() const;

  const SimRunContext& m_context;
  VirtualLinkOptions m_links;
  TelemetrySink& m_sink;
  RunTally m_tally;
  TallyingSink m_roleSink;
  DivergenceWatch m_divergence;
  std::vector<Event> m_queue;  ///< a heap by later()
  std::uint64_t m_seq = 0;
  double m_now = 0.0;
  std::vector<double> m_linkFreeUp;
  std::vector<double> m_linkFreeDown;
  std::vector<bool> m_alive;
  std::vector<std::pair<int, std::string>> m_losses;
  std::size_t m_lastMessageBytes = 0;
  std::uint64_t m_malformed = 0;
  struct Traffic {
    std::uint64_t bytes = 0;
    std::uint64_t messages = 0;
    bool changed = false;
  };
  std::map<std::tuple<int, bool, std::string>, Traffic> m_traffic;
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
  RolesOnVirtualNetwork(std::unique_ptr<Coordinator> coordinator, std::vector<std::unique_ptr<Worker>> workers,
                        Wire wire, SimRunContext context, VirtualLinkOptions links = {})
      : m_coordinator(std::move(coordinator)),
        m_workers(std::move(workers)),
        m_wire(std::move(wire)),
        m_context(std::move(context)),
        m_links(links) {}

  RunSummary run(TelemetrySink& sink) override {
    VirtualNetwork network(m_context, m_links, sink);
    CoordinatorSide coordinatorSide(network, *m_coordinator, m_wire);
    std::vector<WorkerSide> workerSides;
    workerSides.reserve(m_workers.size());  // the sides' addresses are captured in deliveries
    for (std::size_t m = 0; m < m_workers.size(); ++m)
      workerSides.emplace_back(network, *m_workers[m], coordinatorSide, static_cast<int>(m), m_wire);
    coordinatorSide.workers = &workerSides;
    VirtualNetwork::Roles roles{
        .state = m_coordinator.get(),
        .start = [&] { m_coordinator->start(coordinatorSide); },
        .workerLost = [&](int worker, const std::string& reason) {
          m_coordinator->onWorkerLost(worker, reason, coordinatorSide);
        }};
    return network.run(roles, [this] { return stopRequested(); });
  }

  /// The roles, for tests (final state after run()).
  const Coordinator& coordinatorRole() const { return *m_coordinator; }
  const Worker& workerRole(int m) const { return *m_workers[static_cast<std::size_t>(m)]; }

 private:
  struct WorkerSide;

  struct CoordinatorSide final : CoordinatorLink<Down> {
    CoordinatorSide(VirtualNetwork& network, Coordinator& role, const Wire& wire)
        : network(network), role(role), wire(wire) {}
    bool send(int worker, Down&& message) override {
      if (!network.alive(worker)) return false;
      WireSize size = wire.down(message);
      auto carried = std::make_shared<Down>(std::move(message));
      WorkerSide* side = &(*workers)[static_cast<std::size_t>(worker)];
      network.post(network.now(), worker, false, std::move(size),
                   [side, carried] { side->role.onMessage(std::move(*carried), *side); });
      return true;
    }
    double now() const override { return network.now(); }
    int numWorkers() const override { return network.numWorkers(); }
    bool alive(int worker) const override { return network.alive(worker); }
    std::size_t lastMessageBytes() const override { return network.lastMessageBytes(); }
    TelemetrySink& sink() override { return network.roleSink(); }
    void countMalformed() override { network.countMalformed(); }

    VirtualNetwork& network;
    Coordinator& role;
    const Wire& wire;
    std::vector<WorkerSide>* workers = nullptr;
  };

  struct WorkerSide final : WorkerLink<Up> {
    WorkerSide(VirtualNetwork& network, Worker& role, CoordinatorSide& coordinator, int id, const Wire& wire)
        : network(network), role(role), coordinator(&coordinator), id(id), wire(&wire) {}
    int workerId() const override { return id; }
    void send(Up&& message) override { sendAt(network.now(), std::move(message)); }
    void sendAfterCompute(double tauUnits, Up&& message) override {
      sendAt(network.now() + tauUnits, std::move(message));
    }
    double computeSeconds() const override { return 0.0; }
    void fail(const std::string& code, const std::string& message) override {
      network.workerFailed(id, code + ": " + message);
    }
    void countMalformed() override { network.countMalformed(); }

    void sendAt(double time, Up&& message) {
      WireSize size = wire->up(message);
      auto carried = std::make_shared<Up>(std::move(message));
      network.post(time, id, true, std::move(size), [to = coordinator, from = id, carried] {
        to->role.onMessage(from, std::move(*carried), *to);
      });
    }

    VirtualNetwork& network;
    Worker& role;
    CoordinatorSide* coordinator;
    int id;
    const Wire* wire;
  };

  std::unique_ptr<Coordinator> m_coordinator;
  std::vector<std::unique_ptr<Worker>> m_workers;
  Wire m_wire;
  SimRunContext m_context;
  VirtualLinkOptions m_links;
};

}  // namespace distopt
