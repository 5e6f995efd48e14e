#pragma once
// The worker compute part of the parameter-server methods (docs/architecture.md, rule 3): what one job costs
// and what it returns, as pure functions of (model, shard, keyed streams). The simulator and live workers
// call exactly these, which is why a live run and a simulated run of the same experiment draw the same
// durations and the same gradients.

#include <cstdint>

#include "core/problems/problem.hpp"
#include "core/timing/time_model.hpp"

namespace distopt {

/// Duration in time units of job `jobId` of `worker` averaging `gradients` stochastic gradients,
/// started at `startTime`: the sum of one time-model draw per gradient, each keyed by
/// jobId * gradients + j so that no two jobs share a draw. +inf if the worker never finishes.
double jobDuration(const TimeModel& model, int worker, std::uint64_t jobId, int gradients, double startTime);

/// The job's gradient at `x`: the mean of `gradients` stochastic gradients from the worker's shard,
/// drawn from the stream (seed, Gradient, worker, jobId). `scratch` avoids an allocation per call.
void jobGradient(const Problem& problem, const Shard& shard, std::uint64_t seed, int worker, std::uint64_t jobId,
                 int gradients, const Vector& x, Vector& out, Vector& scratch);
/// jobGradient on views (Problem::stochasticGradientInto), the same values bit for bit: the live worker
/// reads x in the received JOB and writes the result into the GRAD frame. `out` has x's size.
void jobGradientInto(const Problem& problem, const Shard& shard, std::uint64_t seed, int worker,
                     std::uint64_t jobId, int gradients, const Eigen::Ref<const Vector>& x,
                     Eigen::Ref<Vector> out, Vector& scratch);

}  // namespace distopt
