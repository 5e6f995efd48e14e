#include "core/hybrid/hybrid_message.hpp"

#include <array>

#include "core/hybrid/dho2.hpp"

namespace distopt {
namespace {

constexpr std::array<std::string_view, 12> kKindNames{"HY_BEGIN", "HY_GRAD",   "HY_PROJ",  "HY_PARAMS",
                                                      "LZ_START", "LZ_HVP",    "LZ_COEF",  "LZ_GATHER",
                                                      "LZ_RITZ",  "LZ_EIGEN",  "HY_SNAPSHOT", "HY_ESTIMATE"};

}  // namespace

std::string_view hybridKindName(HybridKind kind) { return kKindNames[static_cast<std::size_t>(kind)]; }

WireSize hybridWireSize(const HybridMessage& message) {
  const std::int64_t values = message.values ? static_cast<std::int64_t>(message.values->size()) : -1;
  return WireSize{.bytes = hybridMessageBytes(values), .kind = hybridKindName(message.kind)};
}

bool hybridValuesMatch(const HybridMessage& message, std::int64_t expectedCount) {
  if (expectedCount < 0) return !message.values.has_value();
  return message.values && message.values->size() == expectedCount;
}

}  // namespace distopt
