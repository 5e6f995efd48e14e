#include "core/kronecker/kron_driver.hpp"

#include "core/util/check.hpp"

namespace distopt {

std::unique_ptr<NeuronBlock> makeNeuronBlock(const KronTwoLayerProblem& problem, KronAlgorithm algorithm,
                                             const KronFastOptions& fast, std::int64_t begin,
                                             std::int64_t end) {
  if (algorithm == KronAlgorithm::Naive) return std::make_unique<NaiveNeuronBlock>(problem, begin, end);
  return std::make_unique<FastNeuronBlock>(problem, begin, end, fast);
}

KronSequentialDriver::KronSequentialDriver(const KronTwoLayerProblem& problem,
                                           const KronDriverOptions& options)
    : m_problem(problem) {
  DISTOPT_CHECK(options.workers >= 1 && options.workers <= problem.neurons());
  const auto blocks = neuronBlocks(problem.neurons(), options.workers);
  m_coordinator =
      std::make_unique<KronCoordinatorRole>(problem.data().y, problem.neurons(),
                                            KronCoordinatorRole::Options{.workers = options.workers,
                                                                         .staleness = 0,
                                                                         .batch = problem.batch(),
                                                                         .samplerSeed = options.samplerSeed});
  for (int w = 0; w < options.workers; ++w) {
    const auto [begin, end] = blocks[static_cast<std::size_t>(w)];
    m_workers.push_back(std::make_unique<KronWorkerRole>(
        w, makeNeuronBlock(problem, options.algorithm, options.fast, begin, end), 0));
    m_coordinator->onReady(w, m_workers.back()->ready());
  }
  m_eta = options.eta.value_or(m_coordinator->defaultEta());
  const kron::StartMessage start = m_coordinator->start(m_eta);
  for (auto& worker : m_workers) worker->onStart(start);
}

KronIterationResult KronSequentialDriver::step(std::vector<BlockStepStats>* stats) {
  const kron::BatchMessage batch = m_coordinator->nextBatch();
  KronIterationResult result;
  kron::ResidMessage resid;
  bool complete = false;
  std::string why;
  for (auto& worker : m_workers) {
    kron::PartialMessage partial;
    DISTOPT_CHECK_MSG(worker->onBatch(batch, partial, &why), why.c_str());
    DISTOPT_CHECK_MSG(m_coordinator->onPartial(worker->worker(), partial, resid, result, &complete, &why),
                      why.c_str());
  }
  DISTOPT_CHECK(complete);
  if (stats) stats->assign(m_workers.size(), BlockStepStats{});
  for (std::size_t w = 0; w < m_workers.size(); ++w) {
    BlockStepStats local;
    DISTOPT_CHECK_MSG(m_workers[w]->onResid(resid, local, &why), why.c_str());
    if (stats) (*stats)[w] = local;
  }
  return result;
}

EvaluationPoint KronSequentialDriver::evaluate(bool gradNorm) const {
  std::vector<kron::LossMessage> losses;
  std::vector<kron::CoFireMessage> coFires;
  for (const auto& worker : m_workers) {
    BlockEvaluation keep;
    losses.push_back(worker->lossReport(gradNorm ? &keep : nullptr));
    if (gradNorm) coFires.push_back(KronWorkerRole::coFireReport(keep, worker->appliedVersion()));
  }
  return m_coordinator->evaluate(losses, gradNorm ? &coFires : nullptr, m_problem.gram());
}

RowMatrix KronSequentialDriver::innerProductTable() const {
  RowMatrix all(m_problem.neurons(), m_problem.data().size());
  for (const auto& worker : m_workers) {
    RowMatrix part;
    worker->block().innerProductTable(part);
    all.middleRows(worker->block().begin(), worker->block().rows()) = part;
  }
  return all;
}

}  // namespace distopt
