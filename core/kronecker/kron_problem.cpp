#include "core/kronecker/kron_problem.hpp"

#include <cmath>

#include "core/data/batch_sampler.hpp"
#include "core/problems/problem_params.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {

bool KronTwoLayerProblem::Options::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (m < 1) return fail("m: must be >= 1");
  if (n < 1) return fail("n: must be >= 1");
  if (n > (std::int64_t{1} << 31)) return fail("n: must be < 2^31");
  if (d1 < 1) return fail("d1: must be >= 1");
  if (d2 < 1) return fail("d2: must be >= 1");
  if (batch < 1 || batch > n) return fail("batch: must be in [1, n]");
  if (threshold && firedFraction) return fail("fired_fraction: set either b or fired_fraction, not both");
  if (threshold && !std::isfinite(*threshold)) return fail("b: must be finite");
  if (firedFraction && !(*firedFraction > 0.0 && *firedFraction < 1.0))
    return fail("fired_fraction: must be in (0, 1)");
  return true;
}

KronTwoLayerProblem::KronTwoLayerProblem(const Options& options) {
  std::string why;
  DISTOPT_CHECK_MSG(options.isValid(&why), why.c_str());
  m_data = makeSyntheticKronData(options.n, options.d1, options.d2, options.dataSeed);
  m_m = options.m;
  m_threshold = options.threshold       ? *options.threshold
                : options.firedFraction ? thresholdForFiredFraction(*options.firedFraction)
                                        : defaultThreshold(options.m);
  m_batch = options.batch;
  m_modelSeed = options.modelSeed;
  m_dataSeed = options.dataSeed;
  finish();
}

KronTwoLayerProblem::KronTwoLayerProblem(KronData data, std::int64_t m, double threshold, std::int64_t batch,
                                         std::uint64_t modelSeed)
    : m_data(std::move(data)), m_m(m), m_threshold(threshold), m_batch(batch), m_modelSeed(modelSeed) {
  DISTOPT_CHECK(m >= 1 && batch >= 1 && batch <= m_data.size() && m_data.y.size() == m_data.size());
  finish();
}

void KronTwoLayerProblem::finish() {
  m_a = distopt::outputWeights(m_modelSeed, m_m);
  m_gram = kroneckerGram(m_data);
  m_inputs = materialiseInputs(m_data);
}

Vector KronTwoLayerProblem::initialPoint(RandomStream& /*stream*/) const {
  const Eigen::Index d = m_data.dimension();
  Vector w(dimension());
  for (std::int64_t r = 0; r < m_m; ++r)
    initialWeightRow(m_modelSeed, r, std::span<double>(w.data() + r * d, static_cast<std::size_t>(d)));
  return w;
}

RowMatrix KronTwoLayerProblem::innerProducts(const Vector& w) const {
  DISTOPT_CHECK(w.size() == dimension());
  const Eigen::Map<const RowMatrix> weights(w.data(), m_m, m_data.dimension());
  RowMatrix p(m_m, m_data.size());
  p.noalias() = weights * m_inputs.transpose();
  return p;
}

Eigen::VectorXd KronTwoLayerProblem::outputsFrom(const RowMatrix& p) const {
  Eigen::VectorXd f = Eigen::VectorXd::Zero(p.cols());
  for (Eigen::Index r = 0; r < p.rows(); ++r)
    for (Eigen::Index j = 0; j < p.cols(); ++j)
      if (p(r, j) > m_threshold) f[j] += m_a[r] * (p(r, j) - m_threshold);
  return f / std::sqrt(static_cast<double>(m_m));
}

double KronTwoLayerProblem::loss(const Vector& x) const {
  return 0.5 * (outputsFrom(innerProducts(x)) - m_data.y).squaredNorm();
}

void KronTwoLayerProblem::gradient(const Vector& x, Vector& out) const {
  const RowMatrix p = innerProducts(x);
  const Eigen::VectorXd e = outputsFrom(p) - m_data.y;
  const double scale = 1.0 / std::sqrt(static_cast<double>(m_m));
  RowMatrix c = RowMatrix::Zero(m_m, m_data.size());
  for (Eigen::Index r = 0; r < m_m; ++r)
    for (Eigen::Index j = 0; j < p.cols(); ++j)
      if (p(r, j) > m_threshold) c(r, j) = m_a[r] * e[j] * scale;
  out.resize(dimension());
  Eigen::Map<RowMatrix> g(out.data(), m_m, m_data.dimension());
  g.noalias() = c * m_inputs;
}

