#include "net/families/kronecker/kron_live.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "core/kronecker/kron_metrics.hpp"
#include "core/kronecker/kron_entries.hpp"
#include "core/util/input_error.hpp"
#include "net/families/kronecker/kron_messages.hpp"
#include "net/protocol/json_fields.hpp"

namespace distopt::net {

namespace {

double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

const KronTwoLayerProblem& kronProblem(const BuiltRun& built) {
  const auto* problem = dynamic_cast<const KronTwoLayerProblem*>(built.problem.get());
  if (!problem)
    throw InputError("problem.name", "the kronecker algorithms need the problem \"kron-two-layer\"");
  return *problem;
}

std::uint64_t dataSeedOf(const Experiment& experiment) {
  // On a worker the experiment came in ASSIGN: read like any field from a peer, never get<>().
  std::uint64_t seed = experiment.seed;
  if (!experiment.problem.params.is_object()) return seed;
  JsonFields fields(experiment.problem.params, "problem.params");
  if (!fields.unsignedInteger("data_seed", &seed, std::numeric_limits<std::uint64_t>::max(),
                              Presence::OptionalOrNull))
    throw InputError("problem.params.data_seed", fields.reason());
  return seed;
}

/// The INIT a worker of `block` gets: the run's configuration and the data (kronecker-async §3.9).
kron::InitMessage initMessage(const KronTwoLayerProblem& problem, std::uint64_t dataSeed,
                              const KronSimRun::Settings& settings,
                              std::pair<std::int64_t, std::int64_t> block) {
  kron::InitMessage init;
  init.m = static_cast<std::uint64_t>(problem.neurons());
  init.n = static_cast<std::uint64_t>(problem.data().size());
  init.d1 = static_cast<std::uint64_t>(problem.data().d1());
  init.d2 = static_cast<std::uint64_t>(problem.data().d2());
  init.batch = static_cast<std::uint64_t>(problem.batch());
  init.threshold = problem.threshold();
  init.dataSeed = dataSeed;
  init.modelSeed = problem.modelSeed();
  init.blockBegin = static_cast<std::uint64_t>(block.first);
  init.blockEnd = static_cast<std::uint64_t>(block.second);
  init.staleness = static_cast<std::uint32_t>(settings.staleness);
  init.algorithm = settings.algorithm == KronAlgorithm::Fast ? 1 : 0;
  init.index = static_cast<std::uint8_t>(settings.fast.index);
  init.gram = static_cast<std::uint8_t>(settings.fast.gram);
  init.resyncEvery = static_cast<std::uint64_t>(settings.fast.resyncEvery);
  init.u = problem.data().u;
  init.v = problem.data().v;
  return init;
}

// ---------------------------------------------------------------------------------------------------
// Coordinator

class KronLiveCoordinator final : public CoordinatorRole {
 public:
  KronLiveCoordinator(const Experiment& experiment, const BuiltRun& built)
      : m_problem(kronProblem(built)),
        m_settings(
            kronSettingsFrom(experiment.algorithm.name, experiment.algorithm.params, "algorithm.params")),
        m_dataSeed(dataSeedOf(experiment)),
        m_k(experiment.workers),
        m_maxUpdates(built.rules.maxUpdates),
        m_blocks(neuronBlocks(m_problem.neurons(), experiment.workers)),
        m_core(m_problem.data().y, m_problem.neurons(),
               KronCoordinatorRole::Options{.workers = experiment.workers,
                                            .staleness = m_settings.staleness,
                                            .batch = m_problem.batch(),
                                            .samplerSeed = built.rules.seed}),
        m_book(experiment.workers, m_problem.neurons(), m_problem.batch(), m_problem.gram()),
        m_ready(static_cast<std::size_t>(experiment.workers), 0),
        m_counters(static_cast<std::size_t>(experiment.workers)) {
    if (experiment.workers > m_problem.neurons())
      throw InputError("workers.count",
                       "must be between 1 and the problem's m = " + std::to_string(m_problem.neurons()) +
                           " (each worker owns a block of neurons)");
  }

