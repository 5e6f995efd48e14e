#include "net/coordinator/live_engine.hpp"

#include <chrono>
#include <cmath>
#include <deque>
#include <thread>

#include "core/run/run_ledger.hpp"
#include "core/run/run_rules.hpp"
#include "core/telemetry/evaluation.hpp"
#include "net/protocol/frame_limits.hpp"

namespace distopt::net {

namespace {

/// The worker socket's frame limit from the role's largest uplink, unless the options give one.
LiveOptions withFrameLimit(LiveOptions options, const CoordinatorRole& role, std::int64_t dimension) {
  if (options.maxFrameBytes <= 0)
    options.maxFrameBytes =
        frameLimitFor(std::max(vectorRunLargestFrame(dimension), role.largestUplinkFrame()));
  return options;
}

}  // namespace

class LiveEngine::Impl final : public CoordinatorHost {
 public:
  Impl(const Experiment& experiment, const Problem& problem, CoordinatorRole& role, const RunRules& rules,
       LiveOptions options, TelemetrySink& sink)
      : m_problem(problem),
        m_role(role),
        m_rules(rules),
        m_pool(experiment, problem.dimension(), withFrameLimit(std::move(options), role, problem.dimension()),
               sink),
        m_numWorkers(experiment.workers),
        m_ledger(rules, m_pool.sinks()),
        m_tally(m_ledger.tally()),
        m_roleSink(m_pool.sinks(), m_tally) {
    PoolHooks hooks;
    hooks.onMessage = [this](int worker, Message&& message, std::size_t) {
      m_role.onMessage(worker, std::move(message), *this);
    };
    hooks.onWorkerLost = [this](int worker, const std::string& reason) {
      m_role.onWorkerLost(worker, reason, *this);
    };
    hooks.onWorkerResumed = [this](int worker) { return m_role.onWorkerResumed(worker, *this); };
    hooks.fillStatus = [this](WorkerStatus& status) { m_role.fillStatus(status); };
    hooks.fillControlStatus = [this](nlohmann::json& status) {
      status["algorithm"] = m_role.name();
      status["updates"] = m_role.iterations();
      status["time_limit"] =
          std::isfinite(m_rules.horizon) ? nlohmann::json(m_rules.horizon) : nlohmann::json();
      status["update_limit"] = m_rules.maxUpdates;
      addBudgetStatus(status, m_rules, spent());
      m_role.fillControlStatus(status);
    };
    // While the final remote evaluation is awaited the rule holds by definition: drain anyway.
    hooks.mustYield = [this] { return !m_finishing && stopRuleHolds(); };
    m_pool.setHooks(std::move(hooks));
  }

  // CoordinatorHost
  bool send(int worker, Message&& message) override {
    const bool sent = m_pool.send(worker, std::move(message));
    m_lastSentBytes = sent ? m_pool.lastMessageBytes() : 0;
    return sent;
  }
  std::size_t lastSentBytes() const override { return m_lastSentBytes; }
  double now() const override { return m_pool.now(); }
  int numWorkers() const override { return m_numWorkers; }
  bool alive(int worker) const override { return m_pool.alive(worker); }
  std::size_t lastMessageBytes() const override { return m_pool.lastMessageBytes(); }
  TelemetrySink& sink() override { return m_roleSink; }
  void countMalformed() override { m_pool.countMalformed("malformed " + m_role.name() + " message"); }
  void refuse(const std::string& why) override { m_pool.countMalformed(why); }
  bool leaving(int worker) const override { return m_pool.leaving(worker); }
  void noteSentAt(int worker, double workerClockSeconds) override { m_pool.noteSentAt(worker, workerClockSeconds); }

  WorkerPool& pool() { return m_pool; }
  RunSummary run();

