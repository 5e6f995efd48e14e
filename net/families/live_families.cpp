#include "net/families/live_families.hpp"

#include <vector>

#include "net/families/compressed/compressed_live.hpp"
#include "net/families/kronecker/kron_live.hpp"
#include "net/families/decentralized/decentralized_live.hpp"
#include "net/families/hybrid/hybrid_live.hpp"

namespace distopt::net {
namespace {

std::vector<LiveFamilyDriver> allDrivers() {
  std::vector<LiveFamilyDriver> drivers;
  // One line per family, each from its own folder under net/families/.
  drivers.push_back(compressedLiveDriver());
  drivers.push_back(kroneckerLiveDriver());
  drivers.push_back(decentralizedLiveDriver());
  drivers.push_back(hybridLiveDriver());
  return drivers;
}

}  // namespace

std::span<const LiveFamilyDriver> liveFamilyDrivers() {
  static const std::vector<LiveFamilyDriver> kDrivers = allDrivers();
  return kDrivers;
}

const LiveFamilyDriver* findLiveDriver(const std::string& family) {
  for (const auto& driver : liveFamilyDrivers())
    if (driver.family == family) return &driver;
  return nullptr;
}

}  // namespace distopt::net
