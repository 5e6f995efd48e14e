// The virtual network every family's simulator runs its roles on (core/transport/virtual_network.hpp),
// driven by a toy family whose roles record what reached them and when: the order of events (time,
// then worker), latency and a link's bandwidth, bytes counted when a message leaves (never for one that
// would leave after the end), a worker's failure told to the coordinator after the handler returned,
// messages already on their way to workers delivered at the end while the coordinator hears nothing
// more, a computing worker holding what reaches it until its result left, a coordinator that evaluates
// through its workers' messages (points taken as they complete, one more at the end, the summary saying
// so when the workers never answer it), workers talking to each other over their own links (a relay:
// latency, bandwidth, bytes as upload and download, a peer message waiting at a computing worker, a
// compute without a message that wakes its worker), and the same run twice giving the same record.
#include <QtTest>
#include <memory>
#include <string>
#include <vector>

#include "core/registry/registry.hpp"
#include "core/transport/virtual_network.hpp"
#include "sim_test_support.hpp"

using namespace distopt;

namespace {

/// `eval`: an evaluation request (1), or one the worker never answers (2).
struct Ping {
  std::uint64_t round = 0;
  std::uint64_t bytes = 100;
  int eval = 0;
};
struct Pong {
  std::uint64_t round = 0;
  bool eval = false;
};

/// What the toy roles saw, in order.
struct Record {
  std::vector<std::tuple<double, int, std::uint64_t>> coordinatorHeard;  ///< (time, worker, round)
  std::vector<int> workerHeard;  ///< the worker of each delivered ping
  std::vector<std::string> lost;
  int lostWhileHandling = 0;
  std::vector<double> workerHeardAt;  ///< the time of each delivered ping
};

/// Sends one Ping per worker, and the next one to a worker as soon as its Pong is in. `pingsAtStart`
/// pings go to each worker at once (for the link's queue).
class PingCoordinator final : public FamilyCoordinator<Ping, Pong> {
 public:
  PingCoordinator(Record& record, int workers, int pingsAtStart = 1)
      : m_record(record), m_workers(workers), m_pingsAtStart(pingsAtStart) {}
  void start(CoordinatorLink<Ping>& link) override {
    for (int m = 0; m < m_workers; ++m)
      for (int k = 0; k < m_pingsAtStart; ++k) link.send(m, Ping{});
  }
  void onMessage(int worker, Pong&& pong, CoordinatorLink<Ping>& link) override {
    if (pong.eval) {
      // The point of the oldest request: its time and updates, the pongs heard by now as its "loss".
      EvaluationPoint point;
      point.time = m_requests.front().time;
      point.updates = m_requests.front().updates;
      point.loss = static_cast<double>(m_record.coordinatorHeard.size());
      point.gradNormSq = 1.0 / (1.0 + point.loss);
      m_requests.erase(m_requests.begin());
      m_finished.push_back(point);
      return;
    }
    if (m_finishing) return;  // after the end: no more method traffic
    if (m_handling) ++m_record.lostWhileHandling;
    m_handling = true;
    m_record.coordinatorHeard.emplace_back(link.now(), worker, pong.round);
    ++m_iterations;
    link.send(worker, Ping{.round = pong.round + 1});
    m_handling = false;
  }
  void onWorkerLost(int worker, const std::string& reason, CoordinatorLink<Ping>& link) override {
    if (m_handling) ++m_record.lostWhileHandling;
    if (m_remote) return;
    m_record.lost.push_back(std::to_string(worker) + " " + reason);
    QVERIFY(!link.alive(worker));
    QVERIFY(!link.send(worker, Ping{}));  // dropped: the worker is gone
  }
  std::string name() const override { return "ping"; }
  std::uint64_t iterations() const override { return m_iterations; }
  std::uint64_t gradientEvaluations() const override { return m_iterations; }
  const Vector* model() const override { return nullptr; }  // nothing to evaluate here

