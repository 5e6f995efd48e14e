#pragma once
// The optimization problem seen by every algorithm and engine. A problem owns its data; a worker sees only
// its shard (a list of sample indices) and its own random stream, so a stochastic gradient is a pure function
// of (x, shard, stream) — docs/architecture.md, rule 3 — and the simulator and real workers agree.
//
// Thread affinity: const methods must be safe to call concurrently from several threads.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/util/random_stream.hpp"

namespace distopt {

using Vector = Eigen::VectorXd;

/// The samples one worker may draw from. Empty `indices` means "the problem has no finite data set"
/// (e.g. a synthetic quadratic with additive noise) or "all samples" for data problems.
struct Shard {
  std::vector<std::int64_t> indices;
};

class Problem {
 public:
  virtual ~Problem() = default;

  /// Registry name, e.g. "quadratic", "logistic".
  virtual std::string name() const = 0;
  /// Number of optimization variables d.
  virtual Eigen::Index dimension() const = 0;
  /// Number of training samples (0 when the problem has no finite data set).
  virtual std::int64_t numSamples() const { return 0; }
  /// Class label of sample i, for label-based (non-iid) sharding; -1 when unlabelled.
  virtual int label(std::int64_t /*i*/) const { return -1; }

  /// The starting point x^0; deterministic given `stream` (which problems with a fixed x^0 ignore).
  virtual Vector initialPoint(RandomStream& stream) const = 0;

  /// Full objective F(x) = f(x) + r(x) on the training data, including any regularizer (smooth or not).
  virtual double loss(const Vector& x) const = 0;
  /// Gradient of the smooth part f on the training data (the non-smooth r, if any, is handled by prox).
  virtual void gradient(const Vector& x, Vector& out) const = 0;
  /// An unbiased stochastic gradient of the smooth part at x from `shard`, drawing from `stream` only.
  virtual void stochasticGradient(const Vector& x, const Shard& shard, RandomStream& stream,
                                  Vector& out) const = 0;
  /// stochasticGradient on views, bit for bit the same values: for callers whose x and out are not
  /// Vectors of their own (the live worker reads the model where it arrived and writes the gradient into
  /// the frame it sends). `out` must have dimension() coordinates and must not overlap x. The default
  /// copies through stochasticGradient; problems whose gradient costs O(d) override it, since there
  /// the two copies would be most of the work.
  virtual void stochasticGradientInto(const Eigen::Ref<const Vector>& x, const Shard& shard,
                                      RandomStream& stream, Eigen::Ref<Vector> out) const;

  /// Optimal value F* when known exactly (e.g. solved in closed form).
  virtual std::optional<double> optimalValue() const { return std::nullopt; }
  /// Smoothness constant L of f when known (an upper bound is fine).
  virtual std::optional<double> smoothness() const { return std::nullopt; }
  /// Variance bound sigma^2 of the stochastic gradient when known.
  virtual std::optional<double> gradientVariance() const { return std::nullopt; }
  /// Classification accuracy on held-out data, when the problem has a labelled test set.
  virtual std::optional<double> testAccuracy(const Vector& /*x*/) const { return std::nullopt; }

  /// Hessian-vector product of the smooth part at x; only when hasHessianVectorProduct().
  virtual bool hasHessianVectorProduct() const { return false; }
  virtual void hessianVectorProduct(const Vector& x, const Vector& v, Vector& out) const;
  /// Hessian-vector product of the mean loss over the training samples [first, first + count) plus the
  /// regularizer's: the HVP on a part of the data (an ESE batch or one device's share of it, docs/papers.md,
  /// hybrid-order §3.5 / §4.3); only when hasBatchHessianVectorProduct().
  virtual bool hasBatchHessianVectorProduct() const { return false; }
  virtual void batchHessianVectorProduct(const Vector& x, const Vector& v, std::int64_t first, std::int64_t count,
                                         Vector& out) const;

  /// Proximal operator of step * r: argmin_z r(z)*step + ||z - x||^2 / 2; identity when there is no r.
  virtual bool hasProx() const { return false; }
  virtual void prox(const Vector& x, double step, Vector& out) const { out = x; (void)step; }
};

}  // namespace distopt
