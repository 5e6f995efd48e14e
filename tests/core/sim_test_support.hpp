#pragma once
// Shared set-up for simulator tests: builds registered components from JSON params exactly as an
// experiment file would, runs the SimEngine, and keeps every telemetry record for inspection.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/async_sgd/server.hpp"
#include "core/data/shards.hpp"
#include "core/registry/registry.hpp"
#include "core/sim/sim_engine.hpp"
#include "core/telemetry/telemetry.hpp"
#include "core/timing/time_models.hpp"
#include "core/util/input_error.hpp"

namespace distopt::test {

class RecordingSink : public TelemetrySink {
 public:
  void onUpdate(const UpdateEvent& event) override { events.push_back(event); }
  void onEvaluation(const EvaluationPoint& point) override { evaluations.push_back(point); }
  void onFinish(const RunSummary& finished) override { summary = finished; }

  std::vector<UpdateEvent> of(Outcome outcome) const {
    std::vector<UpdateEvent> out;
    for (const auto& e : events)
      if (e.outcome == outcome) out.push_back(e);
    return out;
  }
  std::vector<std::int64_t> acceptedDelays() const {
    std::vector<std::int64_t> out;
    for (const auto& e : of(Outcome::Accepted)) out.push_back(e.delay);
    return out;
  }
  /// Times at which the model changed (accepted events that advanced the version).
  std::vector<double> updateTimes() const {
    std::vector<double> out;
    std::uint64_t version = 0;
    for (const auto& e : events)
      if (e.outcome == Outcome::Accepted && e.versionAfter > version) {
        out.push_back(e.time);
        version = e.versionAfter;
      }
    return out;
  }

  std::vector<UpdateEvent> events;
  std::vector<EvaluationPoint> evaluations;
  RunSummary summary;
};

inline nlohmann::json filled(const std::vector<OptionSpec>& specs, nlohmann::json params) {
  std::string why;
  if (!validateAndFillOptions(specs, params, "params", &why)) throw InputError("params", why);
  return params;
}

struct SimSetup {
  std::string problem = "diagonal-quadratic";
  nlohmann::json problemParams = {{"eigenvalues", {1.0}}, {"x0", {1.0}}, {"noise_std", 0.0}};
  std::string timeModel = "fixed";
  nlohmann::json timeParams = {{"h", "list"}, {"times", {1.0, 2.3, 4.7, 9.1}}};
  int workers = 4;
  std::string algorithm = "asgd";
  nlohmann::json algorithmParams = {{"gamma", 0.5}};
  RunRules sim = [] {
    RunRules options;
    options.horizon = 12.0;
    options.evalGradNorm = false;
    return options;
  }();
};

struct SimResult {
  RecordingSink sink;
  std::unique_ptr<Problem> problem;
  std::unique_ptr<TimeModel> timeModel;
  std::unique_ptr<AsyncServer> server;
  Vector finalModel;
};

/// Builds `result`'s problem, time model and server as an experiment file would; returns the context a
/// simulator of them runs in.
inline SimRunContext buildSimParts(const SimSetup& setup, SimResult& parts) {
  SimResult* result = &parts;
  const ProblemEntry* problemEntry = findProblem(setup.problem);
  const TimeModelEntry* timeEntry = findTimeModel(setup.timeModel);
  const AlgorithmEntry* algorithmEntry = findAlgorithm(setup.algorithm);
  if (!problemEntry || !timeEntry || !algorithmEntry) throw InputError("setup", "unknown component");
  result->problem = problemEntry->make(filled(problemEntry->options, setup.problemParams),
                                       ProblemBuildContext{.baseDirectory = ".", .seed = setup.sim.seed});
  result->timeModel =
      timeEntry->make(filled(timeEntry->options, setup.timeParams), setup.workers, setup.sim.seed, "time");
  RandomStream init(StreamKey{.runSeed = setup.sim.seed, .purpose = StreamPurpose::Init, .worker = StreamKey::kNoWorker});
  AlgorithmBuildContext context;
  context.numWorkers = setup.workers;
  context.x0 = result->problem->initialPoint(init);
  context.smoothness = result->problem->smoothness();
  context.nominalTimes = nominalTimes(*result->timeModel);
  result->server = algorithmEntry->make(filled(algorithmEntry->options, setup.algorithmParams), context);
  return SimRunContext{.problem = result->problem.get(),
                       .shards = std::make_shared<const std::vector<Shard>>(
                           makeShards(*result->problem, setup.workers, ShardRule::Iid, setup.sim.seed)),
                       .timeModel = result->timeModel.get(),
                       .numWorkers = setup.workers,
                       .x0 = context.x0,
                       .options = setup.sim};
}

inline std::unique_ptr<SimResult> runSim(const SimSetup& setup) {
  auto result = std::make_unique<SimResult>();
  const SimRunContext context = buildSimParts(setup, *result);  // builds the server too
  SimEngine engine(context, *result->server);
  engine.run(result->sink);
  result->finalModel = result->server->model();
  return result;
}

}  // namespace distopt::test
