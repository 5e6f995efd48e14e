#include "net/families/live_families.hpp"

#include <optional>
#include <vector>

#include "net/families/compressed/compressed_live.hpp"
#include "net/families/decentralized/decentralized_live.hpp"
#include "net/families/hybrid/hybrid_live.hpp"
#include "net/families/kronecker/kron_live.hpp"
#include "net/families/parameter_server/parameter_server_live.hpp"
#include "core/registry/registry.hpp"
#include "core/util/input_error.hpp"

namespace distopt::net {
namespace {

// One case per family, each driver from its own folder under net/families/. No default: a new FamilyId
// does not build until it is here.
std::optional<LiveFamilyDriver> driverOf(FamilyId family) {
  switch (family) {
    case FamilyId::Async:
      return parameterServerLiveDriver();
    case FamilyId::Compressed:
      return compressedLiveDriver();
    case FamilyId::Decentralized:
      return decentralizedLiveDriver();
    case FamilyId::Kronecker:
      return kroneckerLiveDriver();
    case FamilyId::Hybrid:
      return hybridLiveDriver();
  }
  return std::nullopt;
}

}  // namespace

std::span<const LiveFamilyDriver> liveFamilyDrivers() {
  static const std::vector<LiveFamilyDriver> kDrivers = [] {
    std::vector<LiveFamilyDriver> drivers;
    for (const auto& family : kFamilyDescriptors)
      if (auto driver = driverOf(family.id)) drivers.push_back(std::move(*driver));
    return drivers;
  }();
  return kDrivers;
}

const LiveFamilyDriver* findLiveDriver(FamilyId family) {
  for (const auto& driver : liveFamilyDrivers())
    if (driver.family == family) return &driver;
  return nullptr;
}

std::unique_ptr<CoordinatorRole> makeLiveCoordinator(const Experiment& experiment, const BuiltRun& run) {
  const FamilyId family = findAlgorithm(experiment.algorithm.name)->family;
  const LiveFamilyDriver* driver = findLiveDriver(family);
  if (!driver)
    throw InputError("engine", "the " + std::string(familyName(family)) +
                                   " family has no live driver; set \"engine\": \"sim\"");
  return driver->makeCoordinator(experiment, run);
}

}  // namespace distopt::net
