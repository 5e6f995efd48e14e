// Sharding rules, minibatch sampling and the synthetic generators: determinism by seed and the
// partition properties every engine relies on.

#include <QtTest>

#include <algorithm>
#include <numeric>
#include <optional>
#include <set>
#include <vector>

#include "core/data/batch_sampler.hpp"
#include "core/data/shards.hpp"
#include "core/data/synthetic_data.hpp"
#include "core/problems/least_squares_problem.hpp"
#include "core/problems/quadratic_problem.hpp"
#include "core/util/input_error.hpp"

using distopt::RandomStream;
using distopt::Shard;
using distopt::ShardRule;

namespace {

// Every sample 0..n-1 in exactly one shard, each shard sorted.
bool isPartition(const std::vector<Shard>& shards, std::int64_t n) {
  std::vector<int> seen(static_cast<std::size_t>(n), 0);
  for (const auto& shard : shards) {
    if (!std::is_sorted(shard.indices.begin(), shard.indices.end())) return false;
    for (auto i : shard.indices) {
      if (i < 0 || i >= n) return false;
      ++seen[static_cast<std::size_t>(i)];
    }
  }
  return std::all_of(seen.begin(), seen.end(), [](int count) { return count == 1; });
}

bool sameShards(const std::vector<Shard>& a, const std::vector<Shard>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t w = 0; w < a.size(); ++w)
    if (a[w].indices != b[w].indices) return false;
  return true;
}

}  // namespace

class TestDataShards : public QObject {
  Q_OBJECT

 private slots:
  void ruleNames() {
    for (const auto& name : distopt::shardRuleNames()) {
      const auto rule = distopt::shardRuleFromName(name);
      QVERIFY(rule.has_value());
      QCOMPARE(std::string(distopt::shardRuleName(*rule)), name);
    }
    QVERIFY(!distopt::shardRuleFromName("random").has_value());
    QCOMPARE(distopt::shardRuleNames().size(), std::size_t{4});
  }

  void sharedGivesEveryWorkerEverything() {
    // More workers than samples is fine when nothing is split (async-sgd E2: 6174 workers, 100 images).
    const auto shards = distopt::makeShards(100, {}, 6174, ShardRule::Shared, 1);
    QCOMPARE(shards.size(), std::size_t{6174});
    for (const auto& shard : shards) QVERIFY(shard.indices.empty());
  }

  void iidIsAPartitionOfNearEqualParts() {
    const std::int64_t n = 1003;
    const auto shards = distopt::makeShards(n, {}, 7, ShardRule::Iid, 42);
    QCOMPARE(shards.size(), std::size_t{7});
    QVERIFY(isPartition(shards, n));
    std::size_t smallest = static_cast<std::size_t>(n);
    std::size_t largest = 0;
    for (const auto& shard : shards) {
      smallest = std::min(smallest, shard.indices.size());
      largest = std::max(largest, shard.indices.size());
    }
    QVERIFY(largest - smallest <= 1);
    // Deterministic by seed, different for another seed, and actually shuffled.
    QVERIFY(sameShards(shards, distopt::makeShards(n, {}, 7, ShardRule::Iid, 42)));
    QVERIFY(!sameShards(shards, distopt::makeShards(n, {}, 7, ShardRule::Iid, 43)));
    QVERIFY(!sameShards(shards, distopt::makeShards(n, {}, 7, ShardRule::Contiguous, 42)));
  }

  void contiguousSlices() {
    const auto shards = distopt::makeShards(10, {}, 3, ShardRule::Contiguous, 1);
    QCOMPARE(shards[0].indices, (std::vector<std::int64_t>{0, 1, 2, 3}));
    QCOMPARE(shards[1].indices, (std::vector<std::int64_t>{4, 5, 6}));
    QCOMPARE(shards[2].indices, (std::vector<std::int64_t>{7, 8, 9}));
  }