 private:
  // Asked for every drained message: a role's gradient count may walk its workers (or nodes), so it is
  // taken only when a gradient budget needs it.
  BudgetFacts spent() const {
    return {.updates = m_role.iterations(),
            .bytes = bytesUp() + bytesDown(),
            .gradients = m_rules.maxGradients > 0 ? m_role.gradientEvaluations() : 0};
  }
  bool stopRuleHolds() const {
    return m_pool.now() >= m_rules.horizon || (m_rules.hasBudget() && budgetSpent(m_rules, spent()));
  }
  EvaluationRequest request(double t) {
    m_tally.bytesUp = bytesUp();
    m_tally.bytesDown = bytesDown();
    return m_ledger.request(t, m_role.iterations());
  }
  // The sockets count what reaches or leaves the coordinator; what workers send each other the roles
  // report (a node's upload is its gossip sent, its download what it received).
  std::uint64_t bytesUp() const { return m_pool.bytesUp() + m_role.peerBytes().sent; }
  std::uint64_t bytesDown() const { return m_pool.bytesDown() + m_role.peerBytes().received; }
  /// Queues an evaluation of the role's model now, with the role's metrics of this moment.
  void submit(BackgroundEvaluator& evaluator, double t);

  const Problem& m_problem;
  CoordinatorRole& m_role;
  RunRules m_rules;
  WorkerPool m_pool;
  int m_numWorkers;
  RunLedger m_ledger;
  RunTally& m_tally;  ///< the ledger's
  TallyingSink m_roleSink;
  bool m_finishing = false;
  std::size_t m_lastSentBytes = 0;  ///< of the last message a role sent (a CANCEL, for its outcome event)
  // Metrics taken with each accepted submission, matched to results in order; metrics of a skipped
  // submission ride along with the next one so no window is lost.
  struct PendingExtras {
    std::map<std::string, double> metrics;
    double lossOffset = 0.0;
  };
  std::deque<PendingExtras> m_pendingMetrics;
  std::map<std::string, double> m_carriedMetrics;
};

void LiveEngine::Impl::submit(BackgroundEvaluator& evaluator, double t) {
  if (m_role.evaluatesRemotely()) {
    m_role.requestEvaluation(request(t), false, *this);
    return;
  }
  const Vector* model = m_role.model();
  if (!model) return;
  std::map<std::string, double> metrics;
  m_role.takeMetrics(metrics);
  metrics.insert(m_carriedMetrics.begin(), m_carriedMetrics.end());  // newer values win
  m_carriedMetrics.clear();
  if (evaluator.submit(request(t), *model))
    m_pendingMetrics.push_back({std::move(metrics), m_role.lossOffset()});
  else
    m_carriedMetrics = std::move(metrics);
}

RunSummary LiveEngine::Impl::run() {
  using Clock = std::chrono::steady_clock;
  const auto wallStart = Clock::now();
  RunSummary summary;
  summary.algorithm = m_role.name();
  summary.engine = "live";
  summary.workers = m_numWorkers;
  TelemetrySink& sinks = m_pool.sinks();

  std::string failure;
  const bool ready = m_pool.setup(&failure);
  BackgroundEvaluator evaluator(m_problem);
  Termination termination = Termination::Stalled;
  double endTime = 0.0;

  auto note = [&](const EvaluationPoint& point) {
    if (m_ledger.note(point, m_role.stationarity(point)) == Verdict::Diverged)
      termination = Termination::Diverged;
  };
  auto collect = [&]() {
    for (auto& point : evaluator.takeResults()) {
      if (!m_pendingMetrics.empty()) {
        point.metrics.insert(m_pendingMetrics.front().metrics.begin(),
                             m_pendingMetrics.front().metrics.end());
        point.loss += m_pendingMetrics.front().lossOffset;
        m_pendingMetrics.pop_front();
      }
      note(point);
    }
    for (const auto& point : m_role.takeEvaluations()) note(point);
  };

  if (!ready) {
    termination = m_pool.stopRequested() ? Termination::Stopped : Termination::Failed;
    summary.terminationDetail = failure;
  } else {
    // Only when the local workers leave a core free (they wait for the coordinator meanwhile): a helper
    // preempted inside its share would hold the loop up.
    const unsigned cores = std::thread::hardware_concurrency();
    if (cores >= 2 && static_cast<unsigned>(m_pool.localWorkers()) + 1 <= cores) m_role.useSpareCore();
    m_pool.startRun();
    submit(evaluator, 0.0);
    m_role.start(*this);
    m_pool.processDeaths();
    EvaluationSchedule schedule(m_rules);

    while (true) {
      const double t = m_pool.now();
      const LoopFacts facts{.stopRequested = m_pool.stopRequested(),
                            .now = t,
                            .diverged = m_role.diverged() || termination == Termination::Diverged,
                            .targetReached = m_ledger.targetReached(),
                            .spent = spent(),
                            .failure = m_role.failure(),
                            .aliveWorkers = m_pool.aliveCount()};
      if (const auto rule = stopRule(m_rules, facts, &summary.terminationDetail)) {
        termination = *rule;
        break;
      }
      schedule.due(t, m_role.iterations(), [&](double time) { submit(evaluator, time); });
      collect();
      m_role.onTick(*this);
      m_pool.processDeaths(false);
      m_pool.turn(loopTimeoutMs(std::min(schedule.nextGrid(), m_rules.horizon) - t, m_pool));
    }
    endTime = termination == Termination::TimeLimit ? m_rules.horizon : m_pool.now();

    if (m_role.evaluatesRemotely() && termination != Termination::Failed) {
      // The model lives on the workers: evaluate it there before they stop. Bounded by the liveness
      // timeout (plus slack for an emulated compute still running), and cut short by a lost worker.
      const Termination ended = termination;
      m_finishing = true;
      m_role.requestEvaluation(request(endTime), true, *this);
      const auto giveUp =
          Clock::now() + std::chrono::milliseconds(m_pool.heartbeatMs()) * 3 + std::chrono::seconds(5);
      while (m_role.evaluationPending() && Clock::now() < giveUp && m_role.failure().empty() &&
             !m_pool.stopRequested()) {
        m_pool.turn(20.0);
        m_pool.processDeaths(false);
        collect();
      }
      collect();
      // A run that ended on its own rule keeps that ending; a diverged final point says diverged.
      if (termination != Termination::Diverged) termination = ended;
      if (const std::string why = m_role.failure(); !why.empty() && m_role.evaluationPending())
        summary.terminationDetail = "final evaluation incomplete: " + why;
    }
  }

  m_pool.stopWorkers(terminationName(termination));
  evaluator.drain();
  collect();
  // A final point at the end, computed here so the summary always has one.
  if (ready && m_role.model() &&
      (m_ledger.finalEvaluationDue(endTime, m_role.iterations()) || m_role.metricsPending())) {
    Vector scratch;
    EvaluationPoint final = evaluateModel(m_problem, *m_role.model(), request(endTime), scratch);
    final.loss += m_role.lossOffset();
    m_role.takeMetrics(final.metrics);
    m_ledger.note(final, m_role.stationarity(final));
  }
  termination = m_ledger.settle(termination);
  m_pool.endRun();
  m_pool.publishStatus(true);

  WorkCounters totals;
  for (int i = 0; i < m_numWorkers; ++i) totals += m_role.counters(i);
  m_tally.bytesUp = bytesUp();
  m_tally.bytesDown = bytesDown();
  m_tally.gradients = m_role.gradientEvaluations();
  m_ledger.fill(summary, totals, m_role.iterations(), termination, endTime, m_role.divergence(),
                std::chrono::duration<double>(Clock::now() - wallStart).count());
  summary.malformedDropped = m_pool.malformed();
  for (int i = 0; i < m_numWorkers; ++i) summary.workerStatus.push_back(m_pool.statusOf(i));
  sinks.onFinish(summary);
  m_pool.flushTelemetry(true);
  return summary;
}

LiveEngine::LiveEngine(const Experiment& experiment, const Problem& problem, CoordinatorRole& role,
                           const RunRules& rules, LiveOptions options, TelemetrySink& sink)
    : m_impl(std::make_unique<Impl>(experiment, problem, role, rules, std::move(options), sink)) {}
LiveEngine::~LiveEngine() = default;

bool LiveEngine::bind(std::string* why) { return m_impl->pool().bind(why); }
std::string LiveEngine::workerEndpoint() const { return m_impl->pool().workerEndpoint(); }
std::string LiveEngine::telemetryEndpoint() const { return m_impl->pool().telemetryEndpoint(); }
std::string LiveEngine::controlEndpoint() const { return m_impl->pool().controlEndpoint(); }
std::string LiveEngine::joinCommand() const { return m_impl->pool().joinCommand(); }
const WorkerPool& LiveEngine::pool() const { return m_impl->pool(); }
RunSummary LiveEngine::run() { return m_impl->run(); }
void LiveEngine::requestStop() { m_impl->pool().requestStop(); }

}  // namespace distopt::net
