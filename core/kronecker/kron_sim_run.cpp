#include "core/kronecker/kron_sim_run.hpp"

#include "core/kronecker/kron_family_coordinator.hpp"
#include "core/kronecker/kron_family_worker.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

void check(const KronTwoLayerProblem& problem, const KronRunSettings& settings,
           const SimRunContext& context) {
  DISTOPT_CHECK(context.timeModel && context.problem == &problem);
  if (context.timeModel->numWorkers() != context.numWorkers)
    throw InputError("workers.count", "does not match the time model");
  if (settings.algorithm == KronAlgorithm::Fast) requireValid(settings.fast, context.path);
  const KronNaiveOptions common{.eta = settings.eta, .staleness = settings.staleness};
  requireValid(common, context.path);
  requireValid(context.options, "stop");
}

std::vector<std::unique_ptr<FamilyWorker<KronDown, KronUp>>> makeWorkers(const KronTwoLayerProblem& problem,
                                                                         const SimRunContext& context) {
  std::vector<std::unique_ptr<FamilyWorker<KronDown, KronUp>>> workers;
  for (int w = 0; w < context.numWorkers; ++w)
    workers.push_back(std::make_unique<KronFamilyWorker>(problem, *context.timeModel, w));
  return workers;
}

}  // namespace

// Validated before either role is built: the check is an argument of the constructor delegated to, so it
// has thrown before that constructor starts building the roles.
KronSimRun::KronSimRun(const KronTwoLayerProblem& problem, const Settings& settings,
                       const SimRunContext& context)
    : KronSimRun((check(problem, settings, context), Checked{}), problem, settings, context) {}

KronSimRun::KronSimRun(Checked, const KronTwoLayerProblem& problem, const Settings& settings,
                       const SimRunContext& context)
    : RolesOnVirtualNetwork(
          std::make_unique<KronFamilyCoordinator>(problem, settings, context.numWorkers, context.options.seed,
                                                  context.options.maxUpdates),
          makeWorkers(problem, context), Wire{.down = kronDownWireSize, .up = kronUpWireSize}, context) {}

}  // namespace distopt
