#include "core/problems/network_problem.hpp"

#include <algorithm>
#include <cmath>

#include "core/data/batch_sampler.hpp"
#include "core/data/data_file.hpp"
#include "core/data/idx_reader.hpp"
#include "core/problems/problem_params.hpp"
#include "core/problems/stable_math.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Rows per chunk for full-data passes: large enough for efficient matrix products, small enough that
// the per-layer temporaries stay in cache-friendly sizes and memory does not scale with N.
constexpr Eigen::Index kChunkRows = 256;

double activate(Activation activation, double a) {
  switch (activation) {
    case Activation::Relu: return a > 0.0 ? a : 0.0;
    case Activation::Tanh: return std::tanh(a);
    case Activation::Softplus: return stable::softplus(a);
    case Activation::Sigmoid: return stable::sigmoid(a);
  }
  return 0.0;
}

double slope(Activation activation, double a) {
  switch (activation) {
    case Activation::Relu: return a > 0.0 ? 1.0 : 0.0;
    case Activation::Tanh: {
      const double t = std::tanh(a);
      return 1.0 - t * t;
    }
    case Activation::Softplus: return stable::sigmoid(a);
    case Activation::Sigmoid: return stable::sigmoidSlope(a);
  }
  return 0.0;
}

double curvature(Activation activation, double a) {
  switch (activation) {
    case Activation::Relu: return 0.0;
    case Activation::Tanh: {
      const double t = std::tanh(a);
      return -2.0 * t * (1.0 - t * t);
    }
    case Activation::Softplus: return stable::sigmoidSlope(a);
    case Activation::Sigmoid: return stable::sigmoidSlope(a) * (1.0 - 2.0 * stable::sigmoid(a));
  }
  return 0.0;
}

RowMatrix applyElementwise(const RowMatrix& a, Activation activation, double (*function)(Activation, double)) {
  return a.unaryExpr([activation, function](double value) { return function(activation, value); });
}

}  // namespace

const EnumTable<Activation>& activations() {
  static const EnumTable<Activation> table{{"relu", Activation::Relu, "max(0, z)"},
                                           {"tanh", Activation::Tanh, "tanh(z)"},
                                           {"softplus", Activation::Softplus, "ln(1 + e^z)"},
                                           {"sigmoid", Activation::Sigmoid, "1 / (1 + e^-z)"}};
  return table;
}

const char* activationName(Activation activation) { return activations().nameOf(activation).c_str(); }

NetworkProblem::NetworkProblem(std::string name, Dataset train, std::optional<Dataset> test, const Layout& layout)
    : m_name(std::move(name)), m_layout(layout) {
  DISTOPT_CHECK(layout.hiddenSizes.size() <= 2 && layout.l2 >= 0.0 && layout.batch >= 0);
  if (train.numSamples() == 0) throw InputError(train.source, "the training set has no samples");
  m_numClasses = std::max(train.numClasses, test ? test->numClasses : 0);
  m_labels = std::move(train.labels);
  m_train = train.isSparse ? train.denseCopy() : std::move(train.dense);
  if (test) {
    if (test->numFeatures() != m_train.cols()) {
      throw InputError(test->source, "the test set has " + std::to_string(test->numFeatures()) +
                                         " features but the training set " + std::to_string(m_train.cols()));
    }
    m_testLabels = std::move(test->labels);
    m_test = test->isSparse ? test->denseCopy() : std::move(test->dense);
    m_hasTest = true;
  }

  Eigen::Index in = m_train.cols();
  std::vector<Eigen::Index> widths(layout.hiddenSizes.begin(), layout.hiddenSizes.end());
  widths.push_back(m_numClasses);
  for (Eigen::Index out : widths) {
    DISTOPT_CHECK(out >= 1);
    Shape shape;
    shape.in = in;
    shape.out = out;
    shape.weightOffset = m_dimension;
    shape.biasOffset = m_dimension + out * in;
    m_dimension = shape.biasOffset + out;
    m_shapes.push_back(shape);
    in = out;
  }
  if (layout.hiddenSizes.empty()) m_maxRowNormSq = m_train.cast<double>().rowwise().squaredNorm().maxCoeff();
}

