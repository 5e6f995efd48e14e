#include "core/data/synthetic_data.hpp"

#include <cmath>

#include "core/util/check.hpp"
#include "core/util/random_stream.hpp"

namespace distopt {
namespace {

// Per-generator stream tags: two generators run with the same seed must not share random bits.
constexpr std::uint64_t kLeastSquaresTag = 1;
constexpr std::uint64_t kGaussianClassesTag = 2;
constexpr std::uint64_t kHeterogeneousLogisticTag = 3;

RandomStream dataStream(std::uint64_t seed, std::uint64_t tag) {
  return RandomStream(StreamKey{.runSeed = seed, .purpose = StreamPurpose::Data, .worker = StreamKey::kNoWorker,
                                .job = tag});
}

bool fail(std::string* why, const char* message) {
  if (why) *why = message;
  return false;
}

void checkValid(const auto& options) {
  std::string why;
  DISTOPT_CHECK_MSG(options.isValid(&why), why.c_str());
}

}  // namespace

bool LeastSquaresDataOptions::isValid(std::string* why) const {
  if (rows < 1) return fail(why, "rows must be >= 1");
  if (cols < 1) return fail(why, "cols must be >= 1");
  if (!(noiseStd >= 0.0) || !std::isfinite(noiseStd)) return fail(why, "noiseStd must be >= 0");
  return true;
}

LeastSquaresData makeLeastSquaresData(const LeastSquaresDataOptions& options, std::uint64_t seed) {
  checkValid(options);
  RandomStream stream = dataStream(seed, kLeastSquaresTag);
  LeastSquaresData data;
  const auto m = static_cast<Eigen::Index>(options.rows);
  const auto d = static_cast<Eigen::Index>(options.cols);
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  data.a.resize(m, d);
  for (Eigen::Index i = 0; i < m; ++i)
    for (Eigen::Index j = 0; j < d; ++j) data.a(i, j) = stream.uniform() * scale;
  data.xTrue.resize(d);
  for (Eigen::Index j = 0; j < d; ++j) data.xTrue[j] = stream.normal();
  data.b = data.a * data.xTrue;
  for (Eigen::Index i = 0; i < m; ++i) data.b[i] += options.noiseStd * stream.normal();
  return data;
}

bool GaussianClassesOptions::isValid(std::string* why) const {
  if (numSamples < 1) return fail(why, "numSamples must be >= 1");
  if (numFeatures < 1) return fail(why, "numFeatures must be >= 1");
  if (numClasses < 2) return fail(why, "numClasses must be >= 2");
  if (!(separation >= 0.0) || !std::isfinite(separation)) return fail(why, "separation must be >= 0");
  return true;
}

Dataset makeGaussianClasses(const GaussianClassesOptions& options, std::uint64_t seed) {
  checkValid(options);
  RandomStream stream = dataStream(seed, kGaussianClassesTag);
  const auto n = static_cast<Eigen::Index>(options.numSamples);
  const auto p = static_cast<Eigen::Index>(options.numFeatures);
  Eigen::MatrixXd centres(options.numClasses, p);
  for (Eigen::Index c = 0; c < centres.rows(); ++c)
    for (Eigen::Index j = 0; j < p; ++j) centres(c, j) = options.separation * stream.normal();
  Dataset data;
  data.source = "gaussian-classes";
  data.isSparse = false;
  data.numClasses = options.numClasses;
  data.dense.resize(n, p);
  data.labels.resize(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto label = static_cast<int>(stream.uniformInt(static_cast<std::uint64_t>(options.numClasses)));
    data.labels[static_cast<std::size_t>(i)] = label;
    for (Eigen::Index j = 0; j < p; ++j)
      data.dense(i, j) = static_cast<float>(centres(label, j) + stream.normal());
  }
  return data;
}

bool HeterogeneousLogisticOptions::isValid(std::string* why) const {
  if (numNodes < 1) return fail(why, "numNodes must be >= 1");
  if (samplesPerNode < 1) return fail(why, "samplesPerNode must be >= 1");
  if (numFeatures < 1) return fail(why, "numFeatures must be >= 1");
  if (!(heterogeneity >= 0.0) || !std::isfinite(heterogeneity)) return fail(why, "heterogeneity must be >= 0");
  if (!(labelNoise >= 0.0) || !std::isfinite(labelNoise)) return fail(why, "labelNoise must be >= 0");
  return true;
}

Dataset makeHeterogeneousLogistic(const HeterogeneousLogisticOptions& options, std::uint64_t seed) {
  checkValid(options);
  RandomStream stream = dataStream(seed, kHeterogeneousLogisticTag);
  const auto p = static_cast<Eigen::Index>(options.numFeatures);
  const auto n = static_cast<Eigen::Index>(options.numNodes * options.samplesPerNode);
  const double featureStd = 1.0 / std::sqrt(static_cast<double>(p));
  Eigen::MatrixXd features(n, p);
  Dataset data;
  data.source = "heterogeneous-logistic";
  data.isSparse = true;
  data.numClasses = 2;
  data.classValues = {-1.0, 1.0};
  data.labels.resize(static_cast<std::size_t>(n));
  Vector truth(p);
  Eigen::Index row = 0;
  for (int node = 0; node < options.numNodes; ++node) {
    const double spread = 1.0 + options.heterogeneity * node;
    for (Eigen::Index j = 0; j < p; ++j) truth[j] = spread * stream.normal();
    for (std::int64_t s = 0; s < options.samplesPerNode; ++s, ++row) {
      for (Eigen::Index j = 0; j < p; ++j) features(row, j) = featureStd * stream.normal();
      const double margin = features.row(row).dot(truth) + options.labelNoise * stream.normal();
      data.labels[static_cast<std::size_t>(row)] = margin > 0.0 ? 1 : 0;
    }
  }
  data.sparse = features.sparseView();
  return data;
}

}  // namespace distopt
