#include "core/problems/derivative_check.hpp"

#include <algorithm>
#include <cmath>

#include "core/util/check.hpp"

namespace distopt {

double gradientCheckError(const Problem& problem, const Vector& x, double h) {
  Vector gradient;
  problem.gradient(x, gradient);
  Vector numeric(x.size());
  Vector probe = x;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double step = h * std::max(1.0, std::abs(x[i]));
    probe[i] = x[i] + step;
    const double up = problem.loss(probe);
    probe[i] = x[i] - step;
    const double down = problem.loss(probe);
    probe[i] = x[i];
    numeric[i] = (up - down) / (2.0 * step);
  }
  return (gradient - numeric).norm() / std::max(gradient.norm(), 1e-12);
}

double hessianVectorCheckError(const Problem& problem, const Vector& x, const Vector& v, double h) {
  DISTOPT_CHECK(problem.hasHessianVectorProduct());
  Vector hv;
  problem.hessianVectorProduct(x, v, hv);
  Vector up;
  Vector down;
  problem.gradient(x + h * v, up);
  problem.gradient(x - h * v, down);
  const Vector numeric = (up - down) / (2.0 * h);
  return (hv - numeric).norm() / std::max(hv.norm(), 1e-12);
}

}  // namespace distopt