Vector NetworkProblem::initialPoint(RandomStream& stream) const {
  Vector x = Vector::Zero(m_dimension);
  if (m_shapes.size() == 1) return x;  // softmax regression is convex: start at zero
  for (const Shape& shape : m_shapes) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(shape.in));
    for (Eigen::Index i = shape.weightOffset; i < shape.biasOffset + shape.out; ++i)
      x[i] = (2.0 * stream.uniform() - 1.0) * bound;
  }
  return x;
}

void NetworkProblem::forward(const Vector& x, const RowMatrix& inputs, std::vector<RowMatrix>& pre,
                             std::vector<RowMatrix>& post) const {
  const std::size_t numLayers = m_shapes.size();
  pre.resize(numLayers);
  post.resize(numLayers);
  for (std::size_t l = 0; l < numLayers; ++l) {
    const Shape& s = m_shapes[l];
    const Eigen::Map<const RowMatrix> weights(x.data() + s.weightOffset, s.out, s.in);
    const Eigen::Map<const Vector> bias(x.data() + s.biasOffset, s.out);
    const RowMatrix& in = l == 0 ? inputs : post[l - 1];
    pre[l].noalias() = in * weights.transpose();
    pre[l].rowwise() += bias.transpose();
    if (l + 1 < numLayers) post[l] = applyElementwise(pre[l], m_layout.activation, activate);
  }
}

double NetworkProblem::accumulate(const Vector& x, const RowMatrix& inputs, const int* labels, double scale,
                                  Vector* gradient, const Vector* direction, Vector* hv) const {
  const std::size_t numLayers = m_shapes.size();
  const Eigen::Index rows = inputs.rows();
  std::vector<RowMatrix> pre;
  std::vector<RowMatrix> post;
  forward(x, inputs, pre, post);
  auto inputOf = [&](std::size_t l) -> const RowMatrix& { return l == 0 ? inputs : post[l - 1]; };

  // Softmax with the row maximum subtracted, and the cross-entropy log Σ exp(z) − z_y.
  RowMatrix probabilities = pre.back();
  double lossSum = 0.0;
  for (Eigen::Index i = 0; i < rows; ++i) {
    const int label = labels[i];
    DISTOPT_CHECK(label >= 0 && label < m_numClasses);
    auto row = probabilities.row(i);
    const double top = row.maxCoeff();
    row.array() = (row.array() - top).exp();
    const double sum = row.sum();
    lossSum += std::log(sum) + top - pre.back()(i, label);
    row /= sum;
  }
  if (gradient == nullptr && hv == nullptr) return lossSum;
  const bool wantHv = hv != nullptr && direction != nullptr;

  RowMatrix delta = probabilities;  // ∂(scaled loss)/∂ pre-activation of the current layer
  for (Eigen::Index i = 0; i < rows; ++i) delta(i, labels[i]) -= 1.0;
  delta *= scale;

  // R-forward pass: rPre[l] = R{pre[l]}, rPost[l] = R{post[l]} along `direction`.
  std::vector<RowMatrix> rPre(wantHv ? numLayers : 0);
  std::vector<RowMatrix> rPost(wantHv ? numLayers : 0);
  RowMatrix rDelta;
  if (wantHv) {
    for (std::size_t l = 0; l < numLayers; ++l) {
      const Shape& s = m_shapes[l];
      const Eigen::Map<const RowMatrix> weights(x.data() + s.weightOffset, s.out, s.in);
      const Eigen::Map<const RowMatrix> vWeights(direction->data() + s.weightOffset, s.out, s.in);
      const Eigen::Map<const Vector> vBias(direction->data() + s.biasOffset, s.out);
      rPre[l].noalias() = inputOf(l) * vWeights.transpose();
      if (l > 0) rPre[l].noalias() += rPost[l - 1] * weights.transpose();
      rPre[l].rowwise() += vBias.transpose();
      if (l + 1 < numLayers) {
        rPost[l] = applyElementwise(pre[l], m_layout.activation, slope).cwiseProduct(rPre[l]);
      }
    }
    // Softmax Jacobian applied to R{z}: p ⊙ r − p (pᵀr), row by row.
    const RowMatrix pr = probabilities.cwiseProduct(rPre.back());
    rDelta = pr - (probabilities.array().colwise() * pr.rowwise().sum().array()).matrix();
    rDelta *= scale;
  }

  for (std::size_t l = numLayers; l-- > 0;) {
    const Shape& s = m_shapes[l];
    const RowMatrix& in = inputOf(l);
    if (gradient != nullptr) {
      Eigen::Map<RowMatrix> gWeights(gradient->data() + s.weightOffset, s.out, s.in);
      Eigen::Map<Vector> gBias(gradient->data() + s.biasOffset, s.out);
      gWeights.noalias() += delta.transpose() * in;
      gBias += delta.colwise().sum().transpose();
    }
    if (wantHv) {
      Eigen::Map<RowMatrix> hWeights(hv->data() + s.weightOffset, s.out, s.in);
      Eigen::Map<Vector> hBias(hv->data() + s.biasOffset, s.out);
      hWeights.noalias() += rDelta.transpose() * in;
      if (l > 0) hWeights.noalias() += delta.transpose() * rPost[l - 1];
      hBias += rDelta.colwise().sum().transpose();
    }
    if (l == 0) break;
    const Eigen::Map<const RowMatrix> weights(x.data() + s.weightOffset, s.out, s.in);
    const RowMatrix deltaOut = delta * weights;  // ∂/∂ post[l-1]
    const RowMatrix slopes = applyElementwise(pre[l - 1], m_layout.activation, slope);
    if (wantHv) {
      const Eigen::Map<const RowMatrix> vWeights(direction->data() + s.weightOffset, s.out, s.in);
      const RowMatrix rDeltaOut = rDelta * weights + delta * vWeights;
      const RowMatrix curvatures = applyElementwise(pre[l - 1], m_layout.activation, curvature);
      rDelta = slopes.cwiseProduct(rDeltaOut) + curvatures.cwiseProduct(rPre[l - 1]).cwiseProduct(deltaOut);
    }
    delta = slopes.cwiseProduct(deltaOut);
  }
  return lossSum;
}

