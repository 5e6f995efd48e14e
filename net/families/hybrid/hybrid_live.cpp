#include "net/families/hybrid/hybrid_live.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/hybrid/hybrid_sim_run.hpp"
#include "core/util/input_error.hpp"
#include "net/families/hybrid/hybrid_messages.hpp"

namespace distopt::net {
namespace {

// What both sides derive from the experiment, exactly as HybridSimRun does in its constructor:
// trainers [0, U) and curvature devices [cFirst, cFirst + C).
struct HybridSetup {
  HybridRunOptions options;
  HybridMethod method = HybridMethod::Dho2;
  Dho2Options dho2;  // effective: baselines have k = l = 0; every method but DHO2 uses mode R
  int workers = 1;
  int trainers = 1;
  int cFirst = 0;
  int curvatureCount = 0;
  Eigen::Index n = 0;
  int r = 0;
  int m = 0;
  bool sharded = false;  // update mode S
  bool root = false;     // hvp_mode root_broadcast
  std::uint64_t seed = 0;

  bool mr() const { return method == HybridMethod::MrDho2; }
  bool trains(int worker) const { return worker < trainers; }
  bool curvature(int worker) const { return worker >= cFirst && worker < cFirst + curvatureCount; }
  /// Update segment (mode S) of trainer p.
  SegmentRange segment(int worker) const { return segmentRange(n, trainers, worker); }
  /// Lanczos segment of curvature device `worker`.
  SegmentRange lanczosSegment(int worker) const { return segmentRange(n, curvatureCount, worker - cFirst); }
  /// Curvature values the simulator adds for a device: the all-gathered Ritz vectors of mode R besides
  /// the installed copy (DHO2 R and FOSI).
  std::int64_t gatherBufferValues(int worker) const {
    return curvature(worker) && !mr() && !sharded ? static_cast<std::int64_t>(r) * n : 0;
  }
};

HybridSetup makeSetup(const Experiment& experiment, const BuiltRun& built) {
  HybridSetup setup;
  const SimRunContext& context = built.familyContext;
  setup.options = hybridRunOptions(experiment.algorithm.name, experiment.algorithm.params, context);
  setup.method = setup.options.method;
  if (setup.mr() && setup.options.stopTheWorld)
    throw InputError(context.path + ".stop_the_world",
                     "runs in the simulator only (the live run never pauses training)");
  setup.dho2 = setup.options.dho2;
  if (setup.method != HybridMethod::Dho2) setup.dho2.updateMode = UpdateMode::Replicated;
  if (setup.method == HybridMethod::Baseline) setup.dho2.fosi.k = 0, setup.dho2.fosi.l = 0;
  setup.workers = context.numWorkers;
  setup.trainers = setup.mr() ? setup.workers - setup.options.curvatureCount(setup.workers) : setup.workers;
  setup.cFirst = setup.mr() ? setup.trainers : 0;
  switch (setup.method) {
    case HybridMethod::Baseline:
      setup.curvatureCount = 0;
      break;
    case HybridMethod::Fosi:
      setup.curvatureCount = 1;
      break;
    case HybridMethod::Dho2:
      setup.curvatureCount = setup.workers;
      break;
    case HybridMethod::MrDho2:
      setup.curvatureCount = setup.workers - setup.trainers;
      break;
  }
  setup.n = context.problem->dimension();
  setup.r = setup.dho2.fosi.k + setup.dho2.fosi.l;
  setup.m = setup.dho2.fosi.lanczosOrder(setup.n);
  setup.sharded = setup.dho2.updateMode == UpdateMode::Sharded;
  setup.root = setup.dho2.hvpMode == HvpMode::RootBroadcast;
  setup.seed = context.options.seed;
  return setup;
}

// Ritz slices travel row-major (PROTOCOL.md §12.1).
Vector flattenRows(const Eigen::MatrixXd& matrix) {
  Vector flat(matrix.size());
  for (Eigen::Index i = 0; i < matrix.rows(); ++i)
    flat.segment(i * matrix.cols(), matrix.cols()) = matrix.row(i).transpose();
  return flat;
}

Eigen::MatrixXd unflattenRows(const Vector& flat, Eigen::Index rows, Eigen::Index cols) {
  Eigen::MatrixXd matrix(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i) matrix.row(i) = flat.segment(i * cols, cols).transpose();
  return matrix;
}

// ---------------------------------------------------------------------------------------------------
// Coordinator: the hub of the collectives, and (modes R, FOSI, MR-DHO2, baselines) one more replica of
// θ. Two rounds: training (trainers) and curvature (curvature devices); they alternate in DHO2 and
// FOSI and run side by side in MR-DHO2.

class HybridCoordinator final : public CoordinatorRole {
 public:
  HybridCoordinator(HybridSetup setup, const BuiltRun& built)
      : m_setup(std::move(setup)),
        m_theta(built.familyContext.x0),
        m_maxUpdates(built.familyContext.options.maxUpdates),
        // Mode S keeps no V here: a zero-width segment only turns the eigenvalues into rho and c
        // with the workers' own rule (the base_scale_c metric).
        m_replica(m_setup.dho2.fosi, m_setup.sharded ? 0 : m_setup.n),
        m_train(0, m_setup.trainers),
        m_curv(m_setup.cFirst, m_setup.curvatureCount),
        m_peakBytes(static_cast<std::size_t>(m_setup.workers), 0),
        m_counters(static_cast<std::size_t>(m_setup.workers)) {}

