// The decentralized family's live driver (net/PROTOCOL.md §11), on real worker processes over
// loopback:
//   (a) random or truncated frames given to every parser, to a node's gossip intake, to a node role
//       (its coordinator messages and its peer socket) and to the coordinator role are refused and
//       counted, never a crash;
//   (b) live runs on a ring and on tori, in this process, end with x̄ equal to the simulator's for the
//       same seed (the synchronous rounds make the method deterministic given the seed), and per-edge
//       bytes at the sockets equal to (the simulator's exact encoded size + the 16-byte protocol
//       header) × messages, published as peer:J bandwidth samples;
//   (c) a slow node shapes the live run as it shapes the simulated one.
// The frames' round trips, live = simulator through distopt-run (loss, family metrics, one update per
// node and iteration) and a killed node are test_net_family_live_conformance's.
#include <QtTest>
#include <cmath>
#include <random>

#include "core/decentralized/decentralized_entries.hpp"
#include "core/decentralized/decentralized_setup.hpp"
#include "decentralized_live_support.hpp"
#include "live_test_support.hpp"
#include "net/families/decentralized/decentralized_live.hpp"
#include "net/families/decentralized/decentralized_messages.hpp"
#include "net/worker/worker_role.hpp"

using namespace distopt;
using namespace distopt::net;
using decentralized_live::p0Experiment;
using decentralized_live::sampleReport;
using nlohmann::json;

namespace {

/// A CoordinatorHost that records what the role sends and counts what it refuses.
class FakeHost final : public CoordinatorHost {
 public:
  explicit FakeHost(int n) : m_n(n) {}
  bool send(int worker, Message&& message) override {
    sent.emplace_back(worker, std::move(message));
    return true;
  }
  double now() const override { return 1.0; }
  int numWorkers() const override { return m_n; }
  bool alive(int) const override { return true; }
  std::size_t lastMessageBytes() const override { return 0; }
  std::size_t lastSentBytes() const override { return 0; }
  TelemetrySink& sink() override { return m_sink; }
  void countMalformed() override { ++malformed; }
  void refuse(const std::string& why) override {
    ++malformed;
    reasons.push_back(why);
  }

  std::vector<std::pair<int, Message>> sent;
  int malformed = 0;
  std::vector<std::string> reasons;  ///< of the refusals that came with one

 private:
  int m_n;
  TelemetrySink m_sink;
};

/// A WorkerHost for one node role in this process, recording what the node sends the coordinator.
class FakeWorkerHost final : public WorkerHost {
 public:
  FakeWorkerHost(const Experiment& experiment, const BuiltRun& built)
      : m_experiment(experiment), m_built(built) {}
  void send(Message&& message) override { sent.push_back(std::move(message)); }
  zmq::context_t& context() override { return m_context; }
  std::string coordinatorEndpoint() const override { return "tcp://127.0.0.1:5555"; }
  int workerId() const override { return 0; }
  double unitSeconds() const override { return 0.001; }
  const Experiment& experiment() const override { return m_experiment; }
  const BuiltRun& built() const override { return m_built; }
  void countMalformed() override { ++malformed; }
  void fail(const std::string& code, const std::string& message) override { failure = code + ": " + message; }

  std::vector<Message> sent;
  int malformed = 0;
  std::string failure;

 private:
  const Experiment& m_experiment;
  const BuiltRun& m_built;
  zmq::context_t m_context{1};
};

/// `message` with its frames replaced by `frames`.
Message withFrames(MessageKind kind, std::vector<std::string> frames) {
  Message message = Message::of(kind);
  for (const auto& frame : frames) message.payload.emplace_back(frame.data(), frame.size());
  return message;
}

std::string frameBytes(const zmq::message_t& frame) {
  return {static_cast<const char*>(frame.data()), frame.size()};
}

std::vector<std::string> framesOf(const Message& message) {
  std::vector<std::string> frames;
  for (const auto& frame : message.payload) frames.push_back(frameBytes(frame));
  return frames;
}

}  // namespace

