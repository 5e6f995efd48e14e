#include "core/hybrid/hybrid_sim_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "core/problems/problem_params.hpp"
#include "core/run/evaluation_grid.hpp"
#include "core/sim/divergence.hpp"
#include "core/telemetry/evaluation.hpp"
#include "core/telemetry/run_tally.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

// An estimate computed on a snapshot, waiting to be installed (MR-DHO2), or installed.
struct Estimate {
  Eigen::MatrixXd vectors;  // r × n (assembled)
  std::vector<LanczosResult> slices;
  Vector eigenvalues;
  std::int64_t snapshotStep = 0;
  double availableAt = 0.0;
};

}  // namespace

bool HybridRunOptions::isValid(int workers, Eigen::Index n, std::string* why) const {
  auto fail = [&](const std::string& message) {
    if (why) *why = message;
    return false;
  };
  if (!dho2.isValid(why)) return false;
  if (method != HybridMethod::Baseline) {
    if (dho2.fosi.k < 1)
      return fail("k: must be >= 1 (use dist-sgdm / dist-adam for the plain base optimizer)");
    std::string lanczosWhy;
    if (!dho2.fosi.lanczosOptions(n).isValid(n, &lanczosWhy)) return fail(lanczosWhy);
  }
  if (!(hvpCost > 0.0) || !std::isfinite(hvpCost)) return fail("hvp_cost: must be > 0");
  if (!(eseBatchRatio > 0.0) || !std::isfinite(eseBatchRatio)) return fail("ese_batch_ratio: must be > 0");
  if (eseBatch < 0) return fail("ese_batch: must be >= 0");
  const int devices =
      method == HybridMethod::MrDho2 ? curvatureCount(workers) : (method == HybridMethod::Dho2 ? workers : 1);
  if (eseBatch > 0 && eseBatch < devices)
    return fail("ese_batch: must be at least the number of curvature devices (" + std::to_string(devices) +
                ")");
  if (method == HybridMethod::MrDho2) {
    if (workers < 2) return fail("curvature_workers: MR-DHO2 needs at least 2 workers (U >= 1, C >= 1)");
    if (curvatureWorkers < 0 || curvatureWorkers >= workers)
      return fail("curvature_workers: must be in [1, workers - 1] (0 = max(1, round(workers / 4)))");
    if (snapshotPeriod && *snapshotPeriod < 0) return fail("T_snap: must be >= 0");
    if (maxStaleness && *maxStaleness < 0) return fail("max_staleness: must be >= 0");
  }
  return true;
}

double HybridRunOptions::hvpScale(int trainers, int curvatureDevices) const {
  const bool root = dho2.hvpMode == HvpMode::RootBroadcast;
  return hvpCost * eseBatchRatio * static_cast<double>(trainers) / static_cast<double>(curvatureDevices) *
         (root ? curvatureDevices : 1);
}

void HybridRunOptions::eseHessianVectorProduct(const Problem& problem, int devices, int device,
                                               const Vector& x, const Vector& v, Vector& out) const {
  const std::int64_t samples = eseBatch > 0 ? eseBatch : problem.numSamples();
  if (!problem.hasBatchHessianVectorProduct() || samples <= 0) {
    DISTOPT_CHECK_MSG(eseBatch == 0, "ese_batch needs a problem with per-batch Hessian-vector products");
    problem.hessianVectorProduct(x, v, out);
    return;
  }
  DISTOPT_CHECK(samples <= problem.numSamples() && samples >= devices && device >= 0 && device < devices);
  if (dho2.hvpMode == HvpMode::RootBroadcast) {
    problem.batchHessianVectorProduct(x, v, 0, samples, out);
    return;
  }
  const SegmentRange share = segmentRange(samples, devices, device);
  problem.batchHessianVectorProduct(x, v, share.begin, share.size(), out);
}

int HybridRunOptions::curvatureCount(int workers) const {
  if (curvatureWorkers > 0) return curvatureWorkers;
  return std::max(1, static_cast<int>(std::lround(workers / 4.0)));
}

