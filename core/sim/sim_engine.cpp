#include "core/sim/sim_engine.hpp"

#include <chrono>
#include <cmath>
#include <limits>

#include "core/run/evaluation_grid.hpp"
#include "core/run/run_ledger.hpp"
#include "core/sim/completion_heap.hpp"
#include "core/sim/snapshot_pool.hpp"
#include "core/telemetry/evaluation.hpp"
#include "core/util/check.hpp"
#include "core/worker/job_compute.hpp"

namespace distopt {

namespace {

struct InFlightJob {
  std::uint64_t jobId = 0;
  std::uint64_t version = 0;
  int gradients = 1;
  double start = 0.0;
  double due = std::numeric_limits<double>::infinity();  ///< when it completes (never: infinity)
  bool active = false;
  SnapshotPool::Handle model = SnapshotPool::kNone;  ///< the model it was sent (a reference in m_snapshots)
};

}  // namespace

class SimEngine::Impl final : public ActionSink {
 public:
  Impl(const Problem& problem, const std::vector<Shard>& shards, const TimeModel& timeModel, AsyncServer& server,
       const RunRules& options, TelemetrySink& sink)
      : m_problem(problem),
        m_shards(shards),
        m_timeModel(timeModel),
        m_server(server),
        m_options(options),
        m_sink(sink),
        m_ledger(options, sink),
        m_tally(m_ledger.tally()),
        m_jobs(server.numWorkers()),
        m_queue(server.numWorkers()) {
    DISTOPT_CHECK(static_cast<int>(shards.size()) == server.numWorkers());
    DISTOPT_CHECK(timeModel.numWorkers() == server.numWorkers());
    DISTOPT_CHECK(options.isValid(nullptr));
    m_dimension = static_cast<std::uint64_t>(problem.dimension());
  }

  RunSummary run(const std::atomic<bool>& stopRequested);

  // ActionSink
  void sendJob(const JobOrder& order) override;
  void cancelJob(int worker, std::uint64_t jobId) override;
  void record(const OutcomeRecord& record) override;

 private:
  class LazyGradient final : public GradientSource {
   public:
    LazyGradient(Impl& engine, int worker, const InFlightJob& job) : m_engine(engine), m_worker(worker), m_job(job) {}
    Eigen::Ref<const Vector> value() override {
      if (!m_ready) {
        m_engine.computeGradient(m_worker, m_job, m_engine.m_gradient);
        m_ready = true;
      }
      return m_engine.m_gradient;
    }

   private:
    Impl& m_engine;
    int m_worker;
    const InFlightJob& m_job;
    bool m_ready = false;
  };

  void computeGradient(int worker, const InFlightJob& job, Vector& out);
  /// Evaluates at time t: what the point says about the run.
  Verdict evaluate(double t);
  std::uint64_t vectorBytes() const { return m_dimension * m_wire.bytesPerScalar; }

  const Problem& m_problem;
  const std::vector<Shard>& m_shards;
  const TimeModel& m_timeModel;
  AsyncServer& m_server;
  RunRules m_options;
  WireSizeModel m_wire;
  TelemetrySink& m_sink;
  RunLedger m_ledger;
  RunTally& m_tally;  ///< the ledger's