class TestDecentralizedLive : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(live_test::kRunProgram).isExecutable(), "distopt-run is not built");
    QVERIFY2(QFileInfo(live_test::kWorkerProgram).isExecutable(), "distopt-worker is not built");
  }

  void malformedFramesAreRefused() {
    std::mt19937_64 random(11);
    auto randomBytes = [&](std::size_t size) {
      std::string bytes(size, '\0');
      for (auto& c : bytes) c = static_cast<char>(random() & 0xff);
      return bytes;
    };
    const NodeReport report = sampleReport(4, {0, 2});
    const Vector x = Vector::Constant(3, 1.0);
    const std::vector<Message> valid = [&] {
      std::vector<Message> list;
      list.push_back(makeDecStart({.iterations = 3, .reportEvery = 1, .alpha = 0.5}));
      list.push_back(makeDecEndpoint("tcp://127.0.0.1:9"));
      list.push_back(makeDecPeers({{0, "tcp://127.0.0.1:1"}}));
      list.push_back(makeDecProgress(report));
      list.push_back(makeDecState(report, x, &x, &x));
      return list;
    }();
    auto parseAny = [](const Message& message) {
      DecStart start;
      std::string endpoint;
      std::vector<PeerEndpoint> peers;
      NodeReport parsed;
      NodeStateVectors state;
      std::string why;
      bool ok = false;
      ok |= parseDecStart(message, &start, &why);
      ok |= parseDecEndpoint(message, &endpoint, &why);
      ok |= parseDecPeers(message, &peers, &why);
      ok |= parseDecReport(message, 3, true, &parsed, &state, &why);
      return ok;
    };
    int refused = 0;
    for (const auto& message : valid) {
      const auto frames = framesOf(message);
      // Every truncation of every frame, every frame dropped, one extra frame.
      for (std::size_t f = 0; f < frames.size(); ++f) {
        for (std::size_t cut = 0; cut < frames[f].size(); ++cut) {
          auto copy = frames;
          copy[f].resize(cut);
          refused += !parseAny(withFrames(message.kind, copy));
        }
        auto fewer = frames;
        fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(f));
        QVERIFY(!parseAny(withFrames(message.kind, fewer)));
      }
      auto more = frames;
      more.push_back("x");
      QVERIFY(!parseAny(withFrames(message.kind, more)));
      // Random frames of plausible sizes and random corruptions of the valid ones: never a crash.
      for (int trial = 0; trial < 300; ++trial) {
        auto copy = frames;
        for (auto& frame : copy) {
          if (trial % 2 == 0)
            frame = randomBytes(random() % (frame.size() + 16));
          else if (!frame.empty())
            frame[random() % frame.size()] = static_cast<char>(random() & 0xff);
        }
        (void)parseAny(withFrames(message.kind, copy));
      }
    }
    QVERIFY(refused > 100);

    // A node's gossip intake: truncated, corrupted and random gossip frames are refused.
    json document = p0Experiment("proxgt-sa", "ring", 0, 4, 3, 3);
    Experiment experiment = parseExperiment(document, ".");
    BuiltRun run = buildRun(experiment);
    const auto method = decentralizedMethodFromName("proxgt-sa");
    const DecentralizedSetup setup = makeDecentralizedSetup(
        run.familyContext, decentralizedRunOptions(*method, experiment.algorithm.params, run.familyContext));
    ProblemOracle oracle(*run.problem, run.shards[0]);
    auto node = makeGossipNode(setup, 0, oracle, run.familyContext.x0, 1);
    node->start();
    node->beginIteration();
    const auto gossip =
        encodeGossipMessage({.iteration = 0, .phase = GossipPhase::X, .round = 1, .sender = 1},
                            Vector::Constant(3, 0.5), VectorEncoding::DenseFloat64);
    for (std::size_t cut = 0; cut < gossip.size(); ++cut)
      QVERIFY(!node->receive(std::span<const std::uint8_t>(gossip.data(), cut)));
    for (int trial = 0; trial < 500; ++trial) {
      const std::string bytes = randomBytes(random() % 80);
      (void)node->receive(
          std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    }
    const auto stranger =
        encodeGossipMessage({.iteration = 0, .phase = GossipPhase::X, .round = 1, .sender = 2},
                            Vector::Constant(3, 0.5), VectorEncoding::DenseFloat64);
    QVERIFY2(!node->receive(stranger), "node 2 is not a neighbour of node 0 on a ring of 4");
    QVERIFY(node->receive(gossip));
    QVERIFY2(!node->receive(gossip), "a duplicate tag must be refused");

    // The coordinator role: every message that does not follow §11 is dropped and counted.
    document["engine"] = "live";
    Experiment liveExperiment = parseExperiment(document, ".");
    BuiltRun liveRun = buildRun(liveExperiment);
    auto role = makeDecentralizedCoordinator(liveExperiment, liveRun);
    FakeHost host(4);
    role->start(host);
    QCOMPARE(host.sent.size(), std::size_t{4});
    int fed = 0;
    role->onMessage(1, makeDecProgress(sampleReport(1, {0, 2})), host);  // before DEC_PEERS
    ++fed;
    role->onMessage(1, makeDecStart({}), host);  // a kind the coordinator never receives
    ++fed;
    for (int trial = 0; trial < 200; ++trial) {
      const MessageKind kinds[] = {MessageKind::DecEndpoint, MessageKind::DecProgress, MessageKind::DecState,
                                   MessageKind::DecGossip};
      role->onMessage(static_cast<int>(random() % 4),
                      withFrames(kinds[trial % 4], {randomBytes(random() % 120)}), host);
      ++fed;
    }
    QCOMPARE(host.malformed, fed);
    for (int i = 0; i < 4; ++i)
      role->onMessage(i, makeDecEndpoint("tcp://127.0.0.1:" + std::to_string(100 + i)), host);
    QCOMPARE(host.malformed, fed);
    QCOMPARE(host.sent.size(), std::size_t{8});  // DEC_PEERS to every node
    std::vector<PeerEndpoint> peers;
    QVERIFY(parseDecPeers(host.sent[4].second, &peers, nullptr));
    // Every other worker's endpoint: a node dials the ones it sends to.
    QVERIFY(
        (peers == std::vector<PeerEndpoint>{
                      {1, "tcp://127.0.0.1:101"}, {2, "tcp://127.0.0.1:102"}, {3, "tcp://127.0.0.1:103"}}));
    role->onMessage(0, makeDecEndpoint("tcp://127.0.0.1:1"), host);  // twice
    ++fed;
    role->onMessage(1, makeDecProgress(sampleReport(1, {0, 3})), host);  // wrong neighbours
    ++fed;
    role->onMessage(1, makeDecState(sampleReport(1, {0, 2}), Vector::Zero(4), nullptr, nullptr),
                    host);  // shape
    ++fed;
    const auto frames = framesOf(makeDecProgress(sampleReport(1, {0, 2})));
    for (std::size_t cut = 0; cut < frames[0].size(); ++cut) {
      host.reasons.clear();
      role->onMessage(1, withFrames(MessageKind::DecProgress, {frames[0].substr(0, cut)}), host);
      ++fed;
      // Refused with the decoder's reason, which the log and the control status show.
      QCOMPARE(host.reasons.size(), std::size_t{1});
      QVERIFY2(host.reasons[0].find("malformed") == std::string::npos && !host.reasons[0].empty(),
               host.reasons[0].c_str());
    }
    QCOMPARE(host.malformed, fed);
    role->onMessage(1, makeDecProgress(sampleReport(1, {0, 2})), host);
    QCOMPARE(host.malformed, fed);
    role->onMessage(1, makeDecProgress(sampleReport(1, {0, 2})), host);  // iteration did not advance
    QCOMPARE(host.malformed, fed + 1);
    QCOMPARE(role->iterations(), std::uint64_t{0});
  }

  void nodeRefusesMalformedMessages() {
    json document = p0Experiment("proxgt-sa", "ring", 0, 4, 3, 3);
    document["engine"] = "live";
    const Experiment experiment = parseExperiment(document, ".");
    const BuiltRun run = buildRun(experiment);
    FakeWorkerHost host(experiment, run);
    auto node = decentralizedLiveDriver().makeWorker(experiment, run, 0);
    int expected = 0;
    node->onMessage(makeDecPeers({{1, "tcp://127.0.0.1:1"}, {3, "tcp://127.0.0.1:3"}}),
                    host);                                                              // before START
    node->onMessage(makeDecProgress(sampleReport(1, {1, 3})), host);                    // not for a node
    node->onMessage(withFrames(MessageKind::DecStart, {"{\"iterations\": 3}"}), host);  // fields missing
    node->onMessage(makeDecStart({.iterations = 3, .reportEvery = 1, .alpha = -1.0}), host);
    expected += 4;
    QCOMPARE(host.malformed, expected);
    QVERIFY(host.sent.empty());
    node->onMessage(makeDecStart({.iterations = 3, .reportEvery = 1, .alpha = 0.1}), host);
    QVERIFY2(host.failure.empty(), host.failure.c_str());
    QCOMPARE(host.sent.size(), std::size_t{1});
    std::string endpoint;
    QVERIFY(parseDecEndpoint(host.sent[0], &endpoint, nullptr));
    QVERIFY2(endpoint.rfind("tcp://127.0.0.1:", 0) == 0, endpoint.c_str());
    node->onMessage(makeDecPeers({{1, "tcp://127.0.0.1:1"}, {2, "tcp://127.0.0.1:2"}}),
                    host);  // not everyone
    node->onMessage(
        makeDecPeers({{0, "tcp://127.0.0.1:1"}, {1, "tcp://127.0.0.1:1"}, {2, "tcp://127.0.0.1:2"}}),
        host);  // itself
    expected += 2;
    QCOMPARE(host.malformed, expected);
    // A second START waits with the first until the peers are known, then the node refuses it.
    node->onMessage(makeDecStart({.iterations = 3, .reportEvery = 1, .alpha = 0.1}), host);
    QCOMPARE(host.malformed, expected);
    node->onMessage(
        makeDecPeers({{1, "tcp://127.0.0.1:1"}, {2, "tcp://127.0.0.1:2"}, {3, "tcp://127.0.0.1:3"}}), host);
    ++expected;
    QElapsedTimer started;
    started.start();
    while (host.malformed < expected && started.elapsed() < 5000) {
      QTest::qWait(1);
      node->onDeadline(host);
    }
    QCOMPARE(host.malformed, expected);

    // Frames on the node's peer socket: random bytes, a foreign kind, truncated and non-neighbour gossip.
    zmq::context_t context(1);
    zmq::socket_t push(context, zmq::socket_type::push);
    push.set(zmq::sockopt::linger, 0);
    push.connect(endpoint);
    std::mt19937_64 random(5);
    auto sendFrames = [&](std::vector<std::string> frames) {
      for (std::size_t f = 0; f < frames.size(); ++f)
        push.send(zmq::buffer(frames[f]),
                  f + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    };
    const auto gossip =
        encodeGossipMessage({.iteration = 0, .phase = GossipPhase::X, .round = 1, .sender = 1},
                            Vector::Constant(3, 0.5), VectorEncoding::DenseFloat64);
    const std::string header = encodeHeader(Message::of(MessageKind::DecGossip));
    const std::string gossipBytes(gossip.begin(), gossip.end());
    const auto stranger =
        encodeGossipMessage({.iteration = 0, .phase = GossipPhase::X, .round = 1, .sender = 2},
                            Vector::Constant(3, 0.5), VectorEncoding::DenseFloat64);
    int sentFrames = 0;
    for (int trial = 0; trial < 50; ++trial) {
      std::string noise(random() % 64, '\0');
      for (auto& c : noise) c = static_cast<char>(random() & 0xff);
      sendFrames({noise});
      ++sentFrames;
    }
    sendFrames({encodeHeader(Message::of(MessageKind::DecStart)), gossipBytes});  // another kind
    sendFrames({header, gossipBytes.substr(0, 30)});                              // truncated
    sendFrames({header, gossipBytes, "extra"});                                   // a frame too many
    sendFrames({header, std::string(stranger.begin(), stranger.end())});          // not a neighbour
    sentFrames += 4;
    expected += sentFrames;
    std::vector<zmq::pollitem_t> items;
    QElapsedTimer timer;
    timer.start();
    while (host.malformed < expected && timer.elapsed() < 5000) {
      items.clear();
      node->pollItems(items);
      QCOMPARE(items.size(), std::size_t{1});
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(50));
      node->onPolled(items.data(), items.size(), host);
      node->onDeadline(host);
    }
    QCOMPARE(host.malformed, expected);
    QVERIFY(host.failure.empty());
  }

  void liveModelAndEdgeBytesMatchTheSimulator_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("graph");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("workers");
    QTest::addColumn<QString>("extra");
    QTest::newRow("ring 4, proxgt-sa") << "proxgt-sa"
                                       << "ring" << 0 << 4 << "{}";
    QTest::newRow("ring 4, proxgt-sr-e, chebyshev K=2, mixed tracker")
        << "proxgt-sr-e"
        << "ring" << 0 << 4 << R"({"mixer": "chebyshev", "gossip_rounds": 2, "tracker_init": "mixed"})";
    QTest::newRow("torus 2x3, dsgd") << "dsgd"
                                     << "torus" << 2 << 6 << "{}";
    QTest::newRow("torus 2x2, gt-dsgd cta, float32")
        << "gt-dsgd"
        << "torus" << 2 << 4 << R"({"order": "cta", "wire": "float32"})";
  }

  void liveModelAndEdgeBytesMatchTheSimulator() {
    QFETCH(QString, method);
    QFETCH(QString, graph);
    QFETCH(int, rows);
    QFETCH(int, workers);
    QFETCH(QString, extra);
    constexpr std::uint64_t kIterations = 6;
    json document = p0Experiment(method.toStdString(), graph.toStdString(), rows, workers, kIterations);
    document["algorithm"]["params"].update(json::parse(extra.toStdString()));

    const auto sim = decentralized_live::runSimulated(document);
    const auto live = decentralized_live::runLive(document, live_test::kWorkerProgram.toStdString());
    QVERIFY2(live.summary.termination == Termination::UpdateLimit, live.summary.terminationDetail.c_str());
    QCOMPARE(live.summary.updatesApplied, kIterations);
    QCOMPARE(live.summary.malformedDropped, std::uint64_t{0});
    // The summary's traffic is the gossip on both engines; live adds the reports its sockets carried.
    QVERIFY(sim.summary.bytesUplink > 0 && live.summary.bytesUplink > sim.summary.bytesUplink);
    QVERIFY(live.summary.bytesDownlink > sim.summary.bytesDownlink);

    // x̄: the same node roles, the same keyed samples, the same ascending-id mixing sums.
    QCOMPARE(live.model.size(), sim.model.size());
    const double difference = (live.model - sim.model).cwiseAbs().maxCoeff();
    qInfo("%s: |x̄_live - x̄_sim|_inf = %.3g after %llu iterations (%.2f s live)", qPrintable(method),
          difference, static_cast<unsigned long long>(kIterations), live.wallSeconds);
    QVERIFY2(difference <= 1e-12, std::to_string(difference).c_str());
    QVERIFY(sim.model.norm() > 0.0);

    // Per-edge bytes: the nodes count their gossip messages' exact encodings on both transports (the
    // §11.3 size: 20-byte tag + 8-byte vector prefix + coordinates), so live and simulated agree.
    const bool packed = extra.contains("cta");
    const auto wire = extra.contains("float32") ? VectorEncoding::DenseFloat32 : VectorEncoding::DenseFloat64;
    QCOMPARE(sim.messageSize,
             gossipMessageSize(static_cast<std::size_t>(sim.model.size()) * (packed ? 2 : 1), wire));
    QCOMPARE(live.edgeBytes.size(), sim.edgeBytes.size());
    for (const auto& [edge, simBytes] : sim.edgeBytes) {
      QVERIFY(simBytes > 0 && simBytes % sim.messageSize == 0);
      const std::uint64_t expected = simBytes;
      QVERIFY2(live.edgeBytes.count(edge), "edge missing live");
      QCOMPARE(live.edgeBytes.at(edge), expected);
      // The last peer:J sample of worker I carries the same count.
      std::uint64_t published = 0;
      for (const auto& sample : live.sink.bandwidth)
        if (sample.uplink && sample.worker == edge.first &&
            sample.kind == "peer:" + std::to_string(edge.second))
          published = sample.bytes;
      QCOMPARE(published, expected);
    }

    // Per-node metrics exist live (their values against the simulator's: the conformance harness).
    QVERIFY(!live.sink.evaluations.empty());
    const auto& liveMetrics = live.sink.evaluations.back().metrics;
    for (int i = 0; i < workers; ++i) QVERIFY(liveMetrics.count("node_consensus_error." + std::to_string(i)));
    if (method != "dsgd") QVERIFY(liveMetrics.count("tracker_consensus_error"));
  }

  void slowNodeShapesTheLiveRun() {
    // Node 2 of a ring of 4 computes 6x slower (time model TM-1 with h = list). Its emulated compute
    // bounds the live run from below as it bounds the simulated one, and its neighbours wait for it.
    json document = p0Experiment("proxgt-sa", "ring", 0, 4, 8);
    document["workers"]["time_model"] = {
        {"name", "fixed"}, {"params", {{"h", "list"}, {"times", {1.0, 1.0, 6.0, 1.0}}, {"c", 1.0}}}};
    document["workers"]["unit_ms"] = 4.0;
    const auto sim = decentralized_live::runSimulated(document);
    const auto live = decentralized_live::runLive(document, live_test::kWorkerProgram.toStdString());
    QVERIFY2(live.summary.termination == Termination::UpdateLimit, live.summary.terminationDetail.c_str());
    QVERIFY((live.model - sim.model).cwiseAbs().maxCoeff() <= 1e-12);
    const auto& liveMetrics = live.sink.evaluations.back().metrics;
    const auto& simMetrics = sim.sink.evaluations.back().metrics;
    qInfo("slow node: run time %.1f units live, %.1f simulated; compute %.2f / %.2f; wait %.2f / %.2f",
          live.summary.time, sim.summary.time, liveMetrics.at("compute_time"), simMetrics.at("compute_time"),
          liveMetrics.at("wait_time"), simMetrics.at("wait_time"));
    QVERIFY(sim.summary.time >= 6.0 * 8);
    QVERIFY2(live.summary.time >= 0.99 * sim.summary.time, std::to_string(live.summary.time).c_str());
    // Every local step lasts at least its emulated duration.
    QVERIFY(liveMetrics.at("compute_time") >= 0.99 * simMetrics.at("compute_time"));
    QVERIFY(simMetrics.at("wait_time") > 1.0);
    QVERIFY(liveMetrics.at("wait_time") >= 0.8 * simMetrics.at("wait_time"));
  }
};

QTEST_GUILESS_MAIN(TestDecentralizedLive)
#include "test_decentralized_live.moc"