class HybridSimRun::Impl {
 public:
  Impl(const HybridRunOptions& options, const SimRunContext& context)
      : m_options(options), m_context(context) {
    DISTOPT_CHECK(context.problem && context.shards && context.timeModel);
    m_shards = *context.shards;
    m_n = context.problem->dimension();
    const int total = context.numWorkers;
    const HybridMethod method = options.method;
    m_trainers = method == HybridMethod::MrDho2 ? total - options.curvatureCount(total) : total;
    m_curvatureFirst = method == HybridMethod::MrDho2 ? m_trainers : 0;
    m_curvatureCount =
        method == HybridMethod::MrDho2 ? total - m_trainers : (method == HybridMethod::Fosi ? 1 : total);
    m_dho2 = options.dho2;
    if (method != HybridMethod::Dho2) m_dho2.updateMode = UpdateMode::Replicated;
    if (method == HybridMethod::Baseline) m_dho2.fosi.k = 0, m_dho2.fosi.l = 0;
    m_theta = context.x0;
    m_jobs.assign(static_cast<std::size_t>(total), 0);
    m_r = m_dho2.fosi.k + m_dho2.fosi.l;
    // Update roles: mode S one per worker; replicated modes keep one replica (all replicas receive the
    // same inputs and compute the same bits, so one stands for all of them).
    const int updateParts = m_dho2.updateMode == UpdateMode::Sharded ? m_trainers : 1;
    for (int p = 0; p < updateParts; ++p) m_updaters.emplace_back(m_dho2, m_n, updateParts, p);
    if (method != HybridMethod::Baseline)
      for (int c = 0; c < m_curvatureCount; ++c)
        m_curvature.push_back(std::make_unique<Dho2Worker>(m_dho2, m_n, m_curvatureCount, c));
  }

  RunSummary run(TelemetrySink& sink, const std::function<bool()>& stopRequested) {
    m_sink = &sink;
    const auto wallStart = std::chrono::steady_clock::now();
    const RunRules& sim = m_context.options;
    RunSummary summary;
    summary.algorithm = m_options.name;
    summary.engine = "sim";
    summary.workers = m_context.numWorkers;
    Termination termination = Termination::UpdateLimit;
    EvaluationGrid grid(sim);
    const EvaluationGrid::Evaluate verdictAt = [this](double time) { return verdict(time); };
    bool done = evaluate(0.0);
    if (done) termination = Termination::TargetReached;
    for (int p = 0; p < m_context.numWorkers; ++p) charge(p, false, "HY_BEGIN", -1);
    const std::int64_t warmup = m_dho2.fosi.warmupSteps();
    const std::int64_t period = m_dho2.fosi.period;
    Vector mean(m_n);
    Vector g(m_n);
    while (!done) {
      if (stopRequested()) {
        termination = Termination::Stopped;
        break;
      }
      const std::int64_t t = m_step;
      double start = m_now;
      // Curvature (hybrid-order §2.2 / §4.8 / §4.9).
      if (m_options.method == HybridMethod::Fosi || m_options.method == HybridMethod::Dho2) {
        if (eseDue(t, warmup, period)) {
          Estimate estimate = estimateAt(t, start);
          start = estimate.availableAt;  // training stalls while the estimate runs
          install(estimate, t);
        }
      } else if (m_options.method == HybridMethod::MrDho2) {
        if (m_pending && (m_options.stopTheWorld || m_pending->availableAt <= start)) {
          start = std::max(start, m_pending->availableAt);
          const std::int64_t staleness = t - m_pending->snapshotStep;
          if (!m_options.maxStaleness || staleness <= *m_options.maxStaleness) {
            install(*m_pending, t);
            m_staleness.push_back(staleness);
          }
          m_pending.reset();
        }
        const std::int64_t snapshotPeriod = m_options.snapshotPeriod.value_or(period);
        if (!m_pending && t + 1 >= warmup && (!m_lastSnapshot || t - *m_lastSnapshot >= snapshotPeriod)) {
          chargeSnapshot(start);
          m_pending = estimateAt(t, start);
          m_lastSnapshot = t;
          if (m_options.stopTheWorld) {
            start = m_pending->availableAt;
            install(*m_pending, t);
            m_staleness.push_back(0);
            m_pending.reset();
          }
        }
      }
      // Gradients: every training worker on its shard; the step ends with the slowest.
      double end = start;
      mean.setZero();
      for (int p = 0; p < m_trainers; ++p) {
        const double duration =
            m_context.timeModel->duration(p, m_jobs[static_cast<std::size_t>(p)]++, start);
        end = std::max(end, start + duration);
        RandomStream stream(StreamKey{.runSeed = sim.seed,
                                      .purpose = StreamPurpose::Gradient,
                                      .worker = static_cast<std::uint64_t>(p),
                                      .job = static_cast<std::uint64_t>(t)});
        m_context.problem->stochasticGradient(m_theta, m_shards[static_cast<std::size_t>(p)], stream, g);
        mean += g;
      }
      mean /= static_cast<double>(m_trainers);
      if (!std::isfinite(end) || end > sim.horizon) {
        termination = Termination::TimeLimit;
        break;
      }
      if (const auto ended = terminationOf(grid.walkBefore(end, verdictAt))) {
        termination = *ended;
        break;
      }
      m_now = end;
      applyStep(mean);
      ++m_step;
      m_tally.gradients += static_cast<std::uint64_t>(m_trainers);  // one per training worker (HVPs are not)
      chargeStep(t);
      flushBandwidth();
      if (!m_theta.allFinite()) {
        termination = Termination::Diverged;
        break;
      }
      if (sim.evalEveryUpdates > 0 && static_cast<std::uint64_t>(m_step) % sim.evalEveryUpdates == 0) {
        if (const auto ended = terminationOf(verdict(m_now))) {
          termination = *ended;
          break;
        }
      }
      if (const auto spentRule = budgetSpent(sim, spent())) {
        termination = *spentRule;
        done = true;
      }
    }
    double endTime = m_now;
    if (termination == Termination::TimeLimit) {
      const RunEnd runEnd = grid.closeAtHorizon(m_now, verdictAt);
      termination = runEnd.termination;
      endTime = runEnd.time;
    }
    const auto steps = static_cast<std::uint64_t>(m_step);
    if (finalEvaluationDue(m_tally.haveEvaluation, m_tally.lastEvaluation, endTime, steps)) evaluate(endTime);
    if (!std::isfinite(m_tally.lastEvaluation.loss) || !m_theta.allFinite())
      termination = Termination::Diverged;

    WorkCounters totals;
    totals.jobsSent = totals.arrivals = totals.accepted = steps * static_cast<std::uint64_t>(m_trainers);
    m_tally.fill(summary, totals, steps, termination, endTime);
    summary.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
    sink.onFinish(summary);
    return summary;
  }

