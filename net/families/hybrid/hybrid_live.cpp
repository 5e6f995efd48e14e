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

// What both sides derive from the experiment, exactly as HybridSimRun does in its constructor.
struct HybridSetup {
  HybridRunOptions options;
  Dho2Options dho2;  // effective: baselines have k = l = 0 and mode R
  int workers = 1;
  Eigen::Index n = 0;
  int r = 0;
  int m = 0;
  bool curvature = false;  // DHO2: every worker is a curvature device
  bool sharded = false;    // update mode S
  bool root = false;       // hvp_mode root_broadcast
  std::uint64_t seed = 0;

  SegmentRange segment(int worker) const { return segmentRange(n, workers, worker); }
  /// The peak curvature values the simulator adds for a device: mode R holds the all-gathered Ritz
  /// vectors besides its installed copy.
  std::int64_t gatherBufferValues() const {
    return curvature && !sharded ? static_cast<std::int64_t>(r) * n : 0;
  }
};

HybridSetup makeSetup(const Experiment& experiment, const BuiltRun& built) {
  HybridSetup setup;
  const SimRunContext& context = built.familyContext;
  setup.options = hybridRunOptions(experiment.algorithm.name, experiment.algorithm.params, context);
  const HybridMethod method = setup.options.method;
  if (method != HybridMethod::Baseline && method != HybridMethod::Dho2)
    throw InputError("engine", "algorithm \"" + experiment.algorithm.name +
                                   "\" runs in the simulator only so far; set \"engine\": \"sim\"");
  setup.dho2 = setup.options.dho2;
  if (method != HybridMethod::Dho2) setup.dho2.updateMode = UpdateMode::Replicated;
  if (method == HybridMethod::Baseline) setup.dho2.fosi.k = 0, setup.dho2.fosi.l = 0;
  setup.workers = context.numWorkers;
  setup.n = context.problem->dimension();
  setup.r = setup.dho2.fosi.k + setup.dho2.fosi.l;
  setup.m = setup.dho2.fosi.lanczosOrder(setup.n);
  setup.curvature = method == HybridMethod::Dho2;
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
// Coordinator: the hub of the collectives, and (modes R and baselines) one more replica of θ.

class HybridCoordinator final : public CoordinatorRole {
 public:
  HybridCoordinator(HybridSetup setup, const BuiltRun& built)
      : m_setup(std::move(setup)),
        m_theta(built.familyContext.x0),
        // Mode S keeps no V here: a zero-width segment only turns the eigenvalues into rho and c
        // with the workers' own rule (the base_scale_c metric).
        m_replica(m_setup.dho2.fosi, m_setup.sharded ? 0 : m_setup.n),
        m_parts(static_cast<std::size_t>(m_setup.workers)),
        m_have(static_cast<std::size_t>(m_setup.workers), false),
        m_peakBytes(static_cast<std::size_t>(m_setup.workers), 0),
        m_counters(static_cast<std::size_t>(m_setup.workers)) {}

  std::string name() const override { return m_setup.options.name; }

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
    if (!expects(worker, message.kind, meta)) return host.countMalformed();
    if (m_phase == Phase::LzNext) {
      // The first answer after a gather says whether the workers (deterministically alike) broke down.
      if (message.kind == MessageKind::LzStart) {
        m_phase = Phase::LzRestart;
      } else {
        m_phase = Phase::LzHvp;
        ++m_iter;
      }
    }
    Vector values;
    if (!parseHybrid(message, expectedCount(worker), &meta, &values, &why)) return host.countMalformed();
    auto& peak = m_peakBytes[static_cast<std::size_t>(worker)];
    peak = std::max(peak, meta.value);
    if (m_phase == Phase::Grad) noteGradient(worker, host);
    m_parts[static_cast<std::size_t>(worker)] = std::move(values);
    m_have[static_cast<std::size_t>(worker)] = true;
    if (++m_arrived == senders()) complete(host);
  }

  void onWorkerLost(int worker, const std::string& reason, CoordinatorHost& host) override {
    (void)host;
    if (m_failure.empty())
      m_failure = "worker " + std::to_string(worker) + " lost (" + reason +
                  "): its gradient shard and its Lanczos slice are gone, a synchronous " +
                  (m_setup.curvature ? "DHO2" : "data-parallel") + " step cannot complete";
  }

  std::uint64_t iterations() const override { return static_cast<std::uint64_t>(m_step); }
  const Vector* model() const override { return &m_theta; }
  std::string failure() const override { return m_failure; }
  bool diverged() const override { return m_diverged; }
  WorkCounters counters(int worker) const override { return m_counters[static_cast<std::size_t>(worker)]; }

  // The simulator's family metrics (HybridSimRun::evaluate), plus each worker's curvature memory.
  void takeMetrics(std::map<std::string, double>& metrics) override {
    if (!m_setup.curvature) return;
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
  }

 private:
  enum class Phase { Grad, ProjA, ProjBq, Params, LzHvp, LzCoef, LzGather, LzNext, LzRestart, LzRitz };

  int senders() const { return m_phase == Phase::LzHvp && m_setup.root ? 1 : m_setup.workers; }

  bool expects(int worker, MessageKind kind, const HybridMeta& meta) const {
    if (worker < 0 || worker >= m_setup.workers || m_have[static_cast<std::size_t>(worker)]) return false;
    // Lanczos messages carry the step before which the estimate runs: the current step.
    if (meta.step != static_cast<std::uint64_t>(m_step)) return false;
    const auto j = static_cast<std::uint32_t>(m_iter);
    switch (m_phase) {
      case Phase::Grad:
        return kind == MessageKind::HyGrad;
      case Phase::ProjA:
        return kind == MessageKind::HyProj && meta.iter == 0;
      case Phase::ProjBq:
        return kind == MessageKind::HyProj && meta.iter == 1;
      case Phase::Params:
        return kind == MessageKind::HyParams;
      case Phase::LzHvp:
        return kind == MessageKind::LzHvp && meta.iter == j && (!m_setup.root || worker == 0);
      case Phase::LzCoef:
        return kind == MessageKind::LzCoef && meta.iter == j &&
               meta.part == static_cast<std::uint32_t>(m_pass);
      case Phase::LzGather:
        return kind == MessageKind::LzGather && meta.iter == j;
      case Phase::LzNext:
        // After a gather every worker either goes on (HVP of iteration j+1) or reports a breakdown.
        return (kind == MessageKind::LzHvp && meta.iter == j + 1 && (!m_setup.root || worker == 0)) ||
               (kind == MessageKind::LzStart && meta.iter == j && meta.part == 1);
      case Phase::LzRestart:
        return kind == MessageKind::LzStart && meta.iter == j && meta.part == 1;
      case Phase::LzRitz:
        return kind == MessageKind::LzRitz;
    }
    return false;
  }

  std::int64_t expectedCount(int worker) const {
    const auto s = m_setup.segment(worker).size();
    switch (m_phase) {
      case Phase::Grad:
        return m_setup.n;
      case Phase::ProjA:
        return m_setup.r;
      case Phase::ProjBq:
        return 2 * m_setup.r;
      case Phase::Params:
      case Phase::LzGather:
        return s;
      case Phase::LzHvp:
        return m_setup.n;
      case Phase::LzCoef:
        return m_iter + 1;
      case Phase::LzNext:
        return -1;  // never: onMessage leaves this phase before parsing
      case Phase::LzRestart:
        return -1;
      case Phase::LzRitz:
        return static_cast<std::int64_t>(m_setup.r) * s;
    }
    return -1;
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

  void resetRound(Phase phase) {
    m_phase = phase;
    m_arrived = 0;
    std::fill(m_have.begin(), m_have.end(), false);
  }

  HybridMeta down(const CoordinatorHost& host, std::uint32_t iter = 0, std::uint32_t part = 0) const {
    return HybridMeta{
        .step = static_cast<std::uint64_t>(m_step), .iter = iter, .part = part, .value = host.now()};
  }

  void broadcast(CoordinatorHost& host, MessageKind kind, const HybridMeta& meta, const Vector& values) {
    for (int p = 0; p < m_setup.workers; ++p) host.send(p, makeHybrid(kind, meta, values));
  }

  const Vector& part(int p) const { return m_parts[static_cast<std::size_t>(p)]; }

  void beginStep(CoordinatorHost& host) {
    if (m_setup.curvature && eseDue(m_step, m_setup.dho2.fosi.warmupSteps(), m_setup.dho2.fosi.period)) {
      beginEstimate(host);
      return;
    }
    for (auto& counters : m_counters) ++counters.jobsSent;
    resetRound(Phase::Grad);
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
    m_eseStep = m_step;
    m_iter = 0;
    m_eigenExpected = true;
    broadcast(host, MessageKind::LzStart, down(host), lanczosStartVector(m_setup.n, start));
    resetRound(Phase::LzHvp);
  }

  void onEigen(int worker, const Message& message, CoordinatorHost& host) {
    HybridMeta meta;
    Vector eigenvalues;
    std::string why;
    if (worker != 0 || !m_eigenExpected || !parseHybrid(message, m_setup.r, &meta, &eigenvalues, &why) ||
        meta.step != static_cast<std::uint64_t>(m_eseStep))
      return host.countMalformed();
    m_eigenExpected = false;
    m_peakBytes[0] = std::max(m_peakBytes[0], meta.value);
    m_pendingEigenvalues = eigenvalues;
    // Mode S: the workers installed their slices already; here only the metrics change.
    if (m_setup.sharded) install(Eigen::MatrixXd(m_setup.r, 0));
  }

  void install(const Eigen::MatrixXd& vectors) {
    m_replica.install(vectors, m_pendingEigenvalues);
    m_lambda = m_pendingEigenvalues;
    m_installedSnapshot = m_eseStep;
  }

  void complete(CoordinatorHost& host) {
    const int P = m_setup.workers;
    switch (m_phase) {
      case Phase::Grad: {
        // The simulator's reduction, in the same order: bit-identical means.
        Vector mean = Vector::Zero(m_setup.n);
        for (int p = 0; p < P; ++p) mean += part(p);
        mean /= static_cast<double>(P);
        if (!m_setup.sharded) {
          broadcast(host, MessageKind::HyGrad, down(host), mean);
          const Vector a = m_replica.project(mean);
          m_replica.apply(m_replica.momentumAndBase(a), m_theta);
          finishStep(host);
          return;
        }
        for (int p = 0; p < P; ++p) {
          const auto range = m_setup.segment(p);
          host.send(p, makeHybrid(MessageKind::HyGrad, down(host), mean.segment(range.begin, range.size())));
        }
        resetRound(m_lambda.size() > 0 ? Phase::ProjA : Phase::Params);
        return;
      }
      case Phase::ProjA:
      case Phase::ProjBq: {
        const bool first = m_phase == Phase::ProjA;
        Vector sum = Vector::Zero(first ? m_setup.r : 2 * m_setup.r);
        for (int p = 0; p < P; ++p) sum += part(p);
        broadcast(host, MessageKind::HyProj, down(host, first ? 0 : 1), sum);
        resetRound(first ? Phase::ProjBq : Phase::Params);
        return;
      }
      case Phase::Params: {
        for (int p = 0; p < P; ++p) {
          const auto range = m_setup.segment(p);
          m_theta.segment(range.begin, range.size()) = part(p);
        }
        broadcast(host, MessageKind::HyParams, down(host), m_theta);
        finishStep(host);
        return;
      }
      case Phase::LzHvp: {
        Vector w;
        if (m_setup.root) {
          w = part(0);
        } else {
          w = Vector::Zero(m_setup.n);
          for (int p = 0; p < P; ++p) w += part(p);
          w /= static_cast<double>(P);
        }
        broadcast(host, MessageKind::LzHvp, down(host, static_cast<std::uint32_t>(m_iter)), w);
        if (m_iter == m_setup.m - 1) {
          // Mode S: each worker installs its slice and goes on with the gradient of this step.
          if (m_setup.sharded) {
            for (auto& counters : m_counters) ++counters.jobsSent;
            resetRound(Phase::Grad);
          } else {
            resetRound(Phase::LzRitz);
          }
          return;
        }
        m_pass = 0;
        resetRound(Phase::LzCoef);
        return;
      }
      case Phase::LzCoef: {
        Vector summed = part(0);
        for (int p = 1; p < P; ++p) summed += part(p);
        broadcast(host, MessageKind::LzCoef,
                  down(host, static_cast<std::uint32_t>(m_iter), static_cast<std::uint32_t>(m_pass)), summed);
        if (m_pass == 0) {
          m_pass = 1;
          resetRound(Phase::LzCoef);
        } else {
          resetRound(Phase::LzGather);
        }
        return;
      }
      case Phase::LzGather: {
        Vector gathered(m_setup.n);
        for (int p = 0; p < P; ++p) {
          const auto range = m_setup.segment(p);
          gathered.segment(range.begin, range.size()) = part(p);
        }
        broadcast(host, MessageKind::LzGather, down(host, static_cast<std::uint32_t>(m_iter)), gathered);
        if (m_restarting) {
          m_restarting = false;
          ++m_iter;
          resetRound(Phase::LzHvp);
        } else {
          resetRound(Phase::LzNext);
        }
        return;
      }
      case Phase::LzNext:
        return;  // onMessage decided the phase before the last arrival
      case Phase::LzRestart: {
        // Drawn here, the curvature root, and broadcast (spec §4.3 step 7).
        const Vector candidate = lanczosStartVector(m_setup.n, *m_restarts);
        broadcast(host, MessageKind::LzStart, down(host, static_cast<std::uint32_t>(m_iter), 1), candidate);
        m_restarting = true;
        m_pass = 0;
        resetRound(Phase::LzCoef);
        return;
      }
      case Phase::LzRitz: {
        Eigen::MatrixXd vectors(m_setup.r, m_setup.n);
        for (int p = 0; p < P; ++p) {
          const auto range = m_setup.segment(p);
          vectors.middleCols(range.begin, range.size()) = unflattenRows(part(p), m_setup.r, range.size());
        }
        if (m_eigenExpected) {
          // Worker 0 sends LZ_EIGEN before its LZ_RITZ and its link keeps order (PROTOCOL.md §1).
          m_failure = "worker 0 sent its Ritz slice without the eigenvalues (protocol violation)";
          return;
        }
        install(vectors);
        broadcast(host, MessageKind::LzRitz, down(host), flattenRows(vectors));
        for (auto& counters : m_counters) ++counters.jobsSent;
        resetRound(Phase::Grad);
        return;
      }
    }
  }

  HybridSetup m_setup;
  Vector m_theta;
  FosiSegment m_replica;
  std::vector<Vector> m_parts;
  std::vector<bool> m_have;
  int m_arrived = 0;
  Phase m_phase = Phase::Grad;
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
  std::vector<double> m_peakBytes;
  std::vector<WorkCounters> m_counters;
  std::string m_failure;
  bool m_diverged = false;
};

// ---------------------------------------------------------------------------------------------------
// Worker p: one Dho2Worker (its update segment and, during an estimate, its Lanczos segment) and a
// full replica of θ for gradients and HVPs.

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
        m_dho2(m_setup.dho2, m_setup.n, m_setup.workers, worker),
        m_hvpScale(m_setup.curvature ? m_setup.options.hvpScale(m_setup.workers, m_setup.workers) : 0.0) {}

  void onMessage(Message&& message, WorkerHost& host) override {
    HybridMeta meta;
    Vector values;
    std::string why;
    if (m_pending || !parseHybridMeta(message, &meta, &why) || !expects(message.kind, meta) ||
        !parseHybrid(message, expectedCount(message.kind), &meta, &values, &why))
      return host.countMalformed();
    m_startTime = meta.value;
    switch (message.kind) {
      case MessageKind::HyBegin:
        return nextStep(host);
      case MessageKind::HyGrad:
        return onMeanGradient(values, host);
      case MessageKind::HyProj:
        return onProjection(meta.iter, values, host);
      case MessageKind::HyParams:
        m_theta = values;
        ++m_step;
        return nextStep(host);
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
    Ritz
  };

  bool expects(MessageKind kind, const HybridMeta& meta) const {
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
      case Expect::Ritz:
        return kind == MessageKind::LzRitz;
    }
    return false;
  }

  std::int64_t expectedCount(MessageKind kind) const {
    const auto s = m_setup.segment(m_worker).size();
    switch (kind) {
      case MessageKind::HyBegin:
        return -1;
      case MessageKind::HyGrad:
        return m_setup.sharded ? s : m_setup.n;
      case MessageKind::HyProj:
        return m_expect == Expect::ProjA ? m_setup.r : 2 * m_setup.r;
      case MessageKind::HyParams:
      case MessageKind::LzStart:
      case MessageKind::LzHvp:
      case MessageKind::LzGather:
        return m_setup.n;
      case MessageKind::LzCoef:
        return lanczosIter() + 1;
      case MessageKind::LzRitz:
        return static_cast<std::int64_t>(m_setup.r) * m_setup.n;
      default:
        return -1;
    }
  }

  int lanczosIter() const { return m_dho2.lanczos().iteration(); }

  // Up messages carry this worker's peak curvature storage (PROTOCOL.md §12.2).
  HybridMeta up(int iter = 0, int part = 0) const {
    const auto values = m_dho2.peakStoredValues() + m_setup.gatherBufferValues();
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

  void nextStep(WorkerHost& host) {
    if (m_setup.curvature && eseDue(m_step, m_setup.dho2.fosi.warmupSteps(), m_setup.dho2.fosi.period)) {
      m_expect = Expect::Start;
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
      // Modes R and the baselines: the replicated step, as the coordinator's replica takes it.
      const Vector a = update.project(mean);
      update.apply(update.momentumAndBase(a), m_theta);
      ++m_step;
      return nextStep(host);
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
    // root_broadcast: only worker 0's product is used, so the others neither compute nor send it.
    if (m_setup.root && m_worker != 0) return;
    m_curvatureProblem.hessianVectorProduct(m_theta, m_dho2.lanczos().currentVector(), m_hvp);
    sendWhenDue(host, makeHybrid(MessageKind::LzHvp, up(lanczosIter()), m_hvp), tau, received);
  }

  void onHvp(const Vector& w, WorkerHost& host) {
    LanczosSegment& lanczos = m_dho2.lanczos();
    if (!lanczos.acceptHvp(w)) return sendCoefficients(0, host);
    const LanczosResult result = m_dho2.finishEstimate();
    if (m_worker == 0) send(host, makeHybrid(MessageKind::LzEigen, up(), result.eigenvalues));
    if (m_setup.sharded) {
      m_dho2.install(result.vectors, result.eigenvalues);
      return computeGradient(host);
    }
    m_eigenvalues = result.eigenvalues;
    m_expect = Expect::Ritz;
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