  /// Evaluates by asking worker 0; `finalUnanswered`: the request at the end is one it never answers.
  void evaluateRemotely(bool finalUnanswered) {
    m_remote = true;
    m_finalUnanswered = finalUnanswered;
  }
  bool evaluatesRemotely() const override { return m_remote; }
  bool evaluationPending() const override { return !m_requests.empty(); }
  std::vector<EvaluationPoint> takeEvaluations() override { return std::exchange(m_finished, {}); }
  void requestEvaluation(const EvaluationRequest& request, bool atEnd, CoordinatorLink<Ping>& link) override {
    m_finishing = m_finishing || atEnd;
    m_requests.push_back(request);
    link.send(0, Ping{.bytes = 1, .eval = atEnd && m_finalUnanswered ? 2 : 1});
  }

 private:
  Record& m_record;
  int m_workers;
  int m_pingsAtStart;
  bool m_remote = false;
  bool m_finalUnanswered = false;
  bool m_finishing = false;
  std::vector<EvaluationRequest> m_requests;
  std::vector<EvaluationPoint> m_finished;
  std::uint64_t m_iterations = 0;
  bool m_handling = false;
};

/// Answers each Ping after (worker + 1) units of compute, or `fixedTau` when set; `failAtRound` ends it.
class PingWorker final : public FamilyWorker<Ping, Pong> {
 public:
  PingWorker(Record& record, double fixedTau = 0.0, std::uint64_t failAtRound = ~0ull)
      : m_record(record), m_fixedTau(fixedTau), m_failAtRound(failAtRound) {}
  void onMessage(Ping&& ping, WorkerLink<Pong>& link) override {
    if (ping.eval == 1) return link.send(Pong{.eval = true});  // answered at once, no compute
    if (ping.eval == 2) return;
    m_record.workerHeard.push_back(link.workerId());
    m_record.workerHeardAt.push_back(link.now());
    if (ping.round == m_failAtRound) {
      link.fail("diverged", "round " + std::to_string(ping.round));
      return;
    }
    const double tau = m_fixedTau > 0.0 ? m_fixedTau : link.workerId() + 1.0;
    link.sendAfterCompute(tau, Pong{.round = ping.round});
  }

 private:
  Record& m_record;
  double m_fixedTau;
  std::uint64_t m_failAtRound;
};

class PingRun final : public RolesOnVirtualNetwork<Ping, Pong> {
 public:
  using RolesOnVirtualNetwork::RolesOnVirtualNetwork;
};

/// A relay between workers (the peer links): the coordinator starts every worker; worker 0 computes 1
/// unit and hands a 50-byte token to worker 1, each worker passes it on to the next (ring) after 1 unit
/// of compute and tells the coordinator (0 bytes); `sleeper` first computes `sleep` units with no message
/// (wakeAfterCompute), so the token may reach it while it computes.
struct Go {};
struct Hop {
  int hops = 0;
  bool token = false;
};
struct RelayRecord {
  std::vector<std::tuple<double, int, int>> heard;  ///< (time, worker, hops) as the coordinator hears them
  std::vector<std::pair<double, int>> tokenAt;      ///< (time, worker) each token reached a role
  std::vector<double> wokeAt;
};

class RelayCoordinator final : public FamilyCoordinator<Go, Hop> {
 public:
  explicit RelayCoordinator(RelayRecord& record) : m_record(record) {}
  void start(CoordinatorLink<Go>& link) override {
    for (int m = 0; m < link.numWorkers(); ++m) link.send(m, Go{});
  }
  void onMessage(int worker, Hop&& hop, CoordinatorLink<Go>& link) override {
    if (hop.token) return link.countMalformed();
    m_record.heard.emplace_back(link.now(), worker, hop.hops);
    ++m_iterations;
  }
  void onWorkerLost(int, const std::string&, CoordinatorLink<Go>&) override {}
  std::string name() const override { return "relay"; }
  std::uint64_t iterations() const override { return m_iterations; }
  std::uint64_t gradientEvaluations() const override { return 0; }
  const Vector* model() const override { return nullptr; }