  const Vector& model() const { return m_theta; }
  /// The counted budgets: every training worker computes one stochastic gradient per step (curvature
  /// work, Hessian-vector products, is not counted as gradients).
  BudgetFacts spent() const { return m_tally.spent(static_cast<std::uint64_t>(m_step)); }
  std::vector<std::int64_t> curvatureBytesPeak() const {
    std::vector<std::int64_t> bytes(static_cast<std::size_t>(m_context.numWorkers), 0);
    for (int p = 0; p < m_context.numWorkers; ++p) bytes[static_cast<std::size_t>(p)] = peakValues(p) * 8;
    return bytes;
  }
  const std::vector<std::int64_t>& staleness() const { return m_staleness; }

 private:
  // Peak curvature doubles of worker p: its update role (a replica in modes R) plus its curvature role.
  std::int64_t peakValues(int p) const {
    std::int64_t values = 0;
    const bool trains = p < m_trainers;
    if (trains) {
      const std::size_t u = m_updaters.size() == 1 ? 0 : static_cast<std::size_t>(p);
      values += m_updaters[u].peakStoredValues();
    }
    const int c = p - m_curvatureFirst;
    if (c >= 0 && c < static_cast<int>(m_curvature.size())) {
      // The curvature role's own update state is unused; only its Lanczos storage counts.
      values += m_curvature[static_cast<std::size_t>(c)]->peakStoredValues() -
                m_curvature[static_cast<std::size_t>(c)]->update().storedValues();
      if (m_options.method != HybridMethod::MrDho2 && m_dho2.updateMode == UpdateMode::Replicated)
        values += static_cast<std::int64_t>(m_r) * m_n;  // mode R: the all-gather buffer of the Ritz vectors
    }
    return values;
  }

  // `values` < 0: a message without a vector frame.
  void charge(int worker, bool up, const char* kind, std::int64_t values) {
    const std::uint64_t bytes = hybridMessageBytes(values);
    auto& entry = m_bandwidth[std::make_tuple(worker, up, std::string(kind))];
    entry.first += bytes;
    entry.second += 1;
    m_dirty[std::make_tuple(worker, up, std::string(kind))] = true;
    (up ? m_tally.bytesUp : m_tally.bytesDown) += bytes;
  }

  void flushBandwidth() {
    for (const auto& [key, flag] : m_dirty) {
      (void)flag;
      const auto& entry = m_bandwidth[key];
      BandwidthSample sample;
      sample.time = m_now;
      sample.worker = std::get<0>(key);
      sample.uplink = std::get<1>(key);
      sample.kind = std::get<2>(key);
      sample.bytes = entry.first;
      sample.messages = entry.second;
      m_sink->onBandwidth(sample);
    }
    m_dirty.clear();
  }

