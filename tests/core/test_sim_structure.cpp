// docs/papers.md, async-sgd §5 structural properties 1-14 and experiment E5/E6 checks, on the simulator.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/theory/time_complexity.hpp"
#include "sim_test_support.hpp"

using namespace distopt;
using namespace distopt::test;

namespace {

const std::vector<double> kGoldenTaus = {1.0, 2.3, 4.7, 9.1};

SimSetup randomSetup(const std::string& algorithm, nlohmann::json params, int workers, double horizon,
                     std::uint64_t seed = 3) {
  SimSetup setup;
  setup.problem = "quadratic";
  setup.problemParams = {{"d", 32}, {"noise", "coordinate"}, {"noise_std", 0.05}};
  setup.timeModel = "ringmaster";
  setup.timeParams = nlohmann::json::object();
  setup.workers = workers;
  setup.algorithm = algorithm;
  setup.algorithmParams = std::move(params);
  setup.sim.horizon = horizon;
  setup.sim.seed = seed;
  return setup;
}

SimSetup fixedSetup(const std::string& algorithm, nlohmann::json params, const std::vector<double>& taus, double horizon) {
  SimSetup setup;
  setup.timeParams = {{"h", "list"}, {"times", taus}};
  setup.workers = static_cast<int>(taus.size());
  setup.algorithm = algorithm;
  setup.algorithmParams = std::move(params);
  setup.sim.horizon = horizon;
  return setup;
}

void checkConservation(const AsyncServer& server) {
  const WorkCounters total = server.totals();
  QCOMPARE(total.arrivals, total.accepted + total.discarded);
  QCOMPARE(total.jobsSent,
           total.arrivals + total.cancelled + total.lateCancelled + total.lost +
               static_cast<std::uint64_t>(server.inFlight()));
}

}  // namespace

class TestSimStructure : public QObject {
  Q_OBJECT

 private slots:
  // 1. R = infinity (or larger than every delay) is vanilla ASGD, bit for bit.
  void infiniteThresholdIsAsgd() {
    auto asgd = runSim(randomSetup("asgd", {{"gamma", 0.05}}, 16, 300));
    for (const char* variant : {"A", "B"}) {
      for (nlohmann::json R : {nlohmann::json("inf"), nlohmann::json(1000000)}) {
        auto ring = runSim(randomSetup("ringmaster", {{"gamma", 0.05}, {"R", R}, {"variant", variant}}, 16, 300));
        QCOMPARE(ring->sink.events.size(), asgd->sink.events.size());
        for (std::size_t i = 0; i < asgd->sink.events.size(); ++i) {
          const auto& a = asgd->sink.events[i];
          const auto& b = ring->sink.events[i];
          QCOMPARE(a.time, b.time);
          QCOMPARE(a.worker, b.worker);
          QCOMPARE(a.delay, b.delay);
          QCOMPARE(a.outcome, b.outcome);
        }
        QVERIFY(ring->finalModel == asgd->finalModel);  // exact equality
      }
    }
  }

  // 2. DA-ASGD equals ASGD when every delay is <= n (equal speeds: delays are n - 1).
  void delayAdaptiveEqualsAsgdForSmallDelays() {
    auto make = [](const std::string& name) {
      SimSetup setup = randomSetup(name, {{"gamma", 0.05}}, 8, 100);
      setup.timeModel = "fixed";
      setup.timeParams = {{"h", "one"}, {"offset_eps", 1e-6}};
      return runSim(setup);
    };
    auto asgd = make("asgd");
    auto da = make("da-asgd");
    for (auto d : asgd->sink.acceptedDelays()) QVERIFY(d <= 8);
    QVERIFY(asgd->finalModel == da->finalModel);
  }

