#include "core/problems/quadratic_problem.hpp"

#include <cmath>
#include <numbers>

#include "core/problems/problem_params.hpp"
#include "core/util/input_error.hpp"
#include "core/util/check.hpp"

namespace distopt {
namespace {

constexpr double kDiagonal = 0.5;
constexpr double kOffDiagonal = -0.25;
constexpr double kB0 = -0.25;  // b = (kB0, 0, ..., 0)

// Thomas algorithm for the constant tridiagonal A and right-hand side b = kB0·e₁. A is symmetric
// positive definite and diagonally dominant, so elimination without pivoting is stable.
Vector solveTridiagonal(Eigen::Index d) {
  Vector modifiedUpper(d);
  Vector modifiedRhs(d);
  double pivot = kDiagonal;
  modifiedUpper[0] = kOffDiagonal / pivot;
  modifiedRhs[0] = kB0 / pivot;
  for (Eigen::Index i = 1; i < d; ++i) {
    pivot = kDiagonal - kOffDiagonal * modifiedUpper[i - 1];
    modifiedUpper[i] = kOffDiagonal / pivot;
    modifiedRhs[i] = (0.0 - kOffDiagonal * modifiedRhs[i - 1]) / pivot;
  }
  Vector x(d);
  x[d - 1] = modifiedRhs[d - 1];
  for (Eigen::Index i = d - 2; i >= 0; --i) x[i] = modifiedRhs[i] - modifiedUpper[i] * x[i + 1];
  return x;
}

}  // namespace

bool QuadraticProblem::Options::isValid(std::string* why) const {
  if (dimension < 1) {
    if (why) *why = "d: must be >= 1";
    return false;
  }
  return noise.isValid(why);
}

QuadraticProblem::QuadraticProblem(const Options& options) : m_options(options) {
  std::string why;
  DISTOPT_CHECK_MSG(options.isValid(&why), why.c_str());
  m_solution = solveTridiagonal(options.dimension);
  // f(x*) = ½x*ᵀAx* − bᵀx* = −½bᵀx* at the exact solution; this avoids the cancellation of evaluating f.
  m_optimalValue = -0.5 * kB0 * m_solution[0];
}

void QuadraticProblem::multiplyA(const Vector& v, Vector& out) {
  out.resize(v.size());
  multiplyAInto(v, out);
}

void QuadraticProblem::multiplyAInto(const Eigen::Ref<const Vector>& v, Eigen::Ref<Vector> out) {
  const Eigen::Index d = v.size();
  DISTOPT_CHECK(out.size() == d);
  if (d == 1) {
    out[0] = kDiagonal * v[0];
    return;
  }
  out.segment(1, d - 2) = kDiagonal * v.segment(1, d - 2) + kOffDiagonal * (v.head(d - 2) + v.tail(d - 2));
  out[0] = kDiagonal * v[0] + kOffDiagonal * v[1];
  out[d - 1] = kDiagonal * v[d - 1] + kOffDiagonal * v[d - 2];
}

Vector QuadraticProblem::initialPoint(RandomStream& /*stream*/) const {
  Vector x = Vector::Zero(m_options.dimension);
  x[0] = std::sqrt(static_cast<double>(m_options.dimension));
  return x;
}

double QuadraticProblem::loss(const Vector& x) const {
  DISTOPT_CHECK(x.size() == m_options.dimension);
  const Eigen::Index d = x.size();
  double quadratic = kDiagonal * x.squaredNorm();
  if (d > 1) quadratic += 2.0 * kOffDiagonal * x.head(d - 1).dot(x.tail(d - 1));
  return 0.5 * quadratic - kB0 * x[0];
}

void QuadraticProblem::gradient(const Vector& x, Vector& out) const {
  DISTOPT_CHECK(x.size() == m_options.dimension);
  multiplyA(x, out);
  out[0] -= kB0;
}

void QuadraticProblem::stochasticGradient(const Vector& x, const Shard& shard, RandomStream& stream,
                                          Vector& out) const {
  out.resize(m_options.dimension);
  stochasticGradientInto(x, shard, stream, out);
}

void QuadraticProblem::stochasticGradientInto(const Eigen::Ref<const Vector>& x, const Shard& /*shard*/,
                                              RandomStream& stream, Eigen::Ref<Vector> out) const {
  DISTOPT_CHECK(x.size() == m_options.dimension);
  multiplyAInto(x, out);
  out[0] -= kB0;
  m_options.noise.addTo(out, stream);
}

std::optional<double> QuadraticProblem::smoothness() const {
  return 0.5 + 0.5 * std::cos(std::numbers::pi / static_cast<double>(m_options.dimension + 1));
}

void QuadraticProblem::hessianVectorProduct(const Vector& /*x*/, const Vector& v, Vector& out) const {
  DISTOPT_CHECK(v.size() == m_options.dimension);
  multiplyA(v, out);
}

ProblemEntry quadraticProblemEntry() {
  ProblemEntry entry;
  entry.name = "quadratic";
  entry.capabilities = {ProblemCapability::HessianVectorProduct};
  entry.summary = "Tridiagonal quadratic ½xᵀAx − bᵀx of the Ringmaster paper (problem Q), additive gradient noise";
  entry.options = {intOption("d", 1729, 1, 1e8, "Number of variables d (the paper uses 1729)")};
  for (auto& spec : gradientNoiseOptions(0.01)) entry.options.push_back(std::move(spec));
  entry.make = [](const nlohmann::json& params, const ProblemBuildContext& context) -> std::unique_ptr<Problem> {
    QuadraticProblem::Options options;
    options.dimension = params.at("d").get<Eigen::Index>();
    options.noise = gradientNoiseFromParams(params, context.path);
    requireValid(options, context.path);
    return std::make_unique<QuadraticProblem>(options);
  };
  // A is tridiagonal with constant bands: nothing but model-sized vectors.
  entry.footprint = [](const nlohmann::json& params, const ProblemBuildContext&) {
    return ProblemFootprint{.dataBytes = 0.0, .dimension = params.at("d").get<double>()};
  };
  return entry;
}

}  // namespace distopt
