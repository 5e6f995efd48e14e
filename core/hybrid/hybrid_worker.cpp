#include "core/hybrid/hybrid_worker.hpp"

#include <string>

#include "core/util/check.hpp"

namespace distopt {
namespace {

HybridMessage withValues(HybridKind kind, const HybridMeta& meta, Vector values) {
  return HybridMessage{.kind = kind, .meta = meta, .values = std::move(values)};
}

}  // namespace

HybridWorker::HybridWorker(HybridSetup setup, const SimRunContext& context, int worker)
    : m_setup(std::move(setup)),
      m_worker(worker),
      m_problem(*context.problem),
      m_curvatureProblem(m_setup.options.curvatureProblem ? *m_setup.options.curvatureProblem : *context.problem),
      m_shard((*context.shards)[static_cast<std::size_t>(worker)]),
      m_timeModel(*context.timeModel),
      m_theta(context.x0),
      m_dho2(m_setup.dho2, m_setup.n, m_setup.curvature(worker) ? m_setup.curvatureCount : 1,
             m_setup.curvature(worker) ? worker - m_setup.cFirst : 0),
      m_hvpScale(m_setup.curvatureCount > 0 ? m_setup.options.hvpScale(m_setup.trainers, m_setup.curvatureCount)
                                            : 0.0) {
  DISTOPT_CHECK(context.problem && context.shards && context.timeModel);
}

void HybridWorker::onMessage(HybridMessage&& message, Link& link) {
  if (message.kind == HybridKind::HyEstimate) return onEstimate(std::move(message), link);
  const HybridMeta meta = message.meta;
  if (!expects(message.kind, meta) || !hybridValuesMatch(message, expectedCount(message.kind)))
    return link.countMalformed();
  const Vector values = message.values ? std::move(*message.values) : Vector();
  m_startTime = meta.value;
  switch (message.kind) {
    case HybridKind::HyBegin:
      if (!m_setup.trains(m_worker)) {
        m_expect = Expect::Snapshot;
        return;
      }
      return nextStep(link);
    case HybridKind::HyGrad:
      return onMeanGradient(values, link);
    case HybridKind::HyProj:
      return onProjection(meta.iter, values, link);
    case HybridKind::HyParams:
      m_theta = values;
      return endStep(link);
    case HybridKind::HySnapshot:
      m_theta = values;
      m_step = static_cast<std::int64_t>(meta.step);
      m_expect = Expect::Start;
      return;
    case HybridKind::LzStart:
      if (meta.part == 0) {
        m_dho2.beginEstimate(values);
        return computeHvp(link);
      }
      m_dho2.lanczos().beginRestart(values);
      m_restarting = true;
      return sendCoefficients(0, link);
    case HybridKind::LzHvp:
      return onHvp(values, link);
    case HybridKind::LzCoef:
      m_dho2.lanczos().subtractCoefficients(values);
      if (meta.part == 0) return sendCoefficients(1, link);
      m_expect = Expect::Gather;
      return link.send(withValues(HybridKind::LzGather, up(lanczosIter()), m_dho2.lanczos().residualSegment()));
    case HybridKind::LzGather:
      return onGathered(values, link);
    case HybridKind::LzEigen:
      m_eigenvalues = values;
      m_expect = Expect::Ritz;
      return;
    case HybridKind::LzRitz:
      m_dho2.install(unflattenRows(values, m_setup.r, m_setup.n), m_eigenvalues);
      return computeGradient(link);
    default:
      return link.countMalformed();
  }
}

std::int64_t HybridWorker::curvatureBytesPeak() const {
  std::int64_t values = m_dho2.peakStoredValues() + m_setup.gatherBufferValues(m_worker);
  if (!m_setup.trains(m_worker)) values -= m_dho2.update().storedValues();  // MR: no update role
  return values * 8;
}

bool HybridWorker::expects(HybridKind kind, const HybridMeta& meta) const {
  if (m_expect == Expect::Snapshot)
    return kind == HybridKind::HySnapshot && meta.step >= static_cast<std::uint64_t>(m_step);
  if (meta.step != static_cast<std::uint64_t>(m_step)) return false;
  const auto j = static_cast<std::uint32_t>(m_dho2.estimating() ? lanczosIter() : 0);
  switch (m_expect) {
    case Expect::Begin:
      return kind == HybridKind::HyBegin;
    case Expect::Start:
      return kind == HybridKind::LzStart && meta.part == 0;
    case Expect::MeanGradient:
      return kind == HybridKind::HyGrad;
    case Expect::ProjA:
      return kind == HybridKind::HyProj && meta.iter == 0;
    case Expect::ProjBq:
      return kind == HybridKind::HyProj && meta.iter == 1;
    case Expect::Params:
      return kind == HybridKind::HyParams;
    case Expect::Hvp:
      return kind == HybridKind::LzHvp && meta.iter == j;
    case Expect::Coef0:
      return kind == HybridKind::LzCoef && meta.iter == j && meta.part == 0;
    case Expect::Coef1:
      return kind == HybridKind::LzCoef && meta.iter == j && meta.part == 1;
    case Expect::Gather:
      return kind == HybridKind::LzGather && meta.iter == j;
    case Expect::Restart:
      return kind == HybridKind::LzStart && meta.iter == j && meta.part == 1;
    case Expect::Eigen:
      return kind == HybridKind::LzEigen;
    case Expect::Ritz:
      return kind == HybridKind::LzRitz;
    case Expect::Snapshot:
    case Expect::Estimate:  // HY_ESTIMATE never comes here (onEstimate)
      return false;
  }
  return false;
}

std::int64_t HybridWorker::expectedCount(HybridKind kind) const {
  switch (kind) {
    case HybridKind::HyBegin:
      return -1;
    case HybridKind::HyGrad:
      return m_setup.sharded ? m_setup.segment(m_worker).size() : m_setup.n;
    case HybridKind::HyProj:
      return m_expect == Expect::ProjA ? m_setup.r : 2 * m_setup.r;
    case HybridKind::HyParams:
    case HybridKind::HySnapshot:
    case HybridKind::LzStart:
    case HybridKind::LzHvp:
    case HybridKind::LzGather:
      return m_setup.n;
    case HybridKind::LzCoef:
      return lanczosIter() + 1;
    case HybridKind::LzEigen:
      return m_setup.r;
    case HybridKind::LzRitz:
      return static_cast<std::int64_t>(m_setup.r) * m_setup.n;
    default:
      return -1;
  }
}

// Up messages carry this worker's peak curvature storage (PROTOCOL.md §12.2).
HybridMeta HybridWorker::up(int iter, int part) const {
  return HybridMeta{.step = static_cast<std::uint64_t>(m_step),
                    .iter = static_cast<std::uint32_t>(iter),
                    .part = static_cast<std::uint32_t>(part),
                    .value = static_cast<double>(curvatureBytesPeak())};
}

// MR-DHO2: the estimate is installed at the first step boundary after it arrived, as the coordinator
// does (PROTOCOL.md §12.6); in stop-the-world the waiting step installs it at once.
void HybridWorker::onEstimate(HybridMessage&& message, Link& link) {
  const std::int64_t count = static_cast<std::int64_t>(m_setup.r) * (m_setup.n + 1);
  if (!m_setup.mr() || !m_setup.trains(m_worker) || m_buffered || !hybridValuesMatch(message, count))
    return link.countMalformed();
  const Vector& values = *message.values;
  Buffered estimate{unflattenRows(values.head(m_setup.r * m_setup.n), m_setup.r, m_setup.n),
                    values.tail(m_setup.r), static_cast<std::int64_t>(message.meta.step)};
  if (!m_setup.stopTheWorld()) {
    m_buffered = std::move(estimate);
    return;
  }
  if (m_expect != Expect::Estimate || estimate.snapshotStep != m_step) return link.countMalformed();
  m_dho2.install(estimate.vectors, estimate.eigenvalues);
  m_startTime = message.meta.value;
  computeGradient(link);
}

void HybridWorker::endStep(Link& link) {
  ++m_step;
  if (m_buffered) {
    const std::int64_t staleness = m_step - m_buffered->snapshotStep;
    if (!m_setup.options.maxStaleness || staleness <= *m_setup.options.maxStaleness)
      m_dho2.install(m_buffered->vectors, m_buffered->eigenvalues);
    m_buffered.reset();
  }
  nextStep(link);
}

void HybridWorker::nextStep(Link& link) {
  const FosiOptions& fosi = m_setup.dho2.fosi;
  if (!m_setup.mr() && m_setup.curvatureCount > 0 && eseDue(m_step, fosi.warmupSteps(), fosi.period)) {
    m_expect = m_setup.curvature(m_worker) ? Expect::Start : Expect::Eigen;
    return;
  }
  if (m_setup.stopTheWorld() && m_setup.snapshotDue(m_step, m_lastSnapshot)) {
    // The coordinator snapshots at this step and holds training until the estimate is in.
    m_lastSnapshot = m_step;
    m_expect = Expect::Estimate;
    return;
  }
  computeGradient(link);
}

void HybridWorker::computeGradient(Link& link) {
  const double tau = m_timeModel.duration(m_worker, m_job++, m_startTime);
  RandomStream stream(StreamKey{.runSeed = m_setup.seed,
                                .purpose = StreamPurpose::Gradient,
                                .worker = static_cast<std::uint64_t>(m_worker),
                                .job = static_cast<std::uint64_t>(m_step)});
  m_problem.stochasticGradient(m_theta, m_shard, stream, m_gradient);
  m_expect = Expect::MeanGradient;
  link.sendAfterCompute(tau, withValues(HybridKind::HyGrad, up(), m_gradient));
}

void HybridWorker::onMeanGradient(const Vector& mean, Link& link) {
  FosiSegment& update = m_dho2.update();
  if (!m_setup.sharded) {
    // Mode R, FOSI, MR-DHO2 and the baselines: the replicated step, as the coordinator's replica.
    const Vector a = update.project(mean);
    update.apply(update.momentumAndBase(a), m_theta);
    return endStep(link);
  }
  const Vector a = update.project(mean);
  if (update.hasEstimate()) {
    m_expect = Expect::ProjA;
    return link.send(withValues(HybridKind::HyProj, up(0), a));
  }
  applySegment(update.momentumAndBase(a), link);
}

void HybridWorker::onProjection(std::uint32_t phase, const Vector& summed, Link& link) {
  FosiSegment& update = m_dho2.update();
  if (phase == 0) {
    m_expect = Expect::ProjBq;
    return link.send(withValues(HybridKind::HyProj, up(1), update.momentumAndBase(summed)));
  }
  applySegment(summed, link);
}

void HybridWorker::applySegment(const Vector& bq, Link& link) {
  const auto range = m_dho2.updateRange();
  m_dho2.update().apply(bq, m_theta.segment(range.begin, range.size()));
  m_expect = Expect::Params;
  link.send(withValues(HybridKind::HyParams, up(), m_theta.segment(range.begin, range.size())));
}

void HybridWorker::computeHvp(Link& link) {
  const double tau = m_hvpScale * m_timeModel.duration(m_worker, m_job++, m_startTime);
  m_expect = Expect::Hvp;
  // root_broadcast: only the first curvature device's product is used; the others skip it.
  if (m_setup.root && m_worker != m_setup.cFirst) return;
  // data_parallel: this device's share of the ESE batch, which is what the time model charges.
  m_setup.options.eseHessianVectorProduct(m_curvatureProblem, m_setup.curvatureCount, m_worker - m_setup.cFirst,
                                          m_theta, m_dho2.lanczos().currentVector(), m_hvp);
  link.sendAfterCompute(tau, withValues(HybridKind::LzHvp, up(lanczosIter()), m_hvp));
}

void HybridWorker::onHvp(const Vector& w, Link& link) {
  LanczosSegment& lanczos = m_dho2.lanczos();
  if (!lanczos.acceptHvp(w)) return sendCoefficients(0, link);
  const LanczosResult result = m_dho2.finishEstimate();
  if (m_worker == m_setup.cFirst) link.send(withValues(HybridKind::LzEigen, up(), result.eigenvalues));
  if (m_setup.sharded) {
    m_dho2.install(result.vectors, result.eigenvalues);
    return computeGradient(link);
  }
  m_eigenvalues = result.eigenvalues;
  m_expect = m_setup.mr() ? Expect::Snapshot : Expect::Ritz;
  link.send(withValues(HybridKind::LzRitz, up(), flattenRows(result.vectors)));
}

void HybridWorker::sendCoefficients(int pass, Link& link) {
  m_expect = pass == 0 ? Expect::Coef0 : Expect::Coef1;
  link.send(withValues(HybridKind::LzCoef, up(lanczosIter(), pass), m_dho2.lanczos().coefficients()));
}

void HybridWorker::onGathered(const Vector& w, Link& link) {
  LanczosSegment& lanczos = m_dho2.lanczos();
  if (m_restarting) {
    m_restarting = false;
    lanczos.acceptRestart(w);
    return computeHvp(link);
  }
  if (lanczos.acceptGathered(w)) return computeHvp(link);
  m_expect = Expect::Restart;
  link.send(HybridMessage{.kind = HybridKind::LzStart, .meta = up(lanczos.iteration(), 1)});
}

}  // namespace distopt
