#pragma once
// Assignment of training samples to workers (docs/architecture.md, rule 4: each worker takes its shard by
// rule and seed, so nothing but the rule and the seed travels). Every sample lands in exactly one shard and
// the result depends only on (numSamples, labels, numWorkers, rule, seed).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/problems/problem.hpp"

namespace distopt {

enum class ShardRule {
  /// Shuffle all samples with the seed, then cut into numWorkers near-equal parts (sizes differ by at most
  /// one). Every worker sees the same distribution: the homogeneous setting of docs/papers.md, async-sgd.
  Iid,
  /// Samples in file order cut into numWorkers near-equal contiguous slices, no randomness (the "equal slices
  /// per node" split used for a9a in docs/papers.md, decentralized-proxgt). Heterogeneous if the file is
  /// ordered.
  Contiguous,
  /// The "pathological non-iid" split of McMahan et al. (FedAvg, 2017): samples sorted by label (ties
  /// in a seeded random order), cut into 2·numWorkers near-equal contiguous chunks, and each worker
  /// gets two chunks chosen by a seeded random permutation. Most workers then see only one or two
  /// classes. Unlabelled samples (label -1) sort before every class.
  NonIidByLabel,
  /// No split: every worker draws from the whole data set (every shard empty, which the problems read as "all
  /// samples"). For homogeneous runs with more workers than samples, e.g. docs/papers.md, async-sgd E2, where
  /// each of 6174 workers computes on the same 100 images.
  Shared,
};

/// "iid", "contiguous", "non-iid-label", "shared".
const char* shardRuleName(ShardRule rule);
/// Inverse of shardRuleName; nullopt for an unknown name.
std::optional<ShardRule> shardRuleFromName(const std::string& name);
/// The names above, for an Enum OptionSpec.
std::vector<std::string> shardRuleNames();

/// Splits samples 0..numSamples-1 among `numWorkers` workers. Each shard's indices are sorted
/// ascending. `labelOf` gives sample labels and is needed only by NonIidByLabel (may be empty
/// otherwise). numSamples == 0 (a problem without a finite data set) and ShardRule::Shared give
/// numWorkers empty shards, which the problems read as "draw from the whole data set / distribution".
///
/// Because an empty shard means "all samples" to a data problem, a split that would leave some worker
/// with nothing is refused: it throws InputError(where, ...) when 0 < numSamples < numWorkers, or, for
/// NonIidByLabel, numSamples < 2·numWorkers. numWorkers must be >= 1.
std::vector<Shard> makeShards(std::int64_t numSamples, const std::function<int(std::int64_t)>& labelOf,
                              int numWorkers, ShardRule rule, std::uint64_t seed,
                              const std::string& where = "sharding");

/// Same, for a problem's training set (Problem::numSamples and Problem::label).
std::vector<Shard> makeShards(const Problem& problem, int numWorkers, ShardRule rule, std::uint64_t seed,
                              const std::string& where = "sharding");

}  // namespace distopt
