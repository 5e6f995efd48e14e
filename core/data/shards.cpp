#include "core/data/shards.hpp"

#include <algorithm>
#include <numeric>

#include "core/util/check.hpp"
#include "core/util/input_error.hpp"
#include "core/util/random_stream.hpp"

namespace distopt {
namespace {

// Fisher-Yates with the library's own RandomStream (std::shuffle's result is implementation-defined).
void shuffle(std::vector<std::int64_t>& items, RandomStream& stream) {
  for (std::size_t i = items.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(stream.uniformInt(i));
    std::swap(items[i - 1], items[j]);
  }
}

// Start of part `part` when `total` items are cut into `parts` near-equal pieces (the first
// total % parts pieces get one item more).
std::int64_t partStart(std::int64_t total, std::int64_t parts, std::int64_t part) {
  const std::int64_t base = total / parts;
  const std::int64_t extra = total % parts;
  return part * base + std::min(part, extra);
}

std::vector<Shard> splitOrder(const std::vector<std::int64_t>& order, int numWorkers) {
  const auto total = static_cast<std::int64_t>(order.size());
  std::vector<Shard> shards(static_cast<std::size_t>(numWorkers));
  for (int w = 0; w < numWorkers; ++w) {
    const std::int64_t begin = partStart(total, numWorkers, w);
    const std::int64_t end = partStart(total, numWorkers, w + 1);
    auto& indices = shards[static_cast<std::size_t>(w)].indices;
    indices.assign(order.begin() + begin, order.begin() + end);
    std::sort(indices.begin(), indices.end());
  }
  return shards;
}

}  // namespace

const char* shardRuleName(ShardRule rule) {
  switch (rule) {
    case ShardRule::Iid: return "iid";
    case ShardRule::Contiguous: return "contiguous";
    case ShardRule::NonIidByLabel: return "non-iid-label";
    case ShardRule::Shared: return "shared";
  }
  return "?";
}

std::optional<ShardRule> shardRuleFromName(const std::string& name) {
  for (ShardRule rule : {ShardRule::Iid, ShardRule::Contiguous, ShardRule::NonIidByLabel, ShardRule::Shared})
    if (name == shardRuleName(rule)) return rule;
  return std::nullopt;
}

std::vector<std::string> shardRuleNames() {
  return {shardRuleName(ShardRule::Iid), shardRuleName(ShardRule::Contiguous),
          shardRuleName(ShardRule::NonIidByLabel), shardRuleName(ShardRule::Shared)};
}

std::vector<Shard> makeShards(std::int64_t numSamples, const std::function<int(std::int64_t)>& labelOf,
                              int numWorkers, ShardRule rule, std::uint64_t seed, const std::string& where) {
  DISTOPT_CHECK(numWorkers >= 1 && numSamples >= 0);
  if (numSamples == 0 || rule == ShardRule::Shared) return std::vector<Shard>(static_cast<std::size_t>(numWorkers));
  const std::int64_t needed = rule == ShardRule::NonIidByLabel ? 2 * std::int64_t{numWorkers} : numWorkers;
  if (numSamples < needed) {
    throw InputError(where, std::to_string(numSamples) + " samples cannot be split among " +
                                std::to_string(numWorkers) + " workers by rule \"" + shardRuleName(rule) +
                                "\" (it needs at least " + std::to_string(needed) + ")");
  }

  RandomStream stream(StreamKey{.runSeed = seed, .purpose = StreamPurpose::Shard, .worker = StreamKey::kNoWorker,
                                .job = 0});
  std::vector<std::int64_t> order(static_cast<std::size_t>(numSamples));
  std::iota(order.begin(), order.end(), std::int64_t{0});

  switch (rule) {
    case ShardRule::Contiguous:
      return splitOrder(order, numWorkers);
    case ShardRule::Iid:
      shuffle(order, stream);
      return splitOrder(order, numWorkers);
    case ShardRule::Shared:
      break;  // handled above
    case ShardRule::NonIidByLabel: {
      DISTOPT_CHECK_MSG(static_cast<bool>(labelOf), "non-iid sharding needs the sample labels");
      // Shuffling before the stable sort randomises which samples of a class fall into a chunk that
      // straddles two classes, instead of always the first ones in file order.
      shuffle(order, stream);
      std::vector<int> labels(order.size());
      for (std::int64_t i = 0; i < numSamples; ++i) labels[static_cast<std::size_t>(i)] = labelOf(i);
      std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
        return labels[static_cast<std::size_t>(a)] < labels[static_cast<std::size_t>(b)];
      });
      const std::int64_t numChunks = 2 * std::int64_t{numWorkers};
      std::vector<std::int64_t> chunkOrder(static_cast<std::size_t>(numChunks));
      std::iota(chunkOrder.begin(), chunkOrder.end(), std::int64_t{0});
      shuffle(chunkOrder, stream);
      std::vector<Shard> shards(static_cast<std::size_t>(numWorkers));
      for (int w = 0; w < numWorkers; ++w) {
        auto& indices = shards[static_cast<std::size_t>(w)].indices;
        for (int k = 0; k < 2; ++k) {
          const std::int64_t chunk = chunkOrder[static_cast<std::size_t>(2 * w + k)];
          const std::int64_t begin = partStart(numSamples, numChunks, chunk);
          const std::int64_t end = partStart(numSamples, numChunks, chunk + 1);
          indices.insert(indices.end(), order.begin() + begin, order.begin() + end);
        }
        std::sort(indices.begin(), indices.end());
      }
      return shards;
    }
  }
  DISTOPT_CHECK_MSG(false, "unknown shard rule");
  return {};
}

std::vector<Shard> makeShards(const Problem& problem, int numWorkers, ShardRule rule, std::uint64_t seed,
                              const std::string& where) {
  return makeShards(
      problem.numSamples(), [&problem](std::int64_t i) { return problem.label(i); }, numWorkers, rule, seed, where);
}

}  // namespace distopt
