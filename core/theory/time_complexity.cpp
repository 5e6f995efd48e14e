#include "core/theory/time_complexity.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <tuple>

#include "core/util/check.hpp"

namespace distopt::theory {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void checkTimes(const std::vector<double>& tau) {
  DISTOPT_CHECK_MSG(!tau.empty(), "time-complexity formulas need at least one worker");
  for (double value : tau) DISTOPT_CHECK_MSG(value > 0.0, "worker times must be > 0 (+inf allowed)");
}

/// min over m of (a*m + R)/S_m.
double minOverPrefixes(const std::vector<double>& tau, double a, double R) {
  const std::vector<double> S = throughputs(tau);
  double best = kInf;
  for (std::size_t k = 0; k < S.size(); ++k)
    best = std::min(best, (a * static_cast<double>(k + 1) + R) / S[k]);
  return best;
}

/// The K-th smallest of the event times produced by `next(worker, previous)`, previous = NaN for the
/// first event; +inf when the events run out. Events of equal time are interchangeable, so ties need
/// no rule: the K-th pop is the first time at which K events have happened.
double kthEvent(std::size_t numWorkers, std::int64_t K,
                const std::function<double(std::size_t, double)>& next) {
  using Event = std::tuple<double, std::size_t>;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> heap;
  for (std::size_t worker = 0; worker < numWorkers; ++worker) {
    const double first = next(worker, std::numeric_limits<double>::quiet_NaN());
    if (first < kInf) heap.emplace(first, worker);
  }
  for (std::int64_t count = 1;; ++count) {
    if (heap.empty()) return kInf;
    const auto [time, worker] = heap.top();
    if (count == K) return time;
    heap.pop();
    const double following = next(worker, time);
    if (following < kInf) heap.emplace(following, worker);
  }
}

}  // namespace

std::vector<double> sortedTimes(std::vector<double> tau) {
  std::sort(tau.begin(), tau.end());
  return tau;
}

std::vector<double> throughputs(const std::vector<double>& tau) {
  checkTimes(tau);
  const std::vector<double> sorted = sortedTimes(tau);
  std::vector<double> S(sorted.size());
  double sum = 0.0;
  for (std::size_t k = 0; k < sorted.size(); ++k) S[k] = sum += 1.0 / sorted[k];
  return S;
}

double throughput(const std::vector<double>& tau, int m) {
  DISTOPT_CHECK(m >= 1 && static_cast<std::size_t>(m) <= tau.size());
  return throughputs(tau)[static_cast<std::size_t>(m - 1)];
}

double harmonicTime(const std::vector<double>& tau, int m) { return m / throughput(tau, m); }

double factorF(const std::vector<double>& tau, int m, double s) {
  DISTOPT_CHECK(s >= 0.0);
  return (m + s) / throughput(tau, m);
}

MinimumF minF(const std::vector<double>& tau, double s) {
  DISTOPT_CHECK(s >= 0.0);
  const std::vector<double> S = throughputs(tau);
  MinimumF best{kInf, 0};
  for (std::size_t k = 0; k < S.size(); ++k) {
    const double value = (static_cast<double>(k + 1) + s) / S[k];
    // Exact ties (tau = (1,2,4,8), s = 4: m = 2 and 3) may differ in the last bit after rounding; the
    // relative margin keeps them ties so the smaller active set wins.
    if (best.m == 0 || value < best.value - 1e-12 * best.value)
      best = MinimumF{value, static_cast<int>(k + 1)};
  }
  return best;
}

double asgdFactor(const std::vector<double>& tau, double s) {
  return factorF(tau, static_cast<int>(tau.size()), s);
}

double minibatchFactor(const std::vector<double>& tau, double s) {
  checkTimes(tau);
  DISTOPT_CHECK(s >= 0.0);
  return *std::max_element(tau.begin(), tau.end()) * (1.0 + s / static_cast<double>(tau.size()));
}

double ringmasterWindow(const std::vector<double>& tau, std::int64_t R) {
  DISTOPT_CHECK(R >= 1);
  return 2.0 * minOverPrefixes(tau, 1.0, static_cast<double>(R));
}

double ringmasterWindowTight(const std::vector<double>& tau, std::int64_t R) {
  DISTOPT_CHECK(R >= 1);
  return minOverPrefixes(tau, 2.0, static_cast<double>(R));
}

double ringmasterTimeBound(const std::vector<double>& tau, std::int64_t K, std::int64_t R) {
  DISTOPT_CHECK(K >= 0 && R >= 1);
  return static_cast<double>((K + R - 1) / R) * ringmasterWindow(tau, R);
}

double rennalaBatchTime(const std::vector<double>& tau, std::int64_t B) {
  checkTimes(tau);
  DISTOPT_CHECK(B >= 1);
  // Products j*tau_i rather than running sums: one rounding per event, and countUpdatesByTime uses
  // the same products, so count(t_B) >= B > count(anything earlier) holds exactly.
  std::vector<std::int64_t> done(tau.size(), 0);
  return kthEvent(tau.size(), B, [&](std::size_t worker, double /*previous*/) {
    return static_cast<double>(++done[worker]) * tau[worker];
  });
}

double asgdUpdateTime(const std::vector<double>& tau, std::int64_t K) { return rennalaBatchTime(tau, K); }

std::int64_t countUpdatesByTime(const std::vector<double>& tau, double T) {
  checkTimes(tau);
  if (!(T >= 0.0)) return 0;
  std::int64_t total = 0;
  for (double t : tau) {
    if (t == kInf) continue;
    // The quotient can round across an integer; settle j against the products themselves.
    auto j = static_cast<std::int64_t>(std::floor(T / t));
    while (static_cast<double>(j + 1) * t <= T) ++j;
    while (j > 0 && static_cast<double>(j) * t > T) --j;
    total += j;
  }
  return total;
}

double universalWindow(const std::vector<RateSchedule>& rates, std::int64_t R, double T0) {
  DISTOPT_CHECK(!rates.empty() && R >= 1 && std::isfinite(T0));
  // Worker i's j-th unit of credit is the moment its work since T0 reaches 4j.
  const double end = kthEvent(rates.size(), R, [&](std::size_t worker, double previous) {
    return rates[worker].timeToAccumulate(std::isnan(previous) ? T0 : previous, 4.0);
  });
  return end == kInf ? kInf : end - T0;
}

double universalTimeBound(const std::vector<RateSchedule>& rates, std::int64_t K, std::int64_t R) {
  DISTOPT_CHECK(K >= 0 && R >= 1);
  double T = 0.0;
  for (std::int64_t window = 0; window < (K + R - 1) / R; ++window) {
    const double length = universalWindow(rates, R, T);
    if (length == kInf) return kInf;
    T += length;
  }
  return T;
}

}  // namespace distopt::theory
