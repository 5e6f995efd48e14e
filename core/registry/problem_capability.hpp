#pragma once
// What a problem offers that some algorithms need, in a header of its own so the family table
// (core/registry/family.hpp, read by net/protocol/message.hpp) can name it without the registry's JSON.

namespace distopt {

/// What a problem offers that some algorithms need. A problem's entry declares what it has (a test builds
/// each problem and checks the declaration against it); an algorithm's entry declares what it needs
/// (AlgorithmEntry::problemNeeds), so the parser refuses an incompatible pair before anything starts.
enum class ProblemCapability {
  HessianVectorProduct,       ///< Problem::hasHessianVectorProduct()
  BatchHessianVectorProduct,  ///< Problem::hasBatchHessianVectorProduct()
  FiniteDataSet,              ///< Problem::numSamples() > 0: a data set, not a stream of samples
  KronTwoLayer,               ///< the Kronecker two-layer network (core/kronecker/kron_problem.hpp)
};

/// "a Hessian-vector product", ... (for refusals: "needs a problem with ...").
const char* problemCapabilityText(ProblemCapability capability);

}  // namespace distopt
