#include "core/decentralized/decentralized_sim_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/decentralized/decentralized_setup.hpp"
#include "core/run/evaluation_grid.hpp"
#include "core/sim/divergence.hpp"
#include "core/telemetry/evaluation.hpp"
#include "core/telemetry/run_tally.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {

const char* decentralizedMethodName(DecentralizedMethod method) {
  switch (method) {
    case DecentralizedMethod::Dsgd:
      return "dsgd";
    case DecentralizedMethod::GtDsgd:
      return "gt-dsgd";
    case DecentralizedMethod::ProxGtSa:
      return "proxgt-sa";
    case DecentralizedMethod::ProxGtSrO:
      return "proxgt-sr-o";
    case DecentralizedMethod::ProxGtSrE:
      return "proxgt-sr-e";
  }
  return "?";
}

bool DecentralizedRunOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  switch (method) {
    case DecentralizedMethod::Dsgd:
      if (!dsgd.isValid(why)) return false;
      break;
    case DecentralizedMethod::GtDsgd:
      if (!gtDsgd.isValid(why)) return false;
      break;
    default:
      if (!proxgt.isValid(why)) return false;
  }
  if (!network.isValid(why)) return false;
  if (!regularizer.isValid(why)) return false;
  if (!(beta >= 0.0) || !std::isfinite(beta)) return fail("beta: must be >= 0 (0 = the step alpha)");
  if (!(computeUnit > 0.0) || !std::isfinite(computeUnit)) return fail("compute_unit: must be > 0");
  if (!(linkLatency >= 0.0) || !std::isfinite(linkLatency)) return fail("link_latency: must be >= 0");
  if (!(linkBandwidth >= 0.0) || !std::isfinite(linkBandwidth)) return fail("link_bandwidth: must be >= 0");
  return true;
}

double DecentralizedRunOptions::alpha() const {
  switch (method) {
    case DecentralizedMethod::Dsgd:
      return dsgd.alpha;
    case DecentralizedMethod::GtDsgd:
      return gtDsgd.alpha;
    default:
      return proxgt.alpha;
  }
}

DecentralizedSimRun::DecentralizedSimRun(const SimRunContext& context, DecentralizedRunOptions options)
    : m_context(context) {
  DISTOPT_CHECK(context.problem && context.shards && context.timeModel);
  m_shards = *context.shards;
  DISTOPT_CHECK(static_cast<int>(context.shards->size()) == context.numWorkers);
  const int n = context.numWorkers;
  m_setup = std::make_unique<DecentralizedSetup>(makeDecentralizedSetup(context, std::move(options)));
  m_metrics = std::make_unique<DecentralizedMetrics>(*context.problem, context.shards, *m_setup);
  for (int i = 0; i < n; ++i) {
    m_oracles.push_back(
        std::make_unique<ProblemOracle>(*context.problem, m_shards[static_cast<std::size_t>(i)]));
    m_nodes.push_back(makeGossipNode(*m_setup, i, *m_oracles.back(), context.x0, context.options.seed));
  }
  m_clock.assign(static_cast<std::size_t>(n), 0.0);
  m_computeTime.assign(static_cast<std::size_t>(n), 0.0);
  m_waitTime.assign(static_cast<std::size_t>(n), 0.0);
  m_localSteps.assign(static_cast<std::size_t>(n), 0);
  m_bytesAtIterationStart.assign(static_cast<std::size_t>(n), 0);
}

DecentralizedSimRun::~DecentralizedSimRun() = default;

const Network& DecentralizedSimRun::network() const { return m_setup->network; }
const DecentralizedRunOptions& DecentralizedSimRun::options() const { return m_setup->options; }

std::map<std::pair<int, int>, std::uint64_t> DecentralizedSimRun::edgeBytes() const {
  std::map<std::pair<int, int>, std::uint64_t> edges;
  for (const auto& node : m_nodes) {
    const auto& neighbours = node->config().neighbours;
    for (std::size_t k = 0; k < neighbours.size(); ++k)
      edges[{node->id(), neighbours[k]}] = node->bytesSentPerNeighbour()[k];
  }
  return edges;
}

Vector DecentralizedSimRun::averageIterate() const {
  Vector mean = Vector::Zero(m_context.x0.size());
  for (const auto& node : m_nodes) mean += node->x();
  return mean / static_cast<double>(m_nodes.size());
}

DecentralizedSimRun::Snapshot DecentralizedSimRun::snapshot() const {
  Snapshot state;
  state.iterations = m_nodes.front()->iteration();
  for (const auto& node : m_nodes) {
    state.x.push_back(node->x());
    if (node->tracker()) state.y.push_back(*node->tracker());
    if (node->estimator()) state.v.push_back(*node->estimator());
    state.counters.push_back(node->counters());
    state.bytesToNeighbour.push_back(node->bytesSentPerNeighbour());
  }
  state.computeTime = m_computeTime;
  state.waitTime = m_waitTime;
  return state;
}

