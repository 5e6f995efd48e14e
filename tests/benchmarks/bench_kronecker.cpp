// docs/papers.md, kronecker-async §4: per-iteration time of kron-fast against kron-naive, single-threaded.
// Sweeps d (d1 = d2 = √d, 64 … 16384), m and n one at a time around the defaults of kronecker-async §4.1
// (m = 4096, n = 256, S = 16, b = sqrt(0.4·ln m), η = 0.5/(S·p̂)), prints median and p90 of the
// per-iteration wall time (warm-up excluded, evaluation excluded), init times, log–log slopes, the
// crossover in d, the index kinds at the default point, and whether the target — fast at least 10×
// faster than naive at d = 4096 — is met. Both paths run the same batches from the same seeds; the
// largest relative gap between their batch losses is printed as the identical-loss check.
//
//   build/bench/bench_kronecker [--budget SECONDS_PER_CONFIG]   (default 0.5; whole run ≈ 1–2 min)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <sys/resource.h>

#include <Eigen/Core>

#include "core/kronecker/kron_driver.hpp"

namespace {

using namespace distopt;
using Clock = std::chrono::steady_clock;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct Config {
  std::int64_t m = 4096, n = 256, side = 64, s = 16;
};

struct Timing {
  double median = 0.0, p90 = 0.0, initSeconds = 0.0, eta = 0.0, firedFraction = 0.0;
  int iterations = 0;
  std::vector<double> batchLosses;
};

double g_budget = 0.5;

Timing timeRun(const Config& config, KronAlgorithm algorithm, FireIndex::Kind index, GramMode gram,
               double eta) {
  KronTwoLayerProblem::Options options;
  options.m = config.m, options.n = config.n, options.d1 = config.side, options.d2 = config.side;
  options.batch = config.s, options.dataSeed = 1, options.modelSeed = 2;
  const KronTwoLayerProblem problem(options);
  KronDriverOptions driverOptions{.algorithm = algorithm, .workers = 1, .samplerSeed = 3};
  driverOptions.fast.index = index;
  driverOptions.fast.gram = gram;
  if (eta > 0.0) driverOptions.eta = eta;
  Timing timing;
  const auto initStart = Clock::now();
  KronSequentialDriver driver(problem, driverOptions);
  timing.initSeconds = seconds(Clock::now() - initStart);
  timing.eta = driver.eta();
  // Warm up: up to 10 steps, fewer when a step is slow (the naive path at the top of the sweep).
  const auto warmStart = Clock::now();
  for (int t = 0; t < 10; ++t) {
    timing.batchLosses.push_back(driver.step().batchLoss);
    if (seconds(Clock::now() - warmStart) > 0.3 * g_budget && t >= 1) break;
  }
  std::vector<double> times;
  std::uint64_t fired = 0;
  const auto budgetStart = Clock::now();
  while (times.size() < 200 && (times.size() < 5 || seconds(Clock::now() - budgetStart) < g_budget)) {
    const auto start = Clock::now();
    const KronIterationResult result = driver.step();
    times.push_back(seconds(Clock::now() - start));
    timing.batchLosses.push_back(result.batchLoss);
    fired += result.firedPairs;
  }
  std::sort(times.begin(), times.end());
  timing.iterations = static_cast<int>(times.size());
  timing.median = times[times.size() / 2];
  timing.p90 = times[std::min(times.size() - 1, times.size() * 9 / 10)];
  timing.firedFraction = static_cast<double>(fired) /
                         (static_cast<double>(times.size()) * static_cast<double>(config.s * config.m));
  return timing;
}

double slope(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += std::log(x[i]) / x.size(), my += std::log(y[i]) / x.size();
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (std::log(x[i]) - mx) * (std::log(y[i]) - my);
    sxx += (std::log(x[i]) - mx) * (std::log(x[i]) - mx);
  }
  return sxx > 0 ? sxy / sxx : 0.0;
}

double maxRelativeGap(const std::vector<double>& a, const std::vector<double>& b) {
  double gap = 0.0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    gap = std::max(gap, std::abs(a[i] - b[i]) / std::max(1.0, std::abs(a[i])));
  return gap;
}

