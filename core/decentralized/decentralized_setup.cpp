#include "core/decentralized/decentralized_setup.hpp"

#include <algorithm>
#include <cmath>

#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {

bool tracksGradient(DecentralizedMethod method) { return method != DecentralizedMethod::Dsgd; }

DecentralizedSetup makeDecentralizedSetup(const SimRunContext& context, DecentralizedRunOptions options) {
  DISTOPT_CHECK(context.problem && context.shards);
  DecentralizedSetup setup;
  options.network.graph.nodes = context.numWorkers;
  options.proxgt.variant = options.method == DecentralizedMethod::ProxGtSa    ? ProxGtNode::Variant::SA
                           : options.method == DecentralizedMethod::ProxGtSrO ? ProxGtNode::Variant::SRO
                                                                              : ProxGtNode::Variant::SRE;
  requireValid(options, context.path);
  if (options.regularizer.kind != RegularizerKind::Problem && context.problem->hasProx())
    throw InputError(context.path + ".regularizer",
                     "the problem already has a non-smooth part (e.g. logistic l1 > 0); use \"problem\"");
  if (options.method == DecentralizedMethod::ProxGtSrE && context.problem->numSamples() == 0)
    throw InputError(context.path,
                     "proxgt-sr-e needs a problem with a finite data set (use proxgt-sr-o for a stream)");
  setup.network = buildNetwork(options.network, context.path);
  setup.prox = std::make_unique<ProxOperator>(options.regularizer, context.problem);
  setup.options = std::move(options);
  return setup;
}

std::unique_ptr<GossipNode> makeGossipNode(const DecentralizedSetup& setup, int node, SampleOracle& oracle,
                                           const Vector& x0, std::uint64_t seed) {
  return makeGossipNode(setup, setup.options, node, oracle, x0, seed);
}

std::unique_ptr<GossipNode> makeGossipNode(const DecentralizedSetup& setup, const DecentralizedRunOptions& options,
                                           int node, SampleOracle& oracle, const Vector& x0, std::uint64_t seed) {
  const NodeConfig config = nodeConfigFor(setup.network.w, node, setup.network.plan, options.network.wire);
  switch (options.method) {
    case DecentralizedMethod::Dsgd:
      return std::make_unique<DsgdNode>(config, options.dsgd, oracle, *setup.prox, x0, seed);
    case DecentralizedMethod::GtDsgd:
      return std::make_unique<GtDsgdNode>(config, options.gtDsgd, oracle, *setup.prox, x0, seed);
    default:
      return std::make_unique<ProxGtNode>(config, options.proxgt, oracle, *setup.prox, x0, seed);
  }
}

DecentralizedMetrics::DecentralizedMetrics(const Problem& problem,
                                           std::shared_ptr<const std::vector<Shard>> shards,
                                           const DecentralizedSetup& setup)
    : m_problem(problem), m_shards(std::move(shards)), m_setup(setup) {
  DISTOPT_CHECK(m_shards);
  for (const auto& shard : *m_shards) m_oracles.push_back(std::make_unique<ProblemOracle>(problem, shard));
  m_sharded =
      problem.numSamples() > 0 && std::any_of(m_shards->begin(), m_shards->end(),
                                              [](const Shard& shard) { return !shard.indices.empty(); });
}

Vector DecentralizedMetrics::mean(const DecentralizedSnapshot& state) {
  DISTOPT_CHECK(!state.x.empty());
  Vector mean = Vector::Zero(state.x.front().size());
  for (const auto& x : state.x) mean += x;
  return mean / static_cast<double>(state.x.size());
}

