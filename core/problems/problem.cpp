#include "core/problems/problem.hpp"

#include "core/util/check.hpp"

namespace distopt {

void Problem::stochasticGradientInto(const Eigen::Ref<const Vector>& x, const Shard& shard,
                                     RandomStream& stream, Eigen::Ref<Vector> out) const {
  // A Vector of its own, so reductions over x see the alignment they see in stochasticGradient.
  const Vector model = x;
  Vector gradient;
  stochasticGradient(model, shard, stream, gradient);
  DISTOPT_CHECK(out.size() == gradient.size());
  out = gradient;
}

void Problem::hessianVectorProduct(const Vector& /*x*/, const Vector& /*v*/, Vector& /*out*/) const {
  DISTOPT_CHECK_MSG(false, "hessianVectorProduct called on a problem without one; check hasHessianVectorProduct()");
}

void Problem::batchHessianVectorProduct(const Vector& /*x*/, const Vector& /*v*/, std::int64_t /*first*/,
                                        std::int64_t /*count*/, Vector& /*out*/) const {
  DISTOPT_CHECK_MSG(false, "batchHessianVectorProduct called on a problem without one");
}

}  // namespace distopt
