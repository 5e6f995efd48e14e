#include "core/compressed/round_worker.hpp"

#include "core/util/check.hpp"
#include "core/worker/job_compute.hpp"

namespace distopt {

CompressedRoundWorker::CompressedRoundWorker(const CompressedMethod& method, int worker,
                                             const CompressedWorkerSetup& setup)
    : m_role(method.makeWorker(worker)), m_worker(worker), m_setup(setup) {
  DISTOPT_CHECK(setup.problem && setup.shard && setup.timeModel);
}

void CompressedRoundWorker::onMessage(RoundOrder&& order, WorkerLink<CompressedUp>& link) {
  if (order.round != m_nextRound) {
    link.fail("protocol", "round order " + std::to_string(order.round) + " while expecting round " +
                              std::to_string(m_nextRound));
    return;
  }
  std::string why;
  if (order.downlink && !m_role->applyDownlink(*order.downlink, order.round - 1, &why)) {
    link.fail("protocol", "downlink of round " + std::to_string(order.round - 1) + " does not decode: " + why);
    return;
  }
  m_nextRound = order.round + 1;
  if (m_setup.replicaCheckEvery > 0 && order.round > 0 && order.round % m_setup.replicaCheckEvery == 0)
    link.send(ReplicaHash{.round = order.round, .hash = modelHash(m_role->model())});
  if (m_setup.maxRounds > 0 && order.round >= m_setup.maxRounds) return;

  jobGradient(*m_setup.problem, *m_setup.shard, m_setup.seed, m_worker, order.round, 1, m_role->model(),
              m_gradient, m_scratch);
  if (!m_gradient.allFinite()) {  // compressed-sgd §3.2: non-finite gradients are never sent
    link.fail("diverged", "non-finite stochastic gradient at round " + std::to_string(order.round));
    return;
  }
  UplinkReport report;
  report.round = order.round;
  report.message = m_role->compress(m_gradient, order.round);
  report.lowerBoundBits = report.message.lowerBoundBits;
  report.computeTime = link.computeSeconds();
  report.tauTarget = jobDuration(*m_setup.timeModel, m_worker, order.round, 1, order.startTime);
  const double tau = report.tauTarget;
  link.sendAfterCompute(tau, std::move(report));
}

}  // namespace distopt
