#include "net/families/hybrid/hybrid_worker.hpp"

#include <chrono>
#include <optional>
#include <string>

#include "net/families/hybrid/hybrid_messages.hpp"

namespace distopt::net::hybrid_live {
namespace {

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

std::unique_ptr<WorkerRole> makeWorker(HybridSetup setup, const BuiltRun& built, int worker) {
  return std::make_unique<HybridWorkerRole>(std::move(setup), built, worker);
}

}  // namespace distopt::net::hybrid_live
