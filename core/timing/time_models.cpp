#include "core/timing/time_models.hpp"

#include "core/timing/fixed_time_model.hpp"
#include "core/timing/jitter_time_model.hpp"
#include "core/timing/natural_time_model.hpp"
#include "core/timing/ringmaster_time_model.hpp"
#include "core/timing/stragglers_time_model.hpp"
#include "core/timing/universal_time_model.hpp"

namespace distopt {

std::vector<TimeModelEntry> allTimeModelEntries() {
  return {fixedTimeModelEntry(),      ringmasterTimeModelEntry(), jitterTimeModelEntry(),
          stragglersTimeModelEntry(), universalTimeModelEntry(),  naturalTimeModelEntry()};
}

std::optional<TimeModelEntry> findTimeModelEntry(const std::string& name) {
  for (TimeModelEntry& entry : allTimeModelEntries())
    if (entry.name == name) return std::move(entry);
  return std::nullopt;
}

std::vector<double> nominalTimes(const TimeModel& model) {
  std::vector<double> tau(static_cast<std::size_t>(model.numWorkers()));
  for (int worker = 0; worker < model.numWorkers(); ++worker)
    tau[static_cast<std::size_t>(worker)] = model.nominalTime(worker);
  return tau;
}

}  // namespace distopt
