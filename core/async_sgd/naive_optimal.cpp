#include "core/async_sgd/naive_optimal.hpp"

#include <algorithm>
#include <numeric>

#include "core/theory/time_complexity.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {

bool NaiveOptimalServer::Options::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (!(gamma > 0.0)) return fail("gamma: must be > 0");
  if (activeWorkers.empty()) return fail("active_workers: must name at least one worker");
  return true;
}

NaiveOptimalServer::NaiveOptimalServer(int numWorkers, Vector x0, Options options)
    : AsgdServer(numWorkers, std::move(x0), AsgdServer::Options{.gamma = options.gamma}), m_active(numWorkers, false) {
  DISTOPT_CHECK(options.isValid(nullptr));
  for (int worker : options.activeWorkers) {
    DISTOPT_CHECK(worker >= 0 && worker < numWorkers);
    m_active[worker] = true;
  }
}

std::vector<int> naiveOptimalActiveSet(const std::vector<double>& nominalTimes, double s) {
  const int m = theory::minF(nominalTimes, s).m;
  std::vector<int> order(nominalTimes.size());
  std::iota(order.begin(), order.end(), 0);
  // Stable: equal speeds keep index order, matching the ties-to-smallest rule of minF.
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return nominalTimes[a] < nominalTimes[b]; });
  order.resize(static_cast<std::size_t>(m));
  return order;
}

AlgorithmEntry naiveOptimalAlgorithmEntry() {
  return {.name = "naive-optimal",
          .summary = "Naive Optimal ASGD: ASGD on the m* fastest workers only (needs the worker speeds)",
          .options = {gammaOption(),
                      {.name = "s",
                       .type = OptionType::Double,
                       .minValue = 0.0,
                       .help = "sigma^2/eps used to choose m*. Default: from the problem's sigma^2 and the target, else 0",
                       .optional = true},
                      {.name = "active_workers",
                       .type = OptionType::Int,
                       .minValue = 1.0,
                       .help = "Use exactly this many fastest workers instead of the computed m*",
                       .optional = true}},
          .make = [](const nlohmann::json& params, const AlgorithmBuildContext& context) {
            if (static_cast<int>(context.nominalTimes.size()) != context.numWorkers)
              throw InputError(context.path, "needs the workers' nominal times from the time model");
            double s = 0.0;
            if (params.contains("s")) s = params["s"].get<double>();
            else if (context.sigma2 && context.epsilon) s = *context.sigma2 / *context.epsilon;
            NaiveOptimalServer::Options options;
            options.activeWorkers = naiveOptimalActiveSet(context.nominalTimes, s);
            if (params.contains("active_workers")) {
              const int m = params["active_workers"].get<int>();
              if (m > context.numWorkers)
                throw InputError(context.path + ".active_workers", "must be <= the number of workers (" +
                                                                      std::to_string(context.numWorkers) + ")");
              options.activeWorkers = naiveOptimalActiveSet(context.nominalTimes, 1e300);  // all, sorted by speed
              options.activeWorkers.resize(static_cast<std::size_t>(m));
            }
            const double m = static_cast<double>(options.activeWorkers.size());
            // async-sgd §2.4: gamma = min{1/(2 m* L), eps/(4 L sigma^2)}.
            options.gamma = stepSizeOrDefault(params, context, [&](double L, double s2, double eps) {
              return std::min(1.0 / (2.0 * m * L), eps / (4.0 * L * s2));
            });
            requireValid(options, context.path);
            return std::unique_ptr<AsyncServer>(new NaiveOptimalServer(context.numWorkers, context.x0, options));
          }};
}

}  // namespace distopt
