#pragma once
// Shared machinery of the classification networks: softmax regression (no hidden layer) and the MLP (one or
// two hidden layers). Both minimise mean cross-entropy + (λ/2)·‖weights‖² (biases are not regularised) and
// share one implementation of the forward pass, backpropagation and the exact Hessian-vector product by
// Pearlmutter's R-operator (docs/papers.md, hybrid-order §3.3–3.4, samples as rows).
//
// Parameter layout (fixed, shared by gradient, HVP and initialisation): for each layer l in order,
// W_l (out_l × in_l, row-major: the weights into unit j are contiguous) followed by b_l (out_l). Softmax
// regression is the single layer W (classes × features) then b.
//
// Features are stored dense as float (Dataset); each batch is widened to double before computing.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/problems/gradient_noise.hpp"
#include "core/problems/problem.hpp"
#include "core/registry/component.hpp"
#include "core/registry/enum_option.hpp"

namespace distopt {

enum class Activation { Relu, Tanh, Softplus, Sigmoid };

/// "relu", "tanh", "softplus", "sigmoid".
/// The "activation" option's choices.
const EnumTable<Activation>& activations();
const char* activationName(Activation activation);

class NetworkProblem : public Problem {
 public:
  struct Layout {
    std::vector<int> hiddenSizes;  ///< 0, 1 or 2 hidden layer widths
    Activation activation = Activation::Relu;
    double l2 = 0.0;              ///< λ >= 0 on the weights
    std::int64_t batch = 64;      ///< samples per stochastic gradient from the shard; 0 = whole shard
    GradientNoise noise{NoiseKind::Scalar, 0.0};  ///< added to every stochastic gradient
  };

  std::string name() const override { return m_name; }
  Eigen::Index dimension() const override { return m_dimension; }
  std::int64_t numSamples() const override { return static_cast<std::int64_t>(m_labels.size()); }
  int label(std::int64_t i) const override { return m_labels[static_cast<std::size_t>(i)]; }
  /// Zero for softmax regression; for an MLP, PyTorch's default Linear initialisation, every weight and
  /// bias of a layer U(−1/√fan_in, 1/√fan_in), drawn from `stream` in parameter order.
  Vector initialPoint(RandomStream& stream) const override;
  double loss(const Vector& x) const override;
  void gradient(const Vector& x, Vector& out) const override;
  /// Mean gradient over `batch` samples drawn without replacement from the shard, plus the noise.
  void stochasticGradient(const Vector& x, const Shard& shard, RandomStream& stream, Vector& out) const override;
  /// Softmax regression: ½·max_i(‖a_i‖² + 1) + λ (the softmax Hessian is ≤ ½ I); none for an MLP.
  std::optional<double> smoothness() const override;
  /// s²·d when batch = 0 (then the added noise is the only randomness); otherwise unknown.
  std::optional<double> gradientVariance() const override;
  /// Fraction of test samples whose largest output is their label.
  std::optional<double> testAccuracy(const Vector& x) const override;
  /// Exact (R-operator). For ReLU it is the Hessian wherever it exists (no pre-activation exactly 0).
  bool hasHessianVectorProduct() const override { return true; }
  void hessianVectorProduct(const Vector& x, const Vector& v, Vector& out) const override;
  bool hasBatchHessianVectorProduct() const override { return true; }
  void batchHessianVectorProduct(const Vector& x, const Vector& v, std::int64_t first, std::int64_t count,
                                 Vector& out) const override;

  int numClasses() const { return m_numClasses; }
  std::int64_t numFeatures() const { return m_train.cols(); }
  const Layout& layout() const { return m_layout; }

 protected:
  /// Throws InputError(source, ...) for an empty training set or a test set with other features.
  NetworkProblem(std::string name, Dataset train, std::optional<Dataset> test, const Layout& layout);

 private:
  using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  struct Shape {
    Eigen::Index in = 0;
    Eigen::Index out = 0;
    Eigen::Index weightOffset = 0;
    Eigen::Index biasOffset = 0;
  };

  // Pre-activations of every layer (the last are the logits) and the hidden layers' outputs.
  void forward(const Vector& x, const RowMatrix& inputs, std::vector<RowMatrix>& pre,
               std::vector<RowMatrix>& post) const;
  // Returns the batch's summed loss; when `gradient` is given adds scale·Σ∇ℓ_i to it,
  // when `direction` and `hv` are given adds scale·Σ∇²ℓ_i·direction to hv.
  double accumulate(const Vector& x, const RowMatrix& inputs, const int* labels, double scale, Vector* gradient,
                    const Vector* direction, Vector* hv) const;
  // Runs `accumulate` over the whole training set in chunks (scale 1/N).
  double accumulateAll(const Vector& x, Vector* gradient, const Vector* direction, Vector* hv) const;
  // Runs `accumulate` over training rows [first, first + count) in chunks (scale 1/count).
  double accumulateRange(Eigen::Index first, Eigen::Index count, const Vector& x, Vector* gradient,
                         const Vector* direction, Vector* hv) const;
  void addWeightDecay(const Vector& x, Vector& out) const;

  std::string m_name;
  Layout m_layout;
  Dataset::DenseFeatures m_train;
  std::vector<int> m_labels;
  Dataset::DenseFeatures m_test;
  std::vector<int> m_testLabels;
  bool m_hasTest = false;
  int m_numClasses = 0;
  std::vector<Shape> m_shapes;
  Eigen::Index m_dimension = 0;
  double m_maxRowNormSq = 0.0;
};

/// Registry options shared by the networks' data, in form order: train_images, train_labels,
/// test_images, test_labels (IDX), train, test, label_column (a LIBSVM, CSV or .npy table), limit,
/// pixel_mean, pixel_std (IDX).
std::vector<OptionSpec> networkDataOptions();
/// ProblemEntry::footprint of those files: every pixel byte becomes a double (the model's dimension is
/// only known from the image header, so it is left out).
ProblemFootprint networkDataFootprint(const nlohmann::json& params, const ProblemBuildContext& context);
/// Options after the architecture: l2, batch, noise, noise_std.
std::vector<OptionSpec> networkTrainingOptions(double defaultL2, std::int64_t defaultBatch);
/// Reads the IDX files or the table named by networkDataOptions (paths found on the data search path; a
/// missing file throws InputError(context.path + ".FIELD", ...); test_images and test_labels go together).
void readNetworkData(const nlohmann::json& params, const ProblemBuildContext& context, Dataset& train,
                     std::optional<Dataset>& test);

}  // namespace distopt
