#pragma once
// The hybrid-order family's frames (net/PROTOCOL.md §12): one 24-byte meta frame and, for most
// messages, one dense float64 vector frame. The only code that builds or parses them; the roles'
// typed messages (core/hybrid/hybrid_message.hpp) become frames here and back.

#include <cstdint>
#include <string>

#include "core/hybrid/dho2.hpp"
#include "core/hybrid/hybrid_message.hpp"
#include "net/protocol/message.hpp"

namespace distopt::net {

inline constexpr std::size_t kHybridMetaSize = static_cast<std::size_t>(kHybridMetaBytes);

/// The meta frame of every hybrid message (PROTOCOL.md §12.2).
using distopt::HybridMeta;

/// True for kinds 48..59.
bool isHybridKind(MessageKind kind);

/// A message with a vector frame of `values` (dense float64).
Message makeHybrid(MessageKind kind, const HybridMeta& meta, const Eigen::Ref<const Vector>& values);
/// A message with the meta frame only (HY_BEGIN, the LZ_START restart request).
Message makeHybridMetaOnly(MessageKind kind, const HybridMeta& meta);

/// Reads the meta frame; false (with *why) when the message is not a hybrid kind, has no frames, more
/// than two, or a meta frame of another size.
bool parseHybridMeta(const Message& message, HybridMeta* meta, std::string* why);
/// Reads the meta and the vector. `expectedCount` < 0: the message must have no vector frame; else
/// exactly one dense float64 frame of that count.
bool parseHybrid(const Message& message, std::int64_t expectedCount, HybridMeta* meta, Vector* values,
                 std::string* why);

/// The role's message as its frames: a vector frame when it carries values, else the meta frame only.
Message makeHybridMessage(const HybridMessage& message);
/// A hybrid message's frames as the role's message: the meta and, when present, one dense float64
/// vector frame of any count (the role checks the count its protocol state expects). False (with *why)
/// as parseHybridMeta, or for a vector frame that does not decode.
bool parseHybridMessage(const Message& message, HybridMessage* out, std::string* why);

}  // namespace distopt::net
