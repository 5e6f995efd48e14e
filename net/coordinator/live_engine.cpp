#include "net/coordinator/live_engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <thread>

#include "core/run/run_ledger.hpp"
#include "core/run/run_rules.hpp"
#include "core/telemetry/evaluation.hpp"
#include "core/util/chunk_helper.hpp"
#include "net/protocol/job_messages.hpp"
#include "net/protocol/message.hpp"

namespace distopt::net {
namespace {

// The gradient where it arrived: float64 coordinates are used in place in the received frame, and
// nothing is converted at all when the server discards the gradient (Ringmaster's stale ones).
class FrameGradient final : public GradientSource {
 public:
  FrameGradient(const DenseFrameView& frame, Vector& scratch) : m_frame(frame), m_scratch(scratch) {}
  Eigen::Ref<const Vector> value() override { return m_frame.view(m_scratch); }

 private:
  const DenseFrameView& m_frame;
  Vector& m_scratch;
};

/// What the parameter-server engine keeps per worker beyond the session.
struct JobBook {
  double jobSentAt = 0.0;  // engine units
  double delaySum = 0.0;
  std::uint64_t delayCount = 0;
  double jobSecondsSum = 0.0;
  std::uint64_t jobsAnswered = 0;
  std::uint64_t jobsResent = 0;  // given again after a refused answer
  int jobGradients = 1;          // of the job outstanding: what its answer counts for the gradient budget
  // The last JOB sent (its model frame shared, not copied), sent again when its answer is refused or the
  // worker's link was cut before it answered (PROTOCOL.md §4.4). Not kept when one model per worker
  // would not fit kKeptJobBytes.
  std::optional<JobMeta> lastJob;
  zmq::message_t lastJobFrame;
};

/// At most this many bytes of models kept for re-sending (one per worker, at worst all different).
constexpr double kKeptJobBytes = 1024.0 * 1024.0 * 1024.0;

}  // namespace

class LiveEngine::Impl final : public ActionSink, public ModelMirror {
 public:
  Impl(const Experiment& experiment, const Problem& problem, AsyncServer& server, const RunRules& rules,
       LiveOptions options, TelemetrySink& sink)
      : m_problem(problem),
        m_server(server),
        m_rules(rules),
        m_pool(experiment, problem.dimension(), std::move(options), sink),
        m_ledger(rules, m_pool.sinks()),
        m_tally(m_ledger.tally()),
        m_books(static_cast<std::size_t>(server.numWorkers())),
        m_dimension(problem.dimension()),
        m_keepJobs(8.0 * static_cast<double>(problem.dimension()) * server.numWorkers() <= kKeptJobBytes) {
    PoolHooks hooks;
    hooks.onMessage = [this](int worker, Message&& message, std::size_t) {
      if (message.kind == MessageKind::Grad)
        handleGrad(worker, message);
      else
        m_pool.countMalformed(std::string(messageKindName(message.kind)) + " in a parameter-server run");
    };
    hooks.onWorkerLost = [this](int worker, const std::string&) { m_server.removeWorker(worker, *this); };
    hooks.onWorkerResumed = [this](int worker) { return resendJob(worker); };
    hooks.fillStatus = [this](WorkerStatus& status) {
      const JobBook& book = m_books[static_cast<std::size_t>(status.worker)];
      status.counters = m_server.counters(status.worker);
      status.meanDelay = book.delayCount ? book.delaySum / static_cast<double>(book.delayCount) : 0.0;
      status.meanJobSeconds =
          book.jobsAnswered ? book.jobSecondsSum / static_cast<double>(book.jobsAnswered) : 0.0;
    };
    hooks.fillControlStatus = [this](nlohmann::json& status) {
      status["algorithm"] = m_server.name();
      status["updates"] = m_server.version();
      status["time_limit"] =
          std::isfinite(m_rules.horizon) ? nlohmann::json(m_rules.horizon) : nlohmann::json();
      status["update_limit"] = m_rules.maxUpdates;
      addBudgetStatus(status, m_rules, spent());
      std::uint64_t resent = 0;
      for (const JobBook& book : m_books) resent += book.jobsResent;
      status["jobs_resent"] = resent;
    };
    hooks.mustYield = [this] { return m_pool.now() >= m_rules.horizon || budgetSpent(m_rules, spent()); };
    m_pool.setHooks(std::move(hooks));
    m_server.setModelMirror(this);
  }
  ~Impl() override {
    m_server.setModelMirror(nullptr);
    m_server.setStepHelper(nullptr);
  }

