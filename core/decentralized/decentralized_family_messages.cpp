#include "core/decentralized/decentralized_family_messages.hpp"

#include <array>
#include <cmath>
#include <string>

#include "core/decentralized/gossip_message.hpp"

namespace distopt {
namespace {

/// "GOSSIP_<phase>" with static storage (WireSize::kind is a view the simulator keeps).
std::string_view gossipKind(GossipPhase phase) {
  static const std::array<std::string, kGossipPhaseCount> kinds = [] {
    std::array<std::string, kGossipPhaseCount> names;
    for (int p = 1; p < kGossipPhaseCount; ++p)
      names[static_cast<std::size_t>(p)] =
          std::string("GOSSIP_") + gossipPhaseName(static_cast<GossipPhase>(p));
    names[0] = "GOSSIP";
    return names;
  }();
  const auto index = static_cast<std::size_t>(phase);
  return index < kinds.size() ? std::string_view(kinds[index]) : std::string_view(kinds[0]);
}

}  // namespace

WireSize decDownWireSize(const DecDown& message) {
  (void)message;
  return {.bytes = 0, .kind = "DEC_START"};
}

WireSize decUpWireSize(const DecUp& message) {
  if (const auto* gossip = std::get_if<DecGossip>(&message)) {
    GossipTag tag;
    const bool tagged = peekGossipTag(gossip->bytes, tag);
    return {.bytes = gossip->bytes.size(),
            .kind = tagged ? gossipKind(tag.phase) : gossipKind(GossipPhase{0})};
  }
  return {.bytes = 0, .kind = std::get<DecReport>(message).withState ? "DEC_STATE" : "DEC_PROGRESS"};
}

std::uint64_t decentralizedReportEvery(const RunRules& rules) {
  const bool onlyByUpdates = rules.evalEveryUpdates > 0 && rules.evalInterval <= 0.0 && rules.maxBytes == 0 &&
                             rules.maxGradients == 0 && std::isinf(rules.horizon);
  return onlyByUpdates ? rules.evalEveryUpdates : 1;
}

}  // namespace distopt
