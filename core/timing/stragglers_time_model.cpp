#include "core/timing/stragglers_time_model.hpp"

#include <cmath>

#include "core/timing/model_params.hpp"
#include "core/timing/time_models.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {

bool StragglersTimeModel::Options::isValid(std::string* why) const {
  auto fail = [&](const std::string& message) {
    if (why) *why = message;
    return false;
  };
  if (!(std::isfinite(M) && M >= 0.0)) return fail("M must be a finite number >= 0");
  for (int index : stragglers)
    if (index < 0) return fail("stragglers must be 0-based worker indices >= 0");
  return true;
}

StragglersTimeModel::StragglersTimeModel(std::unique_ptr<TimeModel> base, const Options& options)
    : m_base(std::move(base)) {
  DISTOPT_CHECK(m_base != nullptr);
  DISTOPT_CHECK(options.isValid(nullptr));
  m_factor.assign(static_cast<std::size_t>(m_base->numWorkers()), 1.0);
  for (int index : options.stragglers) {
    DISTOPT_CHECK(index < m_base->numWorkers());
    m_factor[static_cast<std::size_t>(index)] = 1.0 + options.M;
  }
}

double StragglersTimeModel::factor(int worker) const {
  DISTOPT_CHECK(worker >= 0 && worker < numWorkers());
  return m_factor[static_cast<std::size_t>(worker)];
}

double StragglersTimeModel::duration(int worker, std::uint64_t jobSeq, double startTime) const {
  return factor(worker) * m_base->duration(worker, jobSeq, startTime);
}

double StragglersTimeModel::nominalTime(int worker) const {
  return factor(worker) * m_base->nominalTime(worker);
}

double StragglersTimeModel::naturalSlowdown(int worker) const {
  return factor(worker) * m_base->naturalSlowdown(worker);
}

namespace {

std::unique_ptr<TimeModel> makeBase(const nlohmann::json& base, int numWorkers, std::uint64_t runSeed,
                                    const std::string& path) {
  const std::string basePath = path + ".base";
  if (!base.is_object()) throw InputError(basePath, "must be an object {\"model\": NAME, \"params\": {...}}");
  for (auto it = base.begin(); it != base.end(); ++it)
    if (it.key() != "model" && it.key() != "params")
      throw InputError(basePath + "." + it.key(), "unknown key (known: model, params)");
  if (!base.contains("model") || !base.at("model").is_string())
    throw InputError(basePath + ".model", "is required (the name of a time model)");
  const std::string name = base.at("model").get<std::string>();
  const nlohmann::json params = base.contains("params") ? base.at("params") : nlohmann::json::object();
  std::string known;
  for (const TimeModelEntry& entry : allTimeModelEntries()) {
    if (entry.name == name) return entry.make(params, numWorkers, runSeed, basePath + ".params");
    known += (known.empty() ? "" : ", ") + entry.name;
  }
  throw InputError(basePath + ".model", "unknown time model \"" + name + "\" (known: " + known + ")");
}

}  // namespace

TimeModelEntry stragglersTimeModelEntry() {
  TimeModelEntry entry;
  entry.name = "stragglers";
  entry.summary = "TM-4: a base time model with straggler workers whose jobs take (1+M) times longer";
  {
    OptionSpec spec;
    spec.name = "base";
    spec.type = OptionType::Object;
    spec.defaultValue = {{"model", "natural"}, {"params", nlohmann::json::object()}};
    spec.help = "Base time model of every worker: {\"model\": NAME, \"params\": {...}}";
    entry.options.push_back(spec);
  }
  {
    OptionSpec spec;
    spec.name = "stragglers";
    spec.type = OptionType::IntList;
    spec.defaultValue = nlohmann::json::array({0});
    spec.minValue = 0.0;
    spec.help = "0-based indices of the straggling workers";
    entry.options.push_back(spec);
  }
  {
    OptionSpec spec;
    spec.name = "M";
    spec.type = OptionType::Double;
    spec.defaultValue = 100.0;
    spec.minValue = 0.0;
    spec.help = "Slowdown: a straggler's job takes (1 + M) times its base duration";
    entry.options.push_back(spec);
  }
  entry.make = [specs = entry.options](const nlohmann::json& params, int numWorkers, std::uint64_t runSeed,
                                       const std::string& path) -> std::unique_ptr<TimeModel> {
    requireWorkers(numWorkers, path);
    const nlohmann::json filled = checkedParams(specs, params, path);
    StragglersTimeModel::Options options;
    options.M = filled.at("M").get<double>();
    const auto& list = filled.at("stragglers");
    options.stragglers.clear();
    for (std::size_t k = 0; k < list.size(); ++k) {
      const auto index = static_cast<std::int64_t>(list[k].get<double>());
      if (index >= numWorkers)
        throw InputError(path + ".stragglers", "entry " + std::to_string(k) + " is worker " +
                                                   std::to_string(index) +
                                                   " but worker indices are 0-based and there are " +
                                                   std::to_string(numWorkers) + " workers");
      options.stragglers.push_back(static_cast<int>(index));
    }
    return std::make_unique<StragglersTimeModel>(makeBase(filled.at("base"), numWorkers, runSeed, path),
                                                 options);
  };
  return entry;
}

}  // namespace distopt