 private:
  RelayRecord& m_record;
  std::uint64_t m_iterations = 0;
};

class RelayWorker final : public FamilyWorker<Go, Hop> {
 public:
  RelayWorker(RelayRecord& record, int workers, int sleeper, double sleep)
      : m_record(record), m_workers(workers), m_sleeper(sleeper), m_sleep(sleep) {}
  void onMessage(Go&&, WorkerLink<Hop>& link) override {
    if (link.workerId() == m_sleeper) link.wakeAfterCompute(m_sleep);
    if (link.workerId() == 0) pass(0, link);
  }
  void onPeerMessage(int from, Hop&& hop, WorkerLink<Hop>& link) override {
    if (!hop.token || from != (link.workerId() + m_workers - 1) % m_workers) return link.countMalformed();
    m_record.tokenAt.emplace_back(link.now(), link.workerId());
    pass(hop.hops + 1, link);
  }
  void onWake(WorkerLink<Hop>& link) override { m_record.wokeAt.push_back(link.now()); }

 private:
  void pass(int hops, WorkerLink<Hop>& link) {
    link.sendAfterCompute(1.0, Hop{.hops = hops});
    link.sendToPeer((link.workerId() + 1) % m_workers, 1.0, Hop{.hops = hops, .token = true});
  }
  RelayRecord& m_record;
  int m_workers;
  int m_sleeper;
  double m_sleep;
};

class RelayRun final : public RolesOnVirtualNetwork<Go, Hop> {
 public:
  using RolesOnVirtualNetwork::RolesOnVirtualNetwork;
};

class BandwidthSink final : public TelemetrySink {
 public:
  void onUpdate(const UpdateEvent&) override {}
  void onEvaluation(const EvaluationPoint&) override {}
  void onFinish(const RunSummary&) override {}
  void onBandwidth(const BandwidthSample& sample) override { bandwidth.push_back(sample); }
  std::vector<BandwidthSample> bandwidth;
};

struct Setup {
  int workers = 3;
  RunRules rules;
  VirtualLinkOptions links;
  double fixedTau = 0.0;
  std::uint64_t failAtRound = ~0ull;
  int failingWorker = -1;
  int pingsAtStart = 1;
  bool remote = false;
  bool finalUnanswered = false;
};

class EvaluationSink final : public TelemetrySink {
 public:
  void onUpdate(const UpdateEvent&) override {}
  void onEvaluation(const EvaluationPoint& point) override { points.push_back(point); }
  std::vector<EvaluationPoint> points;
};

class Fixture {
 public:
  Fixture() {
    const ProblemEntry* quadratic = findProblem("quadratic");
    m_problem = quadratic->make(distopt::test::filled(quadratic->options, {{"d", 4}}),
                                ProblemBuildContext{.seed = 1});
  }

  /// The relay on `workers` workers, peer links `peers`, until `hops` hops are reported.
  RunSummary relay(RelayRecord& record, int workers, VirtualLinkOptions peers, std::uint64_t hops,
                   TelemetrySink& sink, int sleeper = -1, double sleep = 0.0) {
    SimRunContext context;
    context.problem = m_problem.get();
    context.numWorkers = workers;
    context.options.maxUpdates = hops;
    std::vector<std::unique_ptr<FamilyWorker<Go, Hop>>> roles;
    for (int m = 0; m < workers; ++m)
      roles.push_back(std::make_unique<RelayWorker>(record, workers, sleeper, sleep));
    RelayRun run(std::make_unique<RelayCoordinator>(record), std::move(roles),
                 {.down =
                      [](const Go&) {
                        return WireSize{0, "GO"};
                      },
                  .up =
                      [](const Hop& hop) {
                        return WireSize{hop.token ? 50u : 0u, "TOKEN"};
                      }},
                 context, {}, peers);
    return run.run(sink);
  }

  RunSummary run(const Setup& setup, Record& record, TelemetrySink* sinkOut = nullptr) {
    SimRunContext context;
    context.problem = m_problem.get();
    context.numWorkers = setup.workers;
    context.options = setup.rules;
    std::vector<std::unique_ptr<FamilyWorker<Ping, Pong>>> workers;
    for (int m = 0; m < setup.workers; ++m)
      workers.push_back(std::make_unique<PingWorker>(record, setup.fixedTau,
                                                     m == setup.failingWorker ? setup.failAtRound : ~0ull));
    auto coordinator = std::make_unique<PingCoordinator>(record, setup.workers, setup.pingsAtStart);
    if (setup.remote) coordinator->evaluateRemotely(setup.finalUnanswered);
    PingRun run(std::move(coordinator), std::move(workers),
                {.down =
                     [](const Ping& ping) {
                       return WireSize{ping.bytes, "PING"};
                     },
                 .up =
                     [](const Pong&) {
                       return WireSize{10, "PONG"};
                     }},
                context, setup.links);
    BandwidthSink local;
    TelemetrySink& sink = sinkOut ? *sinkOut : local;
    return run.run(sink);
  }