  std::string name() const override { return m_setup.options.name; }
  /// LZ_RITZ: r Ritz values per coordinate of a Lanczos segment (at most n), or a gradient of n.
  std::int64_t largestUplinkFrame() const override {
    return 64 + 8 * static_cast<std::int64_t>(std::max(m_setup.r, 2)) * static_cast<std::int64_t>(m_setup.n);
  }

  void start(CoordinatorHost& host) override {
    for (int p = 0; p < m_setup.workers; ++p)
      host.send(p, makeHybridMetaOnly(MessageKind::HyBegin, HybridMeta{.value = host.now()}));
    beginStep(host);
  }

  void onMessage(int worker, Message&& message, CoordinatorHost& host) override {
    HybridMeta meta;
    std::string why;
    if (!parseHybridMeta(message, &meta, &why)) return host.countMalformed();
    if (message.kind == MessageKind::LzEigen) return onEigen(worker, message, host);
    const bool training = message.kind == MessageKind::HyGrad || message.kind == MessageKind::HyProj ||
                          message.kind == MessageKind::HyParams;
    Round& round = training ? m_train : m_curv;
    if (!expects(round, worker, message.kind, meta)) return host.countMalformed();
    if (round.phase == Phase::LzNext) {
      // The first answer after a gather says whether the workers (deterministically alike) broke down.
      if (message.kind == MessageKind::LzStart) {
        round.phase = Phase::LzRestart;
      } else {
        round.phase = Phase::LzHvp;
        ++m_iter;
      }
    }
    Vector values;
    if (!parseHybrid(message, expectedCount(round, worker), &meta, &values, &why))
      return host.countMalformed();
    notePeak(worker, meta.value);
    if (round.phase == Phase::Grad) noteGradient(worker, host);
    const auto slot = static_cast<std::size_t>(worker - round.first);
    round.parts[slot] = std::move(values);
    round.have[slot] = true;
    if (++round.arrived == senders(round)) training ? completeTraining(host) : completeCurvature(host);
  }

  void onWorkerLost(int worker, const std::string& reason, CoordinatorHost& host) override {
    (void)host;
    if (m_setup.mr() && !m_setup.trains(worker)) {
      // hybrid-order §4.9: training goes on with the last estimate; this device's Lanczos slice is gone.
      if (!m_curvatureLost) m_curvatureLost = "worker " + std::to_string(worker) + " lost (" + reason + ")";
      m_curv.phase = Phase::Idle;
      return;
    }
    if (m_failure.empty())
      m_failure = "worker " + std::to_string(worker) + " lost (" + reason +
                  "): its gradient shard and its Lanczos slice are gone, a synchronous step cannot complete";
  }

  std::uint64_t iterations() const override { return static_cast<std::uint64_t>(m_step); }
  const Vector* model() const override { return &m_theta; }
  std::string failure() const override { return m_failure; }
  bool diverged() const override { return m_diverged; }
  WorkCounters counters(int worker) const override { return m_counters[static_cast<std::size_t>(worker)]; }

  // The simulator's family metrics (HybridSimRun::evaluate), plus each worker's curvature memory.
  void takeMetrics(std::map<std::string, double>& metrics) override {
    if (m_setup.method == HybridMethod::Baseline) return;
    if (m_lambda.size() > 0) {
      metrics["lambda_max"] = m_lambda(m_lambda.size() - 1);
      metrics["lambda_k"] = m_lambda(m_setup.dho2.fosi.l);
      metrics["curvature_age"] = static_cast<double>(m_step - m_installedSnapshot);
      metrics["base_scale_c"] = m_replica.scale();
    }
    metrics["ese_count"] = static_cast<double>(m_estimates);
    double peak = 0.0;
    for (int p = 0; p < m_setup.workers; ++p) {
      const double bytes = m_peakBytes[static_cast<std::size_t>(p)];
      metrics["curvature_memory_bytes." + std::to_string(p)] = bytes;
      peak = std::max(peak, bytes);
    }
    metrics["curvature_memory_bytes_max"] = peak;
    if (!m_staleness.empty()) metrics["staleness_last"] = static_cast<double>(m_staleness.back());
    if (m_curvatureLost) metrics["curvature_workers_lost"] = 1.0;
  }

 private:
  enum class Phase { Idle, Grad, ProjA, ProjBq, Params, LzHvp, LzCoef, LzGather, LzNext, LzRestart, LzRitz };

  struct Round {
    Round(int firstWorker, int workers)
        : first(firstWorker),
          count(workers),
          have(static_cast<std::size_t>(workers), false),
          parts(static_cast<std::size_t>(workers)) {}
    void reset(Phase next) {
      phase = next;
      arrived = 0;
      std::fill(have.begin(), have.end(), false);
    }
    const Vector& part(int worker) const { return parts[static_cast<std::size_t>(worker - first)]; }
    int first;
    int count;
    Phase phase = Phase::Idle;
    std::vector<bool> have;
    std::vector<Vector> parts;
    int arrived = 0;
  };

