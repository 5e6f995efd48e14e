#pragma once
// The method families as one typed table. A family is known everywhere by its FamilyId; this table says
// what each one is (its name in files and `--list`, its wire message kinds, how its roles run, what all
// its algorithms need of a problem). The layers that add something per family keep their own table
// indexed by the id, each a `switch` without a default so that a new id does not build until every layer
// handles it: the registry's entries (core/registry/registry.cpp), the live drivers
// (net/families/live_families.cpp) and the GUI views (ui/family/family_view.cpp). The wire's kind space
// is derived from the ranges here (net/protocol/message.hpp), and test_net_families checks the table
// against the kinds, the registry and the live drivers (test_ui_family: the views).
//
// No JSON and no allocation: net/protocol/message.hpp reads it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/registry/problem_capability.hpp"

namespace distopt {

/// In the registry's order (`distopt-run --list`, the editor's method list). Values 0, 1, ...: they
/// index kFamilyDescriptors.
enum class FamilyId : std::uint8_t {
  Async,
  Compressed,
  Decentralized,
  Kronecker,
  Hybrid,
};

/// Whether `id` is an enumerator. No default: a new enumerator does not build until it is listed here,
/// and then kFamilyCount counts it and kFamilyDescriptors refuses to build without its row.
constexpr bool isFamilyId(FamilyId id) {
  switch (id) {
    case FamilyId::Async:
    case FamilyId::Compressed:
    case FamilyId::Decentralized:
    case FamilyId::Kronecker:
    case FamilyId::Hybrid:
      return true;
  }
  return false;
}

inline constexpr std::size_t kFamilyCount = [] {
  std::size_t count = 0;
  while (isFamilyId(static_cast<FamilyId>(count))) ++count;
  return count;
}();

/// The wire message kinds a family owns, reserved ones included (net/PROTOCOL.md §3): first..last.
struct KindRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;

  constexpr bool contains(std::uint16_t kind) const { return kind >= first && kind <= last; }
  constexpr bool overlaps(const KindRange& other) const { return first <= other.last && other.first <= last; }
};

/// How a family's method runs, which decides who drives it (docs/architecture.md, "Where each family
/// lives").
enum class FamilyDriver : std::uint8_t {
  /// An AsyncServer (AlgorithmEntry::make) that hands out jobs: the SimEngine in virtual time (the fast
  /// path of the family's roles), live its core roles (ParameterServerCoordinator/ParameterServerWorker)
  /// on ZeroMQ (PROTOCOL.md §5-§7).
  ParameterServer,
  /// The family's own roles: its SimRun (AlgorithmEntry::makeSimRun) in virtual time and, live, its
  /// CoordinatorRole and WorkerRole (net/families), whose messages are the family's kinds.
  Roles,
};

struct FamilyRoles {
  FamilyDriver driver = FamilyDriver::Roles;
  /// The workers also talk to each other, on peer links the coordinator never sees (PROTOCOL.md §3
  /// rows "worker → worker"; their traffic is reported as `peer:J` bandwidth samples).
  bool peerLinks = false;
};

struct FamilyDescriptor {
  FamilyId id = FamilyId::Async;
  /// As written in `distopt-run --list` (text and JSON "family"): never change a name, scripts read it.
  std::string_view name;
  KindRange kinds;
  FamilyRoles roles;
  /// What every algorithm of the family needs of its problem; the registry adds it to each entry's
  /// problemNeeds, so the parser and the editor refuse an incompatible pair up front.
  std::span<const ProblemCapability> problemNeeds;
};

namespace family_detail {
inline constexpr ProblemCapability kKroneckerNeeds[] = {ProblemCapability::KronTwoLayer};
}  // namespace family_detail

/// Indexed by FamilyId. The session's kinds (HELLO..READY, ERROR: 1-8, 12-15) are every family's and
/// in no range.
inline constexpr std::array<FamilyDescriptor, kFamilyCount> kFamilyDescriptors = {{
    {.id = FamilyId::Async,
     .name = "async",
     .kinds = {9, 11},  // JOB, CANCEL, GRAD
     .roles = {.driver = FamilyDriver::ParameterServer}},
    {.id = FamilyId::Compressed, .name = "compressed", .kinds = {16, 31}},
    {.id = FamilyId::Decentralized,
     .name = "decentralized",
     .kinds = {32, 47},
     .roles = {.peerLinks = true}},  // gossip between neighbours, the coordinator only sets up and listens
    {.id = FamilyId::Kronecker,
     .name = "kronecker",
     .kinds = {64, 79},
     .problemNeeds = family_detail::kKroneckerNeeds},  // its roles hold blocks of the two-layer network
    {.id = FamilyId::Hybrid, .name = "hybrid", .kinds = {48, 63}},
}};

/// familyDescriptor indexes the table by the id (a row left out is a default row, FamilyId::Async).
static_assert([] {
  for (std::size_t i = 0; i < kFamilyDescriptors.size(); ++i)
    if (static_cast<std::size_t>(kFamilyDescriptors[i].id) != i) return false;
  return true;
}());

constexpr const FamilyDescriptor& familyDescriptor(FamilyId id) {
  return kFamilyDescriptors[static_cast<std::size_t>(id)];
}

constexpr std::string_view familyName(FamilyId id) { return familyDescriptor(id).name; }

/// The family named `name` (as familyName spells it), nullopt for any other text.
constexpr std::optional<FamilyId> familyFromName(std::string_view name) {
  for (const auto& family : kFamilyDescriptors)
    if (family.name == name) return family.id;
  return std::nullopt;
}

/// One past the last kind any family owns: the wire's kind space (net/protocol/message.hpp kKindSlots).
constexpr std::size_t familyKindsEnd() {
  std::size_t end = 0;
  for (const auto& family : kFamilyDescriptors)
    if (static_cast<std::size_t>(family.kinds.last) + 1 > end)
      end = static_cast<std::size_t>(family.kinds.last) + 1;
  return end;
}

/// The first kind of the families whose simulator is their roles (FamilyDriver::Roles): from here on the
/// kinds are theirs, below them the session's and the parameter server's (net/protocol/message.hpp
/// kFamilyKindsBegin).
constexpr std::size_t roleFamilyKindsBegin() {
  std::size_t begin = familyKindsEnd();
  for (const auto& family : kFamilyDescriptors)
    if (family.roles.driver == FamilyDriver::Roles && family.kinds.first < begin) begin = family.kinds.first;
  return begin;
}

}  // namespace distopt
