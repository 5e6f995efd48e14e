#include "core/async_sgd/parameter_server_worker.hpp"

#include <cmath>

#include "core/worker/job_compute.hpp"

namespace distopt {

ParameterServerWorker::ParameterServerWorker(const Problem& problem, const Shard& shard, const TimeModel& timeModel,
                                             std::uint64_t seed)
    : m_problem(problem), m_shard(shard), m_timeModel(timeModel), m_seed(seed) {}

void ParameterServerWorker::onMessage(PsDown&& message, WorkerLink<PsUp>& link) {
  if (const auto* cancel = std::get_if<PsCancel>(&message)) {
    // A CANCEL for a job already answered crossed its GRAD on the way: nothing to call off.
    if (m_job == cancel->jobId) {
      link.cancelCompute();
      m_job.reset();
    }
    return;
  }
  auto& job = std::get<PsJob>(message);
  if (job.model.size() != m_problem.dimension() || job.gradients < 1 || !(job.startTime >= 0.0) ||
      !(std::isnan(job.tau) || job.tau >= 0.0)) {
    link.countMalformed();
    return;
  }
  if (m_job) link.cancelCompute();
  PsGrad grad{.jobId = job.jobId,
              .version = job.version,
              .tau = std::isnan(job.tau)
                         ? jobDuration(m_timeModel, link.workerId(), job.jobId, job.gradients, job.startTime)
                         : job.tau,
              .gradient = link.outgoingVector(job.model.size())};
  jobGradientInto(m_problem, m_shard, m_seed, link.workerId(), job.jobId, job.gradients, job.model.view(),
                  grad.gradient.writable(), m_scratch);
  grad.computeSeconds = link.computeSeconds();
  m_job = job.jobId;
  const double tau = grad.tau;
  link.sendAfterCancellableCompute(tau, std::move(grad));
}

}  // namespace distopt