  int senders(const Round& round) const {
    return round.phase == Phase::LzHvp && m_setup.root ? 1 : round.count;
  }

  bool expects(const Round& round, int worker, MessageKind kind, const HybridMeta& meta) const {
    if (worker < round.first || worker >= round.first + round.count ||
        round.have[static_cast<std::size_t>(worker - round.first)])
      return false;
    // Training messages carry the step; Lanczos messages the step at which the estimate started.
    const std::int64_t step = &round == &m_train ? m_step : m_eseStep;
    if (meta.step != static_cast<std::uint64_t>(step)) return false;
    const auto j = static_cast<std::uint32_t>(m_iter);
    const bool hvpSender = !m_setup.root || worker == m_setup.cFirst;
    switch (round.phase) {
      case Phase::Idle:
        return false;
      case Phase::Grad:
        return kind == MessageKind::HyGrad;
      case Phase::ProjA:
        return kind == MessageKind::HyProj && meta.iter == 0;
      case Phase::ProjBq:
        return kind == MessageKind::HyProj && meta.iter == 1;
      case Phase::Params:
        return kind == MessageKind::HyParams;
      case Phase::LzHvp:
        return kind == MessageKind::LzHvp && meta.iter == j && hvpSender;
      case Phase::LzCoef:
        return kind == MessageKind::LzCoef && meta.iter == j &&
               meta.part == static_cast<std::uint32_t>(m_pass);
      case Phase::LzGather:
        return kind == MessageKind::LzGather && meta.iter == j;
      case Phase::LzNext:
        // After a gather every worker either goes on (HVP of iteration j+1) or reports a breakdown.
        return (kind == MessageKind::LzHvp && meta.iter == j + 1 && hvpSender) ||
               (kind == MessageKind::LzStart && meta.iter == j && meta.part == 1);
      case Phase::LzRestart:
        return kind == MessageKind::LzStart && meta.iter == j && meta.part == 1;
      case Phase::LzRitz:
        return kind == MessageKind::LzRitz;
    }
    return false;
  }

  std::int64_t expectedCount(const Round& round, int worker) const {
    switch (round.phase) {
      case Phase::Grad:
      case Phase::LzHvp:
        return m_setup.n;
      case Phase::ProjA:
        return m_setup.r;
      case Phase::ProjBq:
        return 2 * m_setup.r;
      case Phase::Params:
        return m_setup.segment(worker).size();
      case Phase::LzGather:
        return m_setup.lanczosSegment(worker).size();
      case Phase::LzCoef:
        return m_iter + 1;
      case Phase::LzRitz:
        return static_cast<std::int64_t>(m_setup.r) * m_setup.lanczosSegment(worker).size();
      case Phase::Idle:
      case Phase::LzNext:  // never: onMessage leaves this phase before parsing
      case Phase::LzRestart:
        return -1;
    }
    return -1;
  }

  void notePeak(int worker, double bytes) {
    auto& peak = m_peakBytes[static_cast<std::size_t>(worker)];
    peak = std::max(peak, bytes);
  }

  void noteGradient(int worker, CoordinatorHost& host) {
    WorkCounters& counters = m_counters[static_cast<std::size_t>(worker)];
    ++counters.arrivals;
    ++counters.accepted;
    UpdateEvent event;
    event.time = host.now();
    event.worker = worker;
    event.jobId = static_cast<std::uint64_t>(m_step);
    event.jobVersion = static_cast<std::uint64_t>(m_step);
    event.versionAfter = static_cast<std::uint64_t>(m_step + 1);
    event.bytes = host.lastMessageBytes();
    host.sink().onUpdate(event);
  }

  HybridMeta down(const CoordinatorHost& host, std::int64_t step, std::uint32_t iter = 0,
                  std::uint32_t part = 0) const {
    return HybridMeta{
        .step = static_cast<std::uint64_t>(step), .iter = iter, .part = part, .value = host.now()};
  }
  HybridMeta lz(const CoordinatorHost& host, std::uint32_t part = 0) const {
    return down(host, m_eseStep, static_cast<std::uint32_t>(m_iter), part);
  }

  void sendRange(CoordinatorHost& host, int first, int count, MessageKind kind, const HybridMeta& meta,
                 const Vector& values) {
    for (int p = first; p < first + count; ++p) host.send(p, makeHybrid(kind, meta, values));
  }
  void toTrainers(CoordinatorHost& host, MessageKind kind, const HybridMeta& meta, const Vector& values) {
    sendRange(host, 0, m_setup.trainers, kind, meta, values);
  }
  void toCurvature(CoordinatorHost& host, MessageKind kind, const HybridMeta& meta, const Vector& values) {
    sendRange(host, m_setup.cFirst, m_setup.curvatureCount, kind, meta, values);
  }

  void startGradients() {
    for (int p = 0; p < m_setup.trainers; ++p) ++m_counters[static_cast<std::size_t>(p)].jobsSent;
    m_train.reset(Phase::Grad);
  }