double NetworkProblem::accumulateAll(const Vector& x, Vector* gradient, const Vector* direction, Vector* hv) const {
  return accumulateRange(0, m_train.rows(), x, gradient, direction, hv);
}

double NetworkProblem::accumulateRange(Eigen::Index first, Eigen::Index count, const Vector& x, Vector* gradient,
                                       const Vector* direction, Vector* hv) const {
  const Eigen::Index end = first + count;
  const double scale = 1.0 / static_cast<double>(count);
  double lossSum = 0.0;
  RowMatrix chunk;
  for (Eigen::Index begin = first; begin < end; begin += kChunkRows) {
    const Eigen::Index rows = std::min(kChunkRows, end - begin);
    chunk = m_train.middleRows(begin, rows).cast<double>();
    lossSum += accumulate(x, chunk, m_labels.data() + begin, scale, gradient, direction, hv);
  }
  return lossSum;
}

void NetworkProblem::addWeightDecay(const Vector& x, Vector& out) const {
  if (m_layout.l2 == 0.0) return;
  for (const Shape& s : m_shapes) out.segment(s.weightOffset, s.out * s.in) += m_layout.l2 * x.segment(s.weightOffset, s.out * s.in);
}

double NetworkProblem::loss(const Vector& x) const {
  DISTOPT_CHECK(x.size() == m_dimension);
  double value = accumulateAll(x, nullptr, nullptr, nullptr) / static_cast<double>(m_train.rows());
  if (m_layout.l2 != 0.0) {
    for (const Shape& s : m_shapes) value += 0.5 * m_layout.l2 * x.segment(s.weightOffset, s.out * s.in).squaredNorm();
  }
  return value;
}

void NetworkProblem::gradient(const Vector& x, Vector& out) const {
  DISTOPT_CHECK(x.size() == m_dimension);
  out.setZero(m_dimension);
  accumulateAll(x, &out, nullptr, nullptr);
  addWeightDecay(x, out);
}

