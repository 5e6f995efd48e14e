// Time to a target test accuracy on the Fashion-MNIST MLP with 4 live workers (real distopt-worker
// processes on loopback): DHO2 (mode S, FOSI-HB) against data-parallel SGD with momentum and Adam on
// the same engine, from the presets resources/experiments/hybrid-live-fashion-mnist-{dho2,sgdm,adam}.json
// (and, for reference, MR-DHO2 from hybrid-live-fashion-mnist-mr-dho2.json).
// The target: DHO2's time <= 0.7 x the best baseline's (the DHO2 paper reports 1.4-2.1x faster on
// a GPU cluster). Printed, never gated.
//
// Time = engine time of the first evaluation (every 10 updates) at or above the target (the run clock
// starts when every worker is ready, so process start-up and data loading are not counted), in seconds.
// Workers wait out the presets' emulated compute: 1 unit per batch-64 gradient; one HVP of the
// 256-image ESE batch split over the 4 workers (64 each) = hvp_cost x ese_batch_ratio = 2 x 1 units, so
// one estimate (m = 21 HVPs) costs 42 units of stalled training, plus its messages (4 coordinator round
// trips per Lanczos iteration). hvp_cost 2: an R-operator HVP is a forward, an R-forward, a backward and
// an R-backward pass, about two gradients (hybrid-order §3 says 2-3); this program prints the ratio
// measured on this machine for the preset's MLP (1.35-1.74 over five runs), so 2 does not flatter DHO2.
//
// Tuning (simulator, the same model and time model: distopt-run PRESET --engine sim, seeds 1-3, 200-300
// updates, evaluation every 10 updates; median updates or units to 0.80). Every method got a 6-point
// half-decade learning-rate grid per base optimizer; DHO2, which has two bases, got two grids at fixed
// curvature knobs (k = 5, m = default 21, T = 200, W = 20, alpha = 0.1, ESE batch 256, hvp_cost 2):
//   dist-sgdm lr   0.01 0.02 0.05 0.1 0.2 0.5     -> 160 100 80 80 120 never       (preset 0.1: mean 73)
//   dist-adam lr   5e-4 1e-3 2e-3 5e-3 1e-2 2e-2  -> 210 130 80 70 80 never        (preset 5e-3)
//   DHO2 FOSI-HB   0.01 0.02 0.05 0.1 0.2 0.5     -> 152 132 102 102 never never   (preset 0.05)
//   DHO2 FOSI-Adam 5e-4 1e-3 2e-3 5e-3 1e-2 2e-2  -> never 162 122 112 122 never
// (DHO2 in units including its estimate; the baselines' units are their updates.) Exploring the
// curvature knobs at the best learning rates (k in {1, 5, 10}, W in {10, 20, 40}, alpha in {0.01, 0.1,
// 0.5}, one estimate per run) moved DHO2's updates to target only between 50 and 80.
//
// Why the target is not met (measured, seeds 1-3): DHO2 needs 80/60/50 updates to 0.80 where
// FOSI-HB's own base at that rate (dist-sgdm lr 0.05) needs 90/70/80 and the best baseline (Adam 5e-3)
// 70/70/60, i.e. at best 0.86x the updates; with a free estimate that is the ceiling, and one estimate
// costs 42 units (0.7-1.0 s live: 21 x (20 ms HVP + 4 coordinator round trips)) against about 70 units of
// training, so DHO2 lands at about 1.45x. The curvature barely helps because the top of the Hessian
// spectrum is flat (lambda_1 = 5.5, lambda_5 = 3.6, lambda_10 = 2.1, lambda_20 = 1.2 at step 19), so
// removing the top-k subspace raises the admissible step only by c = lambda_1/lambda_k = 1.5 (k = 5) to
// 2.7 (k = 10), while this small-data problem (2048 images, global batch 256) is limited by gradient noise
// near the 0.80 target, not by the step the top curvature allows: dist-sgdm is flat from lr 0.05 to 0.1
// and gets worse at 0.2 although heavy ball is stable up to 2(1 + beta)/lambda_1 = 0.69. FOSI-Adam at
// lr 5e-3 needs exactly Adam's updates (70/70/60): Adam's per-coordinate scaling already does what the
// Newton part would. Before this tuning the presets charged each estimate 800 units (m = 40 HVPs on all
// 2048 images, 20 units each) every T = 100 updates, and the second estimate (t = 119) fell just before
// the evaluation that reached the target: 19 s against 1.4 s (13x).
//
// Options: --target ACC (default 0.80), --updates N (per run, default 400), --unit-ms MS (default 10),
// --seeds S (seeds 1..S per method, median over seeds; default 1, the presets' seed), --repeat R (runs per
// seed, median; default 1).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "core/config/experiment.hpp"
#include "core/telemetry/telemetry.hpp"
#include "net/coordinator/live_engine.hpp"
#include "net/families/live_families.hpp"

