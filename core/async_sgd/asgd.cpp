#include "core/async_sgd/asgd.hpp"

#include <algorithm>

#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {

bool AsgdServer::Options::isValid(std::string* why) const {
  if (!(gamma > 0.0)) {
    if (why) *why = "gamma: must be > 0";
    return false;
  }
  return true;
}

AsgdServer::AsgdServer(int numWorkers, Vector x0, Options options)
    : AsyncServer(numWorkers, std::move(x0)), m_options(options) {
  DISTOPT_CHECK(m_options.isValid(nullptr));
}

void AsgdServer::onStart(ActionSink& sink) {
  for (int i = 0; i < numWorkers(); ++i)
    if (isActive(i)) issueJob(i, sink);
}

void AsgdServer::onGradient(const GradientArrival& arrival, std::int64_t delay, ActionSink& sink) {
  applyStep(arrival.gradient->value(), stepFor(delay));
  recordAccepted(arrival, delay, sink);
  // The worker restarts on the model that already includes its own gradient.
  issueJob(arrival.worker, sink);
}

AlgorithmEntry asgdAlgorithmEntry() {
  return {.name = "asgd",
          .summary = "Asynchronous SGD: apply every gradient on arrival (Mishchenko et al.; Koloskova et al.)",
          .options = {gammaOption()},
          .make = [](const nlohmann::json& params, const AlgorithmBuildContext& context) {
            AsgdServer::Options options;
            // Theory (async-sgd §2.3 with R = n): gamma = min{1/(2 n L), eps/(4 L sigma^2)}.
            options.gamma = stepSizeOrDefault(params, context, [&](double L, double s2, double eps) {
              return std::min(1.0 / (2.0 * context.numWorkers * L), eps / (4.0 * L * s2));
            });
            return std::unique_ptr<AsyncServer>(new AsgdServer(context.numWorkers, context.x0, options));
          }};
}

}  // namespace distopt
