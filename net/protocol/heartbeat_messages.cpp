#include "net/protocol/heartbeat_messages.hpp"

#include <array>
#include <chrono>

#include "net/protocol/wire_fields.hpp"

namespace distopt::net {

Message makeHeartbeat() { return Message::of(MessageKind::Heartbeat); }

Message makeClockHeartbeat(const ClockMeta& meta) {
  std::array<unsigned char, kClockMetaSize> bytes{};
  wire::put<std::int64_t>(bytes.data(), 0, meta.sentNs);
  wire::put<std::int64_t>(bytes.data(), 8, meta.echoNs);
  wire::put<std::int64_t>(bytes.data(), 16, meta.holdNs);
  Message message = Message::of(MessageKind::Heartbeat);
  message.payload.emplace_back(bytes.data(), bytes.size());
  return message;
}

bool parseHeartbeat(const Message& message, std::optional<ClockMeta>* meta, std::string* why) {
  meta->reset();
  if (message.payload.empty()) return true;
  if (message.payload.size() != 1)
    return wire::fail(
        why, "HEARTBEAT: " + std::to_string(message.payload.size()) + " payload frames, expected 0 or 1");
  const auto& frame = message.payload.front();
  if (frame.size() != kClockMetaSize)
    return wire::fail(why,
                      "HEARTBEAT: clock frame of " + std::to_string(frame.size()) + " bytes, expected 24");
  const auto* bytes = static_cast<const unsigned char*>(frame.data());
  ClockMeta parsed;
  parsed.sentNs = wire::get<std::int64_t>(bytes, 0);
  parsed.echoNs = wire::get<std::int64_t>(bytes, 8);
  parsed.holdNs = wire::get<std::int64_t>(bytes, 16);
  if (parsed.sentNs < 0 || parsed.echoNs < 0 || parsed.holdNs < 0)
    return wire::fail(why, "HEARTBEAT: negative clock field");
  *meta = parsed;
  return true;
}

std::int64_t monotonicNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace distopt::net