  void beginStep(CoordinatorHost& host) {
    // At the update limit the engine stops the run: no estimate or round is started that the
    // simulator would not run either.
    if (m_maxUpdates > 0 && static_cast<std::uint64_t>(m_step) >= m_maxUpdates) return;
    const FosiOptions& fosi = m_setup.dho2.fosi;
    if (m_setup.mr()) {
      // hybrid-order §4.9 as the simulator runs it: install an estimate that arrived, then maybe snapshot.
      if (m_pending) {
        const std::int64_t staleness = m_step - m_pending->snapshotStep;
        if (!m_setup.options.maxStaleness || staleness <= *m_setup.options.maxStaleness) {
          m_pendingEigenvalues = m_pending->eigenvalues;
          m_eseStep = m_pending->snapshotStep;
          install(m_pending->vectors);
          m_staleness.push_back(staleness);
        }
        m_pending.reset();
      }
      const std::int64_t snapshotPeriod = m_setup.options.snapshotPeriod.value_or(fosi.period);
      if (!m_curvatureLost && m_curv.phase == Phase::Idle && m_step + 1 >= fosi.warmupSteps() &&
          (!m_lastSnapshot || m_step - *m_lastSnapshot >= snapshotPeriod)) {
        m_lastSnapshot = m_step;
        m_eseStep = m_step;
        toCurvature(host, MessageKind::HySnapshot, down(host, m_step), m_theta);
        beginEstimate(host);
      }
      startGradients();
      return;
    }
    if (m_setup.curvatureCount > 0 && eseDue(m_step, fosi.warmupSteps(), fosi.period)) {
      m_eseStep = m_step;
      m_train.reset(Phase::Idle);
      beginEstimate(host);
      return;
    }
    startGradients();
  }

  void finishStep(CoordinatorHost& host) {
    ++m_step;
    if (!m_theta.allFinite()) {
      m_diverged = true;
      return;
    }
    beginStep(host);
  }

  void beginEstimate(CoordinatorHost& host) {
    const auto ese = static_cast<std::uint64_t>(m_estimates++);
    RandomStream start = lanczosStartStream(m_setup.seed, ese);
    m_restarts.emplace(lanczosRestartStream(m_setup.seed, ese));
    m_iter = 0;
    m_eigenExpected = true;
    toCurvature(host, MessageKind::LzStart, lz(host), lanczosStartVector(m_setup.n, start));
    m_curv.reset(Phase::LzHvp);
  }

  void onEigen(int worker, const Message& message, CoordinatorHost& host) {
    HybridMeta meta;
    Vector eigenvalues;
    std::string why;
    if (worker != m_setup.cFirst || !m_eigenExpected ||
        !parseHybrid(message, m_setup.r, &meta, &eigenvalues, &why) ||
        meta.step != static_cast<std::uint64_t>(m_eseStep))
      return host.countMalformed();
    m_eigenExpected = false;
    notePeak(worker, meta.value);
    m_pendingEigenvalues = eigenvalues;
    // Mode S: the workers installed their slices already; here only the metrics change.
    if (m_setup.sharded) install(Eigen::MatrixXd(m_setup.r, 0));
  }

  void install(const Eigen::MatrixXd& vectors) {
    m_replica.install(vectors, m_pendingEigenvalues);
    m_lambda = m_pendingEigenvalues;
    m_installedSnapshot = m_eseStep;
  }

  void completeTraining(CoordinatorHost& host) {
    Round& round = m_train;
    const int U = m_setup.trainers;
    switch (round.phase) {
      case Phase::Grad: {
        // The simulator's reduction, in the same order: bit-identical means.
        Vector mean = Vector::Zero(m_setup.n);
        for (int p = 0; p < U; ++p) mean += round.part(p);
        mean /= static_cast<double>(U);
        if (!m_setup.sharded) {
          toTrainers(host, MessageKind::HyGrad, down(host, m_step), mean);
          const Vector a = m_replica.project(mean);
          m_replica.apply(m_replica.momentumAndBase(a), m_theta);
          round.reset(Phase::Idle);
          finishStep(host);
          return;
        }
        for (int p = 0; p < U; ++p) {
          const auto range = m_setup.segment(p);
          host.send(p, makeHybrid(MessageKind::HyGrad, down(host, m_step),
                                  mean.segment(range.begin, range.size())));
        }
        round.reset(m_lambda.size() > 0 ? Phase::ProjA : Phase::Params);
        return;
      }
      case Phase::ProjA:
      case Phase::ProjBq: {
        const bool first = round.phase == Phase::ProjA;
        Vector sum = Vector::Zero(first ? m_setup.r : 2 * m_setup.r);
        for (int p = 0; p < U; ++p) sum += round.part(p);
        toTrainers(host, MessageKind::HyProj, down(host, m_step, first ? 0 : 1), sum);
        round.reset(first ? Phase::ProjBq : Phase::Params);
        return;
      }
      case Phase::Params: {
        for (int p = 0; p < U; ++p) {
          const auto range = m_setup.segment(p);
          m_theta.segment(range.begin, range.size()) = round.part(p);
        }
        toTrainers(host, MessageKind::HyParams, down(host, m_step), m_theta);
        round.reset(Phase::Idle);
        finishStep(host);
        return;
      }
      default:
        return;
    }
  }