  // The coordinator holds a replica of θ, so the snapshot only goes down (PROTOCOL.md §12).
  void chargeSnapshot(double /*time*/) {
    for (int c = 0; c < m_curvatureCount; ++c) charge(m_curvatureFirst + c, false, "HY_SNAPSHOT", m_n);
  }

  // Runs the distributed Lanczos on the curvature roles at θ (hybrid-order §4.3), charging its messages and
  // its virtual duration from `start`.
  Estimate estimateAt(std::int64_t t, double start) {
    const Problem& problem = m_options.curvatureProblem ? *m_options.curvatureProblem : *m_context.problem;
    const Vector theta = m_theta;
    const std::uint64_t ese = m_estimates++;
    RandomStream startStream = lanczosStartStream(m_context.options.seed, ese);
    RandomStream restartStream = lanczosRestartStream(m_context.options.seed, ese);
    const Vector q0 = lanczosStartVector(m_n, startStream);
    const int parts = m_curvatureCount;
    const bool root = m_dho2.hvpMode == HvpMode::RootBroadcast;
    const double hvpScale = m_options.hvpScale(m_trainers, parts);
    for (auto& worker : m_curvature) worker->beginEstimate(q0);
    for (int c = 0; c < parts; ++c) charge(m_curvatureFirst + c, false, "LZ_START", m_n);
    double now = start;
    Vector w(m_n);
    Vector share(m_n);
    Vector gathered(m_n);
    auto lanczosOf = [&](int c) -> LanczosSegment& {
      return m_curvature[static_cast<std::size_t>(c)]->lanczos();
    };
    auto orthogonaliseAndGather = [&]() {
      const int j = lanczosOf(0).iteration();
      for (int pass = 0; pass < 2; ++pass) {
        Vector summed = lanczosOf(0).coefficients();
        for (int c = 1; c < parts; ++c) summed += lanczosOf(c).coefficients();
        for (int c = 0; c < parts; ++c) {
          lanczosOf(c).subtractCoefficients(summed);
          charge(m_curvatureFirst + c, true, "LZ_COEF", j + 1);
          charge(m_curvatureFirst + c, false, "LZ_COEF", j + 1);
        }
      }
      for (int c = 0; c < parts; ++c) {
        const auto range = lanczosOf(c).range();
        gathered.segment(range.begin, range.size()) = lanczosOf(c).residualSegment();
        charge(m_curvatureFirst + c, true, "LZ_GATHER", range.size());
        charge(m_curvatureFirst + c, false, "LZ_GATHER", m_n);
      }
    };
    for (;;) {
      double slowest = 0.0;
      for (int c = 0; c < parts; ++c) {
        const int worker = m_curvatureFirst + c;
        slowest = std::max(slowest, hvpScale * m_context.timeModel->duration(
                                                   worker, m_jobs[static_cast<std::size_t>(worker)]++, now));
        if (!root || c == 0) charge(worker, true, "LZ_HVP", m_n);
        charge(worker, false, "LZ_HVP", m_n);
      }
      now += slowest;
      // The live coordinator's reduction (PROTOCOL.md §12.4), in the same order: bit-identical products.
      if (root) {
        m_options.eseHessianVectorProduct(problem, parts, 0, theta, lanczosOf(0).currentVector(), w);
      } else {
        w.setZero();
        for (int c = 0; c < parts; ++c) {
          m_options.eseHessianVectorProduct(problem, parts, c, theta, lanczosOf(0).currentVector(), share);
          w += share;
        }
        w /= static_cast<double>(parts);
      }
      bool finished = false;
      for (int c = 0; c < parts; ++c) finished = lanczosOf(c).acceptHvp(w);
      if (finished) break;
      orthogonaliseAndGather();
      bool ok = true;
      for (int c = 0; c < parts; ++c) ok = lanczosOf(c).acceptGathered(gathered) && ok;
      if (!ok) {
        const Vector candidate = lanczosStartVector(m_n, restartStream);
        for (int c = 0; c < parts; ++c) {
          charge(m_curvatureFirst + c, true, "LZ_START", -1);  // the restart request
          lanczosOf(c).beginRestart(candidate);
          charge(m_curvatureFirst + c, false, "LZ_START", m_n);
        }
        orthogonaliseAndGather();
        for (int c = 0; c < parts; ++c) lanczosOf(c).acceptRestart(gathered);
      }
    }
    Estimate estimate;
    estimate.snapshotStep = t;
    estimate.availableAt = now;
    estimate.vectors.resize(m_r, m_n);
    for (int c = 0; c < parts; ++c) {
      LanczosResult slice = m_curvature[static_cast<std::size_t>(c)]->finishEstimate();
      const auto range = segmentRange(m_n, parts, c);
      estimate.vectors.middleCols(range.begin, range.size()) = slice.vectors;
      if (c == 0) estimate.eigenvalues = slice.eigenvalues;
      estimate.slices.push_back(std::move(slice));
    }
    // The messages of PROTOCOL.md §12.4 step 6: the eigenvalues (the coordinator's metrics, and the
    // replicas that did not solve T), the Ritz slices, and the assembled vectors to every replica.
    const bool mr = m_options.method == HybridMethod::MrDho2;
    const bool sharded = m_dho2.updateMode == UpdateMode::Sharded;
    charge(m_curvatureFirst, true, "LZ_EIGEN", m_r);
    for (int c = 0; c < parts; ++c)
      if (mr || !sharded)
        charge(m_curvatureFirst + c, true, "LZ_RITZ", m_r * segmentRange(m_n, parts, c).size());
    for (int p = 0; p < m_trainers; ++p) {
      if (mr) {
        charge(p, false, "HY_ESTIMATE", m_r * m_n + m_r);
      } else if (!sharded) {
        if (p < m_curvatureFirst || p >= m_curvatureFirst + parts) charge(p, false, "LZ_EIGEN", m_r);
        charge(p, false, "LZ_RITZ", m_r * m_n);
      }
    }
    return estimate;
  }

