#include "core/timing/fixed_time_model.hpp"

#include "core/timing/model_params.hpp"
#include "core/util/check.hpp"

namespace distopt {

FixedTimeModel::FixedTimeModel(const Options& options, int numWorkers) {
  DISTOPT_CHECK(numWorkers >= 1);
  DISTOPT_CHECK(options.isValid(nullptr));
  m_tau = options.profile.baseTimes(numWorkers);
}

double FixedTimeModel::duration(int worker, std::uint64_t /*jobSeq*/, double /*startTime*/) const {
  return nominalTime(worker);
}

double FixedTimeModel::nominalTime(int worker) const {
  DISTOPT_CHECK(worker >= 0 && worker < numWorkers());
  return m_tau[static_cast<std::size_t>(worker)];
}

TimeModelEntry fixedTimeModelEntry() {
  TimeModelEntry entry;
  entry.name = "fixed";
  entry.summary = "TM-1: fixed time per gradient, tau_i = c*h(i) with h one/sqrt/linear/square/list";
  entry.options = SpeedProfile::optionSpecs();
  entry.make = [specs = entry.options](const nlohmann::json& params, int numWorkers,
                                       std::uint64_t /*runSeed*/,
                                       const std::string& path) -> std::unique_ptr<TimeModel> {
    requireWorkers(numWorkers, path);
    const nlohmann::json filled = checkedParams(specs, params, path);
    FixedTimeModel::Options options;
    options.profile = SpeedProfile::fromParams(filled, path);
    options.profile.checkFits(numWorkers, path);
    return std::make_unique<FixedTimeModel>(options, numWorkers);
  };
  return entry;
}

}  // namespace distopt