  void completeCurvature(CoordinatorHost& host) {
    Round& round = m_curv;
    const int first = m_setup.cFirst;
    const int C = m_setup.curvatureCount;
    switch (round.phase) {
      case Phase::LzHvp: {
        Vector w;
        if (m_setup.root) {
          w = round.part(first);
        } else {
          w = Vector::Zero(m_setup.n);
          for (int c = first; c < first + C; ++c) w += round.part(c);
          w /= static_cast<double>(C);
        }
        toCurvature(host, MessageKind::LzHvp, lz(host), w);
        if (m_iter == m_setup.m - 1) {
          if (m_setup.sharded) {
            // Mode S: each worker installs its slice and goes on with the gradient of this step.
            round.reset(Phase::Idle);
            startGradients();
          } else {
            round.reset(Phase::LzRitz);
          }
          return;
        }
        m_pass = 0;
        round.reset(Phase::LzCoef);
        return;
      }
      case Phase::LzCoef: {
        Vector summed = round.part(first);
        for (int c = first + 1; c < first + C; ++c) summed += round.part(c);
        toCurvature(host, MessageKind::LzCoef, lz(host, static_cast<std::uint32_t>(m_pass)), summed);
        if (m_pass == 0) {
          m_pass = 1;
          round.reset(Phase::LzCoef);
        } else {
          round.reset(Phase::LzGather);
        }
        return;
      }
      case Phase::LzGather: {
        Vector gathered(m_setup.n);
        for (int c = first; c < first + C; ++c) {
          const auto range = m_setup.lanczosSegment(c);
          gathered.segment(range.begin, range.size()) = round.part(c);
        }
        toCurvature(host, MessageKind::LzGather, lz(host), gathered);
        if (m_restarting) {
          m_restarting = false;
          ++m_iter;
          round.reset(Phase::LzHvp);
        } else {
          round.reset(Phase::LzNext);
        }
        return;
      }
      case Phase::LzRestart: {
        // Drawn here, the curvature root, and broadcast (hybrid-order §4.3 step 7).
        const Vector candidate = lanczosStartVector(m_setup.n, *m_restarts);
        toCurvature(host, MessageKind::LzStart, lz(host, 1), candidate);
        m_restarting = true;
        m_pass = 0;
        round.reset(Phase::LzCoef);
        return;
      }
      case Phase::LzRitz: {
        Eigen::MatrixXd vectors(m_setup.r, m_setup.n);
        for (int c = first; c < first + C; ++c) {
          const auto range = m_setup.lanczosSegment(c);
          vectors.middleCols(range.begin, range.size()) =
              unflattenRows(round.part(c), m_setup.r, range.size());
        }
        round.reset(Phase::Idle);
        if (m_eigenExpected) {
          // The first curvature device sends LZ_EIGEN before its LZ_RITZ on an ordered link (§1).
          m_failure = "worker " + std::to_string(first) + " sent its Ritz slice without the eigenvalues";
          return;
        }
        if (m_setup.mr()) {
          // Installed by every replica at the same step boundary: the first one after this message.
          Vector payload(m_setup.r * m_setup.n + m_setup.r);
          payload << flattenRows(vectors), m_pendingEigenvalues;
          toTrainers(host, MessageKind::HyEstimate, down(host, m_eseStep), payload);
          m_pending = Estimate{vectors, m_pendingEigenvalues, m_eseStep};
          return;
        }
        install(vectors);
        for (int p = 0; p < m_setup.trainers; ++p)
          if (!m_setup.curvature(p)) host.send(p, makeHybrid(MessageKind::LzEigen, lz(host), m_lambda));
        toTrainers(host, MessageKind::LzRitz, lz(host), flattenRows(vectors));
        startGradients();
        return;
      }
      default:
        return;
    }
  }

  struct Estimate {
    Eigen::MatrixXd vectors;
    Vector eigenvalues;
    std::int64_t snapshotStep = 0;
  };

