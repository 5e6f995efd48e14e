#pragma once
// The shared non-smooth regularizer h of a decentralized run and its proximal operator (docs/papers.md,
// decentralized-proxgt §2.2). h is either the problem's own non-smooth part (Problem::prox, already
// counted in Problem::loss), or one the algorithm adds: none, L1, a box, or L1 plus a box.

#include <optional>
#include <string>
#include <vector>

#include "core/problems/problem.hpp"

namespace distopt {

enum class RegularizerKind {
  Problem,  ///< the problem's own r (e.g. logistic l1), through Problem::prox
  None,     ///< h = 0: every method reduces to its smooth version
  L1,       ///< λ₁‖x‖₁, soft thresholding
  Box,      ///< indicator of [lower, upper]^p, clamping
  L1Box,    ///< λ₁‖x‖₁ + box: clamp(soft-threshold(z, αλ₁), l, u), exact because it is separable
};

/// "problem", "none", "l1", "box", "l1-box".
const char* regularizerKindName(RegularizerKind kind);
std::optional<RegularizerKind> regularizerKindFromName(const std::string& name);
std::vector<std::string> regularizerKindNames();

class ProxOperator {
 public:
  struct Options {
    RegularizerKind kind = RegularizerKind::Problem;
    double l1 = 0.0;      ///< λ₁ >= 0 (L1, L1Box)
    double lower = -1.0;  ///< box lower bound (Box, L1Box)
    double upper = 1.0;   ///< box upper bound, >= lower
    /// Field names: "regularizer", "l1", "box_lower", "box_upper".
    bool isValid(std::string* why) const;
  };

  /// `problem` is used for RegularizerKind::Problem only (and must outlive the operator).
  ProxOperator(Options options, const Problem* problem);

  /// prox_{step·h}(z).
  void apply(const Vector& z, double step, Vector& out) const;
  /// The part of h(x) that Problem::loss does not already include (0 for Problem and None). A box
  /// indicator is 0 within 1e-9 of the box (averages of feasible points are feasible up to rounding)
  /// and +inf beyond.
  double extraValue(const Vector& x) const;
  /// True when h is identically 0 (prox is the identity).
  bool isZero() const;
  const Options& options() const { return m_options; }

 private:
  Options m_options;
  const Problem* m_problem;
};

/// Soft thresholding sign(z)·max(|z| − τ, 0), coordinate-wise.
void softThreshold(const Vector& z, double tau, Vector& out);

/// G_β(x) = (x − prox_{βh}(x − β g)) / β for a gradient g = ∇F(x) (decentralized-proxgt §4.1).
void proxGradientMapping(const ProxOperator& prox, const Vector& x, const Vector& gradient, double beta,
                         Vector& out);

}  // namespace distopt
