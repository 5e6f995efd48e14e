// docs/papers.md, async-sgd E1 in the simulator: problem Q (d = 1729), 6174 workers with TM-2 times, horizon
// 2000 units, the six methods with the paper's tuned parameters. Prints f - f* at 400/1000/2000, the
// counts, and each method's wall time, then checks the acceptance ordering of async-sgd E1.
//
// With --roles the family's roles on the virtual network run instead of its fast path (the SimEngine):
// every job a message with its model, every gradient computed, every cancel a message — the figures
// that say what the fast path saves, and on E1's scale whether the two agree.
//
//   build/bench/bench_async_e1 [--seed N] [--experiment PATH] [--roles]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "core/async_sgd/parameter_server_roles_run.hpp"
#include "core/config/experiment.hpp"
#include "core/util/input_error.hpp"

namespace {

using namespace distopt;

class GapAtTimes : public TelemetrySink {
 public:
  void onEvaluation(const EvaluationPoint& point) override {
    for (double t : {400.0, 1000.0, 2000.0})
      if (std::abs(point.time - t) < 1e-9 && point.gap) gaps[t] = *point.gap;
  }
  std::map<double, double> gaps;
};

struct Method {
  const char* label;
  const char* algorithm;
  const char* params;
};

}  // namespace

int main(int argc, char** argv) {
  std::string experimentPath = DISTOPT_SOURCE_DIR "/resources/experiments/async-e1-quadratic-6174.json";
  std::string seed = "1";
  bool roles = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--roles") == 0) roles = true;
    else if (i + 1 < argc && std::strcmp(argv[i], "--seed") == 0) seed = argv[++i];
    else if (i + 1 < argc && std::strcmp(argv[i], "--experiment") == 0) experimentPath = argv[++i];
  }
  const Method methods[] = {
      {"Ringmaster B (g=0.2, R=6)", "ringmaster", R"({"gamma": 0.2, "R": 6, "variant": "B"})"},
      {"Ringmaster A (g=0.2, R=6)", "ringmaster", R"({"gamma": 0.2, "R": 6, "variant": "A"})"},
      {"Rennala (g=1, B=6)", "rennala", R"({"gamma": 1, "B": 6})"},
      {"DA-ASGD (g=3.2e-4)", "da-asgd", R"({"gamma": 0.00032})"},
      {"ASGD (g=3.2e-4)", "asgd", R"({"gamma": 0.00032})"},
      {"Minibatch (g=1)", "minibatch", R"({"gamma": 1})"},
  };

  std::printf("E1: problem Q d=1729, n=6174, TM-2, horizon 2000, seed %s; %s\n\n", seed.c_str(),
              roles ? "the roles on the virtual network" : "the fast path (SimEngine)");
  std::printf("%-27s %11s %11s %11s %9s %10s %10s %9s\n", "method", "gap@400", "gap@1000", "gap@2000", "updates",
              "cancelled", "discarded", "wall [s]");
  std::map<std::string, std::map<double, double>> gaps;
  double totalWall = 0.0;
  for (const auto& method : methods) {
    try {
      auto document = readExperimentFile(experimentPath);
      applyOverride(document, std::string("algorithm.name=") + method.algorithm);
      applyOverride(document, std::string("algorithm.params=") + method.params);
      applyOverride(document, "seed=" + seed);
      applyOverride(document, "eval.grad_norm=false");
      const Experiment experiment = parseExperiment(document, ".");
      BuiltRun run = buildRun(experiment);
      GapAtTimes sink;
      const auto start = std::chrono::steady_clock::now();
      const RunSummary summary =
          roles ? ParameterServerRolesRun(*run.server, run.familyContext).run(sink) : run.simRun->run(sink);
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      totalWall += wall;
      gaps[method.label] = sink.gaps;
      auto gapText = [&](double t) {
        static char text[4][32];
        static int slot = 0;
        char* out = text[slot++ % 4];
        if (sink.gaps.count(t)) std::snprintf(out, 32, "%.3e", sink.gaps[t]);
        else std::snprintf(out, 32, "-");
        return out;
      };
      std::printf("%-27s %11s %11s %11s %9llu %10llu %10llu %9.2f\n", method.label, gapText(400), gapText(1000),
                  gapText(2000), static_cast<unsigned long long>(summary.updatesApplied),
                  static_cast<unsigned long long>(summary.counters.cancelled),
                  static_cast<unsigned long long>(summary.counters.discarded), wall);
      std::fflush(stdout);
    } catch (const InputError& e) {
      std::fprintf(stderr, "bench_async_e1: %s\n", e.what());
      return 2;
    }
  }

  auto at = [&](const char* label, double t) { return gaps[label].count(t) ? gaps[label][t] : INFINITY; };
  const char* ringB = methods[0].label;
  const char* ringA = methods[1].label;
  const char* rennala = methods[2].label;
  const char* da = methods[3].label;
  const char* minibatch = methods[5].label;
  int failed = 0;
  auto check = [&](bool ok, const std::string& what) {
    std::printf("  [%s] %s\n", ok ? "ok" : "MISSED", what.c_str());
    if (!ok) ++failed;
  };
  std::printf("\nAcceptance (docs/papers.md, async-sgd E1):\n");
  for (double t : {1000.0, 2000.0}) {
    for (const char* ring : {ringB, ringA}) {
      char text[160];
      std::snprintf(text, sizeof text, "%s below DA-ASGD by >= 10x at %.0f: ratio %.1fx", ring, t, at(da, t) / at(ring, t));
      check(at(da, t) >= 10.0 * at(ring, t), text);
    }
  }
  for (const char* ring : {ringB, ringA}) {
    char text[160];
    std::snprintf(text, sizeof text, "%s below Rennala at 400: %.3e vs %.3e", ring, at(ring, 400), at(rennala, 400));
    check(at(ring, 400) < at(rennala, 400), text);
  }
  bool minibatchWorst = true;
  for (const auto& method : methods)
    if (std::string(method.label) != minibatch && at(method.label, 2000) >= at(minibatch, 2000)) minibatchWorst = false;
  check(minibatchWorst, "Minibatch worst at 2000");
  char text[160];
  std::snprintf(text, sizeof text, "all six within 60 s total: %.1f s", totalWall);
  check(totalWall <= 60.0, text);
  std::printf("\n%s\n", failed ? "Some targets missed." : "All targets met.");
  return failed ? 1 : 0;
}
