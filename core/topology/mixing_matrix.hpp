#pragma once
// Mixing matrices W on a graph and their spectral quantities (docs/papers.md, decentralized-proxgt §3.1,
// §3.2, §3.4). W is dense: n is at most a few hundred, and the spectrum comes from a dense self-adjoint
// eigen-solver anyway.

#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/topology/graph.hpp"

namespace distopt {

using Matrix = Eigen::MatrixXd;

enum class WeightRule {
  MetropolisHastings,   ///< w_ij = 1/(1 + max(d_i, d_j)) (default; needs no global information)
  LazyMetropolis,       ///< (I + W_MH)/2: spectrum in [0, 1]
  MaxDegree,            ///< w_ij = 1/(1 + d_max)
  LaplacianNormalized,  ///< W = I - L_G / lambda_max(L_G): positive semi-definite
  Uniform,              ///< w_ij = w_ii = 1/(d + 1); d-regular graphs only
};

/// "metropolis", "lazy-metropolis", "max-degree", "laplacian", "uniform".
const char* weightRuleName(WeightRule rule);
std::optional<WeightRule> weightRuleFromName(const std::string& name);
std::vector<std::string> weightRuleNames();

/// W for `graph` by `rule`. Uniform on a non-regular graph is a contract violation (check first with
/// graph.isRegular()).
Matrix mixingMatrix(const Graph& graph, WeightRule rule);

struct Spectrum {
  std::vector<double> eigenvalues;  ///< all n eigenvalues of W, descending (eigenvalues[0] = 1)
  double lambda2 = 0.0;             ///< second largest (0 for n = 1)
  double lambdaN = 0.0;             ///< smallest (0 for n = 1)
  double lambda = 0.0;              ///< max(|lambda2|, |lambdaN|) = ||W - J||_2
  double gap() const { return 1.0 - lambda; }
};

/// Eigenvalues of a symmetric W (dense self-adjoint solver).
Spectrum spectrumOf(const Matrix& w);

/// ||M||_2 of a symmetric matrix: the largest |eigenvalue|.
double symmetricNorm(const Matrix& m);

/// Checks decentralized-proxgt §3.1: unit row sums and symmetry within 1e-12, non-negative entries, zero
/// entries off the graph, and lambda < 1 - 1e-12 (connected). On failure *why says which.
bool checkMixingMatrix(const Matrix& w, const Graph& graph, std::string* why);

}  // namespace distopt
