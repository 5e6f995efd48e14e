// docs/papers.md, decentralized-proxgt §6 oracles 5 and 7-17 on the node roles and the simulator, plus E0 and
// the bandwidth accounting of E8.
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <deque>

#include "core/decentralized/decentralized_entries.hpp"
#include "core/decentralized/prox.hpp"
#include "decentralized_test_support.hpp"

using namespace distopt;
using namespace distopt::test;

namespace {

// A node that only mixes: one mixing call of its value per iteration (oracle 5).
class MixOnlyNode final : public GossipNode {
 public:
  MixOnlyNode(NodeConfig config, Vector value) : GossipNode(std::move(config)), m_value(std::move(value)) {}
  std::string name() const override { return "mix-only"; }
  const Vector& x() const override { return m_value; }

 protected:
  std::optional<MixRequest> onStart(LocalWork&) override { return std::nullopt; }
  MixRequest onIterationBegin(LocalWork&) override { return {GossipPhase::X, m_value}; }
  std::optional<MixRequest> onMixed(GossipPhase, Vector mixed, LocalWork&) override {
    m_value = std::move(mixed);
    return std::nullopt;
  }

 private:
  Vector m_value;
};

// Records every sample-gradient request (oracle 14).
class LoggingOracle final : public SampleOracle {
 public:
  struct Call {
    Vector x;
    std::vector<std::int64_t> ids;
  };
  explicit LoggingOracle(SampleOracle& inner) : m_inner(inner) {}
  std::int64_t localSamples() const override { return m_inner.localSamples(); }
  void drawSamples(std::int64_t count, RandomStream& stream, std::vector<std::int64_t>& ids) const override {
    m_inner.drawSamples(count, stream, ids);
  }
  void sampleGradient(const Vector& x, const std::vector<std::int64_t>& ids, Vector& out) override {
    calls.push_back({x, ids});
    m_inner.sampleGradient(x, ids, out);
  }
  void fullGradient(const Vector& x, Vector& out) override {
    calls.push_back({x, {}});
    m_inner.fullGradient(x, out);
  }
  std::vector<Call> calls;

 private:
  SampleOracle& m_inner;
};

NetworkOptions networkOf(GraphKind graph, MixerKind mixer, int rounds) {
  NetworkOptions options;
  options.graph.kind = graph;
  options.mixer = mixer;
  options.rounds = rounds;
  return options;
}

Vector average(const std::vector<std::unique_ptr<GossipNode>>& nodes) {
  Vector mean = Vector::Zero(nodes.front()->x().size());
  for (const auto& node : nodes) mean += node->x();
  return mean / static_cast<double>(nodes.size());
}

std::vector<std::unique_ptr<GossipNode>> proxGtNodes(NodeFixture& fixture, ProxGtNode::Options options,
                                                     std::uint64_t seed = 9) {
  std::vector<std::unique_ptr<GossipNode>> nodes;
  for (int i = 0; i < static_cast<int>(fixture.oracles.size()); ++i)
    nodes.push_back(std::make_unique<ProxGtNode>(fixture.config(i), options,
                                                 *fixture.oracles[static_cast<std::size_t>(i)], *fixture.prox,
                                                 fixture.x0(), seed));
  return nodes;
}

}  // namespace

class TestDecentralized : public QObject {
  Q_OBJECT

 private slots:
  // ---- prox and metrics (oracles 7, 8) ----
  void softThresholdIsOptimal() {
    Vector z(7);
    z << 1.5, -0.2, 0.0, -3.0, 0.3, 0.29, -0.31;
    const double tau = 0.3;
    Vector p;
    softThreshold(z, tau, p);
    for (Eigen::Index k = 0; k < z.size(); ++k) {
      if (p[k] != 0.0) {
        QVERIFY(std::abs(z[k] - p[k] - tau * (p[k] > 0 ? 1.0 : -1.0)) < 1e-15);
      } else {
        QVERIFY(std::abs(z[k]) <= tau);
      }
    }
    ProxOperator box({.kind = RegularizerKind::Box, .l1 = 0.0, .lower = -0.5, .upper = 1.0}, nullptr);
    Vector out;
    box.apply(z, 0.7, out);
    QVERIFY(out.maxCoeff() <= 1.0 && out.minCoeff() >= -0.5);
    Vector feasible(3);
    feasible << -0.5, 0.2, 1.0;
    box.apply(feasible, 0.7, out);
    QCOMPARE(out, feasible);
    QCOMPARE(box.extraValue(feasible), 0.0);
    QVERIFY(std::isinf(box.extraValue(z)));
    ProxOperator l1Box({.kind = RegularizerKind::L1Box, .l1 = 1.0, .lower = -0.5, .upper = 1.0}, nullptr);
    l1Box.apply(z, 0.3, out);
    Vector expected;
    softThreshold(z, 0.3, expected);
    expected = expected.array().max(-0.5).min(1.0);
    QCOMPARE(out, expected);
    // Brute-force check of each 1-D subproblem of L1 + box.
    for (Eigen::Index k = 0; k < z.size(); ++k) {
      double best = 0.0, bestValue = 1e300;
      for (int s = 0; s <= 30000; ++s) {
        const double u = -0.5 + 1.5 * s / 30000.0;
        const double value = 0.3 * std::abs(u) + 0.5 * (u - z[k]) * (u - z[k]);
        if (value < bestValue) bestValue = value, best = u;
      }
      QVERIFY(std::abs(best - out[k]) < 1e-4);
    }
  }