  void install(const Estimate& estimate, std::int64_t t) {
    if (m_dho2.updateMode == UpdateMode::Sharded) {
      for (std::size_t p = 0; p < m_updaters.size(); ++p)
        m_updaters[p].install(estimate.slices[p].vectors, estimate.eigenvalues);
    } else {
      m_updaters[0].install(estimate.vectors, estimate.eigenvalues);
    }
    m_installedSnapshot = estimate.snapshotStep;
    m_installStep = t;
    m_lambda = estimate.eigenvalues;
  }

  void applyStep(const Vector& mean) {
    const Eigen::Index r = m_r;
    if (m_dho2.updateMode == UpdateMode::Replicated) {
      FosiSegment& update = m_updaters[0].update();
      const Vector a = update.project(mean);
      update.apply(update.momentumAndBase(a), m_theta);
      return;
    }
    Vector a = Vector::Zero(m_updaters[0].update().hasEstimate() ? r : 0);
    for (auto& worker : m_updaters) {
      const auto range = worker.updateRange();
      a += worker.update().project(mean.segment(range.begin, range.size()));
    }
    Vector bq = Vector::Zero(2 * a.size());
    for (auto& worker : m_updaters) bq += worker.update().momentumAndBase(a);
    for (auto& worker : m_updaters) {
      const auto range = worker.updateRange();
      worker.update().apply(bq, m_theta.segment(range.begin, range.size()));
    }
  }

  void chargeStep(std::int64_t t) {
    const bool sharded = m_dho2.updateMode == UpdateMode::Sharded;
    for (int p = 0; p < m_trainers; ++p) {
      const auto s = segmentRange(m_n, m_trainers, p).size();
      charge(p, true, "HY_GRAD", m_n);
      UpdateEvent event;
      event.time = m_now;
      event.worker = p;
      event.jobId = static_cast<std::uint64_t>(t);
      event.jobVersion = static_cast<std::uint64_t>(t);
      event.versionAfter = static_cast<std::uint64_t>(t + 1);
      event.bytes = hybridMessageBytes(m_n);
      m_sink->onUpdate(event);
      if (!sharded) {
        charge(p, false, "HY_GRAD", m_n);
        continue;
      }
      charge(p, false, "HY_GRAD", s);
      if (m_updaters[0].update().hasEstimate()) {
        charge(p, true, "HY_PROJ", m_r);
        charge(p, false, "HY_PROJ", m_r);
        charge(p, true, "HY_PROJ", 2 * m_r);
        charge(p, false, "HY_PROJ", 2 * m_r);
      }
      charge(p, true, "HY_PARAMS", s);
      charge(p, false, "HY_PARAMS", m_n);
    }
  }

  /// Evaluates at `time`: whether the run ends there (diverged, or the target met).
  Verdict verdict(double time) {
    if (!evaluate(time)) return Verdict::GoOn;
    return m_diverged ? Verdict::Diverged : Verdict::TargetReached;
  }

