#include "core/algorithms/server.hpp"

#include <algorithm>
#include <cmath>

#include "core/util/check.hpp"

namespace distopt {

const char* outcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::Accepted: return "accepted";
    case Outcome::Discarded: return "discarded";
    case Outcome::Cancelled: return "cancelled";
    case Outcome::LateCancelled: return "late_cancelled";
  }
  return "unknown";
}

WorkCounters& WorkCounters::operator+=(const WorkCounters& other) {
  jobsSent += other.jobsSent;
  arrivals += other.arrivals;
  accepted += other.accepted;
  discarded += other.discarded;
  cancelled += other.cancelled;
  lateCancelled += other.lateCancelled;
  lost += other.lost;
  return *this;
}

AsyncServer::AsyncServer(int numWorkers, Vector x0)
    : m_x(std::move(x0)), m_workers(numWorkers), m_aliveWorkers(numWorkers) {
  DISTOPT_CHECK(numWorkers >= 1);
  m_candidate.resize(m_x.size());
}

WorkCounters AsyncServer::totals() const {
  WorkCounters total;
  for (const auto& worker : m_workers) total += worker.counters;
  return total;
}

void AsyncServer::start(ActionSink& sink) { onStart(sink); }

void AsyncServer::receive(const GradientArrival& arrival, ActionSink& sink) {
  DISTOPT_CHECK(arrival.worker >= 0 && arrival.worker < numWorkers());
  WorkerState& worker = m_workers[arrival.worker];
  if (!worker.busy || arrival.jobId != worker.jobId) {
    // A job the server already cancelled (spec §2.0): not an arrival, not in the delay histogram.
    ++worker.counters.lateCancelled;
    sink.record({.worker = arrival.worker,
                 .jobId = arrival.jobId,
                 .jobVersion = arrival.version,
                 .delay = static_cast<std::int64_t>(m_version) - static_cast<std::int64_t>(arrival.version),
                 .outcome = Outcome::LateCancelled,
                 .versionAfter = m_version});
    return;
  }
  DISTOPT_CHECK_MSG(arrival.version == worker.version, "a GRAD must echo the version of its JOB");
  worker.busy = false;
  --m_inFlight;
  ++worker.counters.arrivals;
  const auto delay = static_cast<std::int64_t>(m_version - arrival.version);
  onGradient(arrival, delay, sink);
}

void AsyncServer::removeWorker(int worker, ActionSink& sink) {
  DISTOPT_CHECK(worker >= 0 && worker < numWorkers());
  WorkerState& state = m_workers[worker];
  if (!state.alive) return;
  state.alive = false;
  --m_aliveWorkers;
  if (state.busy) {
    state.busy = false;
    --m_inFlight;
    ++state.counters.lost;
  }
  onWorkerRemoved(worker, sink);
}

void AsyncServer::issueJob(int worker, ActionSink& sink, int gradients) {
  WorkerState& state = m_workers[worker];
  if (!state.alive) return;
  DISTOPT_CHECK_MSG(!state.busy, "a worker holds at most one job; cancel it first");
  state.jobId = state.nextJobId++;
  state.version = m_version;
  state.busy = true;
  ++m_inFlight;
  ++state.counters.jobsSent;
  sink.sendJob({.worker = worker, .jobId = state.jobId, .version = m_version, .gradients = gradients});
}

void AsyncServer::cancelJob(int worker, ActionSink& sink) {
  WorkerState& state = m_workers[worker];
  DISTOPT_CHECK(state.busy);
  state.busy = false;
  --m_inFlight;
  ++state.counters.cancelled;
  sink.cancelJob(worker, state.jobId);
  sink.record({.worker = worker,
               .jobId = state.jobId,
               .jobVersion = state.version,
               .delay = static_cast<std::int64_t>(m_version - state.version),
               .outcome = Outcome::Cancelled,
               .versionAfter = m_version});
}

void AsyncServer::applyStep(const Eigen::Ref<const Vector>& direction, double step) {
  DISTOPT_CHECK(direction.size() == m_x.size());
  const Eigen::Index d = m_x.size();
  double* mirror = m_mirror ? m_mirror->mirrorStorage(m_version + 1) : nullptr;
  // Block by block, so the mirror copy reads the block from L1 instead of memory; the same blocks with
  // or without a mirror, so every engine computes the same model and the same divergence verdict.
  // NaN and Inf propagate through a sum, so one vectorised reduction finds them; allFinite() is a
  // scalar loop that cost a quarter of the coordinator's time per update at d = 1e5.
  constexpr Eigen::Index kBlock = 2048;  // 16 KB of doubles: fits L1 with its sources
  double sum = 0.0;
  for (Eigen::Index begin = 0; begin < d; begin += kBlock) {
    const Eigen::Index n = std::min(kBlock, d - begin);
    auto block = m_candidate.segment(begin, n);
    block.noalias() = m_x.segment(begin, n) - step * direction.segment(begin, n);
    sum += block.sum();
    if (mirror) Eigen::Map<Vector>(mirror + begin, n) = block;
  }
  if (!std::isfinite(sum)) {
    m_diverged = true;
    return;
  }
  m_x.swap(m_candidate);
  ++m_version;
}

void AsyncServer::recordAccepted(const GradientArrival& arrival, std::int64_t delay, ActionSink& sink) {
  ++m_workers[arrival.worker].counters.accepted;
  recordArrival(arrival, delay, Outcome::Accepted, sink);
}

void AsyncServer::recordDiscarded(const GradientArrival& arrival, std::int64_t delay, ActionSink& sink) {
  ++m_workers[arrival.worker].counters.discarded;
  recordArrival(arrival, delay, Outcome::Discarded, sink);
}

void AsyncServer::recordArrival(const GradientArrival& arrival, std::int64_t delay, Outcome outcome,
                                ActionSink& sink) {
  sink.record({.worker = arrival.worker,
               .jobId = arrival.jobId,
               .jobVersion = arrival.version,
               .delay = delay,
               .outcome = outcome,
               .versionAfter = m_version});
}

}  // namespace distopt
