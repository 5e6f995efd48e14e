#pragma once
// Registry entry for a parameter-server algorithm: its option metadata and how to build it.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/async_sgd/server.hpp"
#include "core/registry/component.hpp"
#include "core/registry/family.hpp"
#include "core/registry/option_spec.hpp"
#include "core/sim/sim_run.hpp"

namespace distopt {

/// Facts about the run that theory-based defaults need (docs/papers.md, async-sgd §2.7).
struct AlgorithmBuildContext {
  int numWorkers = 1;
  Vector x0;
  std::optional<double> smoothness;   ///< L, when the problem knows it
  std::optional<double> sigma2;       ///< gradient variance bound, when known
  std::optional<double> epsilon;      ///< target E||grad f||^2, when the experiment sets one
  std::vector<double> nominalTimes;   ///< tau_i per worker from the time model
  std::string path = "algorithm.params";
};

/// A capability an algorithm needs of its problem: always, or only when an option asks for it.
struct ProblemNeed {
  ProblemCapability capability = ProblemCapability::HessianVectorProduct;
  /// Empty: always needed. Else the option that asks for it (refusals name that field) and `when`, which
  /// says from the validated params whether it does (e.g. ese_batch > 0).
  std::string option;
  std::function<bool(const nlohmann::json& params)> when;
};

struct AlgorithmEntry {
  std::string name;
  std::string summary;
  /// Set by the registry from the family whose list holds the entry (core/registry/registry.cpp).
  FamilyId family = FamilyId::Async;
  std::vector<OptionSpec> options;
  /// What the problem must offer (core/registry/registry.hpp, checkProblemNeeds). Declared here rather
  /// than found when the run starts, so the parser and the editor refuse an incompatible pair up front.
  std::vector<ProblemNeed> problemNeeds;
  /// Parameter-server methods (the SimEngine's, and live the ParameterServerCoordinator's): builds the server
  /// from validated params (defaults filled). Throws InputError naming the field.
  std::function<std::unique_ptr<AsyncServer>(const nlohmann::json& params, const AlgorithmBuildContext& context)>
      make;
  /// Every other family: builds its whole simulated run. Exactly one of make / makeSimRun is set.
  std::function<std::unique_ptr<SimRun>(const nlohmann::json& params, const SimRunContext& context)> makeSimRun;
  /// Set by a family whose live driver exists (net/families; a test checks the two agree): makeSimRun's
  /// pieces then also run on worker processes with the family's coordinator and worker roles.
  bool liveDriver = false;
  /// True when live workers can run it (else an experiment with engine "live" is refused up front).
  bool runsLive() const { return static_cast<bool>(make) || liveDriver; }
};

/// Step size from the params, or the theory default when "gamma" is absent:
/// `theory(L, sigma2, epsilon)` when all are known, else 0.1 (async-sgd §2.7).
double stepSizeOrDefault(const nlohmann::json& params, const AlgorithmBuildContext& context,
                         const std::function<double(double L, double sigma2, double epsilon)>& theory);

/// The common "gamma" option (optional: a theory default applies when absent).
OptionSpec gammaOption();

}  // namespace distopt
