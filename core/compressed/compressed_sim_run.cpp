#include "core/compressed/compressed_sim_run.hpp"

#include <chrono>
#include <cmath>
#include <map>
#include <tuple>

#include "core/codec/sparse_codec.hpp"
#include "core/compressed/round_stats.hpp"
#include "core/run/evaluation_grid.hpp"
#include "core/sim/divergence.hpp"
#include "core/telemetry/evaluation.hpp"
#include "core/telemetry/run_tally.hpp"
#include "core/util/check.hpp"
#include "core/worker/job_compute.hpp"

namespace distopt {

CompressedSimRun::CompressedSimRun(const CompressedMethod& method, const SimRunContext& context,
                                   std::uint64_t replicaCheckEvery)
    : m_name(method.name),
      m_context(context),
      m_replicaCheckEvery(replicaCheckEvery) {
  DISTOPT_CHECK(context.problem && context.timeModel && context.shards);
  DISTOPT_CHECK(static_cast<int>(context.shards->size()) == context.numWorkers);
  m_server = method.makeServer();
  for (int m = 0; m < context.numWorkers; ++m) m_workers.push_back(method.makeWorker(m));
}

namespace {

struct Traffic {
  std::uint64_t bytes = 0;
  std::uint64_t messages = 0;
  bool changed = false;
};

}  // namespace

RunSummary CompressedSimRun::run(TelemetrySink& sink) {
  const auto wallStart = std::chrono::steady_clock::now();
  const Problem& problem = *m_context.problem;
  const RunRules& options = m_context.options;
  const int workers = m_context.numWorkers;

  RunTally tally;  // bytes, gradients, the latest evaluation, time to target
  CompressedRoundStats stats(static_cast<std::uint64_t>(problem.dimension()), workers);
  std::map<std::tuple<int, bool, std::string>, Traffic> traffic;
  const EvaluationPoint& last = tally.lastEvaluation;
  std::uint64_t round = 0;
  double now = 0.0;
  Vector gradient;
  Vector scratch;
  Vector evalScratch;

  auto count = [&](int worker, bool uplink, const std::string& kind, std::uint64_t bytes) {
    Traffic& entry = traffic[{worker, uplink, kind}];
    entry.bytes += bytes;
    entry.messages += 1;
    entry.changed = true;
  };

  auto evaluate = [&](double t) {
    EvaluationRequest request{.time = t,
                              .updates = round,
                              .bytesUp = tally.bytesUp,
                              .bytesDown = tally.bytesDown,
                              .gradNorm = options.evalGradNorm || options.targetGradNormSq.has_value(),
                              .accuracy = options.evalAccuracy};
    EvaluationPoint point = evaluateModel(problem, m_server->model(), request, evalScratch);
    stats.takeMetrics(point.metrics);
    sink.onEvaluation(point);
    for (auto& [key, entry] : traffic) {
      if (!entry.changed) continue;
      entry.changed = false;
      sink.onBandwidth(BandwidthSample{.time = t,
                                       .worker = std::get<0>(key),
                                       .uplink = std::get<1>(key),
                                       .kind = std::get<2>(key),
                                       .bytes = entry.bytes,
                                       .messages = entry.messages});
    }
    return tally.noteEvaluation(point, options.targetGap, options.targetGradNormSq);
  };
  // The simulator's rule (core/sim/divergence.hpp): not finite, or far beyond where it started.
  DivergenceWatch divergence;
  auto nonFinite = [&] { return divergence.note(last); };
  auto verdictAt = [&](double t) {
    const bool met = evaluate(t);
    if (nonFinite()) return Verdict::Diverged;
    return met ? Verdict::TargetReached : Verdict::GoOn;
  };

  EvaluationGrid grid(options);
  std::uint64_t lastEvalRound = 0;
  Termination termination = Termination::Stalled;
  std::string detail;
  bool done = evaluate(0.0);
  if (done) termination = Termination::TargetReached;
  std::vector<double> durations(static_cast<std::size_t>(workers));

  while (!done) {
    if (stopRequested()) {
      termination = Termination::Stopped;
      break;
    }
    double end = now;
    for (int m = 0; m < workers; ++m) {
      durations[static_cast<std::size_t>(m)] = jobDuration(*m_context.timeModel, m, round, 1, now);
      end = std::max(end, now + durations[static_cast<std::size_t>(m)]);
    }
    if (!std::isfinite(end)) {
      termination = Termination::Stalled;
      detail = "a worker never finishes its round";
      break;
    }
    if (end > options.horizon) {
      termination = Termination::TimeLimit;
      break;
    }
    if (const auto ended = terminationOf(grid.walkBefore(end, verdictAt))) {
      termination = *ended;
      break;
    }

    bool diverged = false;
    std::string why;
    for (int m = 0; m < workers && !diverged; ++m) {
      CompressedWorker& worker = *m_workers[static_cast<std::size_t>(m)];
      jobGradient(problem, (*m_context.shards)[static_cast<std::size_t>(m)], options.seed, m, round, 1, worker.model(),
                  gradient, scratch);
      ++tally.gradients;
      if (!gradient.allFinite()) {  // compressed-sgd §3.2: non-finite gradients are never sent
        diverged = true;
        break;
      }
      const EncodedMessage up = worker.compress(gradient, round);
      DISTOPT_CHECK_MSG(m_server->receive(m, up, &why), why.c_str());
      stats.addUplink(up);
      tally.bytesUp += up.wireBytes();
      count(m, true, bandwidthKind(up.codec, true), up.wireBytes());
      UpdateEvent event;
      event.time = end;
      event.worker = m;
      event.jobId = round;
      event.jobVersion = round;
      event.delay = 0;
      event.outcome = Outcome::Accepted;
      event.versionAfter = round + 1;
      event.age = durations[static_cast<std::size_t>(m)];
      event.bytes = up.wireBytes();
      sink.onUpdate(event);
    }
    if (diverged) {
      termination = Termination::Diverged;
      detail = "non-finite stochastic gradient";
      now = end;
      break;
    }
    RoundReport report;
    const EncodedMessage down = m_server->finishRound(round, report);
    for (int m = 0; m < workers; ++m) {
      DISTOPT_CHECK_MSG(m_workers[static_cast<std::size_t>(m)]->applyDownlink(down, round, &why),
                        why.c_str());
      tally.bytesDown += down.wireBytes();
      count(m, false, bandwidthKind(down.codec, false), down.wireBytes());
    }
    stats.addRound(down, report);
    ++round;
    now = end;

    if (m_replicaCheckEvery > 0 && round % m_replicaCheckEvery == 0) {
      const std::uint64_t serverHash = modelHash(m_server->model());
      for (int m = 0; m < workers; ++m) {
        tally.bytesUp += kCompressedHeaderSize + 8;
        count(m, true, "HASH", kCompressedHeaderSize + 8);
        if (modelHash(m_workers[static_cast<std::size_t>(m)]->model()) != serverHash) {
          termination = Termination::Failed;
          detail = "replica of worker " + std::to_string(m) + " differs from the server's model";
          done = true;
        }
      }
      if (done) break;
    }
    if (!m_server->model().allFinite()) {
      termination = Termination::Diverged;
      detail = "non-finite model";
      break;
    }
    if (options.evalEveryUpdates > 0 && round - lastEvalRound >= options.evalEveryUpdates) {
      lastEvalRound = round;
      if (const auto ended = terminationOf(verdictAt(now))) {
        termination = *ended;
        break;
      }
    }
    if (const auto spent = budgetSpent(options, tally.spent(round))) {
      termination = *spent;
      done = true;
    }
  }

  double endTime = now;
  if (termination == Termination::TimeLimit) {
    const RunEnd runEnd = grid.closeAtHorizon(now, verdictAt);
    termination = runEnd.termination;
    endTime = runEnd.time;
  }
  // The family's own reason for one more: the metrics window holds rounds no evaluation has reported yet.
  if (finalEvaluationDue(tally.haveEvaluation, last, endTime, round) || stats.windowRounds() > 0)
    evaluate(endTime);
  if (termination != Termination::Diverged && nonFinite()) termination = Termination::Diverged;

  RunSummary summary;
  summary.algorithm = m_name;
  summary.engine = "sim";
  summary.workers = workers;
  WorkCounters totals;
  totals.jobsSent = totals.arrivals = totals.accepted = round * static_cast<std::uint64_t>(workers);
  tally.fill(summary, totals, round, termination, endTime);
  summary.terminationDetail = detail;
  summary.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
  sink.onFinish(summary);
  return summary;
}

}  // namespace distopt
