#include "net/families/hybrid/hybrid_coordinator.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "net/families/hybrid/hybrid_messages.hpp"

namespace distopt::net::hybrid_live {
namespace {

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
  std::uint64_t gradientEvaluations() const override {
    std::uint64_t total = 0;  // one stochastic gradient per uplink received, as the simulator counts
    for (const auto& counters : m_counters) total += counters.arrivals;
    return total;
  }
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

}  // namespace

std::unique_ptr<CoordinatorRole> makeCoordinator(HybridSetup setup, const BuiltRun& built) {
  return std::make_unique<HybridCoordinator>(std::move(setup), built);
}

}  // namespace distopt::net::hybrid_live
