#pragma once
// Time-complexity formulas of docs/papers.md, async-sgd §2.3, §2.5 and §2.8, evaluated numerically for given
// per-worker times tau_i (time units per stochastic gradient). Inputs may be in any order (they are
// sorted inside); tau_i must be > 0, +inf allowed for a worker that never finishes. With s = sigma^2/eps
// every "factor" is the time complexity divided by L*Delta/eps, up to the constants the papers leave
// out. These are the oracles that measured runs are checked against (async-sgd §4 E6, §5).

#include <cstdint>
#include <vector>

#include "core/timing/rate_schedule.hpp"

namespace distopt::theory {

/// tau sorted ascending: tau_(1) <= ... <= tau_(n).
std::vector<double> sortedTimes(std::vector<double> tau);

/// S_m = sum_{j<=m} 1/tau_(j) for m = 1..n, at index m-1 (throughput of the m fastest workers).
std::vector<double> throughputs(const std::vector<double>& tau);
/// S_m, 1 <= m <= n.
double throughput(const std::vector<double>& tau, int m);
/// H_m = m / S_m, the harmonic-mean time of the m fastest workers.
double harmonicTime(const std::vector<double>& tau, int m);

/// F(m, s) = (m + s) / S_m = H_m (1 + s/m).
double factorF(const std::vector<double>& tau, int m, double s);

struct MinimumF {
  double value = 0.0;  ///< min_m F(m, s): the lower bound, attained by Rennala and by Ringmaster
  int m = 0;           ///< the argmin m*, the size of the optimal active set (Naive Optimal ASGD)
};
/// min over m in [1, n] of F(m, s); ties (within 1e-12 relative) go to the smallest m.
MinimumF minF(const std::vector<double>& tau, double s);
/// Vanilla / delay-adaptive ASGD: F(n, s) = H_n (1 + s/n).
double asgdFactor(const std::vector<double>& tau, double s);
/// Synchronous Minibatch SGD: tau_(n) (1 + s/n).
double minibatchFactor(const std::vector<double>& tau, double s);

/// Ringmaster window of Lemma 4.1: any R consecutive updates finish within
/// t(R) = 2 min_m (m + R)/S_m time units; R >= 1.
double ringmasterWindow(const std::vector<double>& tau, std::int64_t R);
/// The tighter direct bound min_m (R + 2m)/S_m <= t(R) (async-sgd §2.3, structural property 10).
double ringmasterWindowTight(const std::vector<double>& tau, std::int64_t R);
/// Bound on the time of K Ringmaster updates: ceil(K/R) * t(R).
double ringmasterTimeBound(const std::vector<double>& tau, std::int64_t K, std::int64_t R);

/// Rennala ("restart") iteration time t_B = min{t >= 0 : sum_i floor(t/tau_i) >= B}, B >= 1, computed
/// exactly by merging the completion times j*tau_i (it is always one of them; ties: the first time the
/// count is reached). +inf if fewer than B completions ever happen.
double rennalaBatchTime(const std::vector<double>& tau, std::int64_t B);
/// Time of the K-th ASGD update with fixed times (structural property 9): the K-th smallest element of
/// {j*tau_i : i in [n], j >= 1}. Same value as rennalaBatchTime(tau, K).
double asgdUpdateTime(const std::vector<double>& tau, std::int64_t K);
/// Number of ASGD updates by time T: sum_i floor(T/tau_i), counting j*tau_i <= T with the same
/// products as rennalaBatchTime so the two agree exactly at the boundaries.
std::int64_t countUpdatesByTime(const std::vector<double>& tau, double T);

/// Universal computation model (Lemma 5.1): starting at T0, the next R Ringmaster updates finish within
/// t(R; T0) = min{t >= 0 : sum_i floor(integral_{T0}^{T0+t} p_i / 4) >= R}; exact for
/// piecewise-constant rates, +inf if the workers never do that much work.
double universalWindow(const std::vector<RateSchedule>& rates, std::int64_t R, double T0);
/// Bound on the time of K updates under the universal model: T_{ceil(K/R)} with T_0 = 0 and
/// T_j = T_{j-1} + t(R; T_{j-1}).
double universalTimeBound(const std::vector<RateSchedule>& rates, std::int64_t K, std::int64_t R);

}  // namespace distopt::theory
