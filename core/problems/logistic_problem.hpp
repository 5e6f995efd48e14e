#pragma once
// Binary logistic regression on sparse data (LIBSVM files such as a9a), labels y ∈ {−1, +1}:
//   F(x) = mean_i log(1 + exp(−y_i a_iᵀx)) + (λ₂/2)‖x‖² + λₙ Σ_j x_j²/(1 + x_j²)  +  λ₁‖x‖₁
// The first three terms are the smooth part f (gradient, stochastic gradient, exact Hessian-vector product);
// the non-convex term is the regularizer of docs/papers.md, decentralized-proxgt. λ₁‖x‖₁ is r, handled by
// prox (soft thresholding) and included in loss(). Features stay sparse throughout: a9a has 14 non-zeros out
// of 123 per row. No intercept (a9a has none).

#include <cstdint>
#include <optional>
#include <string>

#include "core/data/dataset.hpp"
#include "core/problems/problem.hpp"
#include "core/registry/component.hpp"

namespace distopt {

class LogisticProblem final : public Problem {
 public:
  struct Options {
    double l2 = 1e-4;         ///< λ₂ >= 0, weight of (1/2)‖x‖²
    double nonconvex = 0.0;   ///< λₙ >= 0, weight of Σ x_j²/(1 + x_j²)
    double l1 = 0.0;          ///< λ₁ >= 0, weight of ‖x‖₁ (non-smooth, by prox)
    /// Samples per stochastic gradient, drawn without replacement from the shard; 0 = whole shard.
    std::int64_t batch = 32;

    bool isValid(std::string* why) const;
  };

  /// `train` (and `test`, if given) must have two classes (class 1 is y = +1, class 0 is y = −1); dense
  /// data is converted to sparse. Throws InputError(source, ...) for a data set that is not binary or a
  /// test set with more features than the training set.
  LogisticProblem(const Dataset& train, std::optional<Dataset> test, const Options& options);

  std::string name() const override { return "logistic"; }
  Eigen::Index dimension() const override { return m_train.cols(); }
  std::int64_t numSamples() const override { return m_train.rows(); }
  int label(std::int64_t i) const override { return m_labels[static_cast<std::size_t>(i)]; }
  /// Zero.
  Vector initialPoint(RandomStream& stream) const override;
  double loss(const Vector& x) const override;
  void gradient(const Vector& x, Vector& out) const override;
  void stochasticGradient(const Vector& x, const Shard& shard, RandomStream& stream, Vector& out) const override;
  void stochasticGradientInto(const Eigen::Ref<const Vector>& x, const Shard& shard, RandomStream& stream,
                              Eigen::Ref<Vector> out) const override;
  /// 0.25·max_i‖a_i‖² + λ₂ + 2λₙ: a bound for every per-sample loss, hence for minibatches too.
  std::optional<double> smoothness() const override { return m_smoothness; }
  /// Fraction of test samples with sign(aᵀx) = y (aᵀx = 0 counts as +1); nullopt without a test set.
  std::optional<double> testAccuracy(const Vector& x) const override;
  bool hasHessianVectorProduct() const override { return true; }
  void hessianVectorProduct(const Vector& x, const Vector& v, Vector& out) const override;
  bool hasProx() const override { return m_options.l1 > 0.0; }
  /// Soft thresholding at step·λ₁.
  void prox(const Vector& x, double step, Vector& out) const override;

  const Options& options() const { return m_options; }

 private:
  // Gradient of the smooth regularizers, added to `out`.
  void addRegularizerGradient(const Eigen::Ref<const Vector>& x, Eigen::Ref<Vector> out) const;

  Options m_options;
  Dataset::SparseFeatures m_train;
  Vector m_y;  // ±1
  std::vector<int> m_labels;
  Dataset::SparseFeatures m_test;
  Vector m_testY;
  bool m_hasTest = false;
  double m_smoothness = 0.0;
};

/// Registry entry "logistic": options train, test, features, l2, nonconvex, l1, batch.
ProblemEntry logisticProblemEntry();

}  // namespace distopt