double DecentralizedSimRun::computeTime(int node, const LocalWork& work) {
  if (work.ifo == 0) return 0.0;
  const auto i = static_cast<std::size_t>(node);
  const double draw = m_context.timeModel->duration(node, m_localSteps[i]++, m_clock[i]);
  const double duration = draw * static_cast<double>(work.ifo) / m_setup->options.computeUnit;
  m_computeTime[i] += duration;
  return duration;
}

void DecentralizedSimRun::exchangeRounds() {
  const int n = static_cast<int>(m_nodes.size());
  std::vector<double> ready(static_cast<std::size_t>(n));
  while (std::any_of(m_nodes.begin(), m_nodes.end(), [](const auto& node) { return node->exchanging(); })) {
    // Every node runs the same sequence of calls and rounds, so all are in the same round here.
    for (const auto& node : m_nodes) DISTOPT_CHECK_MSG(node->exchanging(), "nodes left lockstep");
    for (int i = 0; i < n; ++i) ready[static_cast<std::size_t>(i)] = m_clock[static_cast<std::size_t>(i)];
    for (int i = 0; i < n; ++i) {
      const auto& message = m_nodes[static_cast<std::size_t>(i)]->outgoing();
      double transfer = m_setup->options.linkLatency;
      if (m_setup->options.linkBandwidth > 0.0)
        transfer += static_cast<double>(message.size()) / m_setup->options.linkBandwidth;
      const double arrival = m_clock[static_cast<std::size_t>(i)] + transfer;
      for (int j : m_nodes[static_cast<std::size_t>(i)]->config().neighbours) {
        std::string why;
        const bool accepted = m_nodes[static_cast<std::size_t>(j)]->receive(message, &why);
        DISTOPT_CHECK_MSG(accepted, why.c_str());
        ready[static_cast<std::size_t>(j)] = std::max(ready[static_cast<std::size_t>(j)], arrival);
      }
    }
    for (int i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(i);
      m_waitTime[k] += ready[k] - m_clock[k];
      m_clock[k] = ready[k];
      const LocalWork work = m_nodes[k]->completeRound();
      m_clock[k] += computeTime(i, work);
    }
  }
}

void DecentralizedSimRun::runIteration() {
  for (std::size_t i = 0; i < m_nodes.size(); ++i) {
    m_bytesAtIterationStart[i] = m_nodes[i]->counters().bytesSent;
    const LocalWork work = m_nodes[i]->beginIteration();
    m_clock[i] += computeTime(static_cast<int>(i), work);
  }
  exchangeRounds();
}

EvaluationPoint DecentralizedSimRun::evaluate(const Snapshot& state, double time) {
  const Vector mean = DecentralizedMetrics::mean(state);
  std::uint64_t bytesSent = 0, bytesReceived = 0;
  for (const auto& counters : state.counters) {
    bytesSent += counters.bytesSent;
    bytesReceived += counters.bytesReceived;
  }
  EvaluationRequest request{.time = time,
                            .updates = state.iterations,
                            .bytesUp = bytesSent,
                            .bytesDown = bytesReceived,
                            .gradNorm = m_context.options.evalGradNorm,
                            .accuracy = m_context.options.evalAccuracy};
  EvaluationPoint point = evaluateModel(*m_context.problem, mean, request, m_scratch);
  point.loss += m_setup->prox->extraValue(mean);
  m_metrics->compute(state, mean, point.metrics);
  return point;
}

