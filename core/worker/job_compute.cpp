#include "core/worker/job_compute.hpp"

#include <cmath>

namespace distopt {

double jobDuration(const TimeModel& model, int worker, std::uint64_t jobId, int gradients, double startTime) {
  double finish = startTime;
  for (int j = 0; j < gradients && std::isfinite(finish); ++j) {
    const std::uint64_t seq = jobId * static_cast<std::uint64_t>(gradients) + static_cast<std::uint64_t>(j);
    finish += model.duration(worker, seq, finish);
  }
  return finish - startTime;
}

void jobGradient(const Problem& problem, const Shard& shard, std::uint64_t seed, int worker, std::uint64_t jobId,
                 int gradients, const Vector& x, Vector& out, Vector& scratch) {
  RandomStream stream(StreamKey{.runSeed = seed,
                                .purpose = StreamPurpose::Gradient,
                                .worker = static_cast<std::uint64_t>(worker),
                                .job = jobId});
  problem.stochasticGradient(x, shard, stream, out);
  for (int j = 1; j < gradients; ++j) {
    problem.stochasticGradient(x, shard, stream, scratch);
    out += scratch;
  }
  if (gradients > 1) out /= static_cast<double>(gradients);
}

void jobGradientInto(const Problem& problem, const Shard& shard, std::uint64_t seed, int worker,
                     std::uint64_t jobId, int gradients, const Eigen::Ref<const Vector>& x,
                     Eigen::Ref<Vector> out, Vector& scratch) {
  RandomStream stream(StreamKey{.runSeed = seed,
                                .purpose = StreamPurpose::Gradient,
                                .worker = static_cast<std::uint64_t>(worker),
                                .job = jobId});
  problem.stochasticGradientInto(x, shard, stream, out);
  if (gradients > 1) scratch.resize(out.size());
  for (int j = 1; j < gradients; ++j) {
    problem.stochasticGradientInto(x, shard, stream, scratch);
    out += scratch;
  }
  if (gradients > 1) out /= static_cast<double>(gradients);
}

}  // namespace distopt