using namespace distopt;

namespace {

class AccuracySink final : public TelemetrySink {
 public:
  void onEvaluation(const EvaluationPoint& point) override { points.push_back(point); }
  std::vector<EvaluationPoint> points;
};

struct Figure {
  std::optional<double> secondsToTarget;
  std::optional<std::uint64_t> updatesToTarget;
  double esesToTarget = 0.0;  // curvature estimates started before the target evaluation
  double finalAccuracy = std::nan("");
  double engineSeconds = 0.0;
  std::uint64_t updates = 0;
  std::string failure;
};

Figure runPreset(const std::string& preset, double target, std::uint64_t updates, double unitMs, int seed) {
  const std::string path = std::string(DISTOPT_SOURCE_DIR) + "/resources/experiments/" + preset + ".json";
  nlohmann::json document = readExperimentFile(path);
  document["stop"] = {{"updates", updates}};
  document["seed"] = seed;
  document["workers"]["unit_ms"] = unitMs;
  const Experiment experiment = parseExperiment(document, std::filesystem::path(path).parent_path().string());
  const BuiltRun built = buildRun(experiment);
  const net::LiveFamilyDriver* driver = net::findLiveDriver(FamilyId::Hybrid);
  Figure figure;
  if (!driver) {
    figure.failure = "no hybrid live driver";
    return figure;
  }
  auto role = driver->makeCoordinator(experiment, built);
  net::LiveOptions options;
  options.workerBinary = bench::workerBinary();
  options.telemetryEndpoint.clear();
  options.controlEndpoint.clear();
  AccuracySink sink;
  net::LiveEngine engine(experiment, *built.problem, *role, built.rules, options, sink);
  std::string why;
  if (!engine.bind(&why)) {
    figure.failure = why;
    return figure;
  }
  const RunSummary summary = engine.run();
  if (summary.termination != Termination::UpdateLimit && summary.termination != Termination::TargetReached)
    figure.failure = std::string(terminationName(summary.termination)) + " " + summary.terminationDetail;
  const double unitSeconds = unitMs / 1000.0;
  figure.engineSeconds = summary.time * unitSeconds;
  figure.updates = summary.updatesApplied;
  std::sort(sink.points.begin(), sink.points.end(),
            [](const EvaluationPoint& a, const EvaluationPoint& b) { return a.updates < b.updates; });
  for (const auto& point : sink.points) {
    if (!point.testAccuracy) continue;
    figure.finalAccuracy = *point.testAccuracy;
    if (!figure.secondsToTarget && *point.testAccuracy >= target) {
      figure.secondsToTarget = point.time * unitSeconds;
      figure.updatesToTarget = point.updates;
      if (const auto ese = point.metrics.find("ese_count"); ese != point.metrics.end())
        figure.esesToTarget = ese->second;
    }
  }
  return figure;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? std::nan("") : values[values.size() / 2];
}

// The basis of the presets' hvp_cost: seconds of one R-operator HVP over one gradient on the same samples
// (the preset's training set; the ratio does not depend on the batch size), medians of `reps` runs.
double measuredHvpCost(const std::string& preset, int reps) {
  const std::string path = std::string(DISTOPT_SOURCE_DIR) + "/resources/experiments/" + preset + ".json";
  const Experiment experiment =
      parseExperiment(readExperimentFile(path), std::filesystem::path(path).parent_path().string());
  const BuiltRun built = buildRun(experiment);
  const Problem& problem = *built.problem;
  const Vector& x = built.familyContext.x0;
  const Vector v = Vector::LinSpaced(x.size(), -1.0, 1.0);
  Vector out(x.size());
  auto seconds = [&](auto&& work) {
    std::vector<double> times;
    for (int r = 0; r < reps; ++r) {
      const auto start = std::chrono::steady_clock::now();
      work();
      times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return median(times);
  };
  const double gradient = seconds([&] { problem.gradient(x, out); });
  const double hvp = seconds([&] { problem.hessianVectorProduct(x, v, out); });
  return hvp / gradient;
}

}  // namespace

// One row of the table; `seconds` is infinite when the target was not reached.
void printRow(const std::string& label, double seconds, const Figure& figure) {
  const bool reached = std::isfinite(seconds) && figure.updatesToTarget && *figure.updatesToTarget > 0;
  std::printf("%-16s %14s %8s %5.0f %11s %10.4f %9.2f %s\n", label.c_str(),
              reached ? (std::to_string(seconds).substr(0, 8) + " s").c_str() : "not reached",
              reached ? std::to_string(*figure.updatesToTarget).c_str() : "-",
              reached ? figure.esesToTarget : 0.0,
              reached ? std::to_string(1000.0 * seconds / static_cast<double>(*figure.updatesToTarget))
                            .substr(0, 6)
                            .c_str()
                      : "-",
              figure.finalAccuracy, figure.engineSeconds, figure.failure.c_str());
  std::fflush(stdout);
}

int main(int argc, char** argv) {
  double target = 0.80;
  std::uint64_t updates = 400;
  double unitMs = 10.0;
  int repeat = 1;
  int seeds = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--target") == 0)
      target = std::atof(argv[i + 1]);
    else if (std::strcmp(argv[i], "--updates") == 0)
      updates = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--unit-ms") == 0)
      unitMs = std::atof(argv[i + 1]);
    else if (std::strcmp(argv[i], "--repeat") == 0)
      repeat = std::max(1, std::atoi(argv[i + 1]));
    else if (std::strcmp(argv[i], "--seeds") == 0)
      seeds = std::max(1, std::atoi(argv[i + 1]));
  }
  std::printf(
      "Hybrid-order live: time to test accuracy %.3f, F-MNIST MLP 784-32-10, 4 live workers, "
      "%llu updates max, unit %.1f ms, seeds 1..%d, median of %d runs per seed\n\n",
      target, static_cast<unsigned long long>(updates), unitMs, seeds, repeat);
  std::printf("%-16s %14s %8s %5s %11s %10s %9s %s\n", "method", "time to target", "updates", "ESEs",
              "ms/update", "final acc", "engine s", "note");
  struct Row {
    const char* label;
    const char* preset;
    double seconds = std::nan("");
  };
  // mr-dho2 is printed for reference (the ratio is DHO2's).
  Row rows[] = {{"dho2", "hybrid-live-fashion-mnist-dho2"},
                {"dist-sgdm", "hybrid-live-fashion-mnist-sgdm"},
                {"dist-adam", "hybrid-live-fashion-mnist-adam"},
                {"mr-dho2", "hybrid-live-fashion-mnist-mr-dho2"}};
  for (auto& row : rows) {
    std::vector<double> perSeed;
    for (int seed = 1; seed <= seeds; ++seed) {
      std::vector<double> times;
      Figure last;
      for (int r = 0; r < repeat; ++r) {
        last = runPreset(row.preset, target, updates, unitMs, seed);
        times.push_back(last.secondsToTarget ? *last.secondsToTarget : INFINITY);
      }
      perSeed.push_back(median(times));
      printRow(std::string(row.label) + (seeds > 1 ? " seed " + std::to_string(seed) : ""), perSeed.back(),
               last);
    }
    row.seconds = median(perSeed);
    if (seeds > 1)
      std::printf("%-16s %14s\n", (std::string(row.label) + " median").c_str(),
                  std::isfinite(row.seconds) ? (std::to_string(row.seconds).substr(0, 8) + " s").c_str()
                                             : "not reached");
  }
  std::printf("\nHVP / gradient on the same samples, R-operator, measured on this machine: %.2f\n",
              measuredHvpCost("hybrid-live-fashion-mnist-dho2", 15));
  const double best = std::min(rows[1].seconds, rows[2].seconds);
  if (std::isfinite(rows[0].seconds) && std::isfinite(best)) {
    const double ratio = rows[0].seconds / best;
    std::printf("\nDHO2 / best baseline = %.3f (target <= 0.7: %s)\n", ratio,
                ratio <= 0.7 ? "met" : "NOT met");
    if (std::isfinite(rows[3].seconds))
      std::printf("MR-DHO2 / best baseline = %.3f\n", rows[3].seconds / best);
  } else {
    std::printf("\nDHO2 / best baseline: undefined (a run did not reach the target)\n");
  }
  return 0;
}
