// Formula oracles of async-sgd §5 (docs/papers.md), the exact Rennala batch times of structural property 12.

#include <QtTest>
#include <cmath>
#include <limits>
#include <vector>

#include "core/theory/time_complexity.hpp"
#include "core/timing/rate_schedule.hpp"

namespace theory = distopt::theory;
using distopt::RateSchedule;

namespace {

std::vector<double> sqrtTimes(int n) {
  std::vector<double> tau;
  for (int i = 1; i <= n; ++i) tau.push_back(std::sqrt(static_cast<double>(i)));
  return tau;
}

std::vector<double> linearTimes(int n) {
  std::vector<double> tau;
  for (int i = 1; i <= n; ++i) tau.push_back(i);
  return tau;
}

/// True when `value` rounds to `printed` at `decimals` decimals (the precision async-sgd §5 prints).
bool matchesPrinted(double value, double printed, int decimals) {
  return std::abs(value - printed) <= 0.5 * std::pow(10.0, -decimals) + 1e-12;
}

#define CHECK_PRINTED(value, printed, decimals)            \
  QVERIFY2(matchesPrinted((value), (printed), (decimals)), \
           qPrintable(                                     \
               QStringLiteral("%1 = %2, spec prints %3").arg(#value).arg((value), 0, 'g', 10).arg(printed)))

}  // namespace

class TestTimeComplexity : public QObject {
  Q_OBJECT

 private slots:
  void powersOfTwoThroughputs() {
    const std::vector<double> tau = {8, 2, 1, 4};  // unsorted on purpose
    const std::vector<double> S = theory::throughputs(tau);
    QCOMPARE(S, (std::vector<double>{1, 1.5, 1.75, 1.875}));
    QCOMPARE(theory::throughput(tau, 3), 1.75);
    QCOMPARE(theory::harmonicTime(tau, 2), 2 / 1.5);
    QCOMPARE(theory::sortedTimes(tau), (std::vector<double>{1, 2, 4, 8}));
  }

  void powersOfTwoFactors() {
    const std::vector<double> tau = {1, 2, 4, 8};
    auto best = theory::minF(tau, 0);
    QCOMPARE(best.value, 1.0);
    QCOMPARE(best.m, 1);
    best = theory::minF(tau, 4);
    QCOMPARE(best.value, 4.0);
    QCOMPARE(best.m, 2);  // m = 2 and 3 tie; the smaller wins
    QCOMPARE(theory::factorF(tau, 3, 4), 4.0);
    best = theory::minF(tau, 100);
    CHECK_PRINTED(best.value, 55.467, 3);
    QCOMPARE(best.m, 4);

    CHECK_PRINTED(theory::asgdFactor(tau, 0), 2.1333, 4);
    CHECK_PRINTED(theory::asgdFactor(tau, 4), 4.2667, 4);
    CHECK_PRINTED(theory::asgdFactor(tau, 100), 55.467, 3);
    QCOMPARE(theory::minibatchFactor(tau, 0), 8.0);
    QCOMPARE(theory::minibatchFactor(tau, 4), 16.0);
    QCOMPARE(theory::minibatchFactor(tau, 100), 208.0);

    QCOMPARE(theory::ringmasterWindow(tau, 1), 4.0);
    QCOMPARE(theory::ringmasterWindow(tau, 4), 8.0);
    QCOMPARE(theory::ringmasterTimeBound(tau, 9, 4), 3 * 8.0);
  }

  void sqrtTable6174() {
    const std::vector<double> tau = sqrtTimes(6174);
    struct Row {
      double s;
      double opt;
      int optDecimals;
      int m;
      double asgd;
      int asgdDecimals;
      double minibatch;
      int minibatchDecimals;
      double asgdRatio;
      int asgdRatioDecimals;
      double minibatchRatio;
      int minibatchRatioDecimals;
    };
    const Row rows[] = {
        {1, 1.751, 3, 3, 39.66, 2, 78.59, 2, 22.7, 1, 44.9, 1},
        {10, 3.898, 3, 15, 39.72, 2, 78.70, 2, 10.2, 1, 20.2, 1},
        {100, 10.73, 2, 115, 40.30, 2, 79.85, 2, 3.75, 2, 7.4, 1},
        {1000, 32.35, 2, 1046, 46.08, 2, 91.30, 2, 1.42, 2, 2.8, 1},
        {10000, 103.9, 1, 6174, 103.9, 1, 205.8, 1, 1.00, 2, 2.0, 1},
    };
    for (const Row& row : rows) {
      const auto best = theory::minF(tau, row.s);
      const double asgd = theory::asgdFactor(tau, row.s);
      const double minibatch = theory::minibatchFactor(tau, row.s);
      CHECK_PRINTED(best.value, row.opt, row.optDecimals);
      QCOMPARE(best.m, row.m);
      CHECK_PRINTED(asgd, row.asgd, row.asgdDecimals);
      CHECK_PRINTED(minibatch, row.minibatch, row.minibatchDecimals);
      CHECK_PRINTED(asgd / best.value, row.asgdRatio, row.asgdRatioDecimals);
      CHECK_PRINTED(minibatch / best.value, row.minibatchRatio, row.minibatchRatioDecimals);
    }
    CHECK_PRINTED(theory::ringmasterWindow(tau, 6), 6.373, 3);
  }

  void sqrtAndLinear32() {
    const std::vector<double> root = sqrtTimes(32);
    auto best = theory::minF(root, 1);
    CHECK_PRINTED(best.value, 1.751, 3);
    QCOMPARE(best.m, 3);
    CHECK_PRINTED(theory::asgdFactor(root, 1), 3.319, 3);
    best = theory::minF(root, 10);
    CHECK_PRINTED(best.value, 3.898, 3);
    QCOMPARE(best.m, 15);
    CHECK_PRINTED(theory::asgdFactor(root, 10), 4.225, 3);
    for (double s : {100.0, 1000.0, 10000.0, 1e6}) {
      best = theory::minF(root, s);
      QCOMPARE(best.m, 32);
      QCOMPARE(theory::asgdFactor(root, s), best.value);
    }

    const std::vector<double> linear = linearTimes(32);
    best = theory::minF(linear, 1);
    QCOMPARE(best.value, 2.0);
    QCOMPARE(best.m, 1);
    CHECK_PRINTED(theory::asgdFactor(linear, 1), 8.131, 3);
    best = theory::minF(linear, 10);
    CHECK_PRINTED(best.value, 6.531, 3);
    QCOMPARE(best.m, 6);
    CHECK_PRINTED(theory::asgdFactor(linear, 10), 10.35, 2);
  }

  void activeSetIsThePrefixThatHelps() {
    // Adding worker m+1 helps iff tau_(m+1) < F(m, s) (async-sgd §2.8): check it at the argmin.
    const std::vector<double> tau = sqrtTimes(500);
    for (double s : {1.0, 10.0, 100.0}) {
      const auto best = theory::minF(tau, s);
      QVERIFY(best.m > 1);
      // Worker m*+1 would not help; worker m* did.
      QVERIFY(tau[static_cast<std::size_t>(best.m)] >= best.value);
      QVERIFY(tau[static_cast<std::size_t>(best.m - 1)] < theory::factorF(tau, best.m - 1, s));
    }
  }

  void asymptoticSqrt() {
    // n >> s: min_m F ~ sqrt(s) near m ~ s, ASGD ~ sqrt(n)/2, ratio ~ sqrt(n/(4s)). The corrections
    // are O(1/sqrt(s)) (S_m = 2 sqrt(m) + zeta(1/2) + ...), hence the loose bands at small s.
    const int n = 1000000;
    const std::vector<double> tau = sqrtTimes(n);
    double previousError = std::numeric_limits<double>::infinity();
    for (double s : {100.0, 400.0, 1600.0}) {
      const auto best = theory::minF(tau, s);
      const double asgd = theory::asgdFactor(tau, s);
      const double error = std::abs(best.value / std::sqrt(s) - 1.0);
      QVERIFY2(error < 0.08, qPrintable(QString::number(best.value)));
      QVERIFY(error < previousError);  // the approximation improves as s grows
      previousError = error;
      QVERIFY(best.m >= s && best.m <= 1.2 * s);
      QVERIFY(std::abs(asgd / (std::sqrt(static_cast<double>(n)) / 2.0) - 1.0) < 0.01);
      QVERIFY(std::abs((asgd / best.value) / std::sqrt(n / (4.0 * s)) - 1.0) < 0.08);
    }
    // The ratio grows like sqrt(n): ten times the workers, about sqrt(10) times the gap.
    const double ratioSmall =
        theory::asgdFactor(sqrtTimes(10000), 400) / theory::minF(sqrtTimes(10000), 400).value;
    const double ratioLarge = theory::asgdFactor(tau, 400) / theory::minF(tau, 400).value;
    QVERIFY(std::abs(ratioLarge / ratioSmall / 10.0 - 1.0) < 0.05);
  }

  void ringmasterWindowBounds() {
    // Property 10: min_m (R + 2m)/S_m <= t(R) = 2 min_m (m + R)/S_m.
    for (const auto& tau : {std::vector<double>{1, 2.3, 4.7, 9.1}, sqrtTimes(64), linearTimes(32)}) {
      for (std::int64_t R : {1, 2, 4, 6, 100}) {
        QVERIFY(theory::ringmasterWindowTight(tau, R) <= theory::ringmasterWindow(tau, R));
      }
    }
    // Golden trace, R = 2: the tight bound is 4, which excludes workers 3 and 4 (property 11).
    QCOMPARE(theory::ringmasterWindowTight({1, 2.3, 4.7, 9.1}, 2), 4.0);
  }

  void rennalaBatchTimes() {
    const std::vector<double> golden = {9.1, 1, 4.7, 2.3};  // unsorted on purpose
    QCOMPARE(theory::rennalaBatchTime(golden, 1), 1.0);
    QCOMPARE(theory::rennalaBatchTime(golden, 2), 2.0);
    QCOMPARE(theory::rennalaBatchTime(golden, 4), 3.0);
    const std::vector<double> powers = {1, 2, 4, 8};
    QCOMPARE(theory::rennalaBatchTime(powers, 1), 1.0);
    QCOMPARE(theory::rennalaBatchTime(powers, 4), 3.0);
    QCOMPARE(theory::rennalaBatchTime(powers, 7), 4.0);
    // async-sgd §2.5: t_B <= min_m (m + B)/S_m.
    for (std::int64_t B : {1, 3, 6, 20}) {
      const auto tau = sqrtTimes(64);
      const double bound = theory::minF(tau, static_cast<double>(B)).value;
      QVERIFY(theory::rennalaBatchTime(tau, B) <= bound);
    }
    // A worker that never finishes contributes nothing; too few finishers give +inf.
    const double inf = std::numeric_limits<double>::infinity();
    QCOMPARE(theory::rennalaBatchTime({1, inf}, 3), 3.0);
  }

  void updateTimesMatchCounts() {
    // Property 9: the K-th ASGD update is the K-th smallest j*tau_i, and count(T) = sum floor(T/tau_i);
    // the two agree exactly at every boundary, also for times that are not representable.
    const std::vector<double> golden = {1, 2.3, 4.7, 9.1};
    QCOMPARE(theory::countUpdatesByTime(golden, 12), std::int64_t{20});  // the golden traces' 20 updates
    QCOMPARE(theory::asgdUpdateTime(golden, 20), 12.0);
    QCOMPARE(theory::asgdUpdateTime(golden, 21), 13.0);
    for (const auto& tau : {golden, std::vector<double>{0.1, 0.3, 0.7}, sqrtTimes(17)}) {
      for (std::int64_t K = 1; K <= 200; ++K) {
        const double t = theory::asgdUpdateTime(tau, K);
        QVERIFY(theory::countUpdatesByTime(tau, t) >= K);
        QVERIFY(theory::countUpdatesByTime(tau, std::nextafter(t, 0.0)) < K);
      }
    }
    QCOMPARE(theory::countUpdatesByTime({0.1}, 0.3), std::int64_t{2});  // 3*0.1 > 0.3 in binary
    QCOMPARE(theory::countUpdatesByTime({0.1}, 3 * 0.1), std::int64_t{3});
    QCOMPARE(theory::countUpdatesByTime(golden, -1), std::int64_t{0});
  }

  void universalWindowFixedRates() {
    // With constant rates 1/tau_i the universal window is t_R for times 4*tau_i, and stays within
    // twice Lemma 4.1's window (t_B <= min_m (m + B)/S_m applied to 4*tau).
    const std::vector<double> tau = {1, 2, 4, 8};
    std::vector<RateSchedule> rates;
    std::vector<double> four;
    for (double t : tau) {
      rates.push_back(RateSchedule::constant(1.0 / t));
      four.push_back(4 * t);
    }
    for (std::int64_t R : {1, 2, 3, 4, 7, 10}) {
      QCOMPARE(theory::universalWindow(rates, R, 0.0), theory::rennalaBatchTime(four, R));
      QCOMPARE(theory::universalWindow(rates, R, 5.0), theory::rennalaBatchTime(four, R));
      QVERIFY(theory::universalWindow(rates, R, 0.0) <= 2.0 * theory::ringmasterWindow(tau, R));
    }
    QCOMPARE(theory::universalWindow(rates, 1, 0.0), 4.0);
    QCOMPARE(theory::universalWindow(rates, 4, 0.0), 12.0);  // credits at 4, 8, 8, 12
    QCOMPARE(theory::universalTimeBound(rates, 8, 4), 24.0);
    QCOMPARE(theory::universalTimeBound(rates, 9, 4), 36.0);
    QCOMPARE(theory::universalTimeBound(rates, 0, 4), 0.0);
  }

  void universalWindowWithOutage() {
    // Worker 0: rate 1 but dark on [2, 10); worker 1: rate 0.5, dark for good from 6.
    std::vector<RateSchedule> rates = {
        RateSchedule::constant(1.0).withOutage(2, 10),
        RateSchedule::constant(0.5).withOutage(6, std::numeric_limits<double>::infinity())};
    // Worker 0 reaches 4 units of work at 12, 8 at 16; worker 1 reaches only 3 units, ever.
    QCOMPARE(theory::universalWindow(rates, 1, 0.0), 12.0);
    QCOMPARE(theory::universalWindow(rates, 2, 0.0), 16.0);
    QCOMPARE(theory::universalWindow(rates, 1, 11.0), 4.0);
    QCOMPARE(theory::universalTimeBound(rates, 4, 2), 24.0);  // windows [0,16], [16,24]
    const std::vector<RateSchedule> dark = {RateSchedule::constant(0.0)};
    QCOMPARE(theory::universalWindow(dark, 1, 0.0), std::numeric_limits<double>::infinity());
    QCOMPARE(theory::universalTimeBound(dark, 1, 1), std::numeric_limits<double>::infinity());
  }
};

QTEST_APPLESS_MAIN(TestTimeComplexity)
#include "test_time_complexity.moc"