  HybridSetup m_setup;
  Vector m_theta;
  std::uint64_t m_maxUpdates;
  FosiSegment m_replica;
  Round m_train;
  Round m_curv;
  std::int64_t m_step = 0;
  int m_iter = 0;
  int m_pass = 0;
  bool m_restarting = false;
  std::optional<RandomStream> m_restarts;
  std::int64_t m_estimates = 0;
  std::int64_t m_eseStep = 0;
  bool m_eigenExpected = false;
  Vector m_pendingEigenvalues;
  Vector m_lambda;
  std::int64_t m_installedSnapshot = 0;
  std::optional<Estimate> m_pending;
  std::optional<std::int64_t> m_lastSnapshot;
  std::vector<std::int64_t> m_staleness;
  std::optional<std::string> m_curvatureLost;
  std::vector<double> m_peakBytes;
  std::vector<WorkCounters> m_counters;
  std::string m_failure;
  bool m_diverged = false;
};

// ---------------------------------------------------------------------------------------------------
// Worker p: one Dho2Worker (its update segment or replica and, during an estimate, its Lanczos segment)
// and a full replica of θ for gradients and HVPs.

class HybridWorkerRole final : public WorkerRole {
 public:
  HybridWorkerRole(HybridSetup setup, const BuiltRun& built, int worker)
      : m_setup(std::move(setup)),
        m_worker(worker),
        m_problem(*built.familyContext.problem),
        m_curvatureProblem(m_setup.options.curvatureProblem ? *m_setup.options.curvatureProblem
                                                            : *built.familyContext.problem),
        m_shard((*built.familyContext.shards)[static_cast<std::size_t>(worker)]),
        m_timeModel(*built.familyContext.timeModel),
        m_theta(built.familyContext.x0),
        m_dho2(m_setup.dho2, m_setup.n, m_setup.curvature(worker) ? m_setup.curvatureCount : 1,
               m_setup.curvature(worker) ? worker - m_setup.cFirst : 0),
        m_hvpScale(m_setup.curvatureCount > 0
                       ? m_setup.options.hvpScale(m_setup.trainers, m_setup.curvatureCount)
                       : 0.0) {}

  void onMessage(Message&& message, WorkerHost& host) override {
    HybridMeta meta;
    Vector values;
    std::string why;
    if (message.kind == MessageKind::HyEstimate) return onEstimate(message, host);
    if (m_pending || !parseHybridMeta(message, &meta, &why) || !expects(message.kind, meta) ||
        !parseHybrid(message, expectedCount(message.kind), &meta, &values, &why))
      return host.countMalformed();
    m_startTime = meta.value;
    switch (message.kind) {
      case MessageKind::HyBegin:
        if (!m_setup.trains(m_worker)) {
          m_expect = Expect::Snapshot;
          return;
        }
        return nextStep(host);
      case MessageKind::HyGrad:
        return onMeanGradient(values, host);
      case MessageKind::HyProj:
        return onProjection(meta.iter, values, host);
      case MessageKind::HyParams:
        m_theta = values;
        return endStep(host);
      case MessageKind::HySnapshot:
        m_theta = values;
        m_step = static_cast<std::int64_t>(meta.step);
        m_expect = Expect::Start;
        return;
      case MessageKind::LzStart:
        if (meta.part == 0) {
          m_dho2.beginEstimate(values);
          return computeHvp(host);
        }
        m_dho2.lanczos().beginRestart(values);
        m_restarting = true;
        return sendCoefficients(0, host);
      case MessageKind::LzHvp:
        return onHvp(values, host);
      case MessageKind::LzCoef:
        m_dho2.lanczos().subtractCoefficients(values);
        if (meta.part == 0) return sendCoefficients(1, host);
        m_expect = Expect::Gather;
        return send(host,
                    makeHybrid(MessageKind::LzGather, up(lanczosIter()), m_dho2.lanczos().residualSegment()));
      case MessageKind::LzGather:
        return onGathered(values, host);
      case MessageKind::LzEigen:
        m_eigenvalues = values;
        m_expect = Expect::Ritz;
        return;
      case MessageKind::LzRitz:
        m_dho2.install(unflattenRows(values, m_setup.r, m_setup.n), m_eigenvalues);
        return computeGradient(host);
      default:
        return host.countMalformed();
    }
  }

  std::optional<Clock::time_point> deadline() const override {
    if (!m_pending) return std::nullopt;
    return m_due;
  }

  void onDeadline(WorkerHost& host) override {
    if (!m_pending) return;
    Message message = std::move(*m_pending);
    m_pending.reset();
    host.send(std::move(message));
  }

 private:
  enum class Expect {
    Begin,
    Start,
    MeanGradient,
    ProjA,
    ProjBq,
    Params,
    Hvp,
    Coef0,
    Coef1,
    Gather,
    Restart,
    Eigen,
    Ritz,
    Snapshot
  };

  bool expects(MessageKind kind, const HybridMeta& meta) const {
    if (m_expect == Expect::Snapshot)
      return kind == MessageKind::HySnapshot && meta.step >= static_cast<std::uint64_t>(m_step);
    if (meta.step != static_cast<std::uint64_t>(m_step)) return false;
    const auto j = static_cast<std::uint32_t>(m_dho2.estimating() ? lanczosIter() : 0);
    switch (m_expect) {
      case Expect::Begin:
        return kind == MessageKind::HyBegin;
      case Expect::Start:
        return kind == MessageKind::LzStart && meta.part == 0;
      case Expect::MeanGradient:
        return kind == MessageKind::HyGrad;
      case Expect::ProjA:
        return kind == MessageKind::HyProj && meta.iter == 0;
      case Expect::ProjBq:
        return kind == MessageKind::HyProj && meta.iter == 1;
      case Expect::Params:
        return kind == MessageKind::HyParams;
      case Expect::Hvp:
        return kind == MessageKind::LzHvp && meta.iter == j;
      case Expect::Coef0:
        return kind == MessageKind::LzCoef && meta.iter == j && meta.part == 0;
      case Expect::Coef1:
        return kind == MessageKind::LzCoef && meta.iter == j && meta.part == 1;
      case Expect::Gather:
        return kind == MessageKind::LzGather && meta.iter == j;
      case Expect::Restart:
        return kind == MessageKind::LzStart && meta.iter == j && meta.part == 1;
      case Expect::Eigen:
        return kind == MessageKind::LzEigen;
      case Expect::Ritz:
        return kind == MessageKind::LzRitz;
      case Expect::Snapshot:
        return false;
    }
    return false;
  }

