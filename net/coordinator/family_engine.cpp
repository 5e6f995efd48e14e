#include "net/coordinator/family_engine.hpp"

#include <chrono>
#include <cmath>
#include <deque>

#include "core/telemetry/evaluation.hpp"
#include "core/telemetry/run_tally.hpp"

namespace distopt::net {

class FamilyEngine::Impl final : public CoordinatorHost {
 public:
  Impl(const Experiment& experiment, const Problem& problem, CoordinatorRole& role, const SimOptions& rules,
       LiveOptions options, TelemetrySink& sink)
      : m_problem(problem),
        m_role(role),
        m_rules(rules),
        m_pool(experiment, problem.dimension(), std::move(options), sink),
        m_numWorkers(experiment.workers) {
    PoolHooks hooks;
    hooks.onMessage = [this](int worker, Message&& message, std::size_t) {
      m_role.onMessage(worker, std::move(message), *this);
    };
    hooks.onWorkerLost = [this](int worker, const std::string& reason) {
      m_role.onWorkerLost(worker, reason, *this);
    };
    hooks.fillStatus = [this](WorkerStatus& status) { status.counters = m_role.counters(status.worker); };
    hooks.fillControlStatus = [this](nlohmann::json& status) {
      status["algorithm"] = m_role.name();
      status["updates"] = m_role.iterations();
      status["time_limit"] =
          std::isfinite(m_rules.horizon) ? nlohmann::json(m_rules.horizon) : nlohmann::json();
      status["update_limit"] = m_rules.maxUpdates;
    };
    hooks.mustYield = [this] { return stopRuleHolds(); };
    m_pool.setHooks(std::move(hooks));
  }

  // CoordinatorHost
  bool send(int worker, Message&& message) override { return m_pool.send(worker, std::move(message)); }
  double now() const override { return m_pool.now(); }
  int numWorkers() const override { return m_numWorkers; }
  bool alive(int worker) const override { return m_pool.alive(worker); }
  std::size_t lastMessageBytes() const override { return m_pool.lastMessageBytes(); }
  TelemetrySink& sink() override { return m_pool.sinks(); }
  void countMalformed() override { m_pool.countMalformed(); }

  WorkerPool& pool() { return m_pool; }
  RunSummary run();

 private:
  bool stopRuleHolds() const {
    return m_pool.now() >= m_rules.horizon ||
           (m_rules.maxUpdates > 0 && m_role.iterations() >= m_rules.maxUpdates);
  }
  EvaluationRequest request(double t) const {
    return EvaluationRequest{.time = t,
                             .updates = m_role.iterations(),
                             .bytesUp = m_pool.bytesUp(),
                             .bytesDown = m_pool.bytesDown(),
                             .gradNorm = m_rules.evalGradNorm || m_rules.targetGradNormSq.has_value(),
                             .accuracy = m_rules.evalAccuracy};
  }
  /// Queues an evaluation of the role's model now, with the role's metrics of this moment.
  void submit(BackgroundEvaluator& evaluator, double t);