  // 3. Ringmaster B with R = 1 equals Rennala (restart) with B = 1 and equals sequential SGD on the
  //    fastest worker, one step every tau_(1).
  void ringmasterR1IsRennalaB1IsSequentialSgd() {
    auto ring = runSim(fixedSetup("ringmaster", {{"gamma", 0.5}, {"R", 1}, {"variant", "B"}}, kGoldenTaus, 12));
    auto rennala = runSim(fixedSetup("rennala", {{"gamma", 0.5}, {"B", 1}}, kGoldenTaus, 12));
    QVERIFY(ring->finalModel == rennala->finalModel);
    QCOMPARE(ring->sink.updateTimes(), rennala->sink.updateTimes());
    for (const auto& e : ring->sink.of(Outcome::Accepted)) QCOMPARE(e.worker, 0);
    QCOMPARE(ring->sink.updateTimes().size(), std::size_t{12});
    QCOMPARE(ring->finalModel[0], std::ldexp(1.0, -12));
  }

  // 4 and 6: delay bounds per variant, and the counters' conservation laws, on random times.
  void ringmasterInvariantsAndConservation() {
    for (int R : {1, 3, 8}) {
      for (const char* variant : {"A", "B"}) {
        auto run = runSim(randomSetup("ringmaster", {{"gamma", 0.05}, {"R", R}, {"variant", variant}}, 24, 400));
        for (auto d : run->sink.acceptedDelays()) QVERIFY(d < R);
        const auto total = run->server->totals();
        if (std::string(variant) == "A") {
          QCOMPARE(total.cancelled, std::uint64_t{0});
        } else {
          QCOMPARE(total.discarded, std::uint64_t{0});
          for (const auto& e : run->sink.of(Outcome::Cancelled)) QCOMPARE(e.delay, static_cast<std::int64_t>(R));
        }
        checkConservation(*run->server);
      }
    }
    for (const char* name : {"asgd", "da-asgd", "rennala", "minibatch"}) {
      auto run = runSim(randomSetup(name, {{"gamma", 0.05}}, 12, 300));
      checkConservation(*run->server);
    }
    auto ignore = runSim(randomSetup("rennala", {{"gamma", 0.05}, {"B", 4}, {"rennala_mode", "ignore"}}, 12, 300));
    checkConservation(*ignore->server);
    QVERIFY(ignore->server->totals().discarded > 0);
  }

  // 5. Rennala and Minibatch only ever accept gradients with delay 0.
  void synchronousMethodsHaveZeroDelay() {
    for (const auto& setup : {randomSetup("rennala", {{"gamma", 0.05}, {"B", 5}}, 16, 300),
                              randomSetup("minibatch", {{"gamma", 0.05}}, 16, 300)}) {
      auto run = runSim(setup);
      QVERIFY(!run->sink.acceptedDelays().empty());
      for (auto d : run->sink.acceptedDelays()) QCOMPARE(d, std::int64_t{0});
    }
  }

  // 7. The long-run mean delay of ASGD (and DA-ASGD) tends to n - 1 for any time model.
  void asgdMeanDelayIsNMinusOne() {
    const int n = 32;
    for (const char* name : {"asgd", "da-asgd"}) {
      SimSetup setup = randomSetup(name, {{"gamma", 0.01}}, n, 1e9);
      setup.sim.maxUpdates = 60 * n;
      auto run = runSim(setup);
      QVERIFY(run->server->version() >= 50u * n);
      const double mean = run->sink.summary.delayMean;
      QVERIFY2(std::abs(mean - (n - 1)) < 0.05 * n, qPrintable(QString::number(mean)));
    }
  }

