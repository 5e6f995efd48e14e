#pragma once
// The parameter-server family's worker as a role (core/transport/role_links.hpp): a JOB's gradient is
// core/worker/job_compute's, from the model the JOB carries, and it leaves when the job's time-model
// duration has passed; a CANCEL for the job under way calls that compute off. One job at a time: a new
// JOB replaces one the worker still holds (the server cancels before it re-tasks).

#include <cstdint>
#include <optional>

#include "core/async_sgd/parameter_server_messages.hpp"
#include "core/problems/problem.hpp"
#include "core/timing/time_model.hpp"
#include "core/transport/role_links.hpp"

namespace distopt {

class ParameterServerWorker final : public FamilyWorker<PsDown, PsUp> {
 public:
  /// `problem`, `shard` and `timeModel` must outlive the role.
  ParameterServerWorker(const Problem& problem, const Shard& shard, const TimeModel& timeModel, std::uint64_t seed);

  void onMessage(PsDown&& message, WorkerLink<PsUp>& link) override;

 private:
  const Problem& m_problem;
  const Shard& m_shard;
  const TimeModel& m_timeModel;
  std::uint64_t m_seed;
  std::optional<std::uint64_t> m_job;  ///< the latest job, unless called off
  Vector m_scratch;
};

}  // namespace distopt
