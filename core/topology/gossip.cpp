#include "core/topology/gossip.hpp"

#include <cmath>

#include "core/util/check.hpp"

namespace distopt {
namespace {

struct KindName {
  MixerKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {
    {MixerKind::Plain, "plain"}, {MixerKind::Chebyshev, "chebyshev"}, {MixerKind::FastMix, "fastmix"}};

// p_K(μ) by the same recursion the nodes run, on a scalar eigenvalue.
double scalarPolynomial(const GossipPlan& plan, double mu) {
  double previous = 1.0;  // u(-1) = u(0)
  double current = 1.0;
  for (int r = 0; r < plan.rounds; ++r) {
    const double theta = plan.theta[static_cast<std::size_t>(r)];
    const double next = theta * mu * current + (1.0 - theta) * previous;
    previous = current;
    current = next;
  }
  return current;
}

}  // namespace

const char* mixerKindName(MixerKind kind) {
  for (const auto& entry : kKindNames)
    if (entry.kind == kind) return entry.name;
  return "?";
}

std::optional<MixerKind> mixerKindFromName(const std::string& name) {
  for (const auto& entry : kKindNames)
    if (name == entry.name) return entry.kind;
  return std::nullopt;
}

std::vector<std::string> mixerKindNames() {
  std::vector<std::string> names;
  for (const auto& entry : kKindNames) names.emplace_back(entry.name);
  return names;
}

GossipPlan makeGossipPlan(MixerKind kind, double lambda, int rounds) {
  DISTOPT_CHECK(rounds >= 1);
  DISTOPT_CHECK(lambda >= 0.0 && lambda < 1.0);
  GossipPlan plan{.kind = kind, .rounds = rounds, .lambda = lambda, .theta = {}};
  plan.theta.resize(static_cast<std::size_t>(rounds), 1.0);
  const double lambda2 = lambda * lambda;
  switch (kind) {
    case MixerKind::Plain:
      break;
    case MixerKind::Chebyshev:
      // θ_k = 2·T_{k-1}(1/λ)/(λ·T_k(1/λ)): ratios of the Chebyshev values, which never overflow.
      if (rounds >= 2) plan.theta[1] = 2.0 / (2.0 - lambda2);
      for (int k = 2; k < rounds; ++k) {
        plan.theta[static_cast<std::size_t>(k)] =
            1.0 / (1.0 - 0.25 * lambda2 * plan.theta[static_cast<std::size_t>(k - 1)]);
      }
      break;
    case MixerKind::FastMix: {
      const double root = std::sqrt(1.0 - lambda2);
      const double eta = (1.0 - root) / (1.0 + root);
      for (auto& theta : plan.theta) theta = 1.0 + eta;
      break;
    }
  }
  return plan;
}

double exactContraction(const GossipPlan& plan, const Spectrum& spectrum) {
  double worst = 0.0;
  for (std::size_t k = 1; k < spectrum.eigenvalues.size(); ++k)
    worst = std::max(worst, std::abs(scalarPolynomial(plan, spectrum.eigenvalues[k])));
  return worst;
}

double gossipContraction(MixerKind kind, const Spectrum& spectrum, int rounds) {
  const double lambda = spectrum.lambda;
  switch (kind) {
    case MixerKind::Plain:
      return std::pow(lambda, rounds);
    case MixerKind::Chebyshev:
      if (lambda == 0.0) return 0.0;
      return 1.0 / std::cosh(rounds * std::acosh(1.0 / lambda));
    case MixerKind::FastMix:
      return exactContraction(makeGossipPlan(kind, lambda, rounds), spectrum);
  }
  return 1.0;
}

RoundChoice chooseRounds(MixerKind kind, const Spectrum& spectrum, double rhoTarget, int kMax) {
  DISTOPT_CHECK(rhoTarget > 0.0 && rhoTarget < 1.0 && kMax >= 1);
  if (spectrum.lambda == 0.0) return {1, false};
  for (int k = 1; k <= kMax; ++k)
    if (gossipContraction(kind, spectrum, k) <= rhoTarget) return {k, false};
  return {kMax, true};
}

Matrix gossipOperator(const Matrix& w, const GossipPlan& plan) {
  return applyGossip(w, plan, Matrix::Identity(w.rows(), w.cols()));
}

Matrix applyGossip(const Matrix& w, const GossipPlan& plan, const Matrix& u) {
  Matrix previous = u;
  Matrix current = u;
  for (int r = 0; r < plan.rounds; ++r) {
    const double theta = plan.theta[static_cast<std::size_t>(r)];
    Matrix next = theta * (w * current) + (1.0 - theta) * previous;
    previous = std::move(current);
    current = std::move(next);
  }
  return current;
}

}  // namespace distopt
