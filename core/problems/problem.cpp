#include "core/problems/problem.hpp"

#include "core/util/check.hpp"

namespace distopt {

void Problem::hessianVectorProduct(const Vector& /*x*/, const Vector& /*v*/, Vector& /*out*/) const {
  DISTOPT_CHECK_MSG(false, "hessianVectorProduct called on a problem without one; check hasHessianVectorProduct()");
}

void Problem::batchHessianVectorProduct(const Vector& /*x*/, const Vector& /*v*/, std::int64_t /*first*/,
                                        std::int64_t /*count*/, Vector& /*out*/) const {
  DISTOPT_CHECK_MSG(false, "batchHessianVectorProduct called on a problem without one");
}

}  // namespace distopt