  bool bind(std::string* why) { return m_pool.bind(why); }
  RunSummary run();
  void requestStop() { m_pool.requestStop(); }
  const WorkerPool& pool() const { return m_pool; }

  // ActionSink
  void sendJob(const JobOrder& order) override;
  void cancelJob(int worker, std::uint64_t jobId) override;
  void record(const OutcomeRecord& record) override;

  // ModelMirror: each step writes its model straight into the frame of the next JOB, and the next step
  // reads it from there.
  double* mirrorStorage(std::uint64_t version) override;

 private:
  BudgetFacts spent() const {
    return {.updates = m_server.version(),
            .bytes = m_pool.bytesUp() + m_pool.bytesDown(),
            .gradients = m_tally.gradients};
  }
  void handleGrad(int worker, const Message& message);
  /// The worker's link was cut and made again: its outstanding JOB (or its GRAD) may be lost, so it gets
  /// the same JOB again (same id, version, model and start time: the same gradient and duration). False
  /// when that JOB was not kept.
  bool resendJob(int worker);
  /// `worker`'s answer to its current job was refused: counted as malformed, and the job sent again.
  void refuseResult(int worker, const std::string& why);
  /// The last step's frame becomes the model frame once that step has succeeded.
  void adoptStepFrame();

  const Problem& m_problem;
  AsyncServer& m_server;
  RunRules m_rules;
  WorkerPool m_pool;
  RunLedger m_ledger;
  RunTally& m_tally;  ///< the ledger's
  std::vector<JobBook> m_books;
  std::int64_t m_dimension;
  bool m_keepJobs;

  // Model frames, shared by reference with every JOB that carries them (zmq::message_t::copy). Held by
  // pointer because the server reads the current model inside its frame, and a message_t moved keeps a
  // small frame's bytes inside itself.
  std::unique_ptr<zmq::message_t> m_modelFrame;  // the server's current version, or an older one
  std::uint64_t m_modelFrameVersion = ~std::uint64_t{0};
  std::unique_ptr<zmq::message_t> m_stepFrame;  // written by the step under way, or by a refused one
  std::uint64_t m_stepFrameVersion = ~std::uint64_t{0};
  Vector m_gradient;