  std::string name() const override {
    return m_settings.algorithm == KronAlgorithm::Naive ? "kron-naive" : "kron-fast";
  }
  /// KRON_COFIRE (16 + 2n(n+1) bytes) or KRON_LOSS (24 + 8n), n the samples.
  std::int64_t largestUplinkFrame() const override {
    const auto n = static_cast<std::int64_t>(m_problem.data().y.size());
    return 64 + std::max(2 * n * (n + 1), 8 * n);
  }

  void start(CoordinatorHost& host) override {
    for (int w = 0; w < m_k; ++w)
      host.send(w, makeKronMessage(initMessage(m_problem, m_dataSeed, m_settings,
                                               m_blocks[static_cast<std::size_t>(w)])));
  }

  void onMessage(int worker, Message&& message, CoordinatorHost& host) override {
    std::string why;
    switch (message.kind) {
      case MessageKind::KronReady: {
        kron::ReadyMessage ready;
        if (!parseKronMessage(message, ready, &why) || m_ready[static_cast<std::size_t>(worker)])
          return host.countMalformed();
        m_ready[static_cast<std::size_t>(worker)] = 1;
        m_core.onReady(worker, ready);
        if (m_core.allReady()) begin(host);
        return;
      }
      case MessageKind::KronPartial: {
        kron::PartialMessage partial;
        if (!parseKronMessage(message, partial, &why)) return host.countMalformed();
        if (m_finishing) return;  // an iteration the run will not complete: it changed no state
        onPartial(worker, partial, host);
        return;
      }
      case MessageKind::KronLoss: {
        kron::LossMessage loss;
        if (!parseKronMessage(message, loss, &why) || !m_book.onLoss(worker, loss, &why))
          return host.countMalformed();
        break;
      }
      case MessageKind::KronCoFire: {
        kron::CoFireMessage coFire;
        if (!parseKronMessage(message, coFire, &why) || !m_book.onCoFire(worker, coFire, &why))
          return host.countMalformed();
        break;
      }
      case MessageKind::KronStats: {
        kron::StatsMessage stats;
        if (!parseKronMessage(message, stats, &why) || !m_book.onStats(worker, stats, &why))
          return host.countMalformed();
        break;
      }
      default:
        return host.countMalformed();  // coordinator-to-worker kinds, or another family's
    }
    for (auto& finished : m_book.take(m_core, m_eta)) {
      const auto it = m_requests.find(finished.version);
      if (it != m_requests.end()) {
        finished.point.time = it->second.time;
        finished.point.bytesUp = it->second.bytesUp;
        finished.point.bytesDown = it->second.bytesDown;
        m_requests.erase(it);
      }
      finished.point.updates = finished.version;
      m_finished.push_back(std::move(finished.point));
    }
  }

  void onWorkerLost(int worker, const std::string& reason, CoordinatorHost&) override {
    if (!m_failure.empty()) return;
    const auto [begin, end] = m_blocks[static_cast<std::size_t>(worker)];
    m_failure = "worker " + std::to_string(worker) + " lost (" + reason + "): its neuron block [" +
                std::to_string(begin) + ", " + std::to_string(end) + ") is gone";
  }

  std::uint64_t iterations() const override { return m_core.completed(); }
  /// One minibatch gradient per completed iteration, its k partials together (as the simulator counts).
  std::uint64_t gradientEvaluations() const override { return m_core.completed(); }
  const Vector* model() const override { return nullptr; }
  std::string failure() const override { return m_failure; }
  bool diverged() const override { return m_diverged; }
  WorkCounters counters(int worker) const override { return m_counters[static_cast<std::size_t>(worker)]; }

