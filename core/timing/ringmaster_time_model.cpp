#include "core/timing/ringmaster_time_model.hpp"

#include <cmath>
#include <numbers>
#include <utility>

#include "core/timing/model_params.hpp"
#include "core/util/check.hpp"
#include "core/util/random_stream.hpp"

namespace distopt {

bool RingmasterTimeModel::Options::isValid(std::string* why) const {
  if (std::isfinite(c) && c > 0.0) return true;
  if (why) *why = "c must be a finite number > 0";
  return false;
}

RingmasterTimeModel::RingmasterTimeModel(const Options& options, int numWorkers, std::uint64_t runSeed)
    : m_c(options.c), m_runSeed(runSeed) {
  DISTOPT_CHECK(numWorkers >= 1);
  DISTOPT_CHECK(options.isValid(nullptr));
  m_base.resize(static_cast<std::size_t>(numWorkers));
  std::vector<std::size_t> order(m_base.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  if (options.shuffle) {
    // A run-wide stream (no worker) so the permutation is the same in the simulator and in every
    // live worker process, and never shares bits with a job's draw.
    RandomStream stream(StreamKey{
        .runSeed = runSeed, .purpose = StreamPurpose::ComputeTime, .worker = StreamKey::kNoWorker, .job = 0});
    for (std::size_t k = order.size(); k > 1; --k) std::swap(order[k - 1], order[stream.uniformInt(k)]);
  }
  for (std::size_t w = 0; w < m_base.size(); ++w) m_base[w] = 1.0 + std::sqrt(static_cast<double>(order[w]));
}

double RingmasterTimeModel::base(int worker) const {
  DISTOPT_CHECK(worker >= 0 && worker < numWorkers());
  return m_base[static_cast<std::size_t>(worker)];
}

double RingmasterTimeModel::noiseStd(int worker) const {
  DISTOPT_CHECK(worker >= 0 && worker < numWorkers());
  return std::sqrt(worker + 1.0);
}

double RingmasterTimeModel::duration(int worker, std::uint64_t jobSeq, double /*startTime*/) const {
  RandomStream stream(StreamKey{.runSeed = m_runSeed,
                                .purpose = StreamPurpose::ComputeTime,
                                .worker = static_cast<std::uint64_t>(worker),
                                .job = jobSeq});
  const double zeta = noiseStd(worker) * stream.normal();
  return m_c * (base(worker) + std::abs(zeta));
}

double RingmasterTimeModel::nominalTime(int worker) const {
  // E|zeta| = std * sqrt(2/pi) for a centred normal.
  return m_c * (base(worker) + noiseStd(worker) * std::sqrt(2.0 / std::numbers::pi));
}

TimeModelEntry ringmasterTimeModelEntry() {
  TimeModelEntry entry;
  entry.name = "ringmaster";
  entry.summary = "TM-2: Ringmaster-paper random times c*(1 + sqrt(i-1) + |N(0, i)|), fresh per job";
  entry.options.push_back(scaleOption("Scale c multiplying every duration"));
  {
    OptionSpec spec;
    spec.name = "shuffle";
    spec.type = OptionType::Bool;
    spec.defaultValue = false;
    spec.help = "TM-2s: permute the base times across workers (seeded by the run); noise std stays sqrt(i)";
    entry.options.push_back(spec);
  }
  entry.make = [specs = entry.options](const nlohmann::json& params, int numWorkers, std::uint64_t runSeed,
                                       const std::string& path) -> std::unique_ptr<TimeModel> {
    requireWorkers(numWorkers, path);
    const nlohmann::json filled = checkedParams(specs, params, path);
    RingmasterTimeModel::Options options;
    options.c = filled.at("c").get<double>();
    options.shuffle = filled.at("shuffle").get<bool>();
    return std::make_unique<RingmasterTimeModel>(options, numWorkers, runSeed);
  };
  return entry;
}

}  // namespace distopt