  void nonIidByLabelGivesEachWorkerFewClasses() {
    // 10 classes x 100 samples, interleaved in file order; 5 workers -> 10 chunks of exactly one class.
    const std::int64_t n = 1000;
    auto labelOf = [](std::int64_t i) { return static_cast<int>(i % 10); };
    const auto shards = distopt::makeShards(n, labelOf, 5, ShardRule::NonIidByLabel, 9);
    QVERIFY(isPartition(shards, n));
    for (const auto& shard : shards) {
      QCOMPARE(shard.indices.size(), std::size_t{200});
      std::set<int> classes;
      for (auto i : shard.indices) classes.insert(labelOf(i));
      QCOMPARE(classes.size(), std::size_t{2});
    }
    QVERIFY(sameShards(shards, distopt::makeShards(n, labelOf, 5, ShardRule::NonIidByLabel, 9)));
    QVERIFY(!sameShards(shards, distopt::makeShards(n, labelOf, 5, ShardRule::NonIidByLabel, 10)));

    // Uneven sizes: still a partition, every worker non-empty, at most 2 chunks' worth of classes + straddles.
    const std::int64_t odd = 997;
    auto unevenLabel = [](std::int64_t i) { return static_cast<int>((i * 7) % 13); };
    const auto uneven = distopt::makeShards(odd, unevenLabel, 8, ShardRule::NonIidByLabel, 3);
    QVERIFY(isPartition(uneven, odd));
    for (const auto& shard : uneven) {
      QVERIFY(!shard.indices.empty());
      std::set<int> classes;
      for (auto i : shard.indices) classes.insert(unevenLabel(i));
      QVERIFY(classes.size() <= 4);
    }
  }

  void problemsWithoutDataGetEmptyShards() {
    distopt::QuadraticProblem::Options options;
    options.dimension = 5;
    const distopt::QuadraticProblem problem(options);
    for (ShardRule rule : {ShardRule::Iid, ShardRule::Contiguous, ShardRule::NonIidByLabel, ShardRule::Shared}) {
      const auto shards = distopt::makeShards(problem, 4, rule, 1);
      QCOMPARE(shards.size(), std::size_t{4});
      for (const auto& shard : shards) QVERIFY(shard.indices.empty());
    }
  }

  void problemOverloadUsesSamples() {
    distopt::LeastSquaresProblem::Options options;
    options.rows = 50;
    options.cols = 3;
    const distopt::LeastSquaresProblem problem(options, 5);
    const auto shards = distopt::makeShards(problem, 4, ShardRule::Iid, 2);
    QVERIFY(isPartition(shards, 50));
  }

  void tooFewSamplesIsAnInputError() {
    bool threw = false;
    try {
      distopt::makeShards(3, {}, 4, ShardRule::Iid, 1, "workers");
    } catch (const distopt::InputError& error) {
      threw = true;
      QCOMPARE(error.where(), std::string("workers"));
    }
    QVERIFY(threw);
    threw = false;
    try {
      distopt::makeShards(7, [](std::int64_t) { return 0; }, 4, ShardRule::NonIidByLabel, 1);
    } catch (const distopt::InputError&) {
      threw = true;
    }
    QVERIFY(threw);
    QVERIFY(isPartition(distopt::makeShards(4, {}, 4, ShardRule::Iid, 1), 4));
  }