 private:
  std::unique_ptr<Problem> m_problem;
};

}  // namespace

class TestVirtualNetwork : public QObject {
  Q_OBJECT

 private slots:
  void eventsGoByTimeThenWorker() {
    Fixture fixture;
    Record record;
    Setup setup;
    setup.rules.maxUpdates = 6;
    const RunSummary summary = fixture.run(setup, record);
    QCOMPARE(summary.termination, Termination::UpdateLimit);
    QCOMPARE(summary.updatesApplied, std::uint64_t{6});
    // Worker m answers after m + 1 units: worker 0 at 1, 2, 3, ...; worker 1 at 2, 4; worker 2 at 3.
    // At t = 2 worker 0 (its second pong) goes before worker 1; at t = 3 worker 0 before worker 2.
    const std::vector<std::tuple<double, int, std::uint64_t>> expected = {
        {1.0, 0, 0}, {2.0, 0, 1}, {2.0, 1, 0}, {3.0, 0, 2}, {3.0, 2, 0}, {4.0, 0, 3}};
    QCOMPARE(record.coordinatorHeard, expected);
    QCOMPARE(summary.time, 4.0);
  }

  void latencyAndBandwidthDelayArrivals() {
    Fixture fixture;
    Record record;
    Setup setup;
    setup.workers = 1;
    setup.fixedTau = 1.0;
    setup.pingsAtStart = 2;
    setup.rules.maxUpdates = 2;
    setup.links = {.latency = 0.5, .bytesPerUnit = 100.0};
    fixture.run(setup, record);
    // Two 100-byte pings leave at 0 on one link: the first is sent by 1 and arrives at 1.5, the second
    // queues behind it (sent by 2, arrives at 2.5). Each pong (10 bytes) takes 0.1 + 0.5.
    QCOMPARE(record.coordinatorHeard.size(), std::size_t{2});
    QCOMPARE(std::get<0>(record.coordinatorHeard[0]), 1.5 + 1.0 + 0.1 + 0.5);
    QCOMPARE(std::get<0>(record.coordinatorHeard[1]), 2.5 + 1.0 + 0.1 + 0.5);
  }

  void bytesAreCountedWhenMessagesLeave() {
    Fixture fixture;
    Record record;
    BandwidthSink sink;
    Setup setup;
    setup.workers = 2;
    setup.fixedTau = 4.0;
    setup.rules.horizon = 10.0;
    const RunSummary summary = fixture.run(setup, record, &sink);
    QCOMPARE(summary.termination, Termination::TimeLimit);
    // Pongs leave at 4 and 8 from each worker (counted); the ones due at 12 never leave.
    QCOMPARE(summary.bytesUplink, std::uint64_t{2 * 2 * 10});
    // Pings leave at 0, 4 and 8 to each worker, all before the end.
    QCOMPARE(summary.bytesDownlink, std::uint64_t{2 * 3 * 100});
    // The bandwidth samples account for every counted byte, per worker, direction and kind.
    std::map<std::tuple<int, bool, std::string>, std::uint64_t> last;
    for (const auto& sample : sink.bandwidth)
      last[{sample.worker, sample.uplink, sample.kind}] = sample.bytes;
    std::uint64_t up = 0;
    std::uint64_t down = 0;
    for (const auto& [key, bytes] : last) (std::get<1>(key) ? up : down) += bytes;
    QCOMPARE(up, summary.bytesUplink);
    QCOMPARE(down, summary.bytesDownlink);
  }

  void aFailedWorkerIsToldAfterItsHandler() {
    Fixture fixture;
    Record record;
    Setup setup;
    setup.failingWorker = 1;
    setup.failAtRound = 1;
    setup.rules.maxUpdates = 8;
    const RunSummary summary = fixture.run(setup, record);
    QCOMPARE(record.lost, (std::vector<std::string>{"1 diverged: round 1"}));
    QCOMPARE(record.lostWhileHandling, 0);
    // The others go on: worker 1 never answers again.
    for (const auto& [time, worker, round] : record.coordinatorHeard) QVERIFY(worker != 1 || round == 0);
    QCOMPARE(summary.termination, Termination::UpdateLimit);
  }

