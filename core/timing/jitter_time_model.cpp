#include "core/timing/jitter_time_model.hpp"

#include <cmath>
#include <numbers>

#include "core/timing/model_params.hpp"
#include "core/util/check.hpp"
#include "core/util/random_stream.hpp"

namespace distopt {

bool JitterTimeModel::Options::isValid(std::string* why) const {
  if (!profile.isValid(why)) return false;
  if (std::isfinite(rel) && rel >= 0.0) return true;
  if (why) *why = "rel must be a finite number >= 0";
  return false;
}

JitterTimeModel::JitterTimeModel(const Options& options, int numWorkers, std::uint64_t runSeed)
    : m_rel(options.rel), m_runSeed(runSeed) {
  DISTOPT_CHECK(numWorkers >= 1);
  DISTOPT_CHECK(options.isValid(nullptr));
  m_base = options.profile.baseTimes(numWorkers);
}

double JitterTimeModel::base(int worker) const {
  DISTOPT_CHECK(worker >= 0 && worker < numWorkers());
  return m_base[static_cast<std::size_t>(worker)];
}

double JitterTimeModel::duration(int worker, std::uint64_t jobSeq, double /*startTime*/) const {
  const double b = base(worker);
  // Drawn even when rel == 0 so the stream is consumed identically for every rel.
  RandomStream stream(StreamKey{.runSeed = m_runSeed,
                                .purpose = StreamPurpose::ComputeTime,
                                .worker = static_cast<std::uint64_t>(worker),
                                .job = jobSeq});
  return b + std::abs(m_rel * b * stream.normal());
}

double JitterTimeModel::nominalTime(int worker) const {
  return base(worker) * (1.0 + m_rel * std::sqrt(2.0 / std::numbers::pi));
}

TimeModelEntry jitterTimeModelEntry() {
  TimeModelEntry entry;
  entry.name = "jitter";
  entry.summary = "TM-3: mild jitter, b_i + |N(0, (rel*b_i)^2)| around fixed base times b_i = c*h(i)";
  entry.options = SpeedProfile::optionSpecs("base time");
  {
    OptionSpec spec;
    spec.name = "rel";
    spec.type = OptionType::Double;
    spec.defaultValue = 0.05;
    spec.minValue = 0.0;
    spec.help = "Relative jitter: std of the half-normal delay added to b_i, as a fraction of b_i";
    entry.options.push_back(spec);
  }
  entry.make = [specs = entry.options](const nlohmann::json& params, int numWorkers, std::uint64_t runSeed,
                                       const std::string& path) -> std::unique_ptr<TimeModel> {
    requireWorkers(numWorkers, path);
    const nlohmann::json filled = checkedParams(specs, params, path);
    JitterTimeModel::Options options;
    options.profile = SpeedProfile::fromParams(filled, path);
    options.rel = filled.at("rel").get<double>();
    options.profile.checkFits(numWorkers, path);
    return std::make_unique<JitterTimeModel>(options, numWorkers, runSeed);
  };
  return entry;
}

}  // namespace distopt
