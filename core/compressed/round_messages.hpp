#pragma once
// The compressed-SGD family's messages as its roles exchange them (docs/papers.md, compressed-sgd §2.1),
// whatever carries them: the virtual network counts them at their encoded sizes, the live transport
// writes them as net/PROTOCOL.md §10 frames (net/families/compressed/compressed_messages).

#include <cstdint>
#include <optional>
#include <variant>

#include "core/codec/compressed_message.hpp"
#include "core/transport/wire_size.hpp"

namespace distopt {

/// Coordinator -> worker: apply the downlink of round - 1 (absent for round 0), then compute `round`.
/// With an update limit T the order for round T only carries the last downlink: nothing is computed.
struct RoundOrder {
  std::uint64_t round = 0;
  double startTime = 0.0;  ///< coordinator time units when the order was sent
  std::optional<EncodedMessage> downlink;
};

/// Worker -> coordinator: the uplink of round `round`.
struct UplinkReport {
  std::uint64_t round = 0;
  double tauTarget = 0.0;       ///< emulated duration, units
  double computeTime = 0.0;     ///< seconds of real compute (gradient + compression); 0 simulated
  double lowerBoundBits = 0.0;  ///< information-theoretic bound (compressed-sgd §3.7), for efficiency_up
  EncodedMessage message;
};

/// Worker -> coordinator: the 64-bit FNV-1a hash of its replica x_round, before computing `round`.
struct ReplicaHash {
  std::uint64_t round = 0;
  std::uint64_t hash = 0;
};

using CompressedUp = std::variant<UplinkReport, ReplicaHash>;

/// Bytes as the papers count them: the §3.1 frame (32-byte header + payload) of a downlink or uplink,
/// the downlink once per worker (M unicast copies); a hash is a header and 8 bytes ("HASH"). A round-0
/// order carries no payload and counts nothing.
WireSize roundOrderWireSize(const RoundOrder& order);
WireSize compressedUpWireSize(const CompressedUp& message);

}  // namespace distopt
