#include "core/kronecker/kron_sim_run.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <deque>
#include <map>
#include <queue>
#include <tuple>

#include "core/kronecker/kron_metrics.hpp"
#include "core/run/evaluation_grid.hpp"
#include "core/sim/divergence.hpp"
#include "core/telemetry/evaluation.hpp"
#include "core/telemetry/run_tally.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {

namespace {

double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Due {
  double time;
  int worker;
  bool operator>(const Due& other) const {
    return std::tie(time, worker) > std::tie(other.time, other.worker);
  }
};

struct Queued {
  bool isResid = false;
  kron::BatchMessage batch;
  kron::ResidMessage resid;
};

}  // namespace

class KronSimRun::Impl {
 public:
  Impl(const KronSimRun& run, TelemetrySink& sink)
      : m_problem(run.m_problem),
        m_timeModel(run.m_timeModel),
        m_k(run.m_workers),
        m_options(run.m_options),
        m_settings(run.m_settings),
        m_sink(sink),
        m_s(static_cast<std::uint64_t>(run.m_problem.batch())),
        m_n(static_cast<std::uint64_t>(run.m_problem.data().size())),
        m_queues(static_cast<std::size_t>(run.m_workers)),
        m_busy(static_cast<std::size_t>(run.m_workers), 0),
        m_replies(static_cast<std::size_t>(run.m_workers)) {}

  RunSummary run(const std::function<bool()>& stopRequested);

 private:
  void count(int worker, const char* kind, bool uplink, std::uint64_t bytes) {
    auto& entry = m_bandwidth[{worker, kind, uplink}];
    entry.first += bytes;
    ++entry.second;
    (uplink ? m_tally.bytesUp : m_tally.bytesDown) += bytes;
  }
  void issueBatches();
  void pump(int worker);
  void requestEvaluation(std::uint64_t version);
  void report(int worker);
  void finishEvaluation(std::uint64_t version, EvaluationPoint point);
  void emitBandwidth();

  const KronTwoLayerProblem& m_problem;
  const TimeModel& m_timeModel;
  int m_k;
  RunRules m_options;
  Settings m_settings;
  TelemetrySink& m_sink;
  std::uint64_t m_s;
  std::uint64_t m_n;

  std::vector<std::unique_ptr<KronWorkerRole>> m_workers;
  std::vector<KronWorkerTally> m_tallies;
  std::unique_ptr<KronCoordinatorRole> m_coordinator;
  std::unique_ptr<KronEvaluationBook> m_book;
  std::vector<std::deque<Queued>> m_queues;
  std::vector<char> m_busy;
  std::vector<kron::PartialMessage> m_replies;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> m_due;
  std::map<std::uint64_t, double> m_sentAt;
  std::map<std::tuple<int, std::string, bool>, std::pair<std::uint64_t, std::uint64_t>> m_bandwidth;
  RunTally m_tally;
  double m_now = 0.0;
  double m_eta = 0.0;
  bool m_stopping = false;
  bool m_targetMet = false;
  bool m_nonFinite = false;
  DivergenceWatch m_divergence;  ///< the simulator's rule (core/sim/divergence.hpp)
  std::uint64_t m_partials = 0;
  std::uint64_t m_batchesSent = 0;
};

void KronSimRun::Impl::issueBatches() {
  while (!m_stopping && m_coordinator->canSend()) {
    const double start = threadCpuSeconds();
    const kron::BatchMessage batch = m_coordinator->nextBatch();
    m_book->addSeconds(threadCpuSeconds() - start);
    m_sentAt[batch.iteration] = m_now;
    m_batchesSent += static_cast<std::uint64_t>(m_k);
    for (int w = 0; w < m_k; ++w) {
      m_queues[static_cast<std::size_t>(w)].push_back(Queued{.batch = batch});
      count(w, "BATCH", false, kron::batchBytes(m_s));
    }
  }
}

