#include "core/problems/logistic_problem.hpp"

#include <algorithm>
#include <cmath>

#include "core/data/batch_sampler.hpp"
#include "core/data/libsvm_reader.hpp"
#include "core/problems/problem_params.hpp"
#include "core/problems/stable_math.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

using stable::sigmoid;
using stable::sigmoidSlope;
using stable::softplus;

Vector signedLabels(const Dataset& data) {
  Vector y(data.numSamples());
  for (Eigen::Index i = 0; i < y.size(); ++i) y[i] = data.labels[static_cast<std::size_t>(i)] == 1 ? 1.0 : -1.0;
  return y;
}

void requireBinary(const Dataset& data) {
  if (data.numClasses != 2) {
    throw InputError(data.source, "logistic regression needs binary labels (+1/-1 or 0/1), but the data has " +
                                      std::to_string(data.numClasses) + " classes");
  }
}

double rowDot(const Dataset::SparseFeatures& a, Eigen::Index row, const Eigen::Ref<const Vector>& x) {
  double sum = 0.0;
  for (Dataset::SparseFeatures::InnerIterator it(a, row); it; ++it) sum += it.value() * x[it.index()];
  return sum;
}

void addScaledRow(const Dataset::SparseFeatures& a, Eigen::Index row, double scale, Eigen::Ref<Vector> out) {
  for (Dataset::SparseFeatures::InnerIterator it(a, row); it; ++it) out[it.index()] += scale * it.value();
}

}  // namespace

bool LogisticProblem::Options::isValid(std::string* why) const {
  auto fail = [&](const char* message) {
    if (why) *why = message;
    return false;
  };
  if (!(l2 >= 0.0) || !std::isfinite(l2)) return fail("l2: must be >= 0");
  if (!(nonconvex >= 0.0) || !std::isfinite(nonconvex)) return fail("nonconvex: must be >= 0");
  if (!(l1 >= 0.0) || !std::isfinite(l1)) return fail("l1: must be >= 0");
  if (batch < 0) return fail("batch: must be >= 0 (0 = the whole shard)");
  return true;
}

LogisticProblem::LogisticProblem(const Dataset& train, std::optional<Dataset> test, const Options& options)
    : m_options(options) {
  std::string why;
  DISTOPT_CHECK_MSG(options.isValid(&why), why.c_str());
  requireBinary(train);
  if (train.numSamples() == 0) throw InputError(train.source, "the training set has no samples");
  m_train = train.sparseCopy();
  m_train.makeCompressed();
  m_y = signedLabels(train);
  m_labels = train.labels;
  if (test) {
    requireBinary(*test);
    if (test->numFeatures() > m_train.cols()) {
      throw InputError(test->source, "the test set has " + std::to_string(test->numFeatures()) +
                                         " features but the training set only " + std::to_string(m_train.cols()));
    }
    m_test = test->sparseCopy();
    m_test.conservativeResize(m_test.rows(), m_train.cols());
    m_test.makeCompressed();
    m_testY = signedLabels(*test);
    m_hasTest = true;
  }
  double maxRowNorm = 0.0;
  for (Eigen::Index i = 0; i < m_train.rows(); ++i) maxRowNorm = std::max(maxRowNorm, m_train.row(i).squaredNorm());
  m_smoothness = 0.25 * maxRowNorm + options.l2 + 2.0 * options.nonconvex;
}

Vector LogisticProblem::initialPoint(RandomStream& /*stream*/) const { return Vector::Zero(dimension()); }

double LogisticProblem::loss(const Vector& x) const {
  DISTOPT_CHECK(x.size() == dimension());
  const Vector z = m_train * x;
  double sum = 0.0;
  for (Eigen::Index i = 0; i < z.size(); ++i) sum += softplus(-m_y[i] * z[i]);
  double value = sum / static_cast<double>(z.size()) + 0.5 * m_options.l2 * x.squaredNorm();
  if (m_options.nonconvex > 0.0) {
    const auto squares = x.array().square();
    value += m_options.nonconvex * (squares / (1.0 + squares)).sum();
  }
  if (m_options.l1 > 0.0) value += m_options.l1 * x.lpNorm<1>();
  return value;
}

void LogisticProblem::addRegularizerGradient(const Eigen::Ref<const Vector>& x,
                                             Eigen::Ref<Vector> out) const {
  out += m_options.l2 * x;
  if (m_options.nonconvex > 0.0) {
    const auto onePlus = 1.0 + x.array().square();
    out.array() += m_options.nonconvex * 2.0 * x.array() / onePlus.square();
  }
}

void LogisticProblem::gradient(const Vector& x, Vector& out) const {
  DISTOPT_CHECK(x.size() == dimension());
  const Vector z = m_train * x;
  Vector weights(z.size());
  const double scale = 1.0 / static_cast<double>(z.size());
  for (Eigen::Index i = 0; i < z.size(); ++i) weights[i] = -m_y[i] * sigmoid(-m_y[i] * z[i]) * scale;
  out.noalias() = m_train.transpose() * weights;
  addRegularizerGradient(x, out);
}

void LogisticProblem::stochasticGradient(const Vector& x, const Shard& shard, RandomStream& stream,
                                         Vector& out) const {
  out.resize(dimension());
  stochasticGradientInto(x, shard, stream, out);
}