  std::int64_t expectedCount(MessageKind kind) const {
    switch (kind) {
      case MessageKind::HyBegin:
        return -1;
      case MessageKind::HyGrad:
        return m_setup.sharded ? m_setup.segment(m_worker).size() : m_setup.n;
      case MessageKind::HyProj:
        return m_expect == Expect::ProjA ? m_setup.r : 2 * m_setup.r;
      case MessageKind::HyParams:
      case MessageKind::HySnapshot:
      case MessageKind::LzStart:
      case MessageKind::LzHvp:
      case MessageKind::LzGather:
        return m_setup.n;
      case MessageKind::LzCoef:
        return lanczosIter() + 1;
      case MessageKind::LzEigen:
        return m_setup.r;
      case MessageKind::LzRitz:
        return static_cast<std::int64_t>(m_setup.r) * m_setup.n;
      default:
        return -1;
    }
  }

  int lanczosIter() const { return m_dho2.lanczos().iteration(); }

  // Up messages carry this worker's peak curvature storage (PROTOCOL.md §12.2), counted as the
  // simulator counts it (HybridSimRun::curvatureBytesPeak).
  HybridMeta up(int iter = 0, int part = 0) const {
    std::int64_t values = m_dho2.peakStoredValues() + m_setup.gatherBufferValues(m_worker);
    if (!m_setup.trains(m_worker)) values -= m_dho2.update().storedValues();  // MR: no update role
    return HybridMeta{.step = static_cast<std::uint64_t>(m_step),
                      .iter = static_cast<std::uint32_t>(iter),
                      .part = static_cast<std::uint32_t>(part),
                      .value = static_cast<double>(values * 8)};
  }

  void send(WorkerHost& host, Message&& message) { host.send(std::move(message)); }

  // Sends `message` once the emulated duration `tauUnits` of work that started at `received` is over.
  void sendWhenDue(WorkerHost& host, Message&& message, double tauUnits, Clock::time_point received) {
    const double computeSeconds = std::chrono::duration<double>(Clock::now() - received).count();
    m_due = emulatedDue(m_timeModel, m_worker, tauUnits, computeSeconds, host.unitSeconds(), Clock::now());
    m_pending.emplace(std::move(message));
    if (Clock::now() >= m_due) onDeadline(host);
  }

  // MR-DHO2: the estimate is installed at the first step boundary after it arrived, as the
  // coordinator does (PROTOCOL.md §12.6).
  void onEstimate(const Message& message, WorkerHost& host) {
    HybridMeta meta;
    Vector values;
    std::string why;
    const std::int64_t count = static_cast<std::int64_t>(m_setup.r) * (m_setup.n + 1);
    if (!m_setup.mr() || !m_setup.trains(m_worker) || m_buffered ||
        !parseHybrid(message, count, &meta, &values, &why))
      return host.countMalformed();
    m_buffered = Buffered{unflattenRows(values.head(m_setup.r * m_setup.n), m_setup.r, m_setup.n),
                          values.tail(m_setup.r), static_cast<std::int64_t>(meta.step)};
  }

  void endStep(WorkerHost& host) {
    ++m_step;
    if (m_buffered) {
      const std::int64_t staleness = m_step - m_buffered->snapshotStep;
      if (!m_setup.options.maxStaleness || staleness <= *m_setup.options.maxStaleness)
        m_dho2.install(m_buffered->vectors, m_buffered->eigenvalues);
      m_buffered.reset();
    }
    nextStep(host);
  }

  void nextStep(WorkerHost& host) {
    const FosiOptions& fosi = m_setup.dho2.fosi;
    if (!m_setup.mr() && m_setup.curvatureCount > 0 && eseDue(m_step, fosi.warmupSteps(), fosi.period)) {
      m_expect = m_setup.curvature(m_worker) ? Expect::Start : Expect::Eigen;
      return;
    }
    computeGradient(host);
  }

  void computeGradient(WorkerHost& host) {
    const auto received = Clock::now();
    const double tau = m_timeModel.duration(m_worker, m_job++, m_startTime);
    RandomStream stream(StreamKey{.runSeed = m_setup.seed,
                                  .purpose = StreamPurpose::Gradient,
                                  .worker = static_cast<std::uint64_t>(m_worker),
                                  .job = static_cast<std::uint64_t>(m_step)});
    m_problem.stochasticGradient(m_theta, m_shard, stream, m_gradient);
    m_expect = Expect::MeanGradient;
    sendWhenDue(host, makeHybrid(MessageKind::HyGrad, up(), m_gradient), tau, received);
  }

