#include "core/compressed/round_messages.hpp"

#include "core/compressed/round_stats.hpp"

namespace distopt {

WireSize roundOrderWireSize(const RoundOrder& order) {
  if (!order.downlink) return {};
  return {order.downlink->wireBytes(), bandwidthKind(order.downlink->codec, false)};
}

WireSize compressedUpWireSize(const CompressedUp& message) {
  if (const auto* report = std::get_if<UplinkReport>(&message))
    return {report->message.wireBytes(), bandwidthKind(report->message.codec, true)};
  return {kCompressedHeaderSize + 8, "HASH"};
}

}  // namespace distopt