void KronTwoLayerProblem::stochasticGradient(const Vector& x, const Shard& shard, RandomStream& stream,
                                             Vector& out) const {
  std::vector<std::int64_t> batch;
  drawBatch(shard, numSamples(), m_batch, stream, batch);
  const Eigen::Map<const RowMatrix> weights(x.data(), m_m, m_data.dimension());
  const double scale = 1.0 / std::sqrt(static_cast<double>(m_m));
  out.setZero(dimension());
  Eigen::Map<RowMatrix> g(out.data(), m_m, m_data.dimension());
  const double reweight = static_cast<double>(numSamples()) / static_cast<double>(batch.size());
  for (const std::int64_t i : batch) {
    const Eigen::VectorXd z = weights * m_inputs.row(i).transpose();
    double f = 0.0;
    for (Eigen::Index r = 0; r < m_m; ++r)
      if (z[r] > m_threshold) f += m_a[r] * (z[r] - m_threshold);
    const double e = f * scale - m_data.y[i];
    for (Eigen::Index r = 0; r < m_m; ++r)
      if (z[r] > m_threshold) g.row(r) += (reweight * m_a[r] * e * scale) * m_inputs.row(i);
  }
}

ProblemEntry kronTwoLayerProblemEntry() {
  ProblemEntry entry;
  entry.name = "kron-two-layer";
  entry.capabilities = {ProblemCapability::FiniteDataSet, ProblemCapability::KronTwoLayer};
  entry.summary =
      "Two-layer shifted-ReLU network on synthetic Kronecker data x = u⊗v, squared loss (kronecker-async in "
      "docs/papers.md)";
  auto optionalSeed = [](const char* name, const char* help) {
    OptionSpec spec = intOption(name, 0, 0, 9.0e15, help);
    spec.defaultValue = nullptr;
    spec.optional = true;
    return spec;
  };
  OptionSpec threshold =
      doubleOption("b", 0.0, std::nullopt, std::nullopt,
                   "Shifted-ReLU threshold b (default sqrt(0.4·ln m)); exclusive with fired_fraction");
  threshold.defaultValue = nullptr;
  threshold.optional = true;
  OptionSpec fraction = doubleOption("fired_fraction", 0.05, 0.0, 1.0,
                                     "Target fired fraction p at init: b = Φ^{-1}(1 − p); exclusive with b");
  fraction.defaultValue = nullptr;
  fraction.optional = true;
  fraction.minExclusive = true;
  entry.options = {
      intOption("m", 256, 1, 1 << 24, "Hidden neurons m"),
      intOption("n", 32, 1, 1 << 20, "Training points n"),
      intOption("d1", 8, 1, 1 << 16, "Dimension d1 of the u factors (d = d1·d2)"),
      intOption("d2", 6, 1, 1 << 16, "Dimension d2 of the v factors (d = d1·d2)"),
      intOption("batch", 4, 1, 1 << 20, "SGD batch S: distinct points per step, <= n (S = n: full-batch GD)"),
      threshold,
      fraction,
      optionalSeed("data_seed", "Seed of the synthetic data (default: the run seed)"),
      optionalSeed("model_seed", "Seed of W(0) and a (default: the run seed)"),
  };
  entry.make = [](const nlohmann::json& params,
                  const ProblemBuildContext& context) -> std::unique_ptr<Problem> {
    KronTwoLayerProblem::Options options;
    options.m = params.at("m").get<std::int64_t>();
    options.n = params.at("n").get<std::int64_t>();
    options.d1 = params.at("d1").get<std::int64_t>();
    options.d2 = params.at("d2").get<std::int64_t>();
    options.batch = params.at("batch").get<std::int64_t>();
    if (params.contains("b") && !params.at("b").is_null()) options.threshold = params.at("b").get<double>();
    if (params.contains("fired_fraction") && !params.at("fired_fraction").is_null())
      options.firedFraction = params.at("fired_fraction").get<double>();
    auto seedOr = [&](const char* key) {
      return params.contains(key) && !params.at(key).is_null() ? params.at(key).get<std::uint64_t>()
                                                               : context.seed;
    };
    options.dataSeed = seedOr("data_seed");
    options.modelSeed = seedOr("model_seed");
    requireValid(options, context.path);
    // The Problem interface holds W as one dense vector (and X as n×d): refuse what cannot be allocated.
    const double entries = static_cast<double>(options.m) * static_cast<double>(options.d1 * options.d2) +
                           static_cast<double>(options.n) * static_cast<double>(options.d1 * options.d2);
    if (entries > static_cast<double>(std::int64_t{1} << 28))
      throw InputError(context.path + ".m",
                       "m·d + n·d = " + std::to_string(static_cast<std::int64_t>(entries)) +
                           " dense entries is too large (limit 2^28, 2 GiB)");
    return std::make_unique<KronTwoLayerProblem>(options);
  };
  entry.footprint = [](const nlohmann::json& params, const ProblemBuildContext&) {
    const double m = params.at("m").get<double>();
    const double n = params.at("n").get<double>();
    const double d1 = params.at("d1").get<double>();
    const double d2 = params.at("d2").get<double>();
    // X = U⊗V (n×d) and its factors; the model is W (m×d).
    return ProblemFootprint{.dataBytes = 8.0 * n * (d1 * d2 + d1 + d2), .dimension = m * d1 * d2};
  };
  return entry;
}

}  // namespace distopt