  std::unique_ptr<ChunkHelper> m_stepHelper;
};

void LiveEngine::Impl::adoptStepFrame() {
  if (m_stepFrame && m_stepFrameVersion == m_server.version()) {
    m_modelFrame = std::move(m_stepFrame);
    m_modelFrameVersion = m_stepFrameVersion;
    m_stepFrameVersion = ~std::uint64_t{0};
  }
}

double* LiveEngine::Impl::mirrorStorage(std::uint64_t version) {
  // The current model, which this step reads, stays in m_modelFrame. Frames shared with JOBs in flight
  // are never written again; a fresh one comes from the heap (keepLargeFrameMemory), where the last
  // freed frame's pages are already mapped.
  adoptStepFrame();
  const auto count = static_cast<std::size_t>(m_dimension);
  m_stepFrame = std::make_unique<zmq::message_t>(denseFrameSize(count, VectorEncoding::DenseFloat64));
  m_stepFrameVersion = version;
  return beginFloat64Frame(count, m_stepFrame->data());
}

void LiveEngine::Impl::sendJob(const JobOrder& order) {
  // One frame per model version, shared by every worker that gets it (zmq copies by reference): the
  // one the step wrote, or else (the initial model) encoded here.
  adoptStepFrame();
  if (m_modelFrameVersion != order.version) {
    m_modelFrame = std::make_unique<zmq::message_t>(encodeVectorFrame(m_server.model()));
    m_modelFrameVersion = order.version;
  }
  zmq::message_t frame;
  frame.copy(*m_modelFrame);
  JobMeta meta;
  meta.jobId = order.jobId;
  meta.version = order.version;
  meta.startTime = m_pool.now();
  meta.gradients = static_cast<std::uint32_t>(order.gradients);
  JobBook& book = m_books[static_cast<std::size_t>(order.worker)];
  book.jobSentAt = meta.startTime;
  book.jobGradients = order.gradients;
  if (m_keepJobs) {
    book.lastJob = meta;
    book.lastJobFrame.copy(frame);
  }
  m_pool.send(order.worker, makeJob(meta, std::move(frame)));
}

bool LiveEngine::Impl::resendJob(int worker) {
  if (!m_server.busy(worker)) return true;  // nothing outstanding: its next job comes as usual
  JobBook& book = m_books[static_cast<std::size_t>(worker)];
  if (!book.lastJob || book.lastJob->jobId != m_server.currentJob(worker)) return false;
  zmq::message_t frame;
  frame.copy(book.lastJobFrame);
  m_pool.send(worker, makeJob(*book.lastJob, std::move(frame)));
  return true;
}

void LiveEngine::Impl::cancelJob(int worker, std::uint64_t jobId) { m_pool.send(worker, makeCancel(jobId)); }

void LiveEngine::Impl::record(const OutcomeRecord& record) {
  JobBook& book = m_books[static_cast<std::size_t>(record.worker)];
  const double t = m_pool.now();
  // Bytes: the GRAD just received, or the CANCEL just sent.
  const UpdateEvent event = makeUpdateEvent(record, t, t - book.jobSentAt, m_pool.lastMessageBytes());
  if (record.outcome == Outcome::Accepted) {
    m_tally.countAccepted(record.delay);
    book.delaySum += static_cast<double>(record.delay);
    ++book.delayCount;
  }
  m_pool.sinks().onUpdate(event);
}

void LiveEngine::Impl::handleGrad(int worker, const Message& message) {
  GradMeta meta;
  DenseFrameView frame;
  std::string why;
  if (!parseGradView(message, m_dimension, &meta, &frame, &why)) {
    // The worker holds one job and this was its answer, unless the meta names an older (cancelled) one.
    if (!parseGradMeta(message, &meta) || meta.jobId == m_server.currentJob(worker))
      refuseResult(worker, "GRAD " + why);
    else
      m_pool.countMalformed("GRAD " + why);
    return;
  }
  m_pool.noteSentAt(worker, meta.workerClock);
  // A GRAD that claims the current job but another version is a broken peer, not a late result:
  // refuse it here so the state machine's invariants hold.
  if (m_server.busy(worker) && meta.jobId == m_server.currentJob(worker) &&
      meta.version != m_server.currentVersion(worker)) {
    refuseResult(worker, "GRAD for job " + std::to_string(meta.jobId) + " echoes version " +
                             std::to_string(meta.version) + ", the job's is " +
                             std::to_string(m_server.currentVersion(worker)));
    return;
  }
  if (meta.jobId == m_server.currentJob(worker) && m_server.busy(worker)) {
    JobBook& book = m_books[static_cast<std::size_t>(worker)];
    book.jobSecondsSum += meta.elapsed;
    ++book.jobsAnswered;
    // As the simulator counts: an answered job's gradients, whatever the server makes of them; a late
    // answer to a cancelled job is not counted (the simulator's cancelled jobs never complete).
    m_tally.gradients += static_cast<std::uint64_t>(book.jobGradients);
  }
  FrameGradient gradient(frame, m_gradient);
  GradientArrival arrival{
      .worker = worker, .jobId = meta.jobId, .version = meta.version, .gradient = &gradient};
  m_server.receive(arrival, *this);
}

void LiveEngine::Impl::refuseResult(int worker, const std::string& why) {
  // Counted first: past the malformed limit the worker is on its way out (its job is then lost with it).
  m_pool.countMalformed(why);
  // Otherwise the job is given again, the same job on the same model: its answer is what the server
  // waits for (a synchronous round would stall, an asynchronous worker sit idle, until the time limit).
  // The worker draws the job's gradient and duration from the same keyed streams, so the run is the
  // one it would have been, later.
  JobBook& book = m_books[static_cast<std::size_t>(worker)];
  // (A job not kept, a model too large to keep one per worker, stays open: the worker's next answer
  // or its exclusion past the malformed limit settles it.)
  if (!m_pool.alive(worker) || m_pool.leaving(worker) || !m_server.busy(worker) || !book.lastJob ||
      book.lastJob->jobId != m_server.currentJob(worker))
    return;
  JobMeta meta = *book.lastJob;
  meta.startTime = m_pool.now();
  book.jobSentAt = meta.startTime;
  zmq::message_t frame;
  frame.copy(book.lastJobFrame);
  ++book.jobsResent;
  m_pool.send(worker, makeJob(meta, std::move(frame)));
}

RunSummary LiveEngine::Impl::run() {
  using Clock = std::chrono::steady_clock;
  const auto wallStart = Clock::now();
  RunSummary summary;
  summary.algorithm = m_server.name();
  summary.engine = "live";
  summary.workers = m_server.numWorkers();
  TelemetrySink& sinks = m_pool.sinks();

  std::string failure;
  const bool ready = m_pool.setup(&failure);
  BackgroundEvaluator evaluator(m_problem);
  Termination termination = Termination::Stalled;
  double endTime = 0.0;

  auto request = [&](double t) {
    m_tally.bytesUp = m_pool.bytesUp();  // the sockets count the bytes
    m_tally.bytesDown = m_pool.bytesDown();
    return m_ledger.request(t, m_server.version());
  };
  auto collect = [&]() {
    for (const auto& point : evaluator.takeResults())
      if (m_ledger.note(point) == Verdict::Diverged) termination = Termination::Diverged;
  };

  if (!ready) {
    termination = m_pool.stopRequested() ? Termination::Stopped : Termination::Failed;
    summary.terminationDetail = failure;
  } else {
    // The step over a large model streams memory on the run's critical path. When the local workers
    // leave a core free (they wait for the next model meanwhile), a second thread makes it faster;
    // when they do not, the helper would be preempted inside its chunk and hold the step up.
    const unsigned cores = std::thread::hardware_concurrency();
    if (m_dimension >= AsyncServer::kHelpedStepMin && cores >= 2 &&
        static_cast<unsigned>(m_pool.localWorkers()) + 1 <= cores) {
      m_stepHelper = std::make_unique<ChunkHelper>();
      m_server.setStepHelper(m_stepHelper.get());
    }
    m_pool.startRun();
    evaluator.submit(request(0.0), m_server.model());
    m_server.start(*this);
    m_pool.processDeaths();
    EvaluationSchedule schedule(m_rules);

    while (true) {
      const double t = m_pool.now();
      const LoopFacts facts{.stopRequested = m_pool.stopRequested(),
                            .now = t,
                            .diverged = m_server.diverged() || termination == Termination::Diverged,
                            .targetReached = m_ledger.targetReached(),
                            .spent = spent(),
                            .failure = {},
                            .aliveWorkers = m_server.aliveWorkers()};
      if (const auto rule = stopRule(m_rules, facts, &summary.terminationDetail)) {
        termination = *rule;
        break;
      }
      schedule.due(t, m_server.version(),
                   [&](double time) { evaluator.submit(request(time), m_server.model()); });
      collect();
      // Sleep until the next thing due: a grid point, the horizon, a heartbeat or status tick.
      m_pool.turn(loopTimeoutMs(std::min(schedule.nextGrid(), m_rules.horizon) - t, m_pool));
    }
    endTime = termination == Termination::TimeLimit ? m_rules.horizon : m_pool.now();
  }

  // Tell every worker the run is over, then make sure the local ones are gone.
  m_pool.stopWorkers(terminationName(termination));
  evaluator.drain();
  collect();
  // A final point at the end time, computed here so the summary always has one.
  Vector scratch;
  if (ready && m_ledger.finalEvaluationDue(endTime, m_server.version()))
    m_ledger.note(evaluateModel(m_problem, m_server.model(), request(endTime), scratch));
  termination = m_ledger.settle(termination);
  m_pool.endRun();
  m_pool.publishStatus(true);

  m_tally.bytesUp = m_pool.bytesUp();
  m_tally.bytesDown = m_pool.bytesDown();
  m_ledger.fill(summary, m_server.totals(), m_server.version(), termination, endTime, {},
                std::chrono::duration<double>(Clock::now() - wallStart).count());
  summary.malformedDropped = m_pool.malformed();
  for (int i = 0; i < m_pool.numWorkers(); ++i) summary.workerStatus.push_back(m_pool.statusOf(i));
  sinks.onFinish(summary);
  m_pool.flushTelemetry(true);
  return summary;
}

LiveEngine::LiveEngine(const Experiment& experiment, const Problem& problem, AsyncServer& server,
                       const RunRules& rules, LiveOptions options, TelemetrySink& sink)
    : m_impl(std::make_unique<Impl>(experiment, problem, server, rules, std::move(options), sink)) {}

LiveEngine::~LiveEngine() = default;

bool LiveEngine::bind(std::string* why) { return m_impl->bind(why); }
std::string LiveEngine::workerEndpoint() const { return m_impl->pool().workerEndpoint(); }
std::string LiveEngine::telemetryEndpoint() const { return m_impl->pool().telemetryEndpoint(); }
std::string LiveEngine::controlEndpoint() const { return m_impl->pool().controlEndpoint(); }
std::string LiveEngine::joinCommand() const { return m_impl->pool().joinCommand(); }
const WorkerPool& LiveEngine::pool() const { return m_impl->pool(); }
RunSummary LiveEngine::run() { return m_impl->run(); }
void LiveEngine::requestStop() { m_impl->requestStop(); }

}  // namespace distopt::net