  // 8 / E5. Equal speeds with distinct tiny offsets: after round one every ASGD delay is n - 1;
  //         Ringmaster A with R <= n - 1 accepts R gradients per unit and discards n - R;
  //         Minibatch rounds last 1 + 8e-6; Rennala (restart) with B = n takes tau_(n) per iteration.
  void homogeneousWorkers() {
    const int n = 8;
    auto make = [&](const std::string& name, nlohmann::json params) {
      SimSetup setup;
      setup.timeModel = "fixed";
      setup.timeParams = {{"h", "one"}, {"offset_eps", 1e-6}};
      setup.workers = n;
      setup.algorithm = name;
      params["gamma"] = 0.01;
      setup.algorithmParams = params;
      setup.sim.horizon = 20.5;
      return runSim(setup);
    };
    auto asgd = make("asgd", nlohmann::json::object());
    const auto delays = asgd->sink.acceptedDelays();
    QCOMPARE(delays.size(), std::size_t{20 * n});
    for (std::size_t i = n; i < delays.size(); ++i) QCOMPARE(delays[i], std::int64_t{n - 1});

    const int R = 3;
    auto ringA = make("ringmaster", {{"R", R}, {"variant", "A"}});
    std::map<int, int> acceptedPerUnit;
    std::map<int, int> discardedPerUnit;
    for (const auto& e : ringA->sink.events) {
      if (e.outcome == Outcome::Accepted) ++acceptedPerUnit[static_cast<int>(e.time)];
      if (e.outcome == Outcome::Discarded) ++discardedPerUnit[static_cast<int>(e.time)];
    }
    for (int unit = 2; unit <= 20; ++unit) {
      QCOMPARE(acceptedPerUnit[unit], R);
      QCOMPARE(discardedPerUnit[unit], n - R);
    }

    auto minibatch = make("minibatch", nlohmann::json::object());
    auto times = minibatch->sink.updateTimes();
    QVERIFY(times.size() >= 10);
    for (std::size_t k = 0; k < times.size(); ++k) QVERIFY(std::abs(times[k] - (k + 1) * (1 + 8e-6)) < 1e-9);

    auto rennala = make("rennala", {{"B", n}});
    times = rennala->sink.updateTimes();
    QVERIFY(times.size() >= 10);
    for (std::size_t k = 0; k < times.size(); ++k) QVERIFY(std::abs(times[k] - (k + 1) * (1 + 8e-6)) < 1e-9);
  }

  // 9. ASGD with fixed tau: the K-th update happens at the K-th smallest j*tau_i; the count by T is
  //    sum floor(T/tau_i); Ringmaster A has the same arrival times.
  void asgdUpdateTimesFollowTheMultiset() {
    const std::vector<double> taus = {1.0, 1.7, 2.9, 4.1, 6.3};
    const double T = 40.0;
    auto asgd = runSim(fixedSetup("asgd", {{"gamma", 0.1}}, taus, T));
    const auto times = asgd->sink.updateTimes();
    QCOMPARE(static_cast<std::int64_t>(times.size()), theory::countUpdatesByTime(taus, T));
    for (std::size_t k = 0; k < times.size(); ++k)
      QVERIFY(std::abs(times[k] - theory::asgdUpdateTime(taus, static_cast<std::int64_t>(k + 1))) < 1e-9);

    auto ringA = runSim(fixedSetup("ringmaster", {{"gamma", 0.1}, {"R", 2}, {"variant", "A"}}, taus, T));
    std::vector<double> arrivals;
    for (const auto& e : ringA->sink.events)
      if (e.outcome == Outcome::Accepted || e.outcome == Outcome::Discarded) arrivals.push_back(e.time);
    QCOMPARE(arrivals.size(), times.size());
    for (std::size_t k = 0; k < times.size(); ++k) QVERIFY(std::abs(arrivals[k] - times[k]) < 1e-9);
  }

  // 10 / E6(a). Every R consecutive Ringmaster updates fit in min_m (R + 2m)/S_m <= t(R).
  void ringmasterWindowBound() {
    std::vector<double> taus;
    for (int i = 1; i <= 64; ++i) taus.push_back(std::sqrt(static_cast<double>(i)));
    for (int R : {1, 4, 16}) {
      const double tight = theory::ringmasterWindowTight(taus, R);
      QVERIFY(tight <= theory::ringmasterWindow(taus, R) + 1e-12);
      for (const char* variant : {"A", "B"}) {
        SimSetup setup = fixedSetup("ringmaster", {{"gamma", 0.01}, {"R", R}, {"variant", variant}}, taus, 300);
        auto run = runSim(setup);
        const auto times = run->sink.updateTimes();
        QVERIFY(times.size() > static_cast<std::size_t>(R));
        double worst = times[R - 1];  // the first window starts at time 0
        for (std::size_t k = R; k < times.size(); ++k) worst = std::max(worst, times[k] - times[k - R]);
        QVERIFY2(worst <= tight + 1e-9, qPrintable(QString("R=%1 worst %2 bound %3").arg(R).arg(worst).arg(tight)));
      }
    }
  }

