#pragma once
// Finite-difference checks of a problem's derivatives, for tests and for anyone adding a problem.
// They compare against the smooth part only through loss(), so run them with any non-smooth
// regularizer (e.g. logistic's l1) switched off.

#include "core/problems/problem.hpp"

namespace distopt {

/// Central differences of loss() in every coordinate, step h·max(1, |x_i|):
/// ‖∇f(x) − ∇_FD f(x)‖ / max(‖∇f(x)‖, 1e-12). Costs 2·d loss evaluations: for small instances.
double gradientCheckError(const Problem& problem, const Vector& x, double h = 1e-6);

/// Central difference of gradient() along v: ‖H v − (∇f(x + h v) − ∇f(x − h v)) / 2h‖ / max(‖H v‖, 1e-12).
/// The problem must have a Hessian-vector product.
double hessianVectorCheckError(const Problem& problem, const Vector& x, const Vector& v, double h = 1e-5);

}  // namespace distopt