  const Problem& m_problem;
  CoordinatorRole& m_role;
  SimOptions m_rules;
  WorkerPool m_pool;
  int m_numWorkers;
  RunTally m_tally;
  // Metrics taken with each accepted submission, matched to results in order; metrics of a skipped
  // submission ride along with the next one so no window is lost.
  std::deque<std::map<std::string, double>> m_pendingMetrics;
  std::map<std::string, double> m_carriedMetrics;
};

void FamilyEngine::Impl::submit(BackgroundEvaluator& evaluator, double t) {
  const Vector* model = m_role.model();
  if (!model) return;
  std::map<std::string, double> metrics;
  m_role.takeMetrics(metrics);
  metrics.insert(m_carriedMetrics.begin(), m_carriedMetrics.end());  // newer values win
  m_carriedMetrics.clear();
  if (evaluator.submit(request(t), *model))
    m_pendingMetrics.push_back(std::move(metrics));
  else
    m_carriedMetrics = std::move(metrics);
}

RunSummary FamilyEngine::Impl::run() {
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
  bool targetReached = false;
  double endTime = 0.0;
  std::uint64_t lastEvalIteration = 0;

  auto collect = [&]() {
    for (auto& point : evaluator.takeResults()) {
      if (!m_pendingMetrics.empty()) {
        point.metrics.insert(m_pendingMetrics.front().begin(), m_pendingMetrics.front().end());
        m_pendingMetrics.pop_front();
      }
      sinks.onEvaluation(point);
      if (m_tally.noteEvaluation(point, m_rules.targetGap, m_rules.targetGradNormSq)) targetReached = true;
      if (!std::isfinite(point.loss)) termination = Termination::Diverged;
    }
  };

  if (!ready) {
    termination = m_pool.stopRequested() ? Termination::Stopped : Termination::Failed;
    summary.terminationDetail = failure;
  } else {
    m_pool.startRun();
    submit(evaluator, 0.0);
    m_role.start(*this);
    m_pool.processDeaths();
    double nextGrid = m_rules.evalInterval > 0 ? m_rules.evalInterval : INFINITY;

    while (true) {
      const double t = m_pool.now();
      if (m_pool.stopRequested()) {
        termination = Termination::Stopped;
        break;
      }
      if (t >= m_rules.horizon) {
        termination = Termination::TimeLimit;
        break;
      }
      if (m_role.diverged() || termination == Termination::Diverged) {
        termination = Termination::Diverged;
        break;
      }
      if (targetReached) {
        termination = Termination::TargetReached;
        break;
      }
      if (m_rules.maxUpdates > 0 && m_role.iterations() >= m_rules.maxUpdates) {
        termination = Termination::UpdateLimit;
        break;
      }
      if (const std::string why = m_role.failure(); !why.empty()) {
        termination = Termination::Failed;
        summary.terminationDetail = why;
        break;
      }
      if (m_pool.aliveCount() == 0) {
        termination = Termination::Failed;
        summary.terminationDetail = "every worker was lost";
        break;
      }
      while (nextGrid <= t) {
        submit(evaluator, nextGrid);
        nextGrid += m_rules.evalInterval;
      }
      if (m_rules.evalEveryUpdates > 0 &&
          m_role.iterations() - lastEvalIteration >= m_rules.evalEveryUpdates) {
        lastEvalIteration = m_role.iterations();
        submit(evaluator, t);
      }
      collect();
      m_role.onTick(*this);
      m_pool.processDeaths(false);
      m_pool.turn(loopTimeoutMs(std::min(nextGrid, m_rules.horizon) - t, m_pool));
    }
    endTime = termination == Termination::TimeLimit ? m_rules.horizon : m_pool.now();
  }

  m_pool.stopWorkers(terminationName(termination));
  evaluator.drain();
  collect();
  // A final point at the end, computed here so the summary always has one.
  if (ready && m_role.model()) {
    Vector scratch;
    EvaluationPoint final = evaluateModel(m_problem, *m_role.model(), request(endTime), scratch);
    m_role.takeMetrics(final.metrics);
    sinks.onEvaluation(final);
    m_tally.noteEvaluation(final, m_rules.targetGap, m_rules.targetGradNormSq);
    if (!std::isfinite(final.loss) && termination != Termination::Failed) termination = Termination::Diverged;
  }
  m_pool.endRun();
  m_pool.publishStatus(true);

  WorkCounters totals;
  for (int i = 0; i < m_numWorkers; ++i) totals += m_role.counters(i);
  m_tally.bytesUp = m_pool.bytesUp();
  m_tally.bytesDown = m_pool.bytesDown();
  m_tally.fill(summary, totals, m_role.iterations(), termination, endTime);
  summary.malformedDropped = m_pool.malformed();
  for (int i = 0; i < m_numWorkers; ++i) summary.workerStatus.push_back(m_pool.statusOf(i));
  summary.wallSeconds = std::chrono::duration<double>(Clock::now() - wallStart).count();
  sinks.onFinish(summary);
  m_pool.flushTelemetry(true);
  return summary;
}

FamilyEngine::FamilyEngine(const Experiment& experiment, const Problem& problem, CoordinatorRole& role,
                           const SimOptions& rules, LiveOptions options, TelemetrySink& sink)
    : m_impl(std::make_unique<Impl>(experiment, problem, role, rules, std::move(options), sink)) {}
FamilyEngine::~FamilyEngine() = default;

bool FamilyEngine::bind(std::string* why) { return m_impl->pool().bind(why); }
std::string FamilyEngine::workerEndpoint() const { return m_impl->pool().workerEndpoint(); }
std::string FamilyEngine::telemetryEndpoint() const { return m_impl->pool().telemetryEndpoint(); }
std::string FamilyEngine::controlEndpoint() const { return m_impl->pool().controlEndpoint(); }
std::string FamilyEngine::joinCommand() const { return m_impl->pool().joinCommand(); }
RunSummary FamilyEngine::run() { return m_impl->run(); }
void FamilyEngine::requestStop() { m_impl->pool().requestStop(); }

}  // namespace distopt::net
