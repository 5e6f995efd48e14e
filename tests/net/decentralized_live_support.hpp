#pragma once
// Runs one decentralized experiment both ways, in this process: the simulator (DecentralizedSimRun) and
// the live peer mesh (the decentralized coordinator role in a LiveEngine, with real distopt-worker
// processes on loopback). Used by test_net_decentralized_live and bench_decentralized_live.

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/experiment.hpp"
#include "core/decentralized/decentralized_sim_run.hpp"
#include "net/coordinator/live_engine.hpp"
#include "net/families/decentralized/decentralized_live.hpp"
#include "net/families/decentralized/decentralized_messages.hpp"

namespace decentralized_live {

using nlohmann::json;
using EdgeBytes = std::map<std::pair<int, int>, std::uint64_t>;

/// Keeps what a run reports.
class RecordingSink final : public distopt::TelemetrySink {
 public:
  void onEvaluation(const distopt::EvaluationPoint& point) override { evaluations.push_back(point); }
  void onBandwidth(const distopt::BandwidthSample& sample) override { bandwidth.push_back(sample); }
  void onUpdate(const distopt::UpdateEvent& event) override { updates.push_back(event); }
  std::vector<distopt::EvaluationPoint> evaluations;
  std::vector<distopt::BandwidthSample> bandwidth;
  std::vector<distopt::UpdateEvent> updates;
};

struct Outcome {
  distopt::RunSummary summary;
  distopt::Vector model;  ///< x̄ at the end
  EdgeBytes edgeBytes;    ///< bytes i sent to j: exact encoded sizes (sim), at the sockets (live)
  RecordingSink sink;
  double wallSeconds = 0.0;
  std::size_t messageSize = 0;  ///< the simulator's exact encoded size of one gossip message
};

/// A node's report at iteration `t` with made-up counts and one edge entry per neighbour, for frame tests.
inline distopt::NodeReport sampleReport(std::uint64_t t, const std::vector<int>& neighbours) {
  distopt::NodeReport report{.iteration = t,
                                  .ifo = 40,
                                  .rounds = 2 * t,
                                  .messagesSent = 4 * t,
                                  .payloadBytesSent = 640,
                                  .bytesSent = 1000,
                                  .bytesReceived = 990,
                                  .computeUnits = 1.5,
                                  .waitUnits = 0.25,
                                  .iterationUnits = 0.5,
                                  .edges = {}};
  for (int j : neighbours) report.edges.push_back({j, 500, 495, 2 * t, 2 * t});
  return report;
}

/// Problem P0 (decentralized-proxgt §5.3) with `features` coordinates, `workers` nodes, `method` on `graph`.
inline json p0Experiment(const std::string& method, const std::string& graph, int rows, int workers,
                         std::uint64_t iterations, int features = 20) {
  json params = {{"graph", graph}, {"graph_rows", rows}};
  return json{{"name", "decentralized-live-test"},
              {"seed", 7},
              {"engine", "sim"},
              {"problem",
               {{"name", "logistic-p0"},
                {"params", {{"nodes", workers}, {"samples_per_node", 100}, {"features", features}}}}},
              {"data", {{"sharding", "contiguous"}}},
              {"algorithm", {{"name", method}, {"params", params}}},
              {"workers",
               {{"count", workers},
                {"time_model", {{"name", "fixed"}, {"params", {{"h", "one"}, {"c", 1.0}}}}},
                {"unit_ms", 1.0}}},
              {"stop", {{"updates", iterations}}},
              {"eval", {{"every_updates", 2}}}};
}

inline Outcome runSimulated(json document) {
  document["engine"] = "sim";
  const auto start = std::chrono::steady_clock::now();
  distopt::Experiment experiment = distopt::parseExperiment(document, ".");
  distopt::BuiltRun run = distopt::buildRun(experiment);
  Outcome outcome;
  outcome.summary = run.simRun->run(outcome.sink);
  auto* sim = dynamic_cast<distopt::DecentralizedSimRun*>(run.simRun.get());
  outcome.model = sim->averageIterate();
  outcome.edgeBytes = sim->edgeBytes();
  // Every message of a run has one size (p coordinates, or 2p for combine-then-adapt GT-DSGD).
  const distopt::NodeCounters& counters = sim->nodes().front()->counters();
  if (counters.messagesSent > 0) outcome.messageSize = counters.bytesSent / counters.messagesSent;
  outcome.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

inline Outcome runLive(json document, const std::string& workerBinary) {
  document["engine"] = "live";
  const auto start = std::chrono::steady_clock::now();
  distopt::Experiment experiment = distopt::parseExperiment(document, ".");
  distopt::BuiltRun run = distopt::buildRun(experiment);
  auto role = distopt::net::makeDecentralizedCoordinator(experiment, run);
  distopt::net::LiveOptions options;
  options.workerBinary = workerBinary;
  options.setupTimeoutSeconds = 60.0;
  options.telemetryEndpoint.clear();
  options.controlEndpoint.clear();
  Outcome outcome;
  distopt::net::LiveEngine engine(experiment, *run.problem, *role, run.rules, options, outcome.sink);
  std::string why;
  if (!engine.bind(&why)) {
    outcome.summary.termination = distopt::Termination::Failed;
    outcome.summary.terminationDetail = why;
    return outcome;
  }
  outcome.summary = engine.run();
  if (const auto* model = role->model()) outcome.model = *model;
  outcome.edgeBytes = distopt::net::decentralizedEdgeBytes(*role);
  outcome.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

}  // namespace decentralized_live