  // 11. Worker exclusion: a worker slower than min_m (R + 2m)/S_m never gets an accepted gradient;
  //     with the golden times and R = 2 that excludes workers 3 and 4.
  void slowWorkersAreExcluded() {
    const double bound = theory::ringmasterWindowTight(kGoldenTaus, 2);
    QCOMPARE(bound, 4.0);
    for (const char* variant : {"A", "B"}) {
      auto run = runSim(fixedSetup("ringmaster", {{"gamma", 0.5}, {"R", 2}, {"variant", variant}}, kGoldenTaus, 200));
      for (int worker : {2, 3}) QCOMPARE(run->server->counters(worker).accepted, std::uint64_t{0});
      if (std::string(variant) == "A") QVERIFY(run->server->counters(3).discarded > 0);
      else QVERIFY(run->server->counters(3).cancelled > 0);
    }
  }

  // 12 / E6(b). Rennala (restart) iterations last exactly t_B.
  void rennalaIterationTimes() {
    struct Case {
      std::vector<double> taus;
      int batch;
      double tB;
    };
    const std::vector<Case> cases = {{kGoldenTaus, 1, 1.0}, {kGoldenTaus, 2, 2.0}, {kGoldenTaus, 4, 3.0},
                                     {{1, 2, 4, 8}, 1, 1.0}, {{1, 2, 4, 8}, 4, 3.0}, {{1, 2, 4, 8}, 7, 4.0}};
    for (const auto& c : cases) {
      QCOMPARE(theory::rennalaBatchTime(c.taus, c.batch), c.tB);
      auto run = runSim(fixedSetup("rennala", {{"gamma", 0.5}, {"B", c.batch}}, c.taus, 10 * c.tB + 0.5));
      const auto times = run->sink.updateTimes();
      QCOMPARE(times.size(), std::size_t{10});
      for (std::size_t k = 0; k < times.size(); ++k) QVERIFY(std::abs(times[k] - c.tB * (k + 1)) < 1e-9);
    }
  }

  // 13. Minibatch iterations last max tau_i (times the local batch b).
  void minibatchIterationTimes() {
    for (int b : {1, 3}) {
      auto run = runSim(fixedSetup("minibatch", {{"gamma", 0.5}, {"b", b}}, kGoldenTaus, 100));
      const auto times = run->sink.updateTimes();
      QVERIFY(!times.empty());
      for (std::size_t k = 0; k < times.size(); ++k) QVERIFY(std::abs(times[k] - 9.1 * b * (k + 1)) < 1e-9);
    }
  }

  // 14. Noise-free convergence on problem Q (d = 64, n = 32, TM-2, 2000 units): sampled every 100 units
  //     f - f* never increases and ends below 1e-3 of its initial value.
  void noiseFreeConvergence() {
    struct Case {
      const char* name;
      nlohmann::json params;
    };
    const std::vector<Case> cases = {{"asgd", {{"gamma", 1.0 / 64}}},
                                     {"da-asgd", {{"gamma", 1.0 / 64}}},
                                     {"ringmaster", {{"gamma", 0.125}, {"R", 4}, {"variant", "A"}}},
                                     {"ringmaster", {{"gamma", 0.125}, {"R", 4}, {"variant", "B"}}},
                                     {"rennala", {{"gamma", 0.5}, {"B", 4}}},
                                     {"minibatch", {{"gamma", 0.5}}}};
    for (const auto& c : cases) {
      SimSetup setup;
      setup.problem = "quadratic";
      setup.problemParams = {{"d", 64}, {"noise_std", 0.0}};
      setup.timeModel = "ringmaster";
      setup.timeParams = nlohmann::json::object();
      setup.workers = 32;
      setup.algorithm = c.name;
      setup.algorithmParams = c.params;
      setup.sim.horizon = 2000;
      setup.sim.evalInterval = 100;
      auto run = runSim(setup);
      const auto& points = run->sink.evaluations;
      QVERIFY(points.size() >= 21);
      const double initial = *points.front().gap;
      QVERIFY(std::abs(initial - 18.12) < 0.01);
      for (std::size_t i = 1; i < points.size(); ++i) QVERIFY(*points[i].gap <= *points[i - 1].gap + 1e-12);
      QVERIFY2(*points.back().gap < 1e-3 * initial, qPrintable(QString("%1: %2").arg(c.name).arg(*points.back().gap)));
    }
  }

