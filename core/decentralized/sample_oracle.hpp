#pragma once
// A node's access to its local smooth loss f_i (docs/papers.md, decentralized-proxgt §2.1): per-sample
// gradients at chosen sample ids, so a recursive (SARAH) estimator can evaluate the same samples at two
// points, and the full local gradient. One IFO call = one per-sample gradient at one point; the oracle counts
// nothing itself — the node role charges what it asked for.
//
// ProblemOracle works with any registered Problem:
// - data problems (numSamples() > 0): sample ids are indices of the node's shard, drawn uniformly with
//   replacement; a per-sample gradient is the problem's stochastic gradient on a one-sample shard
//   (which draws nothing: drawBatch takes a whole shard that is no larger than the batch);
// - problems without a finite data set: a sample id is the seed of one draw of the problem's stochastic
//   gradient (the online setting), so the same id reproduces the same sample at another point.

#include <cstdint>
#include <vector>

#include "core/problems/problem.hpp"
#include "core/util/random_stream.hpp"

namespace distopt {

class SampleOracle {
 public:
  virtual ~SampleOracle() = default;
  /// m_i, the local finite-sum size; 0 for an online (stream) oracle, which has no full gradient.
  virtual std::int64_t localSamples() const = 0;
  /// `count` sample ids drawn uniformly with replacement, from `stream` only.
  virtual void drawSamples(std::int64_t count, RandomStream& stream,
                           std::vector<std::int64_t>& ids) const = 0;
  /// Mean of the per-sample gradients of the samples `ids` (repeats count) at x.
  virtual void sampleGradient(const Vector& x, const std::vector<std::int64_t>& ids, Vector& out) = 0;
  /// ∇f_i(x) over all local samples (only when localSamples() > 0).
  virtual void fullGradient(const Vector& x, Vector& out) = 0;
};

class ProblemOracle final : public SampleOracle {
 public:
  /// `problem` and `shard` must outlive the oracle. An empty shard of a data problem means every sample.
  ProblemOracle(const Problem& problem, const Shard& shard);

  std::int64_t localSamples() const override;
  void drawSamples(std::int64_t count, RandomStream& stream, std::vector<std::int64_t>& ids) const override;
  void sampleGradient(const Vector& x, const std::vector<std::int64_t>& ids, Vector& out) override;
  void fullGradient(const Vector& x, Vector& out) override;

 private:
  void addSampleGradient(const Vector& x, std::int64_t id, Vector& sum);

  const Problem& m_problem;
  const Shard& m_shard;
  bool m_online;
  Shard m_one;  // the one-sample shard, reused
  Vector m_scratch;
};

}  // namespace distopt