  void proxGradientMappingVanishesAtTheLassoSolution() {
    // F = ½(x − a)², h = λ|x|: the solution is soft-threshold(a, λ).
    const double a = 0.8, lambda = 0.3;
    ProxOperator l1({.kind = RegularizerKind::L1, .l1 = lambda}, nullptr);
    Vector x(1), g(1), mapping;
    x[0] = a - lambda;
    g[0] = x[0] - a;
    for (double beta : {0.1, 1.0, 3.0}) {
      proxGradientMapping(l1, x, g, beta, mapping);
      QVERIFY(std::abs(mapping[0]) < 1e-15);
    }
    x[0] = 0.1;  // not a solution
    g[0] = x[0] - a;
    proxGradientMapping(l1, x, g, 1.0, mapping);
    QVERIFY(std::abs(mapping[0]) > 0.1);
    ProxOperator none({.kind = RegularizerKind::None}, nullptr);
    Vector gradient(3);
    gradient << 0.3, -1.0, 2.0;
    proxGradientMapping(none, Vector::Ones(3), gradient, 0.25, mapping);
    QVERIFY((mapping - gradient).norm() < 1e-15);
  }

  void messagesRoundTrip() {
    Vector payload(5);
    payload << 1.0, -2.5, 3.25, 0.0, 1e-300;
    const GossipTag tag{.iteration = 123456789012ULL, .phase = GossipPhase::Y, .round = 17, .sender = 42};
    const auto bytes = encodeGossipMessage(tag, payload, VectorEncoding::DenseFloat64);
    QCOMPARE(bytes.size(), kGossipHeaderSize + kVectorPrefixSize + 5 * 8);
    GossipTag decoded;
    Vector out;
    std::string why;
    QVERIFY(decodeGossipMessage(bytes, 5, decoded, out, &why));
    QVERIFY(decoded == tag);
    QCOMPARE(out, payload);
    QVERIFY(!decodeGossipMessage(bytes, 4, decoded, out, &why));
    auto broken = bytes;
    broken[0] = 'X';
    QVERIFY(!decodeGossipMessage(broken, 5, decoded, out, &why));
    QVERIFY(!decodeGossipMessage(std::span(bytes).first(10), 5, decoded, out, &why));
    QCOMPARE(gossipMessageSize(5, VectorEncoding::DenseFloat32), kGossipHeaderSize + kVectorPrefixSize + 20);
  }

