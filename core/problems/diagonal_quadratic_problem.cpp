#include "core/problems/diagonal_quadratic_problem.hpp"

#include <algorithm>
#include <cmath>

#include "core/problems/problem_params.hpp"
#include "core/registry/enum_option.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

bool fail(std::string* why, const std::string& message) {
  if (why) *why = message;
  return false;
}

// A list option with one value (broadcast to every variable) or d values.
Vector broadcastList(const nlohmann::json& params, const std::string& field, Eigen::Index d, double fallback,
                     const std::string& path) {
  if (!params.contains(field)) return Vector::Constant(d, fallback);
  const auto values = params.at(field).get<std::vector<double>>();
  if (values.size() == 1) return Vector::Constant(d, values[0]);
  if (static_cast<Eigen::Index>(values.size()) != d) {
    throw InputError(path + "." + field, "must have 1 value or d = " + std::to_string(d) + " values (got " +
                                             std::to_string(values.size()) + ")");
  }
  return Eigen::Map<const Vector>(values.data(), d);
}

const EnumTable<DiagonalQuadraticProblem::Spacing>& spacings() {
  using Spacing = DiagonalQuadraticProblem::Spacing;
  static const EnumTable<Spacing> table{
      {"linear", Spacing::Linear, "evenly spaced from lambda_min to lambda_max"},
      {"log", Spacing::Log, "geometrically spaced (needs lambda_min > 0)"}};
  return table;
}

}  // namespace

bool DiagonalQuadraticProblem::Options::isValid(std::string* why) const {
  const Eigen::Index d = eigenvalues.size();
  if (d < 1) return fail(why, "eigenvalues: must not be empty");
  if (!eigenvalues.allFinite() || eigenvalues.minCoeff() < 0.0)
    return fail(why, "eigenvalues: must be finite and >= 0");
  if (center.size() != d || !center.allFinite()) return fail(why, "center: must have d finite values");
  if (initialPoint.size() != d || !initialPoint.allFinite()) return fail(why, "x0: must have d finite values");
  return noise.isValid(why);
}

DiagonalQuadraticProblem::DiagonalQuadraticProblem(const Options& options)
    : m_options(options),
      m_centerIsZero(std::all_of(options.center.begin(), options.center.end(),
                                 [](double c) { return c == 0.0 && !std::signbit(c); })) {
  std::string why;
  DISTOPT_CHECK_MSG(options.isValid(&why), why.c_str());
}

Vector DiagonalQuadraticProblem::spectrum(Eigen::Index d, double lambdaMin, double lambdaMax, Spacing spacing) {
  DISTOPT_CHECK(d >= 1 && lambdaMin >= 0.0 && lambdaMin <= lambdaMax);
  DISTOPT_CHECK(spacing == Spacing::Linear || lambdaMin > 0.0);
  Vector values(d);
  for (Eigen::Index i = 0; i < d; ++i) {
    const double t = d == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(d - 1);
    values[i] = spacing == Spacing::Linear ? lambdaMin + t * (lambdaMax - lambdaMin)
                                           : lambdaMin * std::pow(lambdaMax / lambdaMin, t);
  }
  // Pin the end points: pow and the linear formula may miss them by an ulp.
  values[0] = lambdaMin;
  if (d > 1) values[d - 1] = lambdaMax;
  return values;
}

Vector DiagonalQuadraticProblem::initialPoint(RandomStream& /*stream*/) const { return m_options.initialPoint; }

double DiagonalQuadraticProblem::loss(const Vector& x) const {
  DISTOPT_CHECK(x.size() == dimension());
  return 0.5 * (m_options.eigenvalues.array() * (x - m_options.center).array().square()).sum();
}

void DiagonalQuadraticProblem::gradientInto(const Eigen::Ref<const Vector>& x, Eigen::Ref<Vector> out) const {
  DISTOPT_CHECK(x.size() == dimension() && out.size() == dimension());
  if (m_centerIsZero)
    out = m_options.eigenvalues.array() * x.array();
  else
    out = m_options.eigenvalues.array() * (x - m_options.center).array();
}

void DiagonalQuadraticProblem::gradient(const Vector& x, Vector& out) const {
  out.resize(dimension());
  gradientInto(x, out);
}

void DiagonalQuadraticProblem::stochasticGradient(const Vector& x, const Shard& shard, RandomStream& stream,
                                                  Vector& out) const {
  out.resize(dimension());
  stochasticGradientInto(x, shard, stream, out);
}

