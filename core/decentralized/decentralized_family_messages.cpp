#include "core/decentralized/decentralized_family_messages.hpp"

#include <cmath>

namespace distopt {

WireSize decDownWireSize(const DecDown& message) {
  (void)message;
  return {.bytes = 0, .kind = "DEC_START"};
}

WireSize decUpWireSize(const DecUp& message) {
  if (const auto* gossip = std::get_if<DecGossip>(&message))
    return {.bytes = gossip->bytes.size(), .kind = "GOSSIP"};
  return {.bytes = 0, .kind = std::get<DecReport>(message).withState ? "DEC_STATE" : "DEC_PROGRESS"};
}

std::uint64_t decentralizedReportEvery(const RunRules& rules) {
  const bool onlyByUpdates = rules.evalEveryUpdates > 0 && rules.evalInterval <= 0.0 && rules.maxBytes == 0 &&
                             rules.maxGradients == 0 && std::isinf(rules.horizon);
  return onlyByUpdates ? rules.evalEveryUpdates : 1;
}

}  // namespace distopt
