#include "core/data/batch_sampler.hpp"

#include <algorithm>
#include <numeric>

#include "core/util/check.hpp"

namespace distopt {

void sampleWithoutReplacement(std::int64_t populationSize, std::int64_t count, RandomStream& stream,
                              std::vector<std::int64_t>& positions) {
  DISTOPT_CHECK(populationSize >= 0 && count >= 0);
  positions.clear();
  if (count >= populationSize) {
    positions.resize(static_cast<std::size_t>(populationSize));
    std::iota(positions.begin(), positions.end(), std::int64_t{0});
    return;
  }
  positions.reserve(static_cast<std::size_t>(count));
  // Membership test: a sorted vector with binary search is cheapest for the usual small batches; for
  // large batches its O(count^2) insertions would dominate, so switch to a bitmap of the population.
  constexpr std::int64_t kSortedLimit = 1024;
  if (count <= kSortedLimit) {
    for (std::int64_t j = populationSize - count; j < populationSize; ++j) {
      auto t = static_cast<std::int64_t>(stream.uniformInt(static_cast<std::uint64_t>(j) + 1));
      auto it = std::lower_bound(positions.begin(), positions.end(), t);
      if (it != positions.end() && *it == t) {
        t = j;  // j is larger than every chosen position, so it goes at the end
        it = positions.end();
      }
      positions.insert(it, t);
    }
    return;
  }
  std::vector<bool> chosen(static_cast<std::size_t>(populationSize), false);
  for (std::int64_t j = populationSize - count; j < populationSize; ++j) {
    auto t = static_cast<std::int64_t>(stream.uniformInt(static_cast<std::uint64_t>(j) + 1));
    if (chosen[static_cast<std::size_t>(t)]) t = j;
    chosen[static_cast<std::size_t>(t)] = true;
  }
  for (std::int64_t i = 0; i < populationSize; ++i)
    if (chosen[static_cast<std::size_t>(i)]) positions.push_back(i);
}

void drawBatch(const Shard& shard, std::int64_t numSamples, std::int64_t batch, RandomStream& stream,
               std::vector<std::int64_t>& indices) {
  const bool wholeSet = shard.indices.empty();
  const std::int64_t population = wholeSet ? numSamples : static_cast<std::int64_t>(shard.indices.size());
  const std::int64_t count = batch <= 0 ? population : std::min(batch, population);
  sampleWithoutReplacement(population, count, stream, indices);
  if (wholeSet) return;
  for (auto& index : indices) {
    index = shard.indices[static_cast<std::size_t>(index)];
    DISTOPT_CHECK_MSG(index >= 0 && index < numSamples, "shard index out of range for this problem");
  }
}

}  // namespace distopt
