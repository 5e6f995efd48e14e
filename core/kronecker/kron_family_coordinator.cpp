#include "core/kronecker/kron_family_coordinator.hpp"

#include <algorithm>
#include <cmath>

#include "core/util/input_error.hpp"

namespace distopt {
namespace {

/// The INIT a worker of `block` gets: the run's configuration and the data (kronecker-async §3.9).
kron::InitMessage initMessage(const KronTwoLayerProblem& problem, const KronRunSettings& settings,
                              std::pair<std::int64_t, std::int64_t> block) {
  kron::InitMessage init;
  init.m = static_cast<std::uint64_t>(problem.neurons());
  init.n = static_cast<std::uint64_t>(problem.data().size());
  init.d1 = static_cast<std::uint64_t>(problem.data().d1());
  init.d2 = static_cast<std::uint64_t>(problem.data().d2());
  init.batch = static_cast<std::uint64_t>(problem.batch());
  init.threshold = problem.threshold();
  init.dataSeed = problem.dataSeed();
  init.modelSeed = problem.modelSeed();
  init.blockBegin = static_cast<std::uint64_t>(block.first);
  init.blockEnd = static_cast<std::uint64_t>(block.second);
  init.staleness = static_cast<std::uint32_t>(settings.staleness);
  init.algorithm = settings.algorithm == KronAlgorithm::Fast ? 1 : 0;
  init.index = static_cast<std::uint8_t>(settings.fast.index);
  init.gram = static_cast<std::uint8_t>(settings.fast.gram);
  init.resyncEvery = static_cast<std::uint64_t>(settings.fast.resyncEvery);
  init.u = problem.data().u;
  init.v = problem.data().v;
  return init;
}

int checkedWorkers(const KronTwoLayerProblem& problem, int workers) {
  if (workers < 1 || workers > problem.neurons())
    throw InputError("workers.count",
                     "must be between 1 and the problem's m = " + std::to_string(problem.neurons()) +
                         " (each worker owns a block of neurons)");
  return workers;
}

}  // namespace

KronFamilyCoordinator::KronFamilyCoordinator(const KronTwoLayerProblem& problem, const KronRunSettings& settings,
                                             int workers, std::uint64_t samplerSeed, std::uint64_t maxUpdates)
    : m_problem(problem),
      m_settings(settings),
      m_k(checkedWorkers(problem, workers)),
      m_maxUpdates(maxUpdates),
      m_blocks(neuronBlocks(problem.neurons(), workers)),
      m_core(problem.data().y, problem.neurons(),
             KronCoordinatorRole::Options{.workers = workers,
                                          .staleness = settings.staleness,
                                          .batch = problem.batch(),
                                          .samplerSeed = samplerSeed}),
      m_book(workers, problem.neurons(), problem.batch(), problem.gram()),
      m_ready(static_cast<std::size_t>(workers), 0),
      m_counters(static_cast<std::size_t>(workers)) {}

std::string KronFamilyCoordinator::name() const {
  return m_settings.algorithm == KronAlgorithm::Naive ? "kron-naive" : "kron-fast";
}

std::int64_t KronFamilyCoordinator::largestUplinkBytes() const {
  const auto n = static_cast<std::int64_t>(m_problem.data().y.size());
  return std::max(2 * n * (n + 1), 8 * n);
}

void KronFamilyCoordinator::start(CoordinatorLink<KronDown>& link) {
  for (int w = 0; w < m_k; ++w)
    link.send(w, initMessage(m_problem, m_settings, m_blocks[static_cast<std::size_t>(w)]));
}

void KronFamilyCoordinator::onMessage(int worker, KronUp&& message, CoordinatorLink<KronDown>& link) {
  std::string why;
  if (auto* ready = std::get_if<kron::ReadyMessage>(&message)) {
    if (m_ready[static_cast<std::size_t>(worker)]) return link.countMalformed();
    m_ready[static_cast<std::size_t>(worker)] = 1;
    m_core.onReady(worker, *ready);
    if (m_core.allReady()) begin(link);
    return;
  }
  if (auto* partial = std::get_if<kron::PartialMessage>(&message)) {
    if (m_finishing) {
      // An iteration the run will not complete: its forward changed no state.
      auto& counters = m_counters[static_cast<std::size_t>(worker)];
      ++counters.arrivals;
      ++counters.cancelled;
      return;
    }
    return onPartial(worker, *partial, link);
  }
  bool accepted = false;
  if (auto* loss = std::get_if<kron::LossMessage>(&message))
    accepted = m_book.onLoss(worker, *loss, &why);
  else if (auto* coFire = std::get_if<kron::CoFireMessage>(&message))
    accepted = m_book.onCoFire(worker, *coFire, &why);
  else
    accepted = m_book.onStats(worker, std::get<kron::StatsMessage>(message), &why);
  if (!accepted) return link.countMalformed();
  takeFinished();
}

void KronFamilyCoordinator::takeFinished() {
  for (auto& finished : m_book.take(m_core, m_eta)) {
    const auto it = m_requests.find(finished.version);
    if (it != m_requests.end()) {
      finished.point.time = it->second.time;
      finished.point.bytesUp = it->second.bytesUp;
      finished.point.bytesDown = it->second.bytesDown;
      m_requests.erase(it);
    }
    finished.point.updates = finished.version;
    m_finished.push_back(std::move(finished.point));
  }
}

void KronFamilyCoordinator::onWorkerLost(int worker, const std::string& reason, CoordinatorLink<KronDown>&) {
  if (!m_failure.empty()) return;
  const auto [begin, end] = m_blocks[static_cast<std::size_t>(worker)];
  m_failure = "worker " + std::to_string(worker) + " lost (" + reason + "): its neuron block [" +
              std::to_string(begin) + ", " + std::to_string(end) + ") is gone";
}

void KronFamilyCoordinator::requestEvaluation(const EvaluationRequest& request, bool atEnd,
                                              CoordinatorLink<KronDown>& link) {
  if (atEnd) m_finishing = true;
  if (!m_started) {
    // Before START no block exists to report; the first request is sent with START.
    if (!atEnd) m_early = request;
    return;
  }
  sendEvaluation(request, link);
}

void KronFamilyCoordinator::begin(CoordinatorLink<KronDown>& link) {
  m_eta = m_settings.eta.value_or(m_core.defaultEta());
  const kron::StartMessage start = m_core.start(m_eta);
  for (int w = 0; w < m_k; ++w) link.send(w, start);
  m_started = true;
  if (m_early) {
    sendEvaluation(*m_early, link);
    m_early.reset();
  }
  if (!m_finishing) issueBatches(link);
}

void KronFamilyCoordinator::sendEvaluation(const EvaluationRequest& request, CoordinatorLink<KronDown>& link) {
  const std::uint64_t version = m_core.completed();
  if (!m_book.request(version, request.gradNorm)) return;
  m_requests[version] = request;
  const kron::EvalMessage eval{.version = version, .coFire = request.gradNorm};
  for (int w = 0; w < m_k; ++w) link.send(w, eval);
}

void KronFamilyCoordinator::issueBatches(CoordinatorLink<KronDown>& link) {
  while (!m_finishing && !m_diverged && m_core.canSend() &&
         (m_maxUpdates == 0 || m_core.completed() + m_core.inFlight() < m_maxUpdates)) {
    const double start = threadCpuSeconds();
    const kron::BatchMessage batch = m_core.nextBatch();
    m_book.addSeconds(threadCpuSeconds() - start);
    m_sentAt[batch.iteration] = link.now();
    for (int w = 0; w < m_k; ++w) {
      link.send(w, batch);
      ++m_counters[static_cast<std::size_t>(w)].jobsSent;
    }
  }
}

void KronFamilyCoordinator::onPartial(int worker, const kron::PartialMessage& partial,
                                      CoordinatorLink<KronDown>& link) {
  kron::ResidMessage resid;
  KronIterationResult result;
  bool complete = false;
  std::string why;
  const double start = threadCpuSeconds();
  if (!m_core.onPartial(worker, partial, resid, result, &complete, &why)) return link.countMalformed();
  m_book.addSeconds(threadCpuSeconds() - start);
  reportAccepted(link, m_counters[static_cast<std::size_t>(worker)], worker, partial.iteration,
                 partial.appliedVersion, m_core.completed(), link.now() - m_sentAt[partial.iteration]);

  if (complete) {
    m_sentAt.erase(result.iteration);
    m_book.noteIteration(result);
    for (int w = 0; w < m_k; ++w) link.send(w, resid);
    if (!std::isfinite(result.batchLoss)) m_diverged = true;
  }
  issueBatches(link);
}

}  // namespace distopt
