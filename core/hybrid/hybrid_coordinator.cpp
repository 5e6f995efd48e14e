#include "core/hybrid/hybrid_coordinator.hpp"

#include <algorithm>

namespace distopt {
namespace {

HybridMessage withValues(HybridKind kind, const HybridMeta& meta, Vector values) {
  return HybridMessage{.kind = kind, .meta = meta, .values = std::move(values)};
}

}  // namespace

HybridCoordinator::Round::Round(int firstWorker, int workers)
    : first(firstWorker),
      count(workers),
      have(static_cast<std::size_t>(workers), false),
      parts(static_cast<std::size_t>(workers)) {}

void HybridCoordinator::Round::reset(Phase next) {
  phase = next;
  arrived = 0;
  std::fill(have.begin(), have.end(), false);
}

HybridCoordinator::HybridCoordinator(HybridSetup setup, const Vector& x0, std::uint64_t maxUpdates)
    : m_setup(std::move(setup)),
      m_theta(x0),
      m_maxUpdates(maxUpdates),
      // Mode S keeps no V here: a zero-width segment only turns the eigenvalues into rho and c
      // with the workers' own rule (the base_scale_c metric).
      m_replica(m_setup.dho2.fosi, m_setup.sharded ? 0 : m_setup.n),
      m_train(0, m_setup.trainers),
      m_curv(m_setup.cFirst, m_setup.curvatureCount),
      m_peakBytes(static_cast<std::size_t>(m_setup.workers), 0),
      m_counters(static_cast<std::size_t>(m_setup.workers)) {}

void HybridCoordinator::start(Link& link) {
  for (int p = 0; p < m_setup.workers; ++p)
    link.send(p, HybridMessage{.kind = HybridKind::HyBegin, .meta = HybridMeta{.value = link.now()}});
  beginStep(link);
}

void HybridCoordinator::onMessage(int worker, HybridMessage&& message, Link& link) {
  if (message.kind == HybridKind::LzEigen) {
    if (!(worker == m_setup.cFirst && m_eigenExpected && hybridValuesMatch(message, m_setup.r) &&
          message.meta.step == static_cast<std::uint64_t>(m_eseStep)))
      return link.countMalformed();
    return onEigen(worker, message);
  }
  const bool training = message.kind == HybridKind::HyGrad || message.kind == HybridKind::HyProj ||
                        message.kind == HybridKind::HyParams;
  Round& round = training ? m_train : m_curv;
  if (!expects(round, worker, message.kind, message.meta)) return link.countMalformed();
  if (round.phase == Phase::LzNext) {
    // The first answer after a gather says whether the workers (deterministically alike) broke down.
    if (message.kind == HybridKind::LzStart) {
      round.phase = Phase::LzRestart;
    } else {
      round.phase = Phase::LzHvp;
      ++m_iter;
    }
  }
  if (!hybridValuesMatch(message, expectedCount(round, worker))) return link.countMalformed();
  notePeak(worker, message.meta.value);
  if (round.phase == Phase::Grad) noteGradient(worker, link);
  const auto slot = static_cast<std::size_t>(worker - round.first);
  round.parts[slot] = message.values ? std::move(*message.values) : Vector();
  round.have[slot] = true;
  if (++round.arrived == senders(round)) training ? completeTraining(link) : completeCurvature(link);
}

void HybridCoordinator::onWorkerLost(int worker, const std::string& reason, Link& link) {
  (void)link;
  if (m_setup.mr() && !m_setup.trains(worker) && !m_setup.stopTheWorld()) {
    // hybrid-order §4.9: training goes on with the last estimate; this device's Lanczos slice is gone.
    if (!m_curvatureLost) m_curvatureLost = "worker " + std::to_string(worker) + " lost (" + reason + ")";
    m_curv.phase = Phase::Idle;
    return;
  }
  if (m_failure.empty())
    m_failure = "worker " + std::to_string(worker) + " lost (" + reason +
                "): its gradient shard and its Lanczos slice are gone, a synchronous step cannot complete";
}

std::uint64_t HybridCoordinator::gradientEvaluations() const {
  std::uint64_t total = 0;  // one stochastic gradient per gradient received (HVPs are not gradients)
  for (const auto& counters : m_counters) total += counters.arrivals;
  return total;
}

void HybridCoordinator::takeMetrics(std::map<std::string, double>& metrics) {
  if (m_setup.method == HybridMethod::Baseline) return;
  if (m_lambda.size() > 0) {
    const int l = m_setup.dho2.fosi.l;
    metrics["lambda_max"] = m_lambda(m_lambda.size() - 1);
    metrics["lambda_k"] = m_lambda(l);
    // The top-k Ritz values, largest first (m_lambda holds the bottom l, then the top k, ascending).
    const int k = m_setup.dho2.fosi.k;
    for (int j = 0; j < k && j < m_lambda.size(); ++j)
      metrics["eigenvalue." + std::to_string(j)] = m_lambda(m_lambda.size() - 1 - j);
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

int HybridCoordinator::senders(const Round& round) const {
  return round.phase == Phase::LzHvp && m_setup.root ? 1 : round.count;
}

bool HybridCoordinator::expects(const Round& round, int worker, HybridKind kind, const HybridMeta& meta) const {
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
      return kind == HybridKind::HyGrad;
    case Phase::ProjA:
      return kind == HybridKind::HyProj && meta.iter == 0;
    case Phase::ProjBq:
      return kind == HybridKind::HyProj && meta.iter == 1;
    case Phase::Params:
      return kind == HybridKind::HyParams;
    case Phase::LzHvp:
      return kind == HybridKind::LzHvp && meta.iter == j && hvpSender;
    case Phase::LzCoef:
      return kind == HybridKind::LzCoef && meta.iter == j && meta.part == static_cast<std::uint32_t>(m_pass);
    case Phase::LzGather:
      return kind == HybridKind::LzGather && meta.iter == j;
    case Phase::LzNext:
      // After a gather every worker either goes on (HVP of iteration j+1) or reports a breakdown.
      return (kind == HybridKind::LzHvp && meta.iter == j + 1 && hvpSender) ||
             (kind == HybridKind::LzStart && meta.iter == j && meta.part == 1);
    case Phase::LzRestart:
      return kind == HybridKind::LzStart && meta.iter == j && meta.part == 1;
    case Phase::LzRitz:
      return kind == HybridKind::LzRitz;
  }
  return false;
}

std::int64_t HybridCoordinator::expectedCount(const Round& round, int worker) const {
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
    case Phase::LzNext:  // never: onMessage leaves this phase before checking the vector
    case Phase::LzRestart:
      return -1;
  }
  return -1;
}

void HybridCoordinator::notePeak(int worker, double bytes) {
  auto& peak = m_peakBytes[static_cast<std::size_t>(worker)];
  peak = std::max(peak, bytes);
}

void HybridCoordinator::noteGradient(int worker, Link& link) {
  const auto step = static_cast<std::uint64_t>(m_step);
  reportAccepted(link, m_counters[static_cast<std::size_t>(worker)], worker, step, step, step + 1);
}

HybridMeta HybridCoordinator::down(const Link& link, std::int64_t step, std::uint32_t iter,
                                   std::uint32_t part) const {
  return HybridMeta{.step = static_cast<std::uint64_t>(step), .iter = iter, .part = part, .value = link.now()};
}

HybridMeta HybridCoordinator::lz(const Link& link, std::uint32_t part) const {
  return down(link, m_eseStep, static_cast<std::uint32_t>(m_iter), part);
}

void HybridCoordinator::sendRange(Link& link, int first, int count, HybridKind kind, const HybridMeta& meta,
                                  const Vector& values) {
  for (int p = first; p < first + count; ++p) link.send(p, withValues(kind, meta, values));
}

void HybridCoordinator::toTrainers(Link& link, HybridKind kind, const HybridMeta& meta, const Vector& values) {
  sendRange(link, 0, m_setup.trainers, kind, meta, values);
}

void HybridCoordinator::toCurvature(Link& link, HybridKind kind, const HybridMeta& meta, const Vector& values) {
  sendRange(link, m_setup.cFirst, m_setup.curvatureCount, kind, meta, values);
}

void HybridCoordinator::startGradients() {
  for (int p = 0; p < m_setup.trainers; ++p) ++m_counters[static_cast<std::size_t>(p)].jobsSent;
  m_train.reset(Phase::Grad);
}

void HybridCoordinator::beginStep(Link& link) {
  // At the update limit the run stops: no estimate or round is started past it.
  if (m_maxUpdates > 0 && static_cast<std::uint64_t>(m_step) >= m_maxUpdates) return;
  const FosiOptions& fosi = m_setup.dho2.fosi;
  if (m_setup.mr()) {
    // hybrid-order §4.9: install an estimate that arrived, then maybe snapshot.
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
    if (!m_curvatureLost && m_curv.phase == Phase::Idle && m_setup.snapshotDue(m_step, m_lastSnapshot.value_or(-1))) {
      m_lastSnapshot = m_step;
      m_eseStep = m_step;
      toCurvature(link, HybridKind::HySnapshot, down(link, m_step), m_theta);
      beginEstimate(link);
      if (m_setup.stopTheWorld()) {  // training waits for the estimate (completeCurvature starts it)
        m_train.reset(Phase::Idle);
        return;
      }
    }
    startGradients();
    return;
  }
  if (m_setup.curvatureCount > 0 && eseDue(m_step, fosi.warmupSteps(), fosi.period)) {
    m_eseStep = m_step;
    m_train.reset(Phase::Idle);
    beginEstimate(link);
    return;
  }
  startGradients();
}

void HybridCoordinator::finishStep(Link& link) {
  ++m_step;
  if (!m_theta.allFinite()) {
    m_diverged = true;
    return;
  }
  beginStep(link);
}

void HybridCoordinator::beginEstimate(Link& link) {
  const auto ese = static_cast<std::uint64_t>(m_estimates++);
  RandomStream start = lanczosStartStream(m_setup.seed, ese);
  m_restarts.emplace(lanczosRestartStream(m_setup.seed, ese));
  m_iter = 0;
  m_eigenExpected = true;
  toCurvature(link, HybridKind::LzStart, lz(link), lanczosStartVector(m_setup.n, start));
  m_curv.reset(Phase::LzHvp);
}

void HybridCoordinator::onEigen(int worker, const HybridMessage& message) {
  m_eigenExpected = false;
  notePeak(worker, message.meta.value);
  m_pendingEigenvalues = *message.values;
  // Mode S: the workers installed their slices already; here only the metrics change.
  if (m_setup.sharded) install(Eigen::MatrixXd(m_setup.r, 0));
}

void HybridCoordinator::install(const Eigen::MatrixXd& vectors) {
  m_replica.install(vectors, m_pendingEigenvalues);
  m_lambda = m_pendingEigenvalues;
  m_installedSnapshot = m_eseStep;
}

void HybridCoordinator::completeTraining(Link& link) {
  Round& round = m_train;
  const int U = m_setup.trainers;
  switch (round.phase) {
    case Phase::Grad: {
      // Every replica reduces in worker order: bit-identical means.
      Vector mean = Vector::Zero(m_setup.n);
      for (int p = 0; p < U; ++p) mean += round.part(p);
      mean /= static_cast<double>(U);
      if (!m_setup.sharded) {
        toTrainers(link, HybridKind::HyGrad, down(link, m_step), mean);
        const Vector a = m_replica.project(mean);
        m_replica.apply(m_replica.momentumAndBase(a), m_theta);
        round.reset(Phase::Idle);
        finishStep(link);
        return;
      }
      for (int p = 0; p < U; ++p) {
        const auto range = m_setup.segment(p);
        link.send(p, withValues(HybridKind::HyGrad, down(link, m_step), mean.segment(range.begin, range.size())));
      }
      round.reset(m_lambda.size() > 0 ? Phase::ProjA : Phase::Params);
      return;
    }
    case Phase::ProjA:
    case Phase::ProjBq: {
      const bool first = round.phase == Phase::ProjA;
      Vector sum = Vector::Zero(first ? m_setup.r : 2 * m_setup.r);
      for (int p = 0; p < U; ++p) sum += round.part(p);
      toTrainers(link, HybridKind::HyProj, down(link, m_step, first ? 0 : 1), sum);
      round.reset(first ? Phase::ProjBq : Phase::Params);
      return;
    }
    case Phase::Params: {
      for (int p = 0; p < U; ++p) {
        const auto range = m_setup.segment(p);
        m_theta.segment(range.begin, range.size()) = round.part(p);
      }
      toTrainers(link, HybridKind::HyParams, down(link, m_step), m_theta);
      round.reset(Phase::Idle);
      finishStep(link);
      return;
    }
    default:
      return;
  }
}

void HybridCoordinator::completeCurvature(Link& link) {
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
      toCurvature(link, HybridKind::LzHvp, lz(link), w);
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
      toCurvature(link, HybridKind::LzCoef, lz(link, static_cast<std::uint32_t>(m_pass)), summed);
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
      toCurvature(link, HybridKind::LzGather, lz(link), gathered);
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
      toCurvature(link, HybridKind::LzStart, lz(link, 1), candidate);
      m_restarting = true;
      m_pass = 0;
      round.reset(Phase::LzCoef);
      return;
    }
    case Phase::LzRitz: {
      Eigen::MatrixXd vectors(m_setup.r, m_setup.n);
      for (int c = first; c < first + C; ++c) {
        const auto range = m_setup.lanczosSegment(c);
        vectors.middleCols(range.begin, range.size()) = unflattenRows(round.part(c), m_setup.r, range.size());
      }
      round.reset(Phase::Idle);
      if (m_eigenExpected) {
        // The first curvature device sends LZ_EIGEN before its LZ_RITZ on an ordered link.
        m_failure = "worker " + std::to_string(first) + " sent its Ritz slice without the eigenvalues";
        return;
      }
      if (m_setup.mr()) {
        Vector payload(m_setup.r * m_setup.n + m_setup.r);
        payload << flattenRows(vectors), m_pendingEigenvalues;
        toTrainers(link, HybridKind::HyEstimate, down(link, m_eseStep), payload);
        if (m_setup.stopTheWorld()) {
          // The stalled step installs it now, as every trainer does on arrival: staleness 0.
          install(vectors);
          m_staleness.push_back(0);
          startGradients();
          return;
        }
        // Installed by every replica at the same step boundary: the first one after this message.
        m_pending = Estimate{vectors, m_pendingEigenvalues, m_eseStep};
        return;
      }
      install(vectors);
      for (int p = 0; p < m_setup.trainers; ++p)
        if (!m_setup.curvature(p)) link.send(p, withValues(HybridKind::LzEigen, lz(link), m_lambda));
      toTrainers(link, HybridKind::LzRitz, lz(link), flattenRows(vectors));
      startGradients();
      return;
    }
    default:
      return;
  }
}

}  // namespace distopt
