// docs/papers.md, async-sgd §5 golden traces: f(x) = x^2/2, g(x) = x exactly, x0 = 1, gamma = 0.5,
// tau = (1, 2.3, 4.7, 9.1), every event with time <= 12.
#include <QtTest>

#include <cmath>

#include "sim_test_support.hpp"

using namespace distopt;
using namespace distopt::test;

namespace {

std::unique_ptr<SimResult> golden(const std::string& algorithm, nlohmann::json params) {
  SimSetup setup;
  setup.algorithm = algorithm;
  params["gamma"] = 0.5;
  setup.algorithmParams = params;
  return runSim(setup);
}

QString delaysText(const std::vector<std::int64_t>& delays) {
  QStringList parts;
  for (auto d : delays) parts << QString::number(d);
  return parts.join(',');
}

const std::vector<std::int64_t> kAsgdDelays = {0, 0, 2, 1, 0, 2, 6, 2, 0, 3, 1, 0, 0, 13, 4, 8, 3, 0, 3, 1};
const std::vector<std::int64_t> kRingmasterR4Delays = {0, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 0, 3, 1, 0, 2, 1};

void compareFinal(double actual, double expected) {
  QVERIFY2(std::abs(actual - expected) < 5e-11, qPrintable(QString::number(actual, 'g', 12)));
}

}  // namespace

class TestSimGolden : public QObject {
  Q_OBJECT

 private slots:
  void vanillaAsgd() {
    auto run = golden("asgd", nlohmann::json::object());
    QCOMPARE(run->server->version(), std::uint64_t{20});
    QCOMPARE(delaysText(run->sink.acceptedDelays()), delaysText(kAsgdDelays));
    compareFinal(run->finalModel[0], 0.1779785156);
  }

  void asgdFirstArrivals() {
    auto run = golden("asgd", nlohmann::json::object());
    // (time, worker 1-based, version, delay)
    const double expected[][4] = {{1, 1, 0, 0}, {2, 1, 1, 0}, {2.3, 2, 0, 2}, {3, 1, 2, 1},
                                  {4, 1, 4, 0}, {4.6, 2, 3, 2}, {4.7, 3, 0, 6}, {5, 1, 5, 2}};
    const auto accepted = run->sink.of(Outcome::Accepted);
    QVERIFY(accepted.size() >= 8);
    for (int i = 0; i < 8; ++i) {
      QVERIFY(std::abs(accepted[i].time - expected[i][0]) < 1e-12);
      QCOMPARE(accepted[i].worker + 1, static_cast<int>(expected[i][1]));
      QCOMPARE(accepted[i].jobVersion, static_cast<std::uint64_t>(expected[i][2]));
      QCOMPARE(accepted[i].delay, static_cast<std::int64_t>(expected[i][3]));
    }
    bool sawLast = false;
    for (const auto& e : accepted)
      if (std::abs(e.time - 9.1) < 1e-12 && e.worker == 3) {
        QCOMPARE(e.jobVersion, std::uint64_t{0});
        QCOMPARE(e.delay, std::int64_t{13});
        sawLast = true;
      }
    QVERIFY(sawLast);
  }

  void delayAdaptiveAsgd() {
    auto run = golden("da-asgd", nlohmann::json::object());
    QCOMPARE(run->server->version(), std::uint64_t{20});
    QCOMPARE(delaysText(run->sink.acceptedDelays()), delaysText(kAsgdDelays));
    compareFinal(run->finalModel[0], 0.0523775541);
  }

  void ringmasterAR2() {
    auto run = golden("ringmaster", {{"R", 2}, {"variant", "A"}});
    QCOMPARE(run->server->version(), std::uint64_t{12});
    QCOMPARE(run->server->totals().discarded, std::uint64_t{8});
    QCOMPARE(run->server->totals().cancelled, std::uint64_t{0});
    for (auto d : run->sink.acceptedDelays()) QCOMPARE(d, std::int64_t{0});
    compareFinal(run->finalModel[0], std::ldexp(1.0, -12));
  }

  void ringmasterBR2() {
    auto run = golden("ringmaster", {{"R", 2}, {"variant", "B"}});
    QCOMPARE(run->server->version(), std::uint64_t{12});
    QCOMPARE(run->server->totals().cancelled, std::uint64_t{18});
    QCOMPARE(run->server->totals().discarded, std::uint64_t{0});
    for (auto d : run->sink.acceptedDelays()) QCOMPARE(d, std::int64_t{0});
    compareFinal(run->finalModel[0], std::ldexp(1.0, -12));
    // First cancellations at t = 2: workers 2, 3, 4, each on version 0 with delay 2.
    const auto cancelled = run->sink.of(Outcome::Cancelled);
    QVERIFY(cancelled.size() >= 3);
    for (int i = 0; i < 3; ++i) {
      QCOMPARE(cancelled[i].time, 2.0);
      QCOMPARE(cancelled[i].worker + 1, i + 2);
      QCOMPARE(cancelled[i].jobVersion, std::uint64_t{0});
      QCOMPARE(cancelled[i].delay, std::int64_t{2});
    }
  }

  void ringmasterR4() {
    for (const char* variant : {"A", "B"}) {
      auto run = golden("ringmaster", {{"R", 4}, {"variant", variant}});
      QCOMPARE(run->server->version(), std::uint64_t{17});
      QCOMPARE(delaysText(run->sink.acceptedDelays()), delaysText(kRingmasterR4Delays));
      compareFinal(run->finalModel[0], 0.0021972656);
      if (std::string(variant) == "A") {
        QCOMPARE(run->server->totals().discarded, std::uint64_t{3});
      } else {
        QCOMPARE(run->server->totals().cancelled, std::uint64_t{8});
      }
    }
  }

  void ringmasterLargeRIsAsgd() {
    auto run = golden("ringmaster", {{"R", 100}, {"variant", "A"}});
    QCOMPARE(run->server->version(), std::uint64_t{20});
    QCOMPARE(run->server->totals().discarded, std::uint64_t{0});
    QCOMPARE(delaysText(run->sink.acceptedDelays()), delaysText(kAsgdDelays));
    compareFinal(run->finalModel[0], 0.1779785156);
  }

  void rennala() {
    struct Case {
      int batch;
      std::uint64_t updates;
      double period;
      int exponent;
    };
    for (const Case c : {Case{1, 12, 1.0, 12}, Case{2, 6, 2.0, 6}, Case{4, 4, 3.0, 4}}) {
      auto run = golden("rennala", {{"B", c.batch}});
      QCOMPARE(run->server->version(), c.updates);
      compareFinal(run->finalModel[0], std::ldexp(1.0, -c.exponent));
      const auto times = run->sink.updateTimes();
      QCOMPARE(times.size(), static_cast<std::size_t>(c.updates));
      for (std::size_t k = 0; k < times.size(); ++k) QVERIFY(std::abs(times[k] - c.period * (k + 1)) < 1e-12);
    }
  }

  void minibatch() {
    auto run = golden("minibatch", nlohmann::json::object());
    QCOMPARE(run->server->version(), std::uint64_t{1});
    const auto times = run->sink.updateTimes();
    QCOMPARE(times.size(), std::size_t{1});
    QVERIFY(std::abs(times[0] - 9.1) < 1e-12);
    compareFinal(run->finalModel[0], 0.5);
  }
};

QTEST_APPLESS_MAIN(TestSimGolden)
#include "test_sim_golden.moc"
