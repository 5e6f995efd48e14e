#include "core/decentralized/prox.hpp"

#include <cmath>
#include <limits>

#include "core/util/check.hpp"

namespace distopt {
namespace {

struct KindName {
  RegularizerKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {{RegularizerKind::Problem, "problem"},
                                   {RegularizerKind::None, "none"},
                                   {RegularizerKind::L1, "l1"},
                                   {RegularizerKind::Box, "box"},
                                   {RegularizerKind::L1Box, "l1-box"}};

}  // namespace

const char* regularizerKindName(RegularizerKind kind) {
  for (const auto& entry : kKindNames)
    if (entry.kind == kind) return entry.name;
  return "?";
}

std::optional<RegularizerKind> regularizerKindFromName(const std::string& name) {
  for (const auto& entry : kKindNames)
    if (name == entry.name) return entry.kind;
  return std::nullopt;
}

std::vector<std::string> regularizerKindNames() {
  std::vector<std::string> names;
  for (const auto& entry : kKindNames) names.emplace_back(entry.name);
  return names;
}

bool ProxOperator::Options::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (!(l1 >= 0.0) || !std::isfinite(l1)) return fail("l1: must be >= 0");
  if (!std::isfinite(lower) || !std::isfinite(upper)) return fail("box_lower: the box bounds must be finite");
  if ((kind == RegularizerKind::Box || kind == RegularizerKind::L1Box) && !(lower <= upper))
    return fail("box_upper: must be >= box_lower");
  return true;
}

ProxOperator::ProxOperator(Options options, const Problem* problem) : m_options(options), m_problem(problem) {
  DISTOPT_CHECK(options.isValid(nullptr));
  DISTOPT_CHECK(options.kind != RegularizerKind::Problem || problem != nullptr);
}

void softThreshold(const Vector& z, double tau, Vector& out) {
  out = z.array().sign() * (z.array().abs() - tau).max(0.0);
}

void ProxOperator::apply(const Vector& z, double step, Vector& out) const {
  switch (m_options.kind) {
    case RegularizerKind::Problem:
      if (m_problem->hasProx()) {
        m_problem->prox(z, step, out);
      } else {
        out = z;
      }
      return;
    case RegularizerKind::None:
      out = z;
      return;
    case RegularizerKind::L1:
      softThreshold(z, step * m_options.l1, out);
      return;
    case RegularizerKind::Box:
      out = z.array().max(m_options.lower).min(m_options.upper);
      return;
    case RegularizerKind::L1Box:
      softThreshold(z, step * m_options.l1, out);
      out = out.array().max(m_options.lower).min(m_options.upper);
      return;
  }
}

double ProxOperator::extraValue(const Vector& x) const {
  double value = 0.0;
  if (m_options.kind == RegularizerKind::L1 || m_options.kind == RegularizerKind::L1Box)
    value += m_options.l1 * x.lpNorm<1>();
  if (m_options.kind == RegularizerKind::Box || m_options.kind == RegularizerKind::L1Box) {
    const double slack = 1e-9 * (1.0 + std::max(std::abs(m_options.lower), std::abs(m_options.upper)));
    if ((x.array() < m_options.lower - slack).any() || (x.array() > m_options.upper + slack).any())
      return std::numeric_limits<double>::infinity();
  }
  return value;
}

bool ProxOperator::isZero() const {
  switch (m_options.kind) {
    case RegularizerKind::Problem:
      return !m_problem->hasProx();
    case RegularizerKind::None:
      return true;
    case RegularizerKind::L1:
      return m_options.l1 == 0.0;
    case RegularizerKind::Box:
    case RegularizerKind::L1Box:
      return false;
  }
  return false;
}

void proxGradientMapping(const ProxOperator& prox, const Vector& x, const Vector& gradient, double beta,
                         Vector& out) {
  Vector stepped = x - beta * gradient;
  prox.apply(stepped, beta, out);
  out = (x - out) / beta;
}

}  // namespace distopt