  bool evaluatesRemotely() const override { return true; }
  void requestEvaluation(const EvaluationRequest& request, bool atEnd, CoordinatorHost& host) override {
    if (atEnd) m_finishing = true;
    if (!m_started) {
      // Before START no block exists to report; the first request is sent with START.
      if (!atEnd) m_early = request;
      return;
    }
    sendEvaluation(request, host);
  }
  bool evaluationPending() const override { return m_book.anyOpen(); }
  std::vector<EvaluationPoint> takeEvaluations() override { return std::exchange(m_finished, {}); }

 private:
  void begin(CoordinatorHost& host) {
    m_eta = m_settings.eta.value_or(m_core.defaultEta());
    const kron::StartMessage start = m_core.start(m_eta);
    for (int w = 0; w < m_k; ++w) host.send(w, makeKronMessage(start));
    m_started = true;
    if (m_early) {
      sendEvaluation(*m_early, host);
      m_early.reset();
    }
    if (!m_finishing) issueBatches(host);
  }

  void sendEvaluation(const EvaluationRequest& request, CoordinatorHost& host) {
    const std::uint64_t version = m_core.completed();
    if (!m_book.request(version, request.gradNorm)) return;
    m_requests[version] = request;
    const kron::EvalMessage eval{.version = version, .coFire = request.gradNorm};
    for (int w = 0; w < m_k; ++w) host.send(w, makeKronMessage(eval));
  }

  void issueBatches(CoordinatorHost& host) {
    while (!m_finishing && !m_diverged && m_core.canSend() &&
           (m_maxUpdates == 0 || m_core.completed() + m_core.inFlight() < m_maxUpdates)) {
      const double start = threadCpuSeconds();
      const kron::BatchMessage batch = m_core.nextBatch();
      const kron::Bytes bytes = kron::encode(batch);
      m_book.addSeconds(threadCpuSeconds() - start);
      m_sentAt[batch.iteration] = host.now();
      for (int w = 0; w < m_k; ++w) {
        host.send(w, makeKronMessage(bytes));
        ++m_counters[static_cast<std::size_t>(w)].jobsSent;
      }
    }
  }

  void onPartial(int worker, const kron::PartialMessage& partial, CoordinatorHost& host) {
    kron::ResidMessage resid;
    KronIterationResult result;
    bool complete = false;
    std::string why;
    const double start = threadCpuSeconds();
    if (!m_core.onPartial(worker, partial, resid, result, &complete, &why)) return host.countMalformed();
    m_book.addSeconds(threadCpuSeconds() - start);
    auto& counters = m_counters[static_cast<std::size_t>(worker)];
    ++counters.arrivals;
    ++counters.accepted;

    UpdateEvent event;
    event.time = host.now();
    event.worker = worker;
    event.jobId = partial.iteration;
    event.jobVersion = partial.appliedVersion;
    event.delay = static_cast<std::int64_t>(partial.iteration - partial.appliedVersion);
    event.outcome = Outcome::Accepted;
    event.versionAfter = m_core.completed();
    event.age = host.now() - m_sentAt[partial.iteration];
    event.bytes = host.lastMessageBytes();
    host.sink().onUpdate(event);

    if (complete) {
      m_sentAt.erase(result.iteration);
      m_book.noteIteration(result);
      for (int w = 0; w < m_k; ++w) host.send(w, makeKronMessage(resid));
      if (!std::isfinite(result.batchLoss)) m_diverged = true;
    }
    issueBatches(host);
  }

