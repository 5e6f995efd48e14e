#include "core/timing/natural_time_model.hpp"

#include <cmath>

#include "core/timing/model_params.hpp"
#include "core/util/check.hpp"

namespace distopt {

bool NaturalTimeModel::Options::isValid(std::string* why) const {
  if (std::isfinite(c) && c > 0.0) return true;
  if (why) *why = "c must be a finite number > 0";
  return false;
}

NaturalTimeModel::NaturalTimeModel(const Options& options, int numWorkers)
    : m_c(options.c), m_numWorkers(numWorkers) {
  DISTOPT_CHECK(numWorkers >= 1);
  DISTOPT_CHECK(options.isValid(nullptr));
}

double NaturalTimeModel::duration(int worker, std::uint64_t /*jobSeq*/, double /*startTime*/) const {
  return nominalTime(worker);
}

double NaturalTimeModel::nominalTime(int worker) const {
  DISTOPT_CHECK(worker >= 0 && worker < m_numWorkers);
  return m_c;
}

TimeModelEntry naturalTimeModelEntry() {
  TimeModelEntry entry;
  entry.name = "natural";
  entry.summary = "TM-6: no injected delay (live: real compute time only; virtual: c units per job)";
  entry.options.push_back(scaleOption("Virtual-time stand-in for one job of any worker; live runs ignore it"));
  entry.make = [specs = entry.options](const nlohmann::json& params, int numWorkers,
                                       std::uint64_t /*runSeed*/,
                                       const std::string& path) -> std::unique_ptr<TimeModel> {
    requireWorkers(numWorkers, path);
    const nlohmann::json filled = checkedParams(specs, params, path);
    NaturalTimeModel::Options options;
    options.c = filled.at("c").get<double>();
    return std::make_unique<NaturalTimeModel>(options, numWorkers);
  };
  return entry;
}

}  // namespace distopt
