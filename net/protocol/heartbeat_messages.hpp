#pragma once
// HEARTBEAT with its optional clock frame (net/PROTOCOL.md §4.3): the coordinator's clock probes and the
// workers' answers, from which the coordinator estimates each worker's clock offset (ClockSync).

#include <cstdint>
#include <optional>
#include <string>

#include "net/protocol/message.hpp"

namespace distopt::net {

inline constexpr std::size_t kClockMetaSize = 24;

/// Nanoseconds of the sender's monotonic clock (std::chrono::steady_clock since its epoch).
struct ClockMeta {
  std::int64_t sentNs = 0;  ///< when this heartbeat left
  std::int64_t echoNs = 0;  ///< the probe's sentNs this answers; 0 for a probe
  std::int64_t holdNs = 0;  ///< from receiving that probe to sending this answer
  bool isProbe() const { return echoNs == 0; }
};

/// A plain heartbeat (no payload).
Message makeHeartbeat();
/// A heartbeat carrying a clock frame.
Message makeClockHeartbeat(const ClockMeta& meta);
/// The clock frame of a HEARTBEAT: nullopt for a plain one; false (with *why) for a malformed one (more
/// than one frame, or a frame that is not 24 bytes, or negative fields).
bool parseHeartbeat(const Message& message, std::optional<ClockMeta>* meta, std::string* why);
/// This process's monotonic clock in the frame's unit.
std::int64_t monotonicNs();

}  // namespace distopt::net