double DecentralizedMetrics::stationarity(const Vector& mean, std::map<std::string, double>& metrics) {
  // ∇F(x̄) = mean_i ∇f_i(x̄): the objective the nodes minimise, exact also for unequal shards.
  if (m_sharded) {
    m_gradient = Vector::Zero(mean.size());
    for (auto& oracle : m_oracles) {
      oracle->fullGradient(mean, m_scratch);
      m_gradient += m_scratch;
    }
    m_gradient /= static_cast<double>(m_oracles.size());
  } else {
    m_problem.gradient(mean, m_gradient);
  }
  const double beta = m_setup.options.beta > 0.0 ? m_setup.options.beta : m_setup.options.alpha();
  proxGradientMapping(*m_setup.prox, mean, m_gradient, beta, m_mapping);
  const double mapping = m_mapping.squaredNorm();
  metrics["prox_grad_mapping_norm_sq"] = mapping;
  metrics["sparsity"] =
      static_cast<double>((mean.array().abs() > 1e-6).count()) / static_cast<double>(mean.size());
  metrics["lambda"] = m_setup.network.spectrum.lambda;
  metrics["spectral_gap"] = m_setup.network.spectrum.gap();
  metrics["gossip_rounds"] = m_setup.network.plan.rounds;
  return beta;
}

void DecentralizedMetrics::computeAtStart(const Vector& x0, std::map<std::string, double>& metrics) {
  stationarity(x0, metrics);
  metrics["consensus_error"] = 0.0;
  for (std::size_t i = 0; i < m_oracles.size(); ++i)
    metrics["node_consensus_error." + std::to_string(i)] = 0.0;
  metrics["combined_optimality"] = metrics["prox_grad_mapping_norm_sq"];
}

void DecentralizedMetrics::compute(const DecentralizedSnapshot& state, const Vector& mean,
                                   std::map<std::string, double>& metrics) {
  const auto n = static_cast<double>(state.x.size());
  const double beta = stationarity(mean, metrics);
  double consensus = 0.0;
  for (std::size_t i = 0; i < state.x.size(); ++i) {
    const double distance = (state.x[i] - mean).squaredNorm();
    metrics["node_consensus_error." + std::to_string(i)] = distance;
    consensus += distance;
  }
  consensus /= n;
  metrics["consensus_error"] = consensus;
  metrics["combined_optimality"] = metrics["prox_grad_mapping_norm_sq"] + consensus / (beta * beta);
  if (!state.y.empty()) {
    Vector yMean = Vector::Zero(mean.size()), vMean = Vector::Zero(mean.size());
    for (const auto& y : state.y) yMean += y;
    for (const auto& v : state.v) vMean += v;
    yMean /= n;
    vMean /= n;
    double trackerConsensus = 0.0;
    for (const auto& y : state.y) trackerConsensus += (y - yMean).squaredNorm();
    metrics["tracker_consensus_error"] = trackerConsensus / n;
    metrics["tracking_error"] = (yMean - m_gradient).squaredNorm();
    metrics["tracker_invariant"] =
        (yMean - vMean).lpNorm<Eigen::Infinity>() / (1.0 + vMean.lpNorm<Eigen::Infinity>());
  }
  std::uint64_t bytesSent = 0, payload = 0, messages = 0, ifoTotal = 0, ifoMax = 0;
  for (const auto& counters : state.counters) {
    bytesSent += counters.bytesSent;
    payload += counters.payloadBytesSent;
    messages += counters.messagesSent;
    ifoTotal += counters.ifo;
    ifoMax = std::max(ifoMax, counters.ifo);
  }
  const double localSamples = static_cast<double>(m_oracles.front()->localSamples());
  metrics["ifo_calls"] = static_cast<double>(ifoTotal) / n;
  metrics["ifo_calls_max"] = static_cast<double>(ifoMax);
  if (localSamples > 0) metrics["epochs"] = static_cast<double>(ifoTotal) / n / localSamples;
  metrics["communication_rounds"] = static_cast<double>(state.counters.front().rounds);
  metrics["messages"] = static_cast<double>(messages);
  metrics["payload_bytes"] = static_cast<double>(payload);
  metrics["wire_bytes"] = static_cast<double>(bytesSent);
  double compute = 0.0, wait = 0.0;
  for (double t : state.computeTime) compute += t;
  for (double t : state.waitTime) wait += t;
  metrics["compute_time"] = compute / n;
  metrics["wait_time"] = wait / n;
}

BudgetFacts spentBy(const DecentralizedSnapshot& state) {
  BudgetFacts facts{.updates = state.iterations};
  for (const auto& counters : state.counters) {
    facts.bytes += counters.bytesSent + counters.bytesReceived;
    facts.gradients += counters.ifo;
  }
  return facts;
}

}  // namespace distopt