void NetworkProblem::stochasticGradient(const Vector& x, const Shard& shard, RandomStream& stream, Vector& out) const {
  DISTOPT_CHECK(x.size() == m_dimension);
  std::vector<std::int64_t> indices;
  drawBatch(shard, numSamples(), m_layout.batch, stream, indices);
  RowMatrix inputs(static_cast<Eigen::Index>(indices.size()), m_train.cols());
  std::vector<int> labels(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const auto i = static_cast<Eigen::Index>(indices[k]);
    inputs.row(static_cast<Eigen::Index>(k)) = m_train.row(i).cast<double>();
    labels[k] = m_labels[static_cast<std::size_t>(i)];
  }
  out.setZero(m_dimension);
  accumulate(x, inputs, labels.data(), 1.0 / static_cast<double>(indices.size()), &out, nullptr, nullptr);
  addWeightDecay(x, out);
  m_layout.noise.addTo(out, stream);
}

std::optional<double> NetworkProblem::smoothness() const {
  if (m_shapes.size() != 1) return std::nullopt;
  return 0.5 * (m_maxRowNormSq + 1.0) + m_layout.l2;
}

std::optional<double> NetworkProblem::gradientVariance() const {
  if (m_layout.batch != 0) return std::nullopt;
  return m_layout.noise.variance(m_dimension);
}

std::optional<double> NetworkProblem::testAccuracy(const Vector& x) const {
  if (!m_hasTest) return std::nullopt;
  DISTOPT_CHECK(x.size() == m_dimension);
  const Eigen::Index total = m_test.rows();
  if (total == 0) return 0.0;
  std::int64_t correct = 0;
  std::vector<RowMatrix> pre;
  std::vector<RowMatrix> post;
  RowMatrix chunk;
  for (Eigen::Index first = 0; first < total; first += kChunkRows) {
    const Eigen::Index count = std::min(kChunkRows, total - first);
    chunk = m_test.middleRows(first, count).cast<double>();
    forward(x, chunk, pre, post);
    for (Eigen::Index i = 0; i < count; ++i) {
      Eigen::Index best = 0;
      pre.back().row(i).maxCoeff(&best);
      correct += best == m_testLabels[static_cast<std::size_t>(first + i)] ? 1 : 0;
    }
  }
  return static_cast<double>(correct) / static_cast<double>(total);
}

void NetworkProblem::hessianVectorProduct(const Vector& x, const Vector& v, Vector& out) const {
  DISTOPT_CHECK(x.size() == m_dimension && v.size() == m_dimension);
  out.setZero(m_dimension);
  accumulateAll(x, nullptr, &v, &out);
  addWeightDecay(v, out);
}

void NetworkProblem::batchHessianVectorProduct(const Vector& x, const Vector& v, std::int64_t first,
                                               std::int64_t count, Vector& out) const {
  DISTOPT_CHECK(x.size() == m_dimension && v.size() == m_dimension);
  DISTOPT_CHECK(first >= 0 && count >= 1 && first + count <= numSamples());
  out.setZero(m_dimension);
  accumulateRange(first, count, x, nullptr, &v, &out);
  addWeightDecay(v, out);
}

std::vector<OptionSpec> networkDataOptions() {
  OptionSpec pixelStd = doubleOption("pixel_std", 1.0, 0.0, std::nullopt, "Divisor of the pixel normalisation (see pixel_mean)");
  pixelStd.minExclusive = true;
  return {
      pathOption(
          "train_images", true,
          "Training images, IDX unsigned-byte format (e.g. train-images-idx3-ubyte.gz); or give train"),
      pathOption("train_labels", true, "Training labels, IDX format (e.g. train-labels-idx1-ubyte.gz)"),
      pathOption("test_images", true, "Test images for accuracy, IDX format (with test_labels)"),
      pathOption("test_labels", true, "Test labels, IDX format (with test_images)"),
      pathOption(
          "train", true,
          "Training data instead of IDX files: LIBSVM (class labels, e.g. 1..K), *.csv or *.npy with a "
          "label column; optionally gzip-compressed"),
      pathOption("test", true,
                 "Test data for accuracy, in the same format and with the same features as train"),
      intOption("label_column", 0, -1e6, 1e6, "CSV/.npy: the label column, 0-based (-1 = the last)"),
      intOption("limit", 0, 0, std::nullopt, "Use only the first N training samples (0 = all)"),
      doubleOption("pixel_mean", 0.0, std::nullopt, std::nullopt,
                   "Pixels in [0,1] become (p − mean)/std (MNIST's customary values: 0.1307, 0.3081)"),
      pixelStd,
  };
}