  void onMeanGradient(const Vector& mean, WorkerHost& host) {
    FosiSegment& update = m_dho2.update();
    if (!m_setup.sharded) {
      // Mode R, FOSI, MR-DHO2 and the baselines: the replicated step, as the coordinator's replica.
      const Vector a = update.project(mean);
      update.apply(update.momentumAndBase(a), m_theta);
      return endStep(host);
    }
    const Vector a = update.project(mean);
    if (update.hasEstimate()) {
      m_expect = Expect::ProjA;
      return send(host, makeHybrid(MessageKind::HyProj, up(0), a));
    }
    applySegment(update.momentumAndBase(a), host);
  }

  void onProjection(std::uint32_t phase, const Vector& summed, WorkerHost& host) {
    FosiSegment& update = m_dho2.update();
    if (phase == 0) {
      m_expect = Expect::ProjBq;
      return send(host, makeHybrid(MessageKind::HyProj, up(1), update.momentumAndBase(summed)));
    }
    applySegment(summed, host);
  }

  void applySegment(const Vector& bq, WorkerHost& host) {
    const auto range = m_dho2.updateRange();
    m_dho2.update().apply(bq, m_theta.segment(range.begin, range.size()));
    m_expect = Expect::Params;
    send(host, makeHybrid(MessageKind::HyParams, up(), m_theta.segment(range.begin, range.size())));
  }

  void computeHvp(WorkerHost& host) {
    const auto received = Clock::now();
    const double tau = m_hvpScale * m_timeModel.duration(m_worker, m_job++, m_startTime);
    m_expect = Expect::Hvp;
    // root_broadcast: only the first curvature device's product is used; the others skip it.
    if (m_setup.root && m_worker != m_setup.cFirst) return;
    // data_parallel: this device's share of the ESE batch, which is what the time model charges.
    m_setup.options.eseHessianVectorProduct(m_curvatureProblem, m_setup.curvatureCount,
                                            m_worker - m_setup.cFirst, m_theta,
                                            m_dho2.lanczos().currentVector(), m_hvp);
    sendWhenDue(host, makeHybrid(MessageKind::LzHvp, up(lanczosIter()), m_hvp), tau, received);
  }

  void onHvp(const Vector& w, WorkerHost& host) {
    LanczosSegment& lanczos = m_dho2.lanczos();
    if (!lanczos.acceptHvp(w)) return sendCoefficients(0, host);
    const LanczosResult result = m_dho2.finishEstimate();
    if (m_worker == m_setup.cFirst) send(host, makeHybrid(MessageKind::LzEigen, up(), result.eigenvalues));
    if (m_setup.sharded) {
      m_dho2.install(result.vectors, result.eigenvalues);
      return computeGradient(host);
    }
    m_eigenvalues = result.eigenvalues;
    m_expect = m_setup.mr() ? Expect::Snapshot : Expect::Ritz;
    send(host, makeHybrid(MessageKind::LzRitz, up(), flattenRows(result.vectors)));
  }

  void sendCoefficients(int pass, WorkerHost& host) {
    m_expect = pass == 0 ? Expect::Coef0 : Expect::Coef1;
    send(host, makeHybrid(MessageKind::LzCoef, up(lanczosIter(), pass), m_dho2.lanczos().coefficients()));
  }

  void onGathered(const Vector& w, WorkerHost& host) {
    LanczosSegment& lanczos = m_dho2.lanczos();
    if (m_restarting) {
      m_restarting = false;
      lanczos.acceptRestart(w);
      return computeHvp(host);
    }
    if (lanczos.acceptGathered(w)) return computeHvp(host);
    m_expect = Expect::Restart;
    send(host, makeHybridMetaOnly(MessageKind::LzStart, up(lanczos.iteration(), 1)));
  }

  struct Buffered {
    Eigen::MatrixXd vectors;
    Vector eigenvalues;
    std::int64_t snapshotStep = 0;
  };

  HybridSetup m_setup;
  int m_worker;
  const Problem& m_problem;
  const Problem& m_curvatureProblem;
  const Shard& m_shard;
  const TimeModel& m_timeModel;
  Vector m_theta;
  Dho2Worker m_dho2;
  double m_hvpScale;
  Vector m_gradient;
  Vector m_hvp;
  Vector m_eigenvalues;
  std::optional<Buffered> m_buffered;
  Expect m_expect = Expect::Begin;
  bool m_restarting = false;
  std::int64_t m_step = 0;
  std::uint64_t m_job = 0;
  double m_startTime = 0.0;
  std::optional<Message> m_pending;
  Clock::time_point m_due{};
};

}  // namespace

LiveFamilyDriver hybridLiveDriver() {
  LiveFamilyDriver driver;
  driver.family = "hybrid";
  driver.makeCoordinator = [](const Experiment& experiment,
                              const BuiltRun& built) -> std::unique_ptr<CoordinatorRole> {
    return std::make_unique<HybridCoordinator>(makeSetup(experiment, built), built);
  };
  driver.makeWorker = [](const Experiment& experiment, const BuiltRun& built,
                         int worker) -> std::unique_ptr<WorkerRole> {
    return std::make_unique<HybridWorkerRole>(makeSetup(experiment, built), built, worker);
  };
  return driver;
}

}  // namespace distopt::net