  void samplingWithoutReplacement() {
    RandomStream stream = RandomStream::fromSeed(5);
    std::vector<std::int64_t> positions;
    std::vector<int> hits(50, 0);
    const int draws = 20000;
    for (int trial = 0; trial < draws; ++trial) {
      distopt::sampleWithoutReplacement(50, 5, stream, positions);
      QCOMPARE(positions.size(), std::size_t{5});
      QVERIFY(std::adjacent_find(positions.begin(), positions.end(),
                                 [](auto a, auto b) { return a >= b; }) == positions.end());
      for (auto p : positions) ++hits[static_cast<std::size_t>(p)];
    }
    // Each position is chosen with probability 5/50: 2000 expected hits, sd ≈ 42.
    for (int count : hits) QVERIFY2(std::abs(count - 2000) < 250, qPrintable(QString::number(count)));

    // Large batches take the bitmap path; still distinct and sorted.
    distopt::sampleWithoutReplacement(5000, 3000, stream, positions);
    QCOMPARE(positions.size(), std::size_t{3000});
    QVERIFY(std::adjacent_find(positions.begin(), positions.end(), [](auto a, auto b) { return a >= b; }) ==
            positions.end());
    QVERIFY(positions.back() < 5000);

    // count >= population: everything, no draws.
    RandomStream untouched = RandomStream::fromSeed(9);
    RandomStream reference = RandomStream::fromSeed(9);
    distopt::sampleWithoutReplacement(4, 10, untouched, positions);
    QCOMPARE(positions, (std::vector<std::int64_t>{0, 1, 2, 3}));
    QCOMPARE(untouched.next(), reference.next());
  }

  void drawBatchMapsShardPositions() {
    RandomStream stream = RandomStream::fromSeed(1);
    const Shard shard{{3, 8, 20, 21, 40}};
    std::vector<std::int64_t> batch;
    distopt::drawBatch(shard, 50, 3, stream, batch);
    QCOMPARE(batch.size(), std::size_t{3});
    for (auto i : batch) QVERIFY(std::find(shard.indices.begin(), shard.indices.end(), i) != shard.indices.end());
    distopt::drawBatch(shard, 50, 0, stream, batch);
    QCOMPARE(batch, shard.indices);
    distopt::drawBatch(shard, 50, 99, stream, batch);
    QCOMPARE(batch, shard.indices);
    distopt::drawBatch(Shard{}, 6, 0, stream, batch);
    QCOMPARE(batch, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5}));
  }

  void syntheticGeneratorsAreDeterministic() {
    const distopt::LeastSquaresDataOptions ls{.rows = 30, .cols = 4, .noiseStd = 1e-5};
    const auto a = distopt::makeLeastSquaresData(ls, 11);
    const auto b = distopt::makeLeastSquaresData(ls, 11);
    const auto c = distopt::makeLeastSquaresData(ls, 12);
    QVERIFY(a.a == b.a && a.b == b.b && a.xTrue == b.xTrue);
    QVERIFY(a.a != c.a);
    QVERIFY(a.a.minCoeff() >= 0.0 && a.a.maxCoeff() < 0.5);  // U[0,1)/sqrt(4)
    QVERIFY((a.a * a.xTrue - a.b).norm() < 1e-3);

    const distopt::GaussianClassesOptions gaussian{.numSamples = 200, .numFeatures = 5, .numClasses = 3};
    const auto g1 = distopt::makeGaussianClasses(gaussian, 3);
    const auto g2 = distopt::makeGaussianClasses(gaussian, 3);
    QVERIFY(g1.dense == g2.dense && g1.labels == g2.labels);
    QCOMPARE(g1.numClasses, 3);
    for (auto count : g1.classCounts()) QVERIFY(count > 30);

    const distopt::HeterogeneousLogisticOptions logistic{.numNodes = 3, .samplesPerNode = 50, .numFeatures = 6};
    const auto h1 = distopt::makeHeterogeneousLogistic(logistic, 4);
    const auto h2 = distopt::makeHeterogeneousLogistic(logistic, 4);
    QCOMPARE(h1.numSamples(), std::int64_t{150});
    QVERIFY(h1.isSparse);
    QVERIFY(h1.sparse.isApprox(h2.sparse) && h1.labels == h2.labels);
    const auto counts = h1.classCounts();
    QVERIFY(counts[0] > 20 && counts[1] > 20);
  }
};

QTEST_APPLESS_MAIN(TestDataShards)
#include "test_data_shards.moc"
