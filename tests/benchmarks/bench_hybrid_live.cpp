// Time to a target test accuracy on the Fashion-MNIST MLP with 4 live workers (real distopt-worker
// processes on loopback): DHO2 (mode S, FOSI-Adam) against data-parallel SGD with momentum and Adam on
// the same engine, from the presets resources/experiments/hybrid-live-fashion-mnist-{dho2,sgdm,adam}.json
// (and, for reference, MR-DHO2 from hybrid-live-fashion-mnist-mr-dho2.json).
// The target: DHO2's time ≤ 0.7 × the best baseline's (the DHO2 paper reports 1.4–2.1× faster on
// a GPU cluster). Printed, never gated.
//
// Time = engine time of the first evaluation at or above the target (the run clock starts when every
// worker is ready, so process start-up and data loading are not counted), in seconds. Workers wait out
// the presets' emulated compute (fixed 1 unit per batch-64 gradient; an HVP on the 2048-image ESE batch
// is hvp_cost · ese_batch_ratio = 20 units), so the figure follows the time model more than this
// machine's load.
//
// Options: --target ACC (default 0.80), --updates N (per run, default 400), --unit-ms MS (default 10),
// --repeat R (runs per method, median; default 1).

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
#include "net/coordinator/family_engine.hpp"
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

Figure runPreset(const std::string& preset, double target, std::uint64_t updates, double unitMs) {
  const std::string path = std::string(DISTOPT_SOURCE_DIR) + "/resources/experiments/" + preset + ".json";
  nlohmann::json document = readExperimentFile(path);
  document["stop"] = {{"updates", updates}};
  document["workers"]["unit_ms"] = unitMs;
  const Experiment experiment = parseExperiment(document, std::filesystem::path(path).parent_path().string());
  const BuiltRun built = buildRun(experiment);
  const net::LiveFamilyDriver* driver = net::findLiveDriver("hybrid");
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
  net::FamilyEngine engine(experiment, *built.problem, *role, built.simOptions, options, sink);
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

int main(int argc, char** argv) {
  double target = 0.80;
  std::uint64_t updates = 400;
  double unitMs = 10.0;
  int repeat = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--target") == 0)
      target = std::atof(argv[i + 1]);
    else if (std::strcmp(argv[i], "--updates") == 0)
      updates = std::strtoull(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--unit-ms") == 0)
      unitMs = std::atof(argv[i + 1]);
    else if (std::strcmp(argv[i], "--repeat") == 0)
      repeat = std::max(1, std::atoi(argv[i + 1]));
  }
  std::printf(
      "Hybrid-order live: time to test accuracy %.3f, F-MNIST MLP 784-32-10, 4 live workers, "
      "%llu updates max, unit %.1f ms, median of %d\n\n",
      target, static_cast<unsigned long long>(updates), unitMs, repeat);
  std::printf("%-10s %14s %8s %5s %11s %10s %9s %s\n", "method", "time to target", "updates", "ESEs",
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
    std::vector<double> times;
    Figure last;
    for (int r = 0; r < repeat; ++r) {
      last = runPreset(row.preset, target, updates, unitMs);
      if (last.secondsToTarget) times.push_back(*last.secondsToTarget);
    }
    row.seconds = static_cast<int>(times.size()) == repeat ? median(times) : std::nan("");
    const bool reached = std::isfinite(row.seconds) && last.updatesToTarget && *last.updatesToTarget > 0;
    std::printf("%-10s %14s %8s %5.0f %11s %10.4f %9.2f %s\n", row.label,
                reached ? (std::to_string(row.seconds).substr(0, 8) + " s").c_str() : "not reached",
                last.updatesToTarget ? std::to_string(*last.updatesToTarget).c_str() : "-", last.esesToTarget,
                reached ? std::to_string(1000.0 * row.seconds / static_cast<double>(*last.updatesToTarget))
                              .substr(0, 6)
                              .c_str()
                        : "-",
                last.finalAccuracy, last.engineSeconds, last.failure.c_str());
    std::fflush(stdout);
  }
  std::printf("\nHVP / gradient on the same samples, R-operator, measured on this machine: %.2f\n",
              measuredHvpCost("hybrid-live-fashion-mnist-dho2", 15));
  const double best = std::min(std::isfinite(rows[1].seconds) ? rows[1].seconds : INFINITY,
                               std::isfinite(rows[2].seconds) ? rows[2].seconds : INFINITY);
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
