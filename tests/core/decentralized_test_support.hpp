#pragma once
// Shared set-up for the decentralized tests and benchmark: problem P0 and networks built through the
// registry exactly as an experiment file would, node roles built by hand for protocol-level checks, and
// a lockstep driver.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/experiment.hpp"
#include "core/data/shards.hpp"
#include "core/decentralized/decentralized_sim_run.hpp"
#include "core/registry/registry.hpp"
#include "sim_test_support.hpp"

namespace distopt::test {

/// An experiment document for a decentralized run on problem `problem`.
inline nlohmann::json decentralizedExperiment(const std::string& algorithm, nlohmann::json params,
                                              int workers, std::uint64_t iterations,
                                              nlohmann::json problemParams = {},
                                              const std::string& problem = "logistic-p0") {
  if (problem == "logistic-p0" && !problemParams.contains("nodes")) problemParams["nodes"] = workers;
  return {{"name", "test"},
          {"seed", 3},
          {"engine", "sim"},
          {"problem", {{"name", problem}, {"params", problemParams}}},
          {"data", {{"sharding", "contiguous"}}},
          {"algorithm", {{"name", algorithm}, {"params", params}}},
          {"workers",
           {{"count", workers}, {"time_model", {{"name", "fixed"}, {"params", nlohmann::json::object()}}}}},
          {"stop", {{"updates", iterations}}},
          {"eval", {{"every_updates", 1}, {"accuracy", false}}}};
}

struct DecentralizedResult {
  BuiltRun built;
  RecordingSink sink;
  DecentralizedSimRun* run = nullptr;

  double metric(std::size_t evaluation, const std::string& name) const {
    return sink.evaluations.at(evaluation).metrics.at(name);
  }
  double first(const std::string& name) const { return metric(0, name); }
  double last(const std::string& name) const { return metric(sink.evaluations.size() - 1, name); }
};

inline std::unique_ptr<DecentralizedResult> runDecentralized(const nlohmann::json& document) {
  auto result = std::make_unique<DecentralizedResult>();
  result->built = buildRun(parseExperiment(document, "."));
  result->run = dynamic_cast<DecentralizedSimRun*>(result->built.simRun.get());
  if (!result->run) throw InputError("test", "not a decentralized run");
  result->run->run(result->sink);
  return result;
}

/// Problem P0, its contiguous shards, a network and a regularizer, for building nodes by hand.
struct NodeFixture {
  std::unique_ptr<Problem> problem;
  std::vector<Shard> shards;
  Network network;
  std::unique_ptr<ProxOperator> prox;
  std::vector<std::unique_ptr<ProblemOracle>> oracles;

  NodeFixture(int n, NetworkOptions options, nlohmann::json problemParams = {}) {
    const ProblemEntry* entry = findProblem("logistic-p0");
    problemParams["nodes"] = n;
    problem = entry->make(filled(entry->options, problemParams),
                          ProblemBuildContext{.baseDirectory = ".", .seed = 5});
    shards = makeShards(*problem, n, ShardRule::Contiguous, 5);
    options.graph.nodes = n;
    network = buildNetwork(options, "params");
    prox = std::make_unique<ProxOperator>(ProxOperator::Options{}, problem.get());
    for (int i = 0; i < n; ++i)
      oracles.push_back(std::make_unique<ProblemOracle>(*problem, shards[static_cast<std::size_t>(i)]));
  }
  NodeConfig config(int i) const {
    return nodeConfigFor(network.w, i, network.plan, VectorEncoding::DenseFloat64);
  }
  Vector x0() const { return Vector::Zero(problem->dimension()); }
};

/// Lockstep driver: every round, all messages are delivered (in sender order), then all rounds complete.
inline void exchangeAll(std::vector<std::unique_ptr<GossipNode>>& nodes) {
  while (nodes.front()->exchanging()) {
    for (auto& sender : nodes)
      for (int j : sender->config().neighbours) {
        const bool ok = nodes[static_cast<std::size_t>(j)]->receive(sender->outgoing());
        if (!ok) throw InputError("test", "message refused");
      }
    for (auto& node : nodes) node->completeRound();
  }
}

inline void startAll(std::vector<std::unique_ptr<GossipNode>>& nodes) {
  for (auto& node : nodes) node->start();
  exchangeAll(nodes);
}

inline void iterateAll(std::vector<std::unique_ptr<GossipNode>>& nodes) {
  for (auto& node : nodes) node->beginIteration();
  exchangeAll(nodes);
}

}  // namespace distopt::test
