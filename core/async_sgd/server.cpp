#include "core/async_sgd/server.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "core/util/check.hpp"
#include "core/util/chunk_helper.hpp"

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

const Vector& AsyncServer::model() const {
  if (m_xStale) {
    m_x = Eigen::Map<const Vector>(m_mirrored, m_x.size());
    m_xStale = false;
  }
  return m_x;
}

void AsyncServer::setModelMirror(ModelMirror* mirror) {
  (void)model();  // the model comes home before the mirror's storage may go
  m_mirrored = nullptr;
  m_mirror = mirror;
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
    // A job the server already cancelled (async-sgd §2.0): not an arrival, not in the delay histogram.
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
  const double* source = m_mirrored ? m_mirrored : m_x.data();
  double* target = m_mirror ? m_mirror->mirrorStorage(m_version + 1) : m_candidate.data();
  // Coordinate-wise, so where source and target lie changes no value. x·0 is 0 for finite x and NaN
  // otherwise, so the check's sum is 0 or NaN in any order and never overflows: the verdict does not
  // depend on alignment either. (allFinite() is a scalar loop that cost a quarter of the coordinator's
  // time per update at d = 1e5.) Blocks, so the check reads what was just written from L1.
  constexpr Eigen::Index kBlock = 2048;  // 16 KB of doubles
  auto stepRange = [&](Eigen::Index first, Eigen::Index last) {
    double check = 0.0;
    for (Eigen::Index begin = first; begin < last; begin += kBlock) {
      const Eigen::Index n = std::min(kBlock, last - begin);
      Eigen::Map<Vector> block(target + begin, n);
      block.noalias() = Eigen::Map<const Vector>(source + begin, n) - step * direction.segment(begin, n);
      check += (block.array() * 0.0).sum();
    }
    return check == 0.0;
  };
  bool finite = true;
  if (m_stepHelper && d >= kHelpedStepMin) {
    // Chunks of 16 blocks (256 KB of model): a hand-off is one atomic add, and with many chunks a
    // helper that wakes late still takes a share.
    std::atomic<bool> allFinite{true};
    m_stepHelper->run(d, 16 * kBlock, [&](std::int64_t first, std::int64_t last) {
      if (!stepRange(first, last)) allFinite.store(false, std::memory_order_relaxed);
    });
    finite = allFinite.load();
  } else {
    finite = stepRange(0, d);
  }
  if (!finite) {
    m_diverged = true;
    return;
  }
  if (m_mirror) {
    m_mirrored = target;
    m_xStale = true;
  } else {
    m_x.swap(m_candidate);
  }
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