void printRow(const char* label, const Config& c, const Timing& naive, const Timing& fast) {
  std::printf(
      "%-6s m=%-6lld n=%-5lld d=%-6lld | naive %10.3f ms (p90 %9.3f, %3d it, init %6.2f s) | "
      "fast %8.4f ms (p90 %8.4f, %3d it, init %6.2f s) | speedup %8.1fx | p̂ %.4f | loss gap %.1e\n",
      label, static_cast<long long>(c.m), static_cast<long long>(c.n),
      static_cast<long long>(c.side * c.side), 1e3 * naive.median, 1e3 * naive.p90, naive.iterations,
      naive.initSeconds, 1e3 * fast.median, 1e3 * fast.p90, fast.iterations, fast.initSeconds,
      naive.median / fast.median, fast.firedFraction, maxRelativeGap(naive.batchLosses, fast.batchLosses));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--budget") == 0 && i + 1 < argc) g_budget = std::atof(argv[++i]);
  }
  Eigen::setNbThreads(1);
  const auto wallStart = Clock::now();
  std::printf(
      "bench_kronecker: single thread, per-iteration wall time (median, p90), budget %.2f s per config\n",
      g_budget);

  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::pair<Timing, Timing>> results;
  auto pair = [&](const char* label, const Config& c) -> std::pair<Timing, Timing>& {
    const auto key = std::make_tuple(c.m, c.n, c.side);
    auto it = results.find(key);
    if (it != results.end()) return it->second;
    Timing fast = timeRun(c, KronAlgorithm::Fast, FireIndex::Kind::FlipSets, GramMode::Precomputed, 0.0);
    Timing naive =
        timeRun(c, KronAlgorithm::Naive, FireIndex::Kind::FlipSets, GramMode::Precomputed, fast.eta);
    printRow(label, c, naive, fast);
    return results.emplace(key, std::make_pair(std::move(naive), std::move(fast))).first->second;
  };

  std::printf("\n-- time vs d (m = 4096, n = 256, S = 16) --\n");
  std::vector<double> ds, naiveD, fastD;
  for (const std::int64_t side : {8, 16, 32, 64, 128}) {
    const Config c{.side = side};
    const auto& [naive, fast] = pair("d", c);
    ds.push_back(static_cast<double>(side * side));
    naiveD.push_back(naive.median);
    fastD.push_back(fast.median);
  }
  std::printf("\n-- time vs m (d = 4096, n = 256, S = 16, b = sqrt(0.4 ln m)) --\n");
  std::vector<double> ms, naiveM, fastM;
  for (const std::int64_t m : {1024, 4096, 16384}) {
    const auto& [naive, fast] = pair("m", Config{.m = m});
    ms.push_back(static_cast<double>(m));
    naiveM.push_back(naive.median);
    fastM.push_back(fast.median);
  }
  std::printf("\n-- time vs n (d = 4096, m = 4096, S = 16) --\n");
  std::vector<double> ns, naiveN, fastN;
  for (const std::int64_t n : {64, 256, 1024}) {
    const auto& [naive, fast] = pair("n", Config{.n = n});
    ns.push_back(static_cast<double>(n));
    naiveN.push_back(naive.median);
    fastN.push_back(fast.median);
  }

  std::printf("\n-- fast variants at the default point (m = 4096, n = 256, d = 4096) --\n");
  const Config base{};
  for (const auto& [label, index, gram] : std::vector<std::tuple<const char*, FireIndex::Kind, GramMode>>{
           {"flipsets/precomputed", FireIndex::Kind::FlipSets, GramMode::Precomputed},
           {"tree/precomputed", FireIndex::Kind::Tree, GramMode::Precomputed},
           {"scan/precomputed", FireIndex::Kind::Scan, GramMode::Precomputed},
           {"flipsets/factored", FireIndex::Kind::FlipSets, GramMode::Factored}}) {
    const Timing t = timeRun(base, KronAlgorithm::Fast, index, gram, 0.0);
    std::printf("%-22s %8.4f ms (p90 %8.4f, %3d it)\n", label, 1e3 * t.median, 1e3 * t.p90, t.iterations);
  }

  std::printf(
      "\n-- log-log slopes (expected, docs/papers.md kronecker-async §4.3: naive d 1, m 1, n 0; fast d 0, "
      "m <= 0.8, n 1) --\n");
  std::printf("time vs d: naive %.2f  fast %.2f\n", slope(ds, naiveD), slope(ds, fastD));
  std::printf("time vs m: naive %.2f  fast %.2f\n", slope(ms, naiveM), slope(ms, fastM));
  std::printf("time vs n: naive %.2f  fast %.2f\n", slope(ns, naiveN), slope(ns, fastN));

  // Crossover in d: where log(naive/fast) crosses 0, interpolated on log d.
  std::string crossover = "fast is faster at every measured d (crossover below d = 64)";
  if (naiveD[0] < fastD[0]) {
    crossover = "naive is faster at every measured d";
    for (std::size_t i = 1; i < ds.size(); ++i) {
      const double r0 = std::log(naiveD[i - 1] / fastD[i - 1]), r1 = std::log(naiveD[i] / fastD[i]);
      if (r0 < 0 && r1 >= 0) {
        const double at =
            std::exp(std::log(ds[i - 1]) + (std::log(ds[i]) - std::log(ds[i - 1])) * (-r0) / (r1 - r0));
        char text[128];
        std::snprintf(text, sizeof text, "d ≈ %.0f (between %.0f and %.0f)", at, ds[i - 1], ds[i]);
        crossover = text;
        break;
      }
    }
  }
  std::printf("crossover in d: %s\n", crossover.c_str());

  const auto& [naive4096, fast4096] =
      results.at(std::make_tuple(std::int64_t{4096}, std::int64_t{256}, std::int64_t{64}));
  const double speedup = naive4096.median / fast4096.median;
  const double breakEven = fast4096.initSeconds / std::max(1e-12, naive4096.median - fast4096.median);
  std::printf(
      "\nat d = 4096, m = 4096, n = 256, S = 16: speedup %.1fx (naive %.3f ms, fast %.4f ms); fast init %.2f "
      "s "
      "= %.0f naive iterations\n",
      speedup, 1e3 * naive4096.median, 1e3 * fast4096.median, fast4096.initSeconds, breakEven);
  std::printf("TARGET (>= 10x at d = 4096): %s\n", speedup >= 10.0 ? "MET" : "NOT MET");
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak RSS %.0f MiB; total benchmark time %.1f s\n", usage.ru_maxrss / 1024.0,
              seconds(Clock::now() - wallStart));
  return 0;
}
