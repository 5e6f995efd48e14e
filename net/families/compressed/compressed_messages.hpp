#pragma once
// The compressed-SGD family's messages (net/PROTOCOL.md §10): builders and strict parsers, the only code that
// touches their bytes. The compressed payloads themselves are docs/papers.md, compressed-sgd §3.1 frames
// (32-byte header + payload) produced by core/codec; the DOPT kind says the direction and the codec class, so
// bandwidth counted at the socket per kind is the encoded bytes per message kind.

#include <cstdint>
#include <optional>
#include <string>

#include "core/codec/compressed_message.hpp"
#include "core/compressed/round_messages.hpp"
#include "net/protocol/message.hpp"

namespace distopt::net {

inline constexpr std::size_t kRoundMetaSize = 16;
inline constexpr std::size_t kUplinkMetaSize = 32;

/// Codec classes, in kind order (PROTOCOL.md §10.1).
enum class CodecClass : std::uint8_t { DenseF32, Sign, ScaledSign, Ternary, SparseSign, SparseF32, Qsgd };
CodecClass codecClass(CodecId codec);
MessageKind downlinkKind(CodecClass codecClass);
MessageKind uplinkKind(CodecClass codecClass);
bool isCompressedDownlinkKind(MessageKind kind);  ///< ROUND_START or DOWN_*
bool isCompressedUplinkKind(MessageKind kind);    ///< UP_*

// RoundOrder, UplinkReport and ReplicaHash are the roles' messages (core/compressed/round_messages.hpp).

/// `dimension`: N (in every §3.1 header); `sender`: worker id.
Message makeRoundOrder(const RoundOrder& order, std::uint64_t dimension);
Message makeUplink(const UplinkReport& report, std::uint64_t dimension, int sender);
/// HASH: the 64-bit FNV-1a hash of the replica x_round (before computing round `round`).
Message makeReplicaHash(std::uint64_t round, std::uint64_t hash, std::uint64_t dimension, int sender);

/// Parsers: false with *why for anything PROTOCOL.md §10 does not allow (frame count, meta size, a
/// §3.1 header that does not match the kind, the round, N or the sender).
bool parseRoundOrder(const Message& message, std::uint64_t dimension, RoundOrder* order, std::string* why);
bool parseUplink(const Message& message, std::uint64_t dimension, int sender, UplinkReport* report,
                 std::string* why);
bool parseReplicaHash(const Message& message, std::uint64_t dimension, int sender, std::uint64_t* round,
                      std::uint64_t* hash, std::string* why);

}  // namespace distopt::net
