#include "core/topology/mixing_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include <Eigen/Eigenvalues>

#include "core/util/check.hpp"

namespace distopt {
namespace {

struct RuleName {
  WeightRule rule;
  const char* name;
};
constexpr RuleName kRuleNames[] = {
    {WeightRule::MetropolisHastings, "metropolis"},
    {WeightRule::LazyMetropolis, "lazy-metropolis"},
    {WeightRule::MaxDegree, "max-degree"},
    {WeightRule::LaplacianNormalized, "laplacian"},
    {WeightRule::Uniform, "uniform"},
};

// Off-diagonal weights from `edgeWeight`, diagonal 1 - row sum: unit row sums by construction.
Matrix fromEdgeWeights(const Graph& graph, const std::function<double(int, int)>& edgeWeight) {
  const int n = graph.size();
  Matrix w = Matrix::Zero(n, n);
  for (int i = 0; i < n; ++i) {
    double offDiagonal = 0.0;
    for (int j : graph.neighbours(i)) {
      w(i, j) = edgeWeight(i, j);
      offDiagonal += w(i, j);
    }
    w(i, i) = 1.0 - offDiagonal;
  }
  return w;
}

}  // namespace

const char* weightRuleName(WeightRule rule) {
  for (const auto& entry : kRuleNames)
    if (entry.rule == rule) return entry.name;
  return "?";
}

std::optional<WeightRule> weightRuleFromName(const std::string& name) {
  for (const auto& entry : kRuleNames)
    if (name == entry.name) return entry.rule;
  return std::nullopt;
}

std::vector<std::string> weightRuleNames() {
  std::vector<std::string> names;
  for (const auto& entry : kRuleNames) names.emplace_back(entry.name);
  return names;
}

Matrix mixingMatrix(const Graph& graph, WeightRule rule) {
  switch (rule) {
    case WeightRule::MetropolisHastings:
      return fromEdgeWeights(
          graph, [&](int i, int j) { return 1.0 / (1.0 + std::max(graph.degree(i), graph.degree(j))); });
    case WeightRule::LazyMetropolis:
      return fromEdgeWeights(
          graph, [&](int i, int j) { return 0.5 / (1.0 + std::max(graph.degree(i), graph.degree(j))); });
    case WeightRule::MaxDegree: {
      const double weight = 1.0 / (1.0 + graph.maxDegree());
      return fromEdgeWeights(graph, [weight](int, int) { return weight; });
    }
    case WeightRule::LaplacianNormalized: {
      const int n = graph.size();
      Matrix laplacian = Matrix::Zero(n, n);
      for (int i = 0; i < n; ++i) {
        laplacian(i, i) = graph.degree(i);
        for (int j : graph.neighbours(i)) laplacian(i, j) = -1.0;
      }
      const double top = n > 0 ? spectrumOf(laplacian).eigenvalues.front() : 0.0;
      if (!(top > 0.0)) return Matrix::Identity(n, n);  // no edges: nothing to mix
      return fromEdgeWeights(graph, [top](int, int) { return 1.0 / top; });
    }
    case WeightRule::Uniform: {
      DISTOPT_CHECK_MSG(graph.isRegular(), "uniform weights need a regular graph");
      const double weight = graph.size() > 0 ? 1.0 / (1.0 + graph.degree(0)) : 1.0;
      return fromEdgeWeights(graph, [weight](int, int) { return weight; });
    }
  }
  return Matrix::Identity(graph.size(), graph.size());
}

Spectrum spectrumOf(const Matrix& w) {
  Spectrum spectrum;
  if (w.rows() == 0) return spectrum;
  Eigen::SelfAdjointEigenSolver<Matrix> solver(w, Eigen::EigenvaluesOnly);
  const auto& values = solver.eigenvalues();
  spectrum.eigenvalues.assign(values.data(), values.data() + values.size());
  std::sort(spectrum.eigenvalues.begin(), spectrum.eigenvalues.end(), std::greater<>());
  if (spectrum.eigenvalues.size() >= 2) {
    spectrum.lambda2 = spectrum.eigenvalues[1];
    spectrum.lambdaN = spectrum.eigenvalues.back();
    spectrum.lambda = std::max(std::abs(spectrum.lambda2), std::abs(spectrum.lambdaN));
  }
  return spectrum;
}

double symmetricNorm(const Matrix& m) {
  if (m.rows() == 0) return 0.0;
  Eigen::SelfAdjointEigenSolver<Matrix> solver(m, Eigen::EigenvaluesOnly);
  return solver.eigenvalues().cwiseAbs().maxCoeff();
}

bool checkMixingMatrix(const Matrix& w, const Graph& graph, std::string* why) {
  auto fail = [why](const std::string& text) {
    if (why) *why = text;
    return false;
  };
  const int n = graph.size();
  if (w.rows() != n || w.cols() != n) return fail("W has the wrong size for the graph");
  for (int i = 0; i < n; ++i) {
    if (std::abs(w.row(i).sum() - 1.0) > 1e-12)
      return fail("row " + std::to_string(i) + " of W does not sum to 1");
    for (int j = 0; j < n; ++j) {
      if (std::abs(w(i, j) - w(j, i)) > 1e-12) return fail("W is not symmetric");
      if (w(i, j) < 0.0) return fail("W has a negative entry");
      if (i != j && w(i, j) != 0.0 && !graph.hasEdge(i, j))
        return fail("W has a weight off the graph's edges");
    }
  }
  if (n > 1 && !(spectrumOf(w).lambda < 1.0 - 1e-12))
    return fail("the graph is disconnected (||W - J|| = 1): the nodes cannot reach consensus");
  return true;
}

}  // namespace distopt