void KronSimRun::Impl::pump(int worker) {
  auto& queue = m_queues[static_cast<std::size_t>(worker)];
  KronWorkerRole& role = *m_workers[static_cast<std::size_t>(worker)];
  std::string why;
  while (!m_busy[static_cast<std::size_t>(worker)] && !queue.empty()) {
    Queued next = std::move(queue.front());
    queue.pop_front();
    if (next.isResid) {
      BlockStepStats stats;
      const double start = threadCpuSeconds();
      DISTOPT_CHECK_MSG(role.onResid(next.resid, stats, &why), why.c_str());
      m_tallies[static_cast<std::size_t>(worker)].addSeconds(threadCpuSeconds() - start);
      m_tallies[static_cast<std::size_t>(worker)].note(stats);
      if (m_book->isOpen(role.appliedVersion())) report(worker);
      continue;
    }
    if (m_stopping) continue;  // a batch the run will never complete: no forward, no state change
    const double start = threadCpuSeconds();
    DISTOPT_CHECK_MSG(role.onBatch(next.batch, m_replies[static_cast<std::size_t>(worker)], &why),
                      why.c_str());
    m_tallies[static_cast<std::size_t>(worker)].addSeconds(threadCpuSeconds() - start);
    const double duration = m_timeModel.duration(worker, next.batch.iteration, m_now);
    m_busy[static_cast<std::size_t>(worker)] = 1;
    if (std::isfinite(duration)) m_due.push({m_now + duration, worker});
  }
}

void KronSimRun::Impl::requestEvaluation(std::uint64_t version) {
  const bool gradNorm = m_options.evalGradNorm || m_options.targetGradNormSq.has_value();
  if (!m_book->request(version, gradNorm)) return;
  for (int w = 0; w < m_k; ++w) count(w, "EVAL", false, kron::evalBytes());
  // Workers already at that version (idle, τ = 0) report now; the others when they reach it.
  for (int w = 0; w < m_k; ++w)
    if (m_workers[static_cast<std::size_t>(w)]->appliedVersion() == version) report(w);
}

void KronSimRun::Impl::report(int worker) {
  const KronWorkerRole& role = *m_workers[static_cast<std::size_t>(worker)];
  const std::uint64_t version = role.appliedVersion();
  const bool coFire = m_book->wantsCoFire(version);
  std::string why;
  BlockEvaluation keep;
  DISTOPT_CHECK_MSG(m_book->onLoss(worker, role.lossReport(coFire ? &keep : nullptr), &why), why.c_str());
  count(worker, "LOSS", true, kron::lossBytes(m_n));
  if (coFire) {
    DISTOPT_CHECK_MSG(m_book->onCoFire(worker, KronWorkerRole::coFireReport(keep, version), &why),
                      why.c_str());
    count(worker, "COFIRE", true, kron::coFireBytes(m_n));
  }
  DISTOPT_CHECK_MSG(
      m_book->onStats(worker, m_tallies[static_cast<std::size_t>(worker)].report(version), &why),
      why.c_str());
  count(worker, "STATS", true, kron::statsBytes());
  for (auto& finished : m_book->take(*m_coordinator, m_eta))
    finishEvaluation(finished.version, std::move(finished.point));
}

void KronSimRun::Impl::finishEvaluation(std::uint64_t version, EvaluationPoint point) {
  point.time = m_now;
  point.updates = version;
  point.bytesUp = m_tally.bytesUp;
  point.bytesDown = m_tally.bytesDown;
  emitBandwidth();
  m_sink.onEvaluation(point);
  if (m_divergence.note(point) || (point.gradNormSq && !std::isfinite(*point.gradNormSq))) m_nonFinite = true;
  if (m_tally.noteEvaluation(point, m_options.targetGap, m_options.targetGradNormSq)) m_targetMet = true;
}

void KronSimRun::Impl::emitBandwidth() {
  for (const auto& [key, value] : m_bandwidth) {
    m_sink.onBandwidth(BandwidthSample{.time = m_now,
                                       .worker = std::get<0>(key),
                                       .uplink = std::get<2>(key),
                                       .kind = std::get<1>(key),
                                       .bytes = value.first,
                                       .messages = value.second});
  }
}

