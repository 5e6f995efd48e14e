#include "net/families/live_families.hpp"

#include <optional>
#include <vector>

#include "net/families/compressed/compressed_live.hpp"
#include "net/families/decentralized/decentralized_live.hpp"
#include "net/families/hybrid/hybrid_live.hpp"
#include "net/families/kronecker/kron_live.hpp"

namespace distopt::net {
namespace {

// One case per family, each driver from its own folder under net/families/. No default: a new FamilyId
// does not build until it is here.
std::optional<LiveFamilyDriver> driverOf(FamilyId family) {
  switch (family) {
    case FamilyId::Async:
      return std::nullopt;  // the LiveEngine drives its AsyncServer
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

}  // namespace distopt::net
