#include "core/timing/universal_time_model.hpp"

#include <cmath>
#include <limits>

#include "core/timing/model_params.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool isValidOutage(const UniversalTimeModel::Outage& outage, std::string* why) {
  auto fail = [&](const std::string& message) {
    if (why) *why = message;
    return false;
  };
  if (outage.worker < 0) return fail("outage worker must be a 0-based index >= 0");
  if (!(std::isfinite(outage.from) && outage.from >= 0.0))
    return fail("outage start must be a finite number >= 0");
  if (std::isnan(outage.to)) return fail("outage end must be a number or \"inf\"");
  if (!(outage.to > outage.from)) return fail("outage end must be after its start");
  return true;
}

}  // namespace

bool UniversalTimeModel::Options::isValid(std::string* why) const {
  // With a default schedule the compact profile describes no worker, so it need not be complete.
  if (!defaultSchedule && !profile.isValid(why)) return false;
  for (const auto& [worker, pieces] : schedules) {
    if (worker < 0) {
      if (why) *why = "schedule worker indices must be >= 0";
      return false;
    }
    if (!RateSchedule::isValidPieces(pieces, why)) return false;
  }
  if (defaultSchedule && !RateSchedule::isValidPieces(*defaultSchedule, why)) return false;
  for (const Outage& outage : outages)
    if (!isValidOutage(outage, why)) return false;
  return true;
}

UniversalTimeModel::UniversalTimeModel(const Options& options, int numWorkers) {
  DISTOPT_CHECK(numWorkers >= 1);
  DISTOPT_CHECK(options.isValid(nullptr));
  const std::vector<double> tau =
      options.defaultSchedule ? std::vector<double>{} : options.profile.baseTimes(numWorkers);
  m_schedules.reserve(static_cast<std::size_t>(numWorkers));
  for (int worker = 0; worker < numWorkers; ++worker) {
    const auto explicitSchedule = options.schedules.find(worker);
    if (explicitSchedule != options.schedules.end())
      m_schedules.emplace_back(explicitSchedule->second);
    else if (options.defaultSchedule)
      m_schedules.emplace_back(*options.defaultSchedule);
    else
      m_schedules.push_back(RateSchedule::constant(1.0 / tau[static_cast<std::size_t>(worker)]));
  }
  for (const auto& [worker, pieces] : options.schedules) DISTOPT_CHECK(worker < numWorkers);
  for (const Outage& outage : options.outages) {
    DISTOPT_CHECK(outage.worker < numWorkers);
    auto& target = m_schedules[static_cast<std::size_t>(outage.worker)];
    target = target.withOutage(outage.from, outage.to);
  }
}

UniversalTimeModel::UniversalTimeModel(std::vector<RateSchedule> schedules)
    : m_schedules(std::move(schedules)) {
  DISTOPT_CHECK(!m_schedules.empty());
}

const RateSchedule& UniversalTimeModel::schedule(int worker) const {
  DISTOPT_CHECK(worker >= 0 && worker < numWorkers());
  return m_schedules[static_cast<std::size_t>(worker)];
}

double UniversalTimeModel::duration(int worker, std::uint64_t /*jobSeq*/, double startTime) const {
  const double end = schedule(worker).timeToAccumulate(startTime, 1.0);
  return end == kInf ? kInf : end - startTime;
}

double UniversalTimeModel::nominalTime(int worker) const { return duration(worker, 0, 0.0); }

bool UniversalTimeModel::isDeterministic() const {
  for (const RateSchedule& schedule : m_schedules)
    if (!schedule.isConstant()) return false;
  return true;
}

