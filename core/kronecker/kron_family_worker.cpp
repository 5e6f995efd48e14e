#include "core/kronecker/kron_family_worker.hpp"

#include "core/kronecker/kron_driver.hpp"

namespace distopt {

KronFamilyWorker::KronFamilyWorker(const KronTwoLayerProblem& problem, const TimeModel& timeModel, int worker)
    : m_problem(problem), m_timeModel(timeModel), m_worker(worker) {}

void KronFamilyWorker::onMessage(KronDown&& message, WorkerLink<KronUp>& link) {
  if (m_failed) return;
  if (const auto* init = std::get_if<kron::InitMessage>(&message)) {
    if (m_role) return link.countMalformed();
    return onInit(*init, link);
  }
  if (!m_role) return link.countMalformed();  // nothing but INIT before the block exists
  if (const auto* start = std::get_if<kron::StartMessage>(&message)) return m_role->onStart(*start);
  if (const auto* batch = std::get_if<kron::BatchMessage>(&message)) return onBatch(*batch, link);
  if (const auto* resid = std::get_if<kron::ResidMessage>(&message)) return onResid(*resid, link);
  onEval(std::get<kron::EvalMessage>(message), link);
}

void KronFamilyWorker::onBatch(const kron::BatchMessage& batch, WorkerLink<KronUp>& link) {
  std::string why;
  if (batch.indices.size() != static_cast<std::size_t>(m_problem.batch())) return link.countMalformed();
  kron::PartialMessage reply;
  const double cpuStart = threadCpuSeconds();
  if (!m_role->onBatch(batch, reply, &why)) return link.countMalformed();
  m_tally.addSeconds(threadCpuSeconds() - cpuStart);
  const double tau = m_timeModel.duration(m_worker, batch.iteration, link.now());
  link.sendAfterCompute(tau, std::move(reply));
}

void KronFamilyWorker::onResid(const kron::ResidMessage& resid, WorkerLink<KronUp>& link) {
  std::string why;
  BlockStepStats stats;
  const double cpuStart = threadCpuSeconds();
  if (!m_role->onResid(resid, stats, &why)) return link.countMalformed();
  m_tally.addSeconds(threadCpuSeconds() - cpuStart);
  m_tally.note(stats);
}

void KronFamilyWorker::onEval(const kron::EvalMessage& eval, WorkerLink<KronUp>& link) {
  // In arrival order every RESID sent before the EVAL has been applied: the block is at that version.
  if (eval.version != m_role->appliedVersion()) return link.countMalformed();
  BlockEvaluation keep;
  link.send(m_role->lossReport(eval.coFire ? &keep : nullptr));
  if (eval.coFire) link.send(KronWorkerRole::coFireReport(keep, eval.version));
  link.send(m_tally.report(eval.version));
}

void KronFamilyWorker::onInit(const kron::InitMessage& init, WorkerLink<KronUp>& link) {
  std::string mismatch;
  const KronData& data = m_problem.data();
  if (init.m != static_cast<std::uint64_t>(m_problem.neurons()))
    mismatch = "m";
  else if (init.n != static_cast<std::uint64_t>(data.size()))
    mismatch = "n";
  else if (init.d1 != static_cast<std::uint64_t>(data.d1()) || init.d2 != static_cast<std::uint64_t>(data.d2()))
    mismatch = "d1, d2";
  else if (init.batch != static_cast<std::uint64_t>(m_problem.batch()))
    mismatch = "batch";
  else if (!(init.threshold == m_problem.threshold()))
    mismatch = "threshold";
  else if (init.dataSeed != m_problem.dataSeed() || init.modelSeed != m_problem.modelSeed())
    mismatch = "seeds";
  else if (init.u != data.u || init.v != data.v)
    mismatch = "data U, V";
  else if (init.blockBegin >= init.blockEnd || init.blockEnd > init.m)
    mismatch = "block range";
  else if (init.algorithm > 1 || init.index > 2 || init.gram > 1)
    mismatch = "algorithm, index or gram";
  KronFastOptions fast;
  fast.staleness = static_cast<int>(init.staleness);
  fast.index = static_cast<FireIndex::Kind>(init.index);
  fast.gram = static_cast<GramMode>(init.gram);
  fast.resyncEvery = static_cast<std::int64_t>(init.resyncEvery);
  std::string invalid;
  if (mismatch.empty() && (init.staleness > 1024 || !fast.isValid(&invalid))) mismatch = "options: " + invalid;
  if (!mismatch.empty()) {
    m_failed = true;
    link.fail("protocol", "KRON_INIT does not match this worker's run (" + mismatch + ")");
    return;
  }
  m_role = std::make_unique<KronWorkerRole>(
      m_worker,
      makeNeuronBlock(m_problem, init.algorithm == 1 ? KronAlgorithm::Fast : KronAlgorithm::Naive, fast,
                      static_cast<std::int64_t>(init.blockBegin), static_cast<std::int64_t>(init.blockEnd)),
      static_cast<int>(init.staleness));
  link.send(m_role->ready());
}

}  // namespace distopt