  // ---- oracle 5 and the ring-4 example through the node protocol; arrival order (oracle 16) ----
  void distributedRoundsEqualTheDenseProduct() {
    for (GraphKind graph : {GraphKind::Ring, GraphKind::Star, GraphKind::ErdosRenyi, GraphKind::Torus}) {
      for (MixerKind mixer : {MixerKind::Plain, MixerKind::Chebyshev, MixerKind::FastMix}) {
        for (int rounds : {1, 2, 5}) {
          NetworkOptions options = networkOf(graph, mixer, rounds);
          options.graph.nodes = 12;
          options.graph.edgeProbability = 0.3;
          const Network network = buildNetwork(options, "params");
          Matrix u(12, 3);
          for (int i = 0; i < 12; ++i) u.row(i) << std::sin(i + 1.0), i * i - 3.0, 1.0 / (i + 1);
          const Matrix expected = applyGossip(network.w, network.plan, u);

          // Random delivery order with early messages buffered: each node completes its round as soon
          // as it can and its next message goes into the shared pool at once.
          std::vector<std::unique_ptr<GossipNode>> nodes;
          for (int i = 0; i < 12; ++i)
            nodes.push_back(std::make_unique<MixOnlyNode>(
                nodeConfigFor(network.w, i, network.plan, VectorEncoding::DenseFloat64),
                Vector(u.row(i).transpose())));
          struct Pending {
            int to;
            std::vector<std::uint8_t> bytes;
          };
          std::vector<Pending> pool;
          auto post = [&](int i) {
            for (int j : nodes[static_cast<std::size_t>(i)]->config().neighbours)
              pool.push_back({j, nodes[static_cast<std::size_t>(i)]->outgoing()});
          };
          for (int i = 0; i < 12; ++i) {
            nodes[static_cast<std::size_t>(i)]->start();
            nodes[static_cast<std::size_t>(i)]->beginIteration();
            post(i);
          }
          RandomStream order = RandomStream::fromSeed(77 + rounds);
          while (!pool.empty()) {
            const auto pick = static_cast<std::size_t>(order.uniformInt(pool.size()));
            Pending message = std::move(pool[pick]);
            pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(pick));
            auto& node = nodes[static_cast<std::size_t>(message.to)];
            QVERIFY(node->receive(message.bytes));
            while (node->roundComplete()) {
              node->completeRound();
              if (node->exchanging()) post(message.to);
            }
          }
          for (int i = 0; i < 12; ++i) {
            QVERIFY(nodes[static_cast<std::size_t>(i)]->idle());
            QVERIFY((nodes[static_cast<std::size_t>(i)]->x() - expected.row(i).transpose())
                        .cwiseAbs()
                        .maxCoeff() < 1e-12);
            QCOMPARE(nodes[static_cast<std::size_t>(i)]->counters().rounds,
                     static_cast<std::uint64_t>(network.plan.rounds));
          }
          // The average is fixed.
          QVERIFY((average(nodes) - u.colwise().mean().transpose()).cwiseAbs().maxCoeff() < 1e-12);
        }
      }
    }
  }

  void ringFourExampleThroughNodes() {
    NetworkOptions options = networkOf(GraphKind::Ring, MixerKind::Chebyshev, 0);
    options.graph.nodes = 4;
    options.weights = WeightRule::Uniform;
    const double expectedByK[3][4] = {{4.0 / 3, 4.0 / 3, 0, 4.0 / 3},
                                      {20.0 / 17, 16.0 / 17, 16.0 / 17, 16.0 / 17},
                                      {100.0 / 99, 100.0 / 99, 96.0 / 99, 100.0 / 99}};
    for (int k = 1; k <= 3; ++k) {
      options.rounds = k;
      const Network network = buildNetwork(options, "params");
      std::vector<std::unique_ptr<GossipNode>> nodes;
      for (int i = 0; i < 4; ++i)
        nodes.push_back(std::make_unique<MixOnlyNode>(
            nodeConfigFor(network.w, i, network.plan, VectorEncoding::DenseFloat64),
            Vector::Constant(1, i == 0 ? 4.0 : 0.0)));
      startAll(nodes);
      iterateAll(nodes);
      for (int i = 0; i < 4; ++i)
        QVERIFY(std::abs(nodes[static_cast<std::size_t>(i)]->x()[0] - expectedByK[k - 1][i]) < 1e-12);
    }
  }

  void refusesForeignStaleAndDuplicateMessages() {
    NetworkOptions options = networkOf(GraphKind::Ring, MixerKind::Plain, 2);
    options.graph.nodes = 5;
    const Network network = buildNetwork(options, "params");
    std::vector<std::unique_ptr<GossipNode>> nodes;
    for (int i = 0; i < 5; ++i)
      nodes.push_back(std::make_unique<MixOnlyNode>(
          nodeConfigFor(network.w, i, network.plan, VectorEncoding::DenseFloat64), Vector::Constant(2, i)));
    for (auto& node : nodes) node->start(), node->beginIteration();
    std::string why;
    QVERIFY(!nodes[0]->receive(nodes[2]->outgoing(), &why));  // 2 is not a neighbour of 0
    QVERIFY(why.find("neighbour") != std::string::npos);
    QVERIFY(nodes[0]->receive(nodes[1]->outgoing(), &why));
    QVERIFY(!nodes[0]->receive(nodes[1]->outgoing(), &why));
    QVERIFY(why.find("duplicate") != std::string::npos);
    QVERIFY(!nodes[0]->roundComplete());

    // A later round's message from a neighbour is buffered, but only with its phase's length (found by
    // fuzzing: one of another length, buffered, took the genuine message's slot and broke the mixing
    // sum), and only for a round a neighbour can be in (one iteration ahead at most, K rounds).
    auto gossip = [](std::uint64_t iteration, std::uint16_t round, Eigen::Index length) {
      return encodeGossipMessage(
          {.iteration = iteration, .phase = GossipPhase::X, .round = round, .sender = 4},
          Vector::Constant(length, 1.0), VectorEncoding::DenseFloat64);
    };
    MixOnlyNode idle(nodeConfigFor(network.w, 0, network.plan, VectorEncoding::DenseFloat64),
                     Vector::Constant(2, 0));
    idle.start();  // between iterations: no round open
    QVERIFY(!idle.receive(gossip(0, 1, 3), &why));
    QVERIFY(!idle.receive(gossip(2, 1, 2), &why));
    QVERIFY(why.find("round no neighbour") != std::string::npos);
    QVERIFY(!idle.receive(gossip(0, 3, 2), &why));
    QVERIFY(idle.receive(gossip(0, 1, 2), &why));
    QVERIFY(idle.receive(gossip(1, 2, 2), &why));
  }

  // ---- algorithms ----
  // Oracle 11: n = 1 reproduces the centralized methods bit for bit; no communication.
  void oneNodeEqualsCentralizedProxSgd() {
    NodeFixture fixture(1, networkOf(GraphKind::Ring, MixerKind::Chebyshev, 0));
    ProxGtNode::Options options{.variant = ProxGtNode::Variant::SA, .alpha = 2.0, .batch = 16};
    auto nodes = proxGtNodes(fixture, options);
    startAll(nodes);
    // Centralized minibatch Prox-SGD with the same samples.
    ProblemOracle oracle(*fixture.problem, fixture.shards[0]);
    std::vector<std::int64_t> ids;
    auto minibatch = [&](std::uint64_t t, const Vector& x, Vector& out) {
      RandomStream stream(StreamKey{.runSeed = 9, .purpose = StreamPurpose::Gradient, .worker = 0, .job = t});
      oracle.drawSamples(16, stream, ids);
      oracle.sampleGradient(x, ids, out);
    };
    Vector x = fixture.x0(), g, z;
    minibatch(0, x, g);
    for (std::uint64_t t = 0; t < 60; ++t) {
      fixture.prox->apply(x - 2.0 * g, 2.0, z);
      x = z;
      minibatch(t + 1, x, g);
      iterateAll(nodes);
      QVERIFY2(nodes[0]->x() == x, "ProxGT-SA with n = 1 must equal Prox-SGD bit for bit");
    }
    QVERIFY(x.norm() > 0.0);
    QCOMPARE(nodes[0]->counters().rounds, std::uint64_t{0});
    QCOMPARE(nodes[0]->counters().bytesSent, std::uint64_t{0});
    QCOMPARE(nodes[0]->counters().ifo, std::uint64_t{16 * 61});
  }

  void oneNodeEqualsProxSpiderBoost() {
    NodeFixture fixture(1, networkOf(GraphKind::Ring, MixerKind::Chebyshev, 0));
    ProxGtNode::Options options{.variant = ProxGtNode::Variant::SRE, .alpha = 2.0, .batch = 8, .period = 7};
    auto nodes = proxGtNodes(fixture, options);
    startAll(nodes);
    ProblemOracle oracle(*fixture.problem, fixture.shards[0]);
    std::vector<std::int64_t> ids;
    Vector x = fixture.x0(), v, z, gNew, gOld;
    oracle.fullGradient(x, v);
    for (std::uint64_t t = 0; t < 40; ++t) {
      fixture.prox->apply(x - 2.0 * v, 2.0, z);
      if ((t + 1) % 7 == 0) {
        oracle.fullGradient(z, v);
      } else {
        RandomStream stream(
            StreamKey{.runSeed = 9, .purpose = StreamPurpose::Gradient, .worker = 0, .job = t + 1});
        oracle.drawSamples(8, stream, ids);
        oracle.sampleGradient(z, ids, gNew);
        oracle.sampleGradient(x, ids, gOld);
        v = v + (gNew - gOld);
      }
      x = z;
      iterateAll(nodes);
      QVERIFY2(nodes[0]->x() == x, "ProxGT-SR-E with n = 1 must equal Prox-SpiderBoost bit for bit");
      QVERIFY(*nodes[0]->estimator() == v);
    }
    QCOMPARE(nodes[0]->counters().rounds, std::uint64_t{0});
  }

  // Oracle 9 (brief: to 1e-12): ȳ = v̄ at every iteration, every variant and mixer, with restarts.
  void trackerInvariantHolds() {
    for (const char* method : {"proxgt-sa", "proxgt-sr-o", "proxgt-sr-e", "gt-dsgd"}) {
      for (const char* mixer : {"plain", "chebyshev", "fastmix"}) {
        nlohmann::json params = {{"mixer", mixer}, {"gossip_rounds", 2}, {"graph", "star"}};
        if (std::string(method) == "proxgt-sr-o") params.update({{"restart_batch", 64}, {"period", 5}});
        if (std::string(method) == "proxgt-sr-e") params.update({{"period", 5}, {"tracker_init", "mixed"}});
        if (std::string(method) == "proxgt-sa") params["batch"] = 8;
        auto result =
            runDecentralized(decentralizedExperiment(method, params, 6, 30, {{"samples_per_node", 60}}));
        QCOMPARE(result->sink.evaluations.size(), std::size_t{31});
        // The point at time 0 is taken before the nodes start (x̄ = x0, no tracker exists yet), on the
        // virtual network as live; every iteration's point after it carries the trackers.
        QVERIFY(!result->sink.evaluations.front().metrics.count("tracker_invariant"));
        for (std::size_t e = 1; e < result->sink.evaluations.size(); ++e)
          QVERIFY2(result->metric(e, "tracker_invariant") <= 1e-12,
                   qPrintable(QString("%1/%2 at %3: %4")
                                  .arg(method, mixer)
                                  .arg(e)
                                  .arg(result->metric(e, "tracker_invariant"))));
        QVERIFY(result->last("tracker_consensus_error") > 0.0 || std::string(method) == "gt-dsgd");
      }
    }
  }

  // Oracle 10: x̄^{t+1} = mean_i prox(x_i − α y_i).
  void meanDynamicsHold() {
    for (MixerKind mixer : {MixerKind::Plain, MixerKind::Chebyshev}) {
      NodeFixture fixture(8, networkOf(GraphKind::Ring, mixer, 3));
      ProxGtNode::Options options{.variant = ProxGtNode::Variant::SRE, .alpha = 3.0, .batch = 5, .period = 6};
      auto nodes = proxGtNodes(fixture, options);
      startAll(nodes);
      for (int t = 0; t < 25; ++t) {
        Vector expected = Vector::Zero(fixture.problem->dimension()), z;
        for (const auto& node : nodes) {
          fixture.prox->apply(node->x() - 3.0 * *node->tracker(), 3.0, z);
          expected += z;
        }
        expected /= 8.0;
        iterateAll(nodes);
        QVERIFY((average(nodes) - expected).cwiseAbs().maxCoeff() < 1e-12);
      }
    }
  }

  // Oracle 12: complete graph, uniform weights, K = 1, tracker_init = mixed.
  void completeGraphFollowsCentralizedProxSgd() {
    NetworkOptions network = networkOf(GraphKind::Complete, MixerKind::Plain, 1);
    network.weights = WeightRule::Uniform;
    NodeFixture fixture(8, network);
    ProxGtNode::Options options{.variant = ProxGtNode::Variant::SA,
                                .alpha = 2.0,
                                .batch = 4,
                                .trackerInit = ProxGtNode::TrackerInit::Mixed};
    auto nodes = proxGtNodes(fixture, options);
    startAll(nodes);
    for (int t = 0; t < 30; ++t) {
      Vector vMean = Vector::Zero(fixture.problem->dimension());
      for (const auto& node : nodes) vMean += *node->estimator();
      vMean /= 8.0;
      Vector expected;
      fixture.prox->apply(average(nodes) - 2.0 * vMean, 2.0, expected);
      iterateAll(nodes);
      for (const auto& node : nodes)
        QVERIFY2(node->x() == nodes[0]->x(), "all x_i identical on the complete graph");
      QVERIFY((nodes[0]->x() - expected).cwiseAbs().maxCoeff() < 1e-12);
    }
  }

  // Oracle 13: h = 0, K = 1, plain: ProxGT-SA coincides with ATC GT-DSGD given the same samples.
  void gtDsgdEqualsProxGtSaWithoutRegularizer() {
    const nlohmann::json problem = {{"l1", 0.0}, {"samples_per_node", 80}};
    const nlohmann::json common = {{"mixer", "plain"}, {"gossip_rounds", 1}, {"alpha", 1.5}, {"batch", 8}};
    auto proxgt = runDecentralized(decentralizedExperiment("proxgt-sa", common, 6, 40, problem));
    auto gt = runDecentralized(decentralizedExperiment("gt-dsgd", common, 6, 40, problem));
    for (std::size_t i = 0; i < 6; ++i) QVERIFY(proxgt->run->nodes()[i]->x() == gt->run->nodes()[i]->x());
    QVERIFY(proxgt->last("prox_grad_mapping_norm_sq") < proxgt->first("prox_grad_mapping_norm_sq"));
  }

  // Oracle 14 and §5.2: the stale-buffer defect of the public ProxGT-SR re-implementation is absent.
  void staleBufferBugIsAbsent() {
    NodeFixture fixture(4, networkOf(GraphKind::Ring, MixerKind::Chebyshev, 2));
    const std::int64_t q = 6, b = 5;
    ProxGtNode::Options options{.variant = ProxGtNode::Variant::SRE, .alpha = 3.0, .batch = b, .period = q};
    std::vector<std::unique_ptr<LoggingOracle>> logs;
    std::vector<std::unique_ptr<GossipNode>> nodes;
    for (int i = 0; i < 4; ++i) {
      logs.push_back(std::make_unique<LoggingOracle>(*fixture.oracles[static_cast<std::size_t>(i)]));
      nodes.push_back(std::make_unique<ProxGtNode>(fixture.config(i), options, *logs.back(), *fixture.prox,
                                                   fixture.x0(), 9));
    }
    startAll(nodes);
    std::vector<Vector> vAtRestart(4);
    for (std::uint64_t t = 0; t < 20; ++t) {
      std::vector<Vector> before;
      for (auto& node : nodes) before.push_back(node->x());
      std::vector<std::uint64_t> ifoBefore;
      for (auto& node : nodes) ifoBefore.push_back(node->counters().ifo);
      for (auto& log : logs) log->calls.clear();
      iterateAll(nodes);
      for (std::size_t i = 0; i < 4; ++i) {
        const auto& calls = logs[i]->calls;
        const std::uint64_t ifo = nodes[i]->counters().ifo - ifoBefore[i];
        if ((t + 1) % q == 0) {
          QCOMPARE(calls.size(), std::size_t{1});  // restart: one full local gradient at x^{t+1}
          QVERIFY(calls[0].ids.empty());
          QVERIFY(calls[0].x == nodes[i]->x());
          QCOMPARE(ifo, static_cast<std::uint64_t>(fixture.oracles[i]->localSamples()));
          vAtRestart[i] = *nodes[i]->estimator();
          continue;
        }
        QCOMPARE(calls.size(), std::size_t{2});
        QCOMPARE(ifo, static_cast<std::uint64_t>(2 * b));
        QVERIFY2(calls[0].ids == calls[1].ids, "the SARAH step must use one sample set at both points");
        QCOMPARE(calls[0].ids.size(), static_cast<std::size_t>(b));
        QVERIFY2(calls[0].x == nodes[i]->x(), "first point: the new iterate x^{t+1}");
        QVERIFY2(calls[1].x == before[i],
                 "second point: the previous iterate x^t, not an overwritten buffer");
        QVERIFY2(calls[0].x != calls[1].x, "the two points differ while x moved");
        if (vAtRestart[i].size() > 0)
          QVERIFY2(*nodes[i]->estimator() != vAtRestart[i], "the estimator is not frozen");
      }
    }
  }

  // Oracle 16: same seed and configuration, same trajectory, bit for bit.
  void runsAreDeterministic() {
    const auto document =
        decentralizedExperiment("proxgt-sr-o", {{"restart_batch", 32}, {"period", 4}}, 5, 15);
    auto a = runDecentralized(document);
    auto b = runDecentralized(document);
    for (std::size_t i = 0; i < 5; ++i) QVERIFY(a->run->nodes()[i]->x() == b->run->nodes()[i]->x());
    QCOMPARE(a->sink.summary.bytesUplink, b->sink.summary.bytesUplink);
  }

  // Oracle 17 and E8: byte and round counters equal the formulas of §2.7 exactly.
  void bytesAndRoundsMatchTheFormulas() {
    const std::uint64_t p = 20, T = 7;
    struct Case {
      const char* method;
      nlohmann::json params;
      std::uint64_t roundsPerIteration;
      std::uint64_t scalarsPerMessage;
      std::uint64_t scalarBytes;
    };
    const std::vector<Case> cases = {
        {"proxgt-sr-e", {{"gossip_rounds", 3}, {"graph", "star"}}, 6, p, 8},
        {"proxgt-sa", {{"gossip_rounds", 2}, {"graph", "torus"}, {"wire", "float32"}}, 4, p, 4},
        {"dsgd", {{"graph", "star"}}, 1, p, 8},
        {"gt-dsgd", {{"graph", "star"}}, 2, p, 8},
        {"gt-dsgd", {{"graph", "star"}, {"order", "cta"}}, 1, 2 * p, 8},
    };
    for (const auto& c : cases) {
      auto result = runDecentralized(decentralizedExperiment(c.method, c.params, 8, T));
      const Graph& graph = result->run->network().graph;
      std::uint64_t total = 0;
      for (const auto& node : result->run->nodes()) {
        const auto d = static_cast<std::uint64_t>(graph.degree(node->id()));
        const NodeCounters& counters = node->counters();
        QCOMPARE(counters.rounds, c.roundsPerIteration * T);
        QCOMPARE(counters.messagesSent, c.roundsPerIteration * T * d);
        QCOMPARE(counters.payloadBytesSent,
                 c.roundsPerIteration * T * d * c.scalarsPerMessage * c.scalarBytes);
        QCOMPARE(counters.bytesSent, counters.payloadBytesSent + c.roundsPerIteration * T * d *
                                                                     (kGossipHeaderSize + kVectorPrefixSize));
        total += counters.bytesSent;
      }
      QCOMPARE(result->sink.summary.bytesUplink, total);
      QCOMPARE(result->sink.summary.bytesDownlink, total);
      std::uint64_t edgeTotal = 0;
      for (const auto& [edge, bytes] : result->run->edgeBytes()) {
        QVERIFY(graph.hasEdge(edge.first, edge.second));
        QCOMPARE(bytes, result->run->edgeBytes().at({edge.second, edge.first}));
        edgeTotal += bytes;
      }
      QCOMPARE(edgeTotal, total);
      QCOMPARE(result->last("communication_rounds"), static_cast<double>(c.roundsPerIteration * T));
      // One update event per node and iteration carrying that node's bytes.
      QCOMPARE(result->sink.events.size(), static_cast<std::size_t>(8 * T));
    }
  }

  // E0: ProxGT-SR-E on P0, ring 8, K = 1 plain and K = 2 Chebyshev, 300 iterations.
  void smokeConvergenceE0() {
    for (const auto& params : {nlohmann::json{{"mixer", "plain"}, {"gossip_rounds", 1}},
                               nlohmann::json{{"mixer", "chebyshev"}, {"gossip_rounds", 2}}}) {
      auto result = runDecentralized(decentralizedExperiment("proxgt-sr-e", params, 8, 300));
      const double start = result->first("prox_grad_mapping_norm_sq");
      const double end = result->last("prox_grad_mapping_norm_sq");
      qInfo("E0 %s: ||G||^2 %.3g -> %.3g, C_x %.3g", params.dump().c_str(), start, end,
            result->last("consensus_error"));
      QVERIFY(end <= start * 1e-4);
      QVERIFY(result->last("consensus_error") <= 1e-6);
      QVERIFY(result->last("tracker_invariant") <= 1e-9);
      QCOMPARE(result->sink.summary.termination, Termination::UpdateLimit);
    }
  }

  // Every method decreases the stationarity measure on a small run; tracking beats DSGD's floor (E1 shape).
  void everyMethodDecreasesStationarity() {
    std::map<std::string, double> finals, consensus;
    for (const char* method : {"dsgd", "gt-dsgd", "proxgt-sa", "proxgt-sr-o", "proxgt-sr-e"}) {
      nlohmann::json params = {{"batch", 400}};  // deterministic gradients (b = m): E1
      if (std::string(method) == "proxgt-sr-o")
        params = {{"restart_batch", 400}, {"batch", 20}, {"period", 20}};
      if (std::string(method) == "proxgt-sr-e") params = nlohmann::json::object();
      auto document = decentralizedExperiment(method, params, 8, 150);
      document["eval"]["every_updates"] = 50;
      auto result = runDecentralized(document);
      const double start = result->first("prox_grad_mapping_norm_sq");
      const double end = result->last("prox_grad_mapping_norm_sq");
      finals[method] = end;
      consensus[method] = result->last("consensus_error");
      qInfo("%s: ||G||^2 %.3g -> %.3g, C_x %.3g", method, start, end, result->last("consensus_error"));
      QVERIFY2(end < 0.1 * start, method);
    }
    // Tracking removes the heterogeneity bias that leaves DSGD's nodes apart (E1 shape).
    for (const char* method : {"gt-dsgd", "proxgt-sa", "proxgt-sr-o", "proxgt-sr-e"})
      QVERIFY2(consensus[method] < 0.01 * consensus["dsgd"], method);
    QVERIFY(finals["proxgt-sr-e"] < 0.01 * finals["dsgd"]);
  }

  // E2 shape: with auto-K the stationarity at equal IFO per node hardly depends on the topology.
  // At rho_target 0.1 the curves agree within 3x after the first restart; at E2's 0.5 the ring
  // of 8 trails the complete graph by up to ~13x on P0 (reported, not asserted).
  void stationarityIsTopologyIndependent() {
    std::vector<std::vector<double>> curves;
    for (const char* graph : {"ring", "torus", "star", "erdos-renyi", "complete"}) {
      auto document = decentralizedExperiment("proxgt-sr-e", {{"graph", graph}, {"rho_target", 0.1}}, 8, 250);
      document["eval"]["every_updates"] = 25;
      auto result = runDecentralized(document);
      std::vector<double> curve;
      for (std::size_t e = 0; e < result->sink.evaluations.size(); ++e)
        curve.push_back(result->metric(e, "prox_grad_mapping_norm_sq"));
      curves.push_back(curve);
    }
    const std::size_t firstAfterRestart = 3;  // q = ⌈√(8·400)⌉ = 57: iteration 75
    for (std::size_t e = firstAfterRestart; e < curves.front().size(); ++e) {
      double low = 1e300, high = 0.0;
      for (const auto& curve : curves) low = std::min(low, curve[e]), high = std::max(high, curve[e]);
      QVERIFY2(high <= 3.0 * low, qPrintable(QString("checkpoint %1: %2 vs %3").arg(e).arg(low).arg(high)));
    }
  }

  void stopsAtTheStationarityTargetAndOnTime() {
    auto document = decentralizedExperiment("proxgt-sr-e", nlohmann::json::object(), 8, 1000);
    document["stop"]["target_grad_norm_sq"] = 1e-8;
    auto result = runDecentralized(document);
    QCOMPARE(result->sink.summary.termination, Termination::TargetReached);
    QVERIFY(result->last("prox_grad_mapping_norm_sq") <= 1e-8);
    QVERIFY(result->metric(result->sink.evaluations.size() - 2, "prox_grad_mapping_norm_sq") > 1e-8);

    auto timed = decentralizedExperiment("proxgt-sa", {{"batch", 4}}, 4, 0);
    timed["stop"] = {{"time", 30.0}};
    timed["eval"] = {{"interval", 5.0}, {"accuracy", false}};
    timed["algorithm"]["params"]["link_latency"] = 0.5;
    timed["workers"]["time_model"]["params"] = {{"h", "one"}, {"c", 1.0}};
    auto run = runDecentralized(timed);
    QCOMPARE(run->sink.summary.termination, Termination::TimeLimit);
    QCOMPARE(run->sink.evaluations.back().time, 30.0);
    // Fixed time model: a local step of b samples is one time unit; 2K rounds add 2K·latency.
    const double perIteration = 1.0 + 2.0 * run->run->network().plan.rounds * 0.5;
    QCOMPARE(run->sink.summary.updatesApplied,
             static_cast<std::uint64_t>(std::floor((30.0 - 1.0) / perIteration)));
  }

  void badParamsNameTheField() {
    auto expectError = [](nlohmann::json document, const std::string& field) {
      try {
        (void)buildRun(parseExperiment(std::move(document), "."));
        QFAIL(qPrintable(QString::fromStdString("no error for " + field)));
      } catch (const InputError& error) {
        QVERIFY2(error.where() == field,
                 qPrintable(QString::fromStdString(error.where() + " vs " + field + ": " + error.what())));
      }
    };
    expectError(decentralizedExperiment("proxgt-sa", {{"graph", "torus"}, {"graph_rows", 3}}, 8, 5),
                "algorithm.params.graph_rows");
    expectError(decentralizedExperiment("proxgt-sa", {{"mixing", "uniform"}, {"graph", "star"}}, 8, 5),
                "algorithm.params.mixing");
    expectError(decentralizedExperiment("proxgt-sa", {{"regularizer", "l1"}, {"l1", 0.1}}, 8, 5),
                "algorithm.params.regularizer");
    expectError(decentralizedExperiment("proxgt-sa", {{"graph", "ladder"}}, 7, 5), "algorithm.params.graph");
    expectError(decentralizedExperiment("proxgt-sa", {{"rho_target", 1.5}}, 8, 5),
                "algorithm.params.rho_target");
    expectError(decentralizedExperiment("proxgt-sa", {{"gossip_rounds", 300}}, 8, 5),
                "algorithm.params.gossip_rounds");
    expectError(decentralizedExperiment("proxgt-sr-o", {{"restart_batch", 4}, {"batch", 8}}, 8, 5),
                "algorithm.params.restart_batch");
    // A stream has no full local gradient: refused by the parser, from the method's declared need.
    expectError(
        decentralizedExperiment("proxgt-sr-e", nlohmann::json::object(), 4, 5, {{"d", 5}}, "quadratic"),
        "problem.name");
  }

  void defaultStepUsesTheLocalCurvature() {
    NodeFixture fixture(8, networkOf(GraphKind::Ring, MixerKind::Chebyshev, 0));
    const double estimate = estimateLocalSmoothness(*fixture.problem, fixture.shards, fixture.x0());
    // decentralized-proxgt §2.9: max_i λ_max(A_iᵀA_i)/(4m) + 2λ₂, here from the exact Hessian at 0.
    double exact = 0.0;
    for (const auto& shard : fixture.shards) {
      Matrix h = Matrix::Zero(20, 20);
      Vector gPlus, gMinus;
      ProblemOracle oracle(*fixture.problem, shard);
      for (int k = 0; k < 20; ++k) {
        Vector e = Vector::Zero(20);
        e[k] = 1e-5;
        oracle.fullGradient(e, gPlus);
        oracle.fullGradient(-e, gMinus);
        h.col(k) = (gPlus - gMinus) / 2e-5;
      }
      exact = std::max(exact, spectrumOf(0.5 * (h + h.transpose())).eigenvalues.front());
    }
    QVERIFY2(std::abs(estimate - exact) < 1e-2 * exact,
             qPrintable(QString("%1 vs %2").arg(estimate).arg(exact)));
    QVERIFY(estimate < 0.25);  // far below the per-sample bound the problem reports
  }
};

QTEST_APPLESS_MAIN(TestDecentralized)
#include "test_decentralized.moc"