  // Naive Optimal ASGD gives jobs to exactly the m* fastest workers.
  void naiveOptimalUsesTheOptimalActiveSet() {
    const std::vector<double> taus = {8, 1, 4, 2};  // sorted: 1, 2, 4, 8
    const double s = 4.0;                          // async-sgd §5 oracle: min F = 4 at m = 2 (tie with 3)
    QCOMPARE(theory::minF(taus, s).m, 2);
    auto run = runSim(fixedSetup("naive-optimal", {{"gamma", 0.1}, {"s", s}}, taus, 50));
    QVERIFY(run->server->counters(1).accepted > 0);
    QVERIFY(run->server->counters(3).accepted > 0);
    QCOMPARE(run->server->counters(0).jobsSent, std::uint64_t{0});
    QCOMPARE(run->server->counters(2).jobsSent, std::uint64_t{0});
  }

  // A divergent step size ends the run as diverged, with a finite model left in place.
  void divergenceIsATermination() {
    auto run = runSim(randomSetup("asgd", {{"gamma", 1e6}}, 4, 1e6));
    QCOMPARE(run->sink.summary.termination, Termination::Diverged);
    QVERIFY(run->finalModel.allFinite());
  }

  // A step size too large for the problem, but not so large that anything overflows: the loss grows
  // ninefold per update to huge finite values. That is divergence too (core/sim/divergence.hpp), not a
  // run that merely used its time budget.
  void hugeFiniteLossIsDivergence() {
    SimSetup setup = fixedSetup("asgd", {{"gamma", 4.0}}, {1.0}, 150);
    setup.problem = "quadratic";
    setup.problemParams = {{"d", 32}, {"noise_std", 0.0}};
    setup.sim.evalInterval = 10;
    auto run = runSim(setup);
    const auto& points = run->sink.evaluations;
    QVERIFY(!points.empty());
    for (const auto& point : points)
      QVERIFY2(std::isfinite(point.loss), "the loss overflowed: not the case under test");
    QCOMPARE(run->sink.summary.termination, Termination::Diverged);
    QVERIFY2(run->sink.summary.terminationDetail.find("beyond") != std::string::npos,
             run->sink.summary.terminationDetail.c_str());
    // It ends where the rule first holds, not at the time limit.
    QVERIFY2(points.back().time < 150, std::to_string(points.back().time).c_str());
  }

  // Same seed, same run; another seed, another run.
  void determinism() {
    auto a = runSim(randomSetup("ringmaster", {{"gamma", 0.05}, {"R", 3}}, 16, 200, 11));
    auto b = runSim(randomSetup("ringmaster", {{"gamma", 0.05}, {"R", 3}}, 16, 200, 11));
    auto c = runSim(randomSetup("ringmaster", {{"gamma", 0.05}, {"R", 3}}, 16, 200, 12));
    QVERIFY(a->finalModel == b->finalModel);
    QCOMPARE(a->sink.events.size(), b->sink.events.size());
    QVERIFY(a->finalModel != c->finalModel);
  }
};

QTEST_APPLESS_MAIN(TestSimStructure)
#include "test_sim_structure.moc"
