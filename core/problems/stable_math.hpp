#pragma once
// Overflow-free scalar functions shared by the logistic and network problems: a naive log(1 + exp(t))
// is inf for t > 709 and a naive sigmoid's exp overflows for t < −709, which at a bad step size happens.

#include <cmath>

namespace distopt::stable {

/// log(1 + e^t).
inline double softplus(double t) { return t > 0.0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t)); }

/// 1 / (1 + e^−t).
inline double sigmoid(double t) {
  if (t >= 0.0) return 1.0 / (1.0 + std::exp(-t));
  const double e = std::exp(t);
  return e / (1.0 + e);
}

/// σ(t)(1 − σ(t)) = e^−|t| / (1 + e^−|t|)², without the cancellation of 1 − σ(t) for large t.
inline double sigmoidSlope(double t) {
  const double e = std::exp(-std::abs(t));
  return e / ((1.0 + e) * (1.0 + e));
}

}  // namespace distopt::stable