  bool evaluate(double time) {
    const RunRules& sim = m_context.options;
    EvaluationRequest request{.time = time,
                              .updates = static_cast<std::uint64_t>(m_step),
                              .bytesUp = m_tally.bytesUp,
                              .bytesDown = m_tally.bytesDown,
                              .gradNorm = sim.evalGradNorm || sim.targetGradNormSq.has_value(),
                              .accuracy = sim.evalAccuracy};
    EvaluationPoint point = evaluateModel(*m_context.problem, m_theta, request, m_scratch);
    if (m_options.method != HybridMethod::Baseline) {
      if (m_lambda.size() > 0) {
        const int l = m_dho2.fosi.l;
        point.metrics["lambda_max"] = m_lambda(m_lambda.size() - 1);
        point.metrics["lambda_k"] = m_lambda(l);
        // The top-k Ritz values, largest first (m_lambda holds the bottom l, then the top k, ascending).
        const int k = m_dho2.fosi.k;
        for (int j = 0; j < k && j < m_lambda.size(); ++j)
          point.metrics["eigenvalue." + std::to_string(j)] = m_lambda(m_lambda.size() - 1 - j);
        point.metrics["curvature_age"] = static_cast<double>(m_step - m_installedSnapshot);
        point.metrics["base_scale_c"] = m_updaters[0].update().scale();
      }
      point.metrics["ese_count"] = static_cast<double>(m_estimates);
      std::int64_t peak = 0;
      for (int p = 0; p < m_context.numWorkers; ++p) {
        const std::int64_t values = peakValues(p);
        peak = std::max(peak, values);
        point.metrics["curvature_memory_bytes." + std::to_string(p)] = static_cast<double>(values * 8);
      }
      point.metrics["curvature_memory_bytes_max"] = static_cast<double>(peak * 8);
      if (!m_staleness.empty()) point.metrics["staleness_last"] = static_cast<double>(m_staleness.back());
    }
    m_sink->onEvaluation(point);
    if (m_divergence.note(point)) {
      m_tally.lastEvaluation = point;  // kept, but a diverged point meets no target
      m_tally.haveEvaluation = true;
      m_diverged = true;
      return true;
    }
    return m_tally.noteEvaluation(point, sim.targetGap, sim.targetGradNormSq);
  }

  HybridRunOptions m_options;
  SimRunContext m_context;
  std::vector<Shard> m_shards;
  Dho2Options m_dho2;
  TelemetrySink* m_sink = nullptr;
  Eigen::Index m_n = 0;
  int m_trainers = 1;
  int m_curvatureFirst = 0;
  int m_curvatureCount = 0;
  int m_r = 0;
  std::vector<Dho2Worker> m_updaters;
  std::vector<std::unique_ptr<Dho2Worker>> m_curvature;
  std::vector<std::uint64_t> m_jobs;
  Vector m_theta;
  Vector m_scratch;
  Vector m_lambda;
  double m_now = 0.0;
  std::int64_t m_step = 0;
  std::uint64_t m_estimates = 0;
  std::int64_t m_installedSnapshot = 0;
  std::int64_t m_installStep = 0;
  std::optional<Estimate> m_pending;
  std::optional<std::int64_t> m_lastSnapshot;
  std::vector<std::int64_t> m_staleness;
  std::map<std::tuple<int, bool, std::string>, std::pair<std::uint64_t, std::uint64_t>> m_bandwidth;
  std::map<std::tuple<int, bool, std::string>, bool> m_dirty;
  RunTally m_tally;  ///< bytes, gradients, the latest evaluation, time to target
  bool m_diverged = false;
  DivergenceWatch m_divergence;  ///< the simulator's rule (core/sim/divergence.hpp)
};

HybridSimRun::HybridSimRun(const HybridRunOptions& options, const SimRunContext& context)
    : m_impl(std::make_unique<Impl>(options, context)) {}
HybridSimRun::~HybridSimRun() = default;
RunSummary HybridSimRun::run(TelemetrySink& sink) {
  return m_impl->run(sink, [this] { return stopRequested(); });
}
const Vector& HybridSimRun::model() const { return m_impl->model(); }
std::vector<std::int64_t> HybridSimRun::curvatureBytesPeak() const { return m_impl->curvatureBytesPeak(); }
const std::vector<std::int64_t>& HybridSimRun::stalenessLog() const { return m_impl->staleness(); }

}  // namespace distopt