  std::uint64_t m_dimension = 0;
  double m_now = 0.0;
  std::vector<InFlightJob> m_jobs;
  // At most one entry per worker: a cancelled job's stays until the worker's next job moves it, or until
  // it reaches the top and is dropped (cancellation costs nothing when the worker is re-tasked at once).
  CompletionHeap m_queue;
  // A cancelled job would have completed after the horizon: a run whose remaining completions are all
  // cancelled ends at its time limit, not stalled (as when the cancelled completions were kept).
  bool m_cancelledBeyondHorizon = false;
  SnapshotPool m_snapshots;
  Vector m_gradient;
  Vector m_scratch;
  Vector m_evalGradient;
};

void SimEngine::Impl::sendJob(const JobOrder& order) {
  DISTOPT_CHECK(order.version == m_server.version());
  InFlightJob& job = m_jobs[order.worker];
  m_snapshots.release(job.model);  // a cancelled job's, or the answered one's a server re-tasks at once
  job.jobId = order.jobId;
  job.version = order.version;
  job.gradients = order.gradients;
  job.start = m_now;
  job.active = true;
  job.model = m_snapshots.share(order.version, m_server.model());
  m_tally.bytesDown += m_wire.jobFixed + vectorBytes();

  const double duration = jobDuration(m_timeModel, order.worker, order.jobId, order.gradients, m_now);
  job.due = m_now + duration;
  if (std::isfinite(job.due))
    m_queue.set(order.worker, job.due);
  else
    m_queue.remove(order.worker);
}

void SimEngine::Impl::cancelJob(int worker, std::uint64_t jobId) {
  InFlightJob& job = m_jobs[worker];
  DISTOPT_CHECK(job.active && job.jobId == jobId);
  // The pending completion stays in the queue until the worker's next job moves it, or it is dropped
  // when it reaches the top.
  if (std::isfinite(job.due) && job.due > m_options.horizon) m_cancelledBeyondHorizon = true;
  job.active = false;
  m_snapshots.release(job.model);
  job.model = SnapshotPool::kNone;
  m_tally.bytesDown += m_wire.cancel;
}

void SimEngine::Impl::record(const OutcomeRecord& record) {
  const InFlightJob& job = m_jobs[record.worker];
  UpdateEvent event = makeUpdateEvent(record, m_now, job.jobId == record.jobId ? m_now - job.start : 0.0, 0);
  if (record.outcome == Outcome::Cancelled) {
    event.bytes = m_wire.cancel;
  } else {
    event.bytes = m_wire.gradFixed + vectorBytes();
    m_tally.bytesUp += event.bytes;
  }
  if (record.outcome == Outcome::Accepted) m_tally.countAccepted(record.delay);
  m_sink.onUpdate(event);
}

void SimEngine::Impl::computeGradient(int worker, const InFlightJob& job, Vector& out) {
  jobGradient(m_problem, m_shards[worker], m_options.seed, worker, job.jobId, job.gradients,
              m_snapshots.model(job.model), out, m_scratch);
}

Verdict SimEngine::Impl::evaluate(double t) {
  return m_ledger.note(
      evaluateModel(m_problem, m_server.model(), m_ledger.request(t, m_server.version()), m_evalGradient));
}

RunSummary SimEngine::Impl::run(const std::atomic<bool>& stopRequested) {
  const auto wallStart = std::chrono::steady_clock::now();
  RunSummary summary;
  summary.algorithm = m_server.name();
  summary.engine = "sim";
  summary.workers = m_server.numWorkers();

  EvaluationGrid grid(m_options);
  auto verdictAt = [&](double t) { return evaluate(t); };
  // The point at time 0 is x0 before any job left (as on every engine): a run that meets its target
  // there sends none.
  const auto atStart = terminationOf(evaluate(0.0));
  bool done = atStart.has_value();
  Termination termination = atStart.value_or(Termination::Stalled);
  if (!done) m_server.start(*this);
  std::uint64_t lastEvalUpdate = 0;

  while (!done) {
    if (stopRequested.load(std::memory_order_relaxed)) {
      termination = Termination::Stopped;
      break;
    }
    if (m_queue.empty()) {
      termination = m_cancelledBeyondHorizon ? Termination::TimeLimit : Termination::Stalled;
      break;
    }
    const CompletionHeap::Entry next = m_queue.top();
    if (next.time > m_options.horizon) {
      termination = Termination::TimeLimit;
      break;
    }
    if (!m_jobs[next.worker].active) {
      m_queue.pop();  // cancelled and not re-tasked: its completion never happens
      continue;
    }
    if (const auto ended = terminationOf(grid.walkBefore(next.time, verdictAt))) {
      termination = *ended;
      break;
    }
    m_queue.pop();
    m_now = next.time;

    InFlightJob arrived = m_jobs[next.worker];  // copy: the server may hand this worker a new job
    arrived.active = false;
    m_snapshots.retain(arrived.model);  // the lazy gradient reads it after a new job may have replaced it
    LazyGradient gradient(*this, next.worker, arrived);
    GradientArrival arrival{.worker = next.worker, .jobId = arrived.jobId, .version = arrived.version, .gradient = &gradient};
    const std::uint64_t before = m_server.version();
    m_server.receive(arrival, *this);
    m_tally.gradients += static_cast<std::uint64_t>(arrived.gradients);  // computed, whatever the server makes of them
    if (m_jobs[next.worker].jobId == arrived.jobId) {
      m_jobs[next.worker].active = false;  // answered and not re-tasked (e.g. minibatch waiting)
      m_snapshots.release(m_jobs[next.worker].model);
      m_jobs[next.worker].model = SnapshotPool::kNone;
    }
    m_snapshots.release(arrived.model);

    if (m_server.diverged()) {
      termination = Termination::Diverged;
      break;
    }
    const std::uint64_t updates = m_server.version();
    if (updates != before && m_options.evalEveryUpdates > 0 &&
        updates - lastEvalUpdate >= m_options.evalEveryUpdates) {
      lastEvalUpdate = updates;
      if (const auto ended = terminationOf(verdictAt(m_now))) {
        termination = *ended;
        break;
      }
    }
    if (const auto spent = budgetSpent(m_options, m_tally.spent(updates))) {
      termination = *spent;
      done = true;
    }
  }

  double endTime = m_now;
  if (termination == Termination::TimeLimit) {
    const RunEnd end = grid.closeAtHorizon(m_now, verdictAt);
    termination = end.termination;
    endTime = end.time;
  }
  if (m_ledger.finalEvaluationDue(endTime, m_server.version())) evaluate(endTime);
  termination = m_ledger.settle(termination);
  m_ledger.fill(summary, m_server.totals(), m_server.version(), termination, endTime, {},
                std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count());
  m_sink.onFinish(summary);
  return summary;
}

SimEngine::SimEngine(const SimRunContext& context, AsyncServer& server) : m_context(context), m_server(server) {
  DISTOPT_CHECK(context.problem && context.timeModel && context.shards);
}

SimEngine::~SimEngine() = default;

RunSummary SimEngine::run(TelemetrySink& sink) {
  Impl impl(*m_context.problem, *m_context.shards, *m_context.timeModel, m_server, m_context.options, sink);
  return impl.run(stopFlag());
}

}  // namespace distopt