  void messagesOnTheirWayToWorkersArriveAtTheEnd() {
    Fixture fixture;
    Record record;
    Setup setup;
    setup.workers = 2;
    setup.fixedTau = 1.0;
    setup.rules.maxUpdates = 2;
    auto summary = fixture.run(setup, record);
    QCOMPARE(summary.termination, Termination::UpdateLimit);
    // Both pongs of round 0 arrive at 1; the second one spends the budget. The pings sent at 1 still
    // reach both workers (4 deliveries in all), and their pongs (due at 2) are neither heard nor counted.
    QCOMPARE(record.workerHeard.size(), std::size_t{4});
    QCOMPARE(record.coordinatorHeard.size(), std::size_t{2});
    QCOMPARE(summary.bytesUplink, std::uint64_t{2 * 10});
  }

  void aComputingWorkerHoldsWhatReachesIt() {
    Fixture fixture;
    Record record;
    Setup setup;
    setup.workers = 1;
    setup.fixedTau = 1.0;
    setup.pingsAtStart = 3;
    setup.rules.maxUpdates = 3;
    fixture.run(setup, record);
    // Three pings arrive at 0; the worker computes one at a time: the second is handed over when the
    // first pong left (1), the third at 2, and the pongs arrive at 1, 2 and 3. The ping the coordinator
    // answered the first pong with (sent at 1) waited behind them and is handed over at 3, the end.
    QCOMPARE(record.workerHeardAt, (std::vector<double>{0.0, 1.0, 2.0, 3.0}));
    std::vector<double> heard;
    for (const auto& entry : record.coordinatorHeard) heard.push_back(std::get<0>(entry));
    QCOMPARE(heard, (std::vector<double>{1.0, 2.0, 3.0}));
  }

  void aRemoteEvaluationIsAskedAndTaken() {
    Fixture fixture;
    Record record;
    EvaluationSink sink;
    Setup setup;
    setup.workers = 1;
    setup.fixedTau = 1.0;
    setup.remote = true;
    setup.rules.maxUpdates = 6;
    setup.rules.evalEveryUpdates = 2;
    const RunSummary summary = fixture.run(setup, record, &sink);
    QCOMPARE(summary.termination, Termination::UpdateLimit);
    QVERIFY2(summary.terminationDetail.empty(), summary.terminationDetail.c_str());
    // Asked at 0 and after updates 2, 4 and 6 (their request's time and updates), then once more at
    // the end: that request waits behind the ping the worker is computing (its pong, due at 7, is
    // ignored) and carries the end's time, 6, not the 7 it completed at.
    std::vector<std::pair<double, std::uint64_t>> points;
    for (const auto& point : sink.points) points.emplace_back(point.time, point.updates);
    const std::vector<std::pair<double, std::uint64_t>> expected = {
        {0.0, 0}, {2.0, 2}, {4.0, 4}, {6.0, 6}, {6.0, 6}};
    QCOMPARE(points, expected);
    QCOMPARE(sink.points.back().loss, 6.0);  // the ignored pong at 7 is not heard
    QCOMPARE(summary.time, 6.0);
  }

  void aRemotePointThatMeetsTheTargetEndsTheRun() {
    Fixture fixture;
    Record record;
    EvaluationSink sink;
    Setup setup;
    setup.workers = 1;
    setup.fixedTau = 1.0;
    setup.remote = true;
    setup.rules.maxUpdates = 50;
    setup.rules.evalEveryUpdates = 2;
    // Met by the first point whose answer comes after 3 pongs: the one asked at 2, answered at 3 once
    // the ping being computed left. The run ends there, not at its update limit.
    setup.rules.targetGradNormSq = 0.3;
    const RunSummary summary = fixture.run(setup, record, &sink);
    QCOMPARE(summary.termination, Termination::TargetReached);
    QCOMPARE(summary.updatesApplied, std::uint64_t{3});
    QVERIFY(summary.timeToTarget.has_value());
    QCOMPARE(*summary.timeToTarget, 2.0);
  }