ProblemFootprint networkDataFootprint(const nlohmann::json& params, const ProblemBuildContext& context) {
  return ProblemFootprint{
      .dataBytes = dataFilesBytes(params, context,
                                  {"train_images", "train_labels", "test_images", "test_labels"}, 8.0),
      .dimension = 0.0};
}

std::vector<OptionSpec> networkTrainingOptions(double defaultL2, std::int64_t defaultBatch) {
  std::vector<OptionSpec> specs = {
      doubleOption("l2", defaultL2, 0.0, std::nullopt, "Weight λ of (λ/2)‖weights‖² (biases are not regularised)"),
      intOption("batch", defaultBatch, 0, std::nullopt,
                "Samples per stochastic gradient, drawn from the shard (0 = whole shard)"),
  };
  for (auto& spec : gradientNoiseOptions(0.0)) specs.push_back(std::move(spec));
  specs.back().help += "; added to every stochastic gradient (async-sgd E2 in docs/papers.md uses scalar noise 1.0)";
  return specs;
}

void readNetworkData(const nlohmann::json& params, const ProblemBuildContext& context, Dataset& train,
                     std::optional<Dataset>& test) {
  IdxReadOptions read;
  read.limit = params.at("limit").get<std::int64_t>();
  read.pixelMean = params.at("pixel_mean").get<double>();
  read.pixelStd = params.at("pixel_std").get<double>();
  std::string why;
  if (!read.isValid(&why)) throw InputError(context.path, why);
  if (params.contains("train")) {
    for (const char* field : {"train_images", "train_labels", "test_images", "test_labels"})
      if (params.contains(field))
        throw InputError(context.path + "." + field, "give either train or IDX files, not both");
    DataFileReadOptions table;
    table.labelColumn = params.at("label_column").get<std::int64_t>();
    const std::string trainPath = resolveDataFile(context, "train", params.at("train").get<std::string>());
    std::optional<std::string> testPath;
    if (params.contains("test"))
      testPath = resolveDataFile(context, "test", params.at("test").get<std::string>());
    train = readDataFile(trainPath, table);
    if (read.limit > 0 && read.limit < train.numSamples()) train = firstSamples(train, read.limit);
    if (testPath) {
      table.numFeatures = train.numFeatures();
      test = readDataFile(*testPath, table);
    }
    return;
  }
  if (params.contains("test"))
    throw InputError(context.path + ".test", "goes with train (IDX test data: test_images)");
  if (!params.contains("train_images") || !params.contains("train_labels")) {
    throw InputError(context.path + (params.contains("train_images") ? ".train_labels" : ".train_images"),
                     "is required (or name a LIBSVM, CSV or .npy file in train)");
  }
  const bool hasTestImages = params.contains("test_images");
  const bool hasTestLabels = params.contains("test_labels");
  if (hasTestImages != hasTestLabels) {
    throw InputError(context.path + (hasTestImages ? ".test_labels" : ".test_images"),
                     std::string("is required when ") + (hasTestImages ? "test_images" : "test_labels") + " is given");
  }
  const std::string trainImages = resolveDataFile(context, "train_images", params.at("train_images").get<std::string>());
  const std::string trainLabels = resolveDataFile(context, "train_labels", params.at("train_labels").get<std::string>());
  std::optional<std::string> testImages;
  std::optional<std::string> testLabels;
  if (hasTestImages) {
    testImages = resolveDataFile(context, "test_images", params.at("test_images").get<std::string>());
    testLabels = resolveDataFile(context, "test_labels", params.at("test_labels").get<std::string>());
  }
  train = readIdxDataset(trainImages, trainLabels, read);
  if (testImages) {
    read.limit = 0;
    test = readIdxDataset(*testImages, *testLabels, read);
  }
}

}  // namespace distopt