RunSummary DecentralizedSimRun::run(TelemetrySink& sink) {
  const auto wallStart = std::chrono::steady_clock::now();
  const RunRules& sim = m_context.options;
  const int n = static_cast<int>(m_nodes.size());
  RunSummary summary;
  summary.algorithm = decentralizedMethodName(m_setup->options.method);
  summary.engine = "sim";
  summary.workers = n;

  for (int i = 0; i < n; ++i) {
    const LocalWork work = m_nodes[static_cast<std::size_t>(i)]->start();
    m_clock[static_cast<std::size_t>(i)] += computeTime(i, work);
  }
  exchangeRounds();  // tracker_init = mixed

  EvaluationPoint last;
  std::optional<double> timeToTarget;
  Termination termination = Termination::UpdateLimit;
  DivergenceWatch divergence;  // the simulator's rule (core/sim/divergence.hpp)
  // Evaluates `state` at `time` and says whether the run ends there.
  auto note = [&](const Snapshot& state, double time) {
    last = evaluate(state, time);
    sink.onEvaluation(last);
    for (int i = 0; i < n; ++i) {
      const auto& counters = state.counters[static_cast<std::size_t>(i)];
      for (int phase = 1; phase < kGossipPhaseCount; ++phase) {
        if (counters.messagesSentByPhase[static_cast<std::size_t>(phase)] == 0) continue;
        sink.onBandwidth({.time = time,
                          .worker = i,
                          .uplink = true,
                          .kind = std::string("GOSSIP_") + gossipPhaseName(static_cast<GossipPhase>(phase)),
                          .bytes = counters.bytesSentByPhase[static_cast<std::size_t>(phase)],
                          .messages = counters.messagesSentByPhase[static_cast<std::size_t>(phase)]});
      }
      // Per directed edge i -> j, "peer:<j>" as a live run reports it (the GUI draws edge traffic): every
      // broadcast goes once to each neighbour, so each edge carries messagesSent / degree messages.
      const auto& neighbours = m_nodes[static_cast<std::size_t>(i)]->config().neighbours;
      const auto& edgeBytes = state.bytesToNeighbour[static_cast<std::size_t>(i)];
      const std::uint64_t perEdgeMessages =
          neighbours.empty() ? 0 : counters.messagesSent / neighbours.size();
      for (std::size_t k = 0; k < neighbours.size(); ++k)
        sink.onBandwidth({.time = time,
                          .worker = i,
                          .uplink = true,
                          .kind = "peer:" + std::to_string(neighbours[k]),
                          .bytes = edgeBytes[k],
                          .messages = perEdgeMessages});
    }
    if (divergence.note(last) || !std::isfinite(last.metrics["prox_grad_mapping_norm_sq"]))
      return Verdict::Diverged;
    const bool gapMet = sim.targetGap && last.gap && *last.gap <= *sim.targetGap;
    const bool mappingMet =
        sim.targetGradNormSq && last.metrics["prox_grad_mapping_norm_sq"] <= *sim.targetGradNormSq;
    if (!gapMet && !mappingMet) return Verdict::GoOn;
    if (!timeToTarget) timeToTarget = time;
    return Verdict::TargetReached;
  };

  Snapshot current = snapshot();
  double now = 0.0;
  EvaluationGrid grid(sim);
  // Grid points see the state as it stands (`current` is replaced only after the points before its end).
  const EvaluationGrid::Evaluate verdictAt = [&](double time) { return note(current, time); };
  const auto atStart = terminationOf(note(current, 0.0));
  if (atStart) termination = *atStart;
  bool done = atStart.has_value();

  while (!done) {
    if (stopRequested()) {
      termination = Termination::Stopped;
      break;
    }
    const std::vector<double> startClock = m_clock;
    runIteration();
    const double end = *std::max_element(m_clock.begin(), m_clock.end());
    // Grid points before this iteration ends see the state before it.
    if (const auto ended = terminationOf(grid.walkBefore(end, verdictAt))) {
      termination = *ended;
      break;
    }
    if (end > sim.horizon) {
      termination = Termination::TimeLimit;
      now = sim.horizon;
      break;
    }
    now = end;
    current = snapshot();
    const std::uint64_t t = current.iterations;
    for (int i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(i);
      UpdateEvent event;
      event.time = m_clock[k];
      event.worker = i;
      event.jobId = t - 1;
      event.jobVersion = t - 1;
      event.outcome = Outcome::Accepted;
      event.versionAfter = t;
      event.age = m_clock[k] - startClock[k];
      event.bytes = m_nodes[k]->counters().bytesSent - m_bytesAtIterationStart[k];
      sink.onUpdate(event);
    }
    if (!m_nodes.front()->x().allFinite() || !averageIterate().allFinite()) {
      termination = Termination::Diverged;
      break;
    }
    if (sim.evalEveryUpdates > 0 && t % sim.evalEveryUpdates == 0)
      if (const auto ended = terminationOf(note(current, now))) {
        termination = *ended;
        break;
      }
    if (const auto spent = budgetSpent(sim, spentBy(current))) {
      termination = *spent;
      done = true;
    }
  }

  if (termination == Termination::TimeLimit) {
    const RunEnd runEnd = grid.closeAtHorizon(now, verdictAt);
    termination = runEnd.termination;
    now = runEnd.time;
  }
  // The final evaluation may find divergence, never the target: the run has ended already.
  if (finalEvaluationDue(true, last, now, current.iterations) && note(current, now) == Verdict::Diverged)
    termination = Termination::Diverged;

  // The nodes count their own traffic (the gossip layer's counters, as live nodes do); the summary is
  // filled from them through the one RunTally every engine uses. Synchronous rounds: no delays.
  RunTally tally;
  for (const auto& counters : current.counters) {
    tally.bytesUp += counters.bytesSent;
    tally.bytesDown += counters.bytesReceived;
  }
  tally.gradients = spentBy(current).gradients;
  tally.lastEvaluation = last;
  tally.haveEvaluation = true;
  tally.timeToTarget = timeToTarget;
  WorkCounters totals;
  totals.jobsSent = totals.arrivals = totals.accepted = current.iterations * static_cast<std::uint64_t>(n);
  tally.fill(summary, totals, current.iterations, termination, now);
  summary.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
  sink.onFinish(summary);
  return summary;
}

}  // namespace distopt
