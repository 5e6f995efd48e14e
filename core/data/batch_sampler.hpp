#pragma once
// Minibatch sampling for the data problems: `count` distinct samples, uniformly, from a worker's shard.
// Drawing only from the worker's stream keeps a stochastic gradient a pure function of
// (x, shard, stream), docs/architecture.md, rule 3.

#include <cstdint>
#include <vector>

#include "core/problems/problem.hpp"
#include "core/util/random_stream.hpp"

namespace distopt {

/// Writes `count` distinct positions drawn uniformly from [0, populationSize) into `positions`, sorted
/// ascending. When count >= populationSize every position is returned and nothing is drawn.
/// Floyd's algorithm: O(count) draws whatever the population size.
void sampleWithoutReplacement(std::int64_t populationSize, std::int64_t count, RandomStream& stream,
                              std::vector<std::int64_t>& positions);

/// Sample indices of one minibatch of `batch` distinct samples from `shard`, or from all `numSamples`
/// samples when the shard is empty; batch <= 0 or batch >= the shard size takes the whole shard (so the
/// result equals the shard gradient exactly). Indices come out in ascending shard order.
void drawBatch(const Shard& shard, std::int64_t numSamples, std::int64_t batch, RandomStream& stream,
               std::vector<std::int64_t>& indices);

}  // namespace distopt