namespace {

/// Parses a worker key: a decimal 0-based index below numWorkers.
int parseWorkerKey(const std::string& key, int numWorkers, const std::string& where) {
  bool digits = !key.empty() && key.size() <= 9;
  for (char ch : key) digits = digits && ch >= '0' && ch <= '9';
  if (!digits) throw InputError(where, "keys must be 0-based worker indices (or \"default\" in schedules)");
  const int worker = std::stoi(key);
  if (worker >= numWorkers)
    throw InputError(where, "worker " + key + " does not exist (0-based indices, " +
                                std::to_string(numWorkers) + " workers)");
  return worker;
}

std::vector<RateSchedule::Piece> parsePieces(const nlohmann::json& value, const std::string& where) {
  if (!value.is_array()) throw InputError(where, "must be a list of [time, rate] pairs");
  std::vector<RateSchedule::Piece> pieces;
  for (std::size_t k = 0; k < value.size(); ++k) {
    const auto& pair = value[k];
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_number())
      throw InputError(where, "entry " + std::to_string(k) + " must be a [time, rate] pair of numbers");
    pieces.push_back(RateSchedule::Piece{pair[0].get<double>(), pair[1].get<double>()});
  }
  std::string why;
  if (!RateSchedule::isValidPieces(pieces, &why)) throw InputError(where, why);
  return pieces;
}

double parseOutageBound(const nlohmann::json& value, bool allowInf) {
  if (value.is_number()) return value.get<double>();
  if (allowInf && value.is_string() && value.get<std::string>() == "inf") return kInf;
  return std::numeric_limits<double>::quiet_NaN();
}

UniversalTimeModel::Options parseOptions(const nlohmann::json& params, int numWorkers,
                                         const std::string& path) {
  UniversalTimeModel::Options options;
  options.profile = SpeedProfile::fromParams(params, path);
  for (const auto& [key, value] : params.at("schedules").items()) {
    const std::string where = path + ".schedules." + key;
    if (key == "default") {
      options.defaultSchedule = parsePieces(value, where);
      continue;
    }
    options.schedules[parseWorkerKey(key, numWorkers, where)] = parsePieces(value, where);
  }
  for (const auto& [key, value] : params.at("outages").items()) {
    const std::string where = path + ".outages." + key;
    const int worker = parseWorkerKey(key, numWorkers, where);
    if (!value.is_array()) throw InputError(where, "must be a list of [from, to] intervals");
    for (std::size_t k = 0; k < value.size(); ++k) {
      const auto& pair = value[k];
      const std::string entry = "entry " + std::to_string(k);
      if (!pair.is_array() || pair.size() != 2)
        throw InputError(where, entry + " must be a [from, to] pair (to may be \"inf\")");
      UniversalTimeModel::Outage outage{worker, parseOutageBound(pair[0], false),
                                        parseOutageBound(pair[1], true)};
      std::string why;
      if (!isValidOutage(outage, &why)) throw InputError(where, entry + ": " + why);
      options.outages.push_back(outage);
    }
  }
  if (!options.defaultSchedule) options.profile.checkFits(numWorkers, path);
  return options;
}

}  // namespace

TimeModelEntry universalTimeModelEntry() {
  TimeModelEntry entry;
  entry.name = "universal";
  entry.summary =
      "TM-5: time-varying piecewise-constant rates p_i(t) with outages (universal computation model)";
  entry.options = SpeedProfile::optionSpecs("time per gradient without a schedule (rate 1/tau_i)");
  {
    OptionSpec spec;
    spec.name = "schedules";
    spec.type = OptionType::Object;
    spec.defaultValue = nlohmann::json::object();
    spec.help =
        "Rates by 0-based worker: {\"3\": [[0, 1], [50, 0.1]], \"default\": [...]}; [t_k, rate_k], t_0 = 0";
    entry.options.push_back(spec);
  }
  {
    OptionSpec spec;
    spec.name = "outages";
    spec.type = OptionType::Object;
    spec.defaultValue = nlohmann::json::object();
    spec.help = "Zero-rate intervals by 0-based worker: {\"2\": [[100, 150], [300, \"inf\"]]}";
    spec.unit = "time units";
    entry.options.push_back(spec);
  }
  entry.make = [specs = entry.options](const nlohmann::json& params, int numWorkers,
                                       std::uint64_t /*runSeed*/,
                                       const std::string& path) -> std::unique_ptr<TimeModel> {
    requireWorkers(numWorkers, path);
    const nlohmann::json filled = checkedParams(specs, params, path);
    return std::make_unique<UniversalTimeModel>(parseOptions(filled, numWorkers, path), numWorkers);
  };
  return entry;
}

}  // namespace distopt