  const KronTwoLayerProblem& m_problem;
  KronSimRun::Settings m_settings;
  std::uint64_t m_dataSeed;
  int m_k;
  std::uint64_t m_maxUpdates;
  std::vector<std::pair<std::int64_t, std::int64_t>> m_blocks;
  KronCoordinatorRole m_core;
  KronEvaluationBook m_book;
  std::vector<char> m_ready;
  std::vector<WorkCounters> m_counters;
  double m_eta = 0.0;
  bool m_started = false;
  bool m_finishing = false;
  bool m_diverged = false;
  std::string m_failure;
  std::optional<EvaluationRequest> m_early;
  std::map<std::uint64_t, EvaluationRequest> m_requests;
  std::map<std::uint64_t, double> m_sentAt;
  std::vector<EvaluationPoint> m_finished;
};

// ---------------------------------------------------------------------------------------------------
// Worker

class KronLiveWorker final : public WorkerRole {
 public:
  KronLiveWorker(const Experiment& experiment, const BuiltRun& built, int worker)
      : m_problem(kronProblem(built)),
        m_timeModel(*built.timeModel),
        m_worker(worker),
        m_dataSeed(dataSeedOf(experiment)) {}

  void onMessage(Message&& message, WorkerHost& host) override {
    m_queue.push_back(std::move(message));
    drain(host);
  }

  std::optional<Clock::time_point> deadline() const override {
    if (m_busyUntil) return m_busyUntil;
    return std::nullopt;
  }

  void onDeadline(WorkerHost& host) override {
    if (!m_busyUntil) return;
    m_busyUntil.reset();
    host.send(makeKronMessage(m_reply));
    drain(host);
  }

 private:
  /// Strictly in arrival order; a BATCH holds the queue until its PARTIAL is sent.
  void drain(WorkerHost& host) {
    while (!m_busyUntil && !m_queue.empty() && !m_failed) {
      Message message = std::move(m_queue.front());
      m_queue.pop_front();
      handle(message, host);
    }
  }

  void handle(const Message& message, WorkerHost& host) {
    std::string why;
    switch (message.kind) {
      case MessageKind::KronInit: {
        kron::InitMessage init;
        if (!parseKronMessage(message, init, &why) || m_role) return host.countMalformed();
        onInit(init, host);
        return;
      }
      case MessageKind::KronStart: {
        kron::StartMessage start;
        if (!parseKronMessage(message, start, &why) || !m_role) return host.countMalformed();
        m_role->onStart(start);
        m_startedAt = Clock::now();
        return;
      }
      case MessageKind::KronBatch: {
        kron::BatchMessage batch;
        if (!parseKronMessage(message, batch, &why) || !m_role ||
            batch.indices.size() != static_cast<std::size_t>(m_problem.batch()))
          return host.countMalformed();
        const auto wallStart = Clock::now();
        const double cpuStart = threadCpuSeconds();
        if (!m_role->onBatch(batch, m_reply, &why)) return host.countMalformed();
        m_tally.addSeconds(threadCpuSeconds() - cpuStart);
        const auto computeEnd = Clock::now();
        const double startUnits =
            std::chrono::duration<double>(wallStart - m_startedAt).count() / host.unitSeconds();
        const double tau = m_timeModel.duration(m_worker, batch.iteration, startUnits);
        m_busyUntil = emulatedDue(m_timeModel, m_worker, tau,
                                  std::chrono::duration<double>(computeEnd - wallStart).count(),
                                  host.unitSeconds(), computeEnd);
        if (*m_busyUntil <= Clock::now()) onDeadline(host);
        return;
      }
      case MessageKind::KronResid: {
        kron::ResidMessage resid;
        if (!parseKronMessage(message, resid, &why) || !m_role) return host.countMalformed();
        BlockStepStats stats;
        const double cpuStart = threadCpuSeconds();
        if (!m_role->onResid(resid, stats, &why)) return host.countMalformed();
        m_tally.addSeconds(threadCpuSeconds() - cpuStart);
        m_tally.note(stats);
        return;
      }
      case MessageKind::KronEval: {
        kron::EvalMessage eval;
        if (!parseKronMessage(message, eval, &why) || !m_role || eval.version != m_role->appliedVersion())
          return host.countMalformed();
        BlockEvaluation keep;
        host.send(makeKronMessage(m_role->lossReport(eval.coFire ? &keep : nullptr)));
        if (eval.coFire) host.send(makeKronMessage(KronWorkerRole::coFireReport(keep, eval.version)));
        host.send(makeKronMessage(m_tally.report(eval.version)));
        return;
      }
      default:
        return host.countMalformed();  // worker-to-coordinator kinds, or another family's
    }
  }