void DiagonalQuadraticProblem::stochasticGradientInto(const Eigen::Ref<const Vector>& x,
                                                      const Shard& /*shard*/, RandomStream& stream,
                                                      Eigen::Ref<Vector> out) const {
  gradientInto(x, out);
  m_options.noise.addTo(out, stream);
}

void DiagonalQuadraticProblem::hessianVectorProduct(const Vector& /*x*/, const Vector& v, Vector& out) const {
  DISTOPT_CHECK(v.size() == dimension());
  out = m_options.eigenvalues.array() * v.array();
}

ProblemEntry diagonalQuadraticProblemEntry() {
  ProblemEntry entry;
  entry.name = "diagonal-quadratic";
  entry.capabilities = {ProblemCapability::HessianVectorProduct};
  entry.summary = "Separable quadratic ½Σλᵢ(xᵢ − cᵢ)² with a chosen spectrum and additive gradient noise";
  OptionSpec eigenvalues;
  eigenvalues.name = "eigenvalues";
  eigenvalues.type = OptionType::DoubleList;
  eigenvalues.optional = true;
  eigenvalues.minValue = 0.0;
  eigenvalues.help = "Explicit curvatures λᵢ (their count is d); when given, d, lambda_min, lambda_max and "
                     "spacing are ignored";
  OptionSpec center;
  center.name = "center";
  center.type = OptionType::DoubleList;
  center.optional = true;
  center.help = "Minimiser c: one value for every coordinate or d values (default 0)";
  OptionSpec x0;
  x0.name = "x0";
  x0.type = OptionType::DoubleList;
  x0.optional = true;
  x0.help = "Starting point: one value for every coordinate or d values (default 1)";
  entry.options = {eigenvalues,
                   intOption("d", 10, 1, 1e8, "Number of variables when the spectrum is generated"),
                   doubleOption("lambda_min", 1.0, 0.0, std::nullopt, "Smallest generated eigenvalue"),
                   doubleOption("lambda_max", 100.0, 0.0, std::nullopt, "Largest generated eigenvalue"),
                   spacings().option("spacing", DiagonalQuadraticProblem::Spacing::Log,
                                     "Spacing of the generated eigenvalues"),
                   center,
                   x0};
  entry.options[2].minExclusive = true;
  for (auto& spec : gradientNoiseOptions(0.01)) entry.options.push_back(std::move(spec));

  entry.make = [](const nlohmann::json& params, const ProblemBuildContext& context) -> std::unique_ptr<Problem> {
    DiagonalQuadraticProblem::Options options;
    if (params.contains("eigenvalues")) {
      const auto values = params.at("eigenvalues").get<std::vector<double>>();
      if (values.empty()) throw InputError(context.path + ".eigenvalues", "must not be empty");
      options.eigenvalues = Eigen::Map<const Vector>(values.data(), static_cast<Eigen::Index>(values.size()));
    } else {
      const double lambdaMin = params.at("lambda_min").get<double>();
      const double lambdaMax = params.at("lambda_max").get<double>();
      if (lambdaMax < lambdaMin) {
        throw InputError(context.path + ".lambda_max", "must be >= lambda_min (" + std::to_string(lambdaMin) + ")");
      }
      const auto spacing = spacings().parse(params, "spacing", context.path);
      options.eigenvalues =
          DiagonalQuadraticProblem::spectrum(params.at("d").get<Eigen::Index>(), lambdaMin, lambdaMax, spacing);
    }
    const Eigen::Index d = options.eigenvalues.size();
    options.center = broadcastList(params, "center", d, 0.0, context.path);
    options.initialPoint = broadcastList(params, "x0", d, 1.0, context.path);
    options.noise = gradientNoiseFromParams(params, context.path);
    requireValid(options, context.path);
    return std::make_unique<DiagonalQuadraticProblem>(options);
  };
  entry.footprint = [](const nlohmann::json& params, const ProblemBuildContext&) {
    const double d = params.contains("eigenvalues") && params.at("eigenvalues").is_array()
                         ? static_cast<double>(params.at("eigenvalues").size())
                         : params.at("d").get<double>();
    // Spectrum, centre and starting point.
    return ProblemFootprint{.dataBytes = 3.0 * 8.0 * d, .dimension = d};
  };
  return entry;
}

}  // namespace distopt