  void aFinalRemoteEvaluationNeverAnsweredIsSaid() {
    Fixture fixture;
    Record record;
    EvaluationSink sink;
    Setup setup;
    setup.workers = 1;
    setup.fixedTau = 1.0;
    setup.remote = true;
    setup.finalUnanswered = true;
    setup.rules.maxUpdates = 3;
    const RunSummary summary = fixture.run(setup, record, &sink);
    QCOMPARE(summary.termination, Termination::UpdateLimit);
    QVERIFY2(summary.terminationDetail.find("final evaluation incomplete") != std::string::npos,
             summary.terminationDetail.c_str());
    QCOMPARE(sink.points.size(), std::size_t{1});  // the one at 0
  }

  void theSameRunTwiceIsTheSameRun() {
    Fixture fixture;
    Record first;
    Record second;
    Setup setup;
    setup.workers = 4;
    setup.rules.maxUpdates = 40;
    setup.links = {.latency = 0.25, .bytesPerUnit = 300.0};
    const RunSummary a = fixture.run(setup, first);
    const RunSummary b = fixture.run(setup, second);
    QCOMPARE(first.coordinatorHeard, second.coordinatorHeard);
    QCOMPARE(a.bytesUplink, b.bytesUplink);
    QCOMPARE(a.time, b.time);
  }

  void workersTalkOverTheirOwnLinks() {
    Fixture fixture;
    RelayRecord record;
    BandwidthSink sink;
    // Each hop: 1 unit of compute, then 50 bytes at 100 bytes/unit (0.5) plus 0.25 latency on the link.
    const RunSummary summary = fixture.relay(record, 3, {.latency = 0.25, .bytesPerUnit = 100.0}, 4, sink);
    QCOMPARE(summary.termination, Termination::UpdateLimit);
    const std::vector<std::pair<double, int>> tokens = {{1.75, 1}, {3.5, 2}, {5.25, 0}};
    QCOMPARE(record.tokenAt, tokens);
    // The reports (coordinator links free) arrive when each compute ends.
    const std::vector<std::tuple<double, int, int>> heard = {
        {1.0, 0, 0}, {2.75, 1, 1}, {4.5, 2, 2}, {6.25, 0, 3}};
    QCOMPARE(record.heard, heard);
    // A token is its sender's upload and its receiver's download; the reports cost nothing here. The
    // fourth token left at 6.25 with the report that spent the budget.
    QCOMPARE(summary.bytesUplink, std::uint64_t{4 * 50});
    QCOMPARE(summary.bytesDownlink, std::uint64_t{4 * 50});
    // Charting them is the family's (no coordinator sees them live): the network samples none.
    for (const auto& sample : sink.bandwidth) QVERIFY(sample.kind != "TOKEN");
  }

  void aComputingWorkerHoldsAPeerMessageAndWakes() {
    Fixture fixture;
    RelayRecord record;
    BandwidthSink sink;
    // Worker 1 computes 5 units with no message from 0: the token reaching it at 1 waits until then.
    fixture.relay(record, 3, {}, 3, sink, 1, 5.0);
    QCOMPARE(record.wokeAt, (std::vector<double>{5.0}));
    // The last token leaves at 7 with the report that ends the run and still arrives, as on a socket.
    const std::vector<std::pair<double, int>> tokens = {{5.0, 1}, {6.0, 2}, {7.0, 0}};
    QCOMPARE(record.tokenAt, tokens);
    QCOMPARE(std::get<0>(record.heard.back()), 7.0);
  }

  void linkOptionsAreChecked() {
    std::string why;
    QVERIFY(VirtualLinkOptions{}.isValid(&why));
    QVERIFY(!VirtualLinkOptions{.latency = -1.0}.isValid(&why));
    QVERIFY(why.find("latency") != std::string::npos);
    QVERIFY(!VirtualLinkOptions{.bytesPerUnit = std::numeric_limits<double>::quiet_NaN()}.isValid(&why));
    QVERIFY(why.find("bandwidth") != std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TestVirtualNetwork)
#include "test_virtual_network.moc"