RunSummary KronSimRun::Impl::run(const std::function<bool()>& stopRequested) {
  const auto wallStart = std::chrono::steady_clock::now();
  const auto blocks = neuronBlocks(m_problem.neurons(), m_k);
  m_tallies.resize(static_cast<std::size_t>(m_k));
  m_book =
      std::make_unique<KronEvaluationBook>(m_k, m_problem.neurons(), m_problem.batch(), m_problem.gram());
  m_coordinator =
      std::make_unique<KronCoordinatorRole>(m_problem.data().y, m_problem.neurons(),
                                            KronCoordinatorRole::Options{.workers = m_k,
                                                                         .staleness = m_settings.staleness,
                                                                         .batch = m_problem.batch(),
                                                                         .samplerSeed = m_options.seed});
  const std::uint64_t d1 = static_cast<std::uint64_t>(m_problem.data().d1());
  const std::uint64_t d2 = static_cast<std::uint64_t>(m_problem.data().d2());
  for (int w = 0; w < m_k; ++w) {
    const auto [begin, end] = blocks[static_cast<std::size_t>(w)];
    count(w, "INIT", false, kron::initBytes(m_n, d1, d2));
    m_workers.push_back(std::make_unique<KronWorkerRole>(
        w, makeNeuronBlock(m_problem, m_settings.algorithm, m_settings.fast, begin, end),
        m_settings.staleness));
    m_coordinator->onReady(w, m_workers.back()->ready());
    count(w, "READY", true, kron::readyBytes());
  }
  m_eta = m_settings.eta.value_or(m_coordinator->defaultEta());
  const kron::StartMessage startMessage = m_coordinator->start(m_eta);
  for (int w = 0; w < m_k; ++w) {
    m_workers[static_cast<std::size_t>(w)]->onStart(startMessage);
    count(w, "START", false, kron::startBytes());
  }

  requestEvaluation(0);
  Termination termination = m_targetMet ? Termination::TargetReached : Termination::Stalled;
  if (m_targetMet) m_stopping = true;
  double nextGrid =
      m_options.evalInterval > 0.0 ? m_options.evalInterval : std::numeric_limits<double>::infinity();
  issueBatches();
  for (int w = 0; w < m_k; ++w) pump(w);

  std::string why;
  while (!m_stopping) {
    if (stopRequested()) {
      termination = Termination::Stopped;
      break;
    }
    if (m_due.empty()) {
      termination = Termination::Stalled;
      break;
    }
    const Due next = m_due.top();
    if (next.time > m_options.horizon) {
      termination = Termination::TimeLimit;
      m_now = m_options.horizon;
      break;
    }
    m_due.pop();
    m_now = next.time;
    const int w = next.worker;
    m_busy[static_cast<std::size_t>(w)] = 0;
    const kron::PartialMessage partial = std::move(m_replies[static_cast<std::size_t>(w)]);
    count(w, "PARTIAL", true, kron::partialBytes(m_s));
    ++m_partials;

    kron::ResidMessage resid;
    KronIterationResult result;
    bool complete = false;
    const double start = threadCpuSeconds();
    DISTOPT_CHECK_MSG(m_coordinator->onPartial(w, partial, resid, result, &complete, &why), why.c_str());
    m_book->addSeconds(threadCpuSeconds() - start);

    UpdateEvent event;
    event.time = m_now;
    event.worker = w;
    event.jobId = partial.iteration;
    event.jobVersion = partial.appliedVersion;
    event.delay = static_cast<std::int64_t>(partial.iteration - partial.appliedVersion);
    event.outcome = Outcome::Accepted;
    event.versionAfter = m_coordinator->completed();
    event.age = m_now - m_sentAt[partial.iteration];
    event.bytes = kron::partialBytes(m_s);
    m_tally.countAccepted(event.delay);
    m_sink.onUpdate(event);

    if (complete) {
      ++m_tally.gradients;  // the iteration's minibatch gradient, its k partials together
      m_sentAt.erase(result.iteration);
      m_book->noteIteration(result);
      bool finite = std::isfinite(result.batchLoss);
      for (int v = 0; v < m_k; ++v) {
        m_queues[static_cast<std::size_t>(v)].push_back(Queued{.isResid = true, .resid = resid});
        count(v, "RESID", false, kron::residBytes(m_s));
      }
      if (!finite) {
        termination = Termination::Diverged;
        m_nonFinite = true;
        break;
      }
      const std::uint64_t done = m_coordinator->completed();
      bool due = m_options.evalEveryUpdates > 0 && done % m_options.evalEveryUpdates == 0;
      if (m_now >= nextGrid) {
        due = true;
        while (nextGrid <= m_now) nextGrid += m_options.evalInterval;
      }
      if (due) requestEvaluation(done);
      if (const auto spent = budgetSpent(m_options, m_tally.spent(done))) {
        termination = *spent;
        m_stopping = true;
      }
    }
    issueBatches();
    for (int v = 0; v < m_k; ++v) pump(v);
    if (m_nonFinite) termination = Termination::Diverged, m_stopping = true;
    if (m_targetMet && termination != Termination::Diverged)
      termination = Termination::TargetReached, m_stopping = true;
  }

  // Close at one consistent model: apply every RESID already sent, forget the rest.
  m_stopping = true;
  if (termination != Termination::Diverged) {
    for (int w = 0; w < m_k; ++w) {
      m_busy[static_cast<std::size_t>(w)] = 0;
      pump(w);
      m_workers[static_cast<std::size_t>(w)]->dropUnanswered();
    }
    m_coordinator->abandonPending();
    const std::uint64_t final = m_coordinator->completed();
    if (finalEvaluationDue(m_tally.haveEvaluation, m_tally.lastEvaluation, m_now, final))
      requestEvaluation(final);
  } else {
    // A diverged model has no consistent version worth waiting for: report the blocks as they are.
    std::vector<kron::LossMessage> losses;
    std::vector<kron::CoFireMessage> coFires;
    for (int w = 0; w < m_k; ++w) {
      BlockEvaluation keep;
      losses.push_back(m_workers[static_cast<std::size_t>(w)]->lossReport(&keep));
      coFires.push_back(KronWorkerRole::coFireReport(keep, 0));
    }
    EvaluationPoint point = m_coordinator->evaluate(losses, &coFires, m_problem.gram());
    point.metrics["eta"] = m_eta;
    finishEvaluation(m_coordinator->completed(), std::move(point));
  }
  if (termination != Termination::Diverged && m_nonFinite) termination = Termination::Diverged;

  RunSummary summary;
  summary.algorithm = m_settings.algorithm == KronAlgorithm::Naive ? "kron-naive" : "kron-fast";
  summary.engine = "sim";
  summary.workers = m_k;
  summary.termination = termination;
  // BATCHes of iterations abandoned at the end count as cancelled (their forwards changed nothing).
  summary.counters.jobsSent = m_batchesSent;
  summary.counters.arrivals = m_partials;
  summary.counters.accepted = m_partials;
  summary.counters.cancelled = m_batchesSent - m_partials;
  summary.updatesApplied = m_coordinator->completed();
  summary.gradientEvaluations = m_tally.gradients;
  summary.setFinalEvaluation(m_tally.lastEvaluation);
  summary.time = m_now;
  summary.timeToTarget = m_tally.timeToTarget;
  summary.delayMean = m_tally.delayCount ? m_tally.delaySum / static_cast<double>(m_tally.delayCount) : 0.0;
  summary.delayMax = m_tally.delayMax;
  summary.bytesUplink = m_tally.bytesUp;
  summary.bytesDownlink = m_tally.bytesDown;
  summary.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
  m_sink.onFinish(summary);
  return summary;
}

KronSimRun::KronSimRun(const KronTwoLayerProblem& problem, const TimeModel& timeModel, int workers,
                       RunRules options, Settings settings, const std::string& path)
    : m_problem(problem),
      m_timeModel(timeModel),
      m_workers(workers),
      m_options(options),
      m_settings(settings) {
  if (workers < 1 || workers > problem.neurons())
    throw InputError("workers.count",
                     "must be between 1 and the problem's m = " + std::to_string(problem.neurons()) +
                         " (each worker owns a block of neurons)");
  if (timeModel.numWorkers() != workers) throw InputError("workers.count", "does not match the time model");
  if (settings.algorithm == KronAlgorithm::Fast) requireValid(settings.fast, path);
  KronNaiveOptions common{.eta = settings.eta, .staleness = settings.staleness};
  requireValid(common, path);
  requireValid(options, "stop");
}

RunSummary KronSimRun::run(TelemetrySink& sink) {
  Impl impl(*this, sink);
  return impl.run([this] { return stopRequested(); });
}

}  // namespace distopt