  void onInit(const kron::InitMessage& init, WorkerHost& host) {
    // The worker built the run itself from ASSIGN (docs/architecture.md, rule 4); INIT must match.
    std::string mismatch;
    const KronData& data = m_problem.data();
    if (init.m != static_cast<std::uint64_t>(m_problem.neurons()))
      mismatch = "m";
    else if (init.n != static_cast<std::uint64_t>(data.size()))
      mismatch = "n";
    else if (init.d1 != static_cast<std::uint64_t>(data.d1()) ||
             init.d2 != static_cast<std::uint64_t>(data.d2()))
      mismatch = "d1, d2";
    else if (init.batch != static_cast<std::uint64_t>(m_problem.batch()))
      mismatch = "batch";
    else if (!(init.threshold == m_problem.threshold()))
      mismatch = "threshold";
    else if (init.dataSeed != m_dataSeed || init.modelSeed != m_problem.modelSeed())
      mismatch = "seeds";
    else if (init.u != data.u || init.v != data.v)
      mismatch = "data U, V";
    else if (init.blockBegin >= init.blockEnd || init.blockEnd > init.m)
      mismatch = "block range";
    else if (init.algorithm > 1 || init.index > 2 || init.gram > 1)
      mismatch = "algorithm, index or gram";
    KronFastOptions fast;
    fast.staleness = static_cast<int>(init.staleness);
    fast.index = static_cast<FireIndex::Kind>(init.index);
    fast.gram = static_cast<GramMode>(init.gram);
    fast.resyncEvery = static_cast<std::int64_t>(init.resyncEvery);
    std::string invalid;
    if (mismatch.empty() && (init.staleness > 1024 || !fast.isValid(&invalid)))
      mismatch = "options: " + invalid;
    if (!mismatch.empty()) {
      m_failed = true;
      host.fail("protocol", "KRON_INIT does not match this worker's run (" + mismatch + ")");
      return;
    }
    m_role = std::make_unique<KronWorkerRole>(
        m_worker,
        makeNeuronBlock(m_problem, init.algorithm == 1 ? KronAlgorithm::Fast : KronAlgorithm::Naive, fast,
                        static_cast<std::int64_t>(init.blockBegin), static_cast<std::int64_t>(init.blockEnd)),
        static_cast<int>(init.staleness));
    host.send(makeKronMessage(m_role->ready()));
  }

  const KronTwoLayerProblem& m_problem;
  const TimeModel& m_timeModel;
  int m_worker;
  std::uint64_t m_dataSeed;
  std::unique_ptr<KronWorkerRole> m_role;
  KronWorkerTally m_tally;
  std::deque<Message> m_queue;
  std::optional<Clock::time_point> m_busyUntil;
  Clock::time_point m_startedAt = Clock::now();
  kron::PartialMessage m_reply;
  bool m_failed = false;
};

}  // namespace

LiveFamilyDriver kroneckerLiveDriver() {
  LiveFamilyDriver driver;
  driver.family = FamilyId::Kronecker;
  driver.makeCoordinator = [](const Experiment& experiment,
                              const BuiltRun& built) -> std::unique_ptr<CoordinatorRole> {
    return std::make_unique<KronLiveCoordinator>(experiment, built);
  };
  driver.makeWorker = [](const Experiment& experiment, const BuiltRun& built,
                         int worker) -> std::unique_ptr<WorkerRole> {
    return std::make_unique<KronLiveWorker>(experiment, built, worker);
  };
  return driver;
}

}  // namespace distopt::net