void LogisticProblem::stochasticGradientInto(const Eigen::Ref<const Vector>& x, const Shard& shard,
                                             RandomStream& stream, Eigen::Ref<Vector> out) const {
  // Sparse rows: every sum over x runs in index order, so the values do not depend on where x lies.
  DISTOPT_CHECK(x.size() == dimension() && out.size() == dimension());
  std::vector<std::int64_t> rows;
  drawBatch(shard, numSamples(), m_options.batch, stream, rows);
  out.setZero();
  const double scale = 1.0 / static_cast<double>(rows.size());
  for (std::int64_t index : rows) {
    const auto i = static_cast<Eigen::Index>(index);
    const double z = rowDot(m_train, i, x);
    addScaledRow(m_train, i, -m_y[i] * sigmoid(-m_y[i] * z) * scale, out);
  }
  addRegularizerGradient(x, out);
}

std::optional<double> LogisticProblem::testAccuracy(const Vector& x) const {
  if (!m_hasTest) return std::nullopt;
  DISTOPT_CHECK(x.size() == dimension());
  const Vector z = m_test * x;
  std::int64_t correct = 0;
  for (Eigen::Index i = 0; i < z.size(); ++i) correct += ((z[i] >= 0.0 ? 1.0 : -1.0) == m_testY[i]) ? 1 : 0;
  return z.size() == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(z.size());
}

void LogisticProblem::hessianVectorProduct(const Vector& x, const Vector& v, Vector& out) const {
  DISTOPT_CHECK(x.size() == dimension() && v.size() == dimension());
  const Vector z = m_train * x;
  Vector weighted = m_train * v;
  const double scale = 1.0 / static_cast<double>(z.size());
  for (Eigen::Index i = 0; i < z.size(); ++i) weighted[i] *= sigmoidSlope(z[i]) * scale;
  out.noalias() = m_train.transpose() * weighted;
  out += m_options.l2 * v;
  if (m_options.nonconvex > 0.0) {
    // d²/dx² x²/(1+x²) = (2 − 6x²)/(1+x²)³
    const auto squares = x.array().square();
    out.array() += m_options.nonconvex * (2.0 - 6.0 * squares) / (1.0 + squares).cube() * v.array();
  }
}

void LogisticProblem::prox(const Vector& x, double step, Vector& out) const {
  const double threshold = step * m_options.l1;
  out = x.array().sign() * (x.array().abs() - threshold).max(0.0);
}

ProblemEntry logisticProblemEntry() {
  ProblemEntry entry;
  entry.name = "logistic";
  entry.capabilities = {ProblemCapability::HessianVectorProduct, ProblemCapability::FiniteDataSet};
  entry.summary = "Binary logistic regression on a LIBSVM file, L2 + optional non-convex and L1 regularizers";
  OptionSpec features = intOption("features", 0, 1, 1e9,
                                  "Number of features (default: the largest index in the training file; a9a: 123)");
  features.defaultValue = nullptr;
  features.optional = true;
  entry.options = {
      pathOption("train", false, "Training data, LIBSVM format (labels +1/-1 or 0/1), optionally gzip-compressed"),
      pathOption("test", true, "Test data for accuracy, LIBSVM format with the same features"),
      features,
      doubleOption("l2", 1e-4, 0.0, std::nullopt, "Weight λ₂ of (λ₂/2)‖x‖²"),
      doubleOption("nonconvex", 0.0, 0.0, std::nullopt, "Weight λₙ of the non-convex regularizer Σ x²/(1+x²)"),
      doubleOption("l1", 0.0, 0.0, std::nullopt, "Weight λ₁ of λ₁‖x‖₁ (handled by the proximal step)"),
      intOption("batch", 32, 0, std::nullopt, "Samples per stochastic gradient, drawn from the shard (0 = whole shard)"),
  };
  entry.make = [](const nlohmann::json& params, const ProblemBuildContext& context) -> std::unique_ptr<Problem> {
    LogisticProblem::Options options;
    options.l2 = params.at("l2").get<double>();
    options.nonconvex = params.at("nonconvex").get<double>();
    options.l1 = params.at("l1").get<double>();
    options.batch = params.at("batch").get<std::int64_t>();
    requireValid(options, context.path);
    const std::string trainPath = resolveDataFile(context, "train", params.at("train").get<std::string>());
    std::optional<std::string> testPath;
    if (params.contains("test")) testPath = resolveDataFile(context, "test", params.at("test").get<std::string>());
    LibsvmReadOptions read;
    if (params.contains("features")) read.numFeatures = params.at("features").get<std::int64_t>();
    Dataset train = readLibsvm(trainPath, read);
    std::optional<Dataset> test;
    if (testPath) {
      read.numFeatures = train.numFeatures();
      test = readLibsvm(*testPath, read);
    }
    return std::make_unique<LogisticProblem>(train, std::move(test), options);
  };
  entry.footprint = [](const nlohmann::json& params, const ProblemBuildContext& context) {
    // A LIBSVM line holds at least one byte of text per stored byte ("1:1 " is 12 bytes in memory).
    return ProblemFootprint{
        .dataBytes = dataFilesBytes(params, context, {"train", "test"}, 1.0),
        .dimension = params.contains("features") ? params.at("features").get<double>() : 0.0};
  };
  return entry;
}

}  // namespace distopt
