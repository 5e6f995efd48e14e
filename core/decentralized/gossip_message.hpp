#pragma once
// The one message of the decentralized family (docs/papers.md, decentralized-proxgt §2.7, §3.6): node
// `sender`'s round vector of round `round` of mixing phase `phase` at iteration `iteration`. Encoded as a
// fixed 20-byte header followed by a dense vector frame (core/codec/dense_codec), so byte counts are the
// exact sizes a peer mesh would put on the wire, and the same bytes can later travel over sockets.
//
// Header (little-endian): magic 'G''T' (2), version 1 (1), phase (1), round (2), reserved 0 (2),
// sender (4), iteration (8).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/codec/dense_codec.hpp"
#include "core/problems/problem.hpp"

namespace distopt {

enum class GossipPhase : std::uint8_t {
  X = 1,   ///< ProxGT phase X (prox outputs z) or a DSGD iterate
  Y = 2,   ///< tracker phase (u = y + v_new - v)
  Y0 = 3,  ///< tracker initialisation, tracker_init = mixed
  XY = 4,  ///< combine-then-adapt GT-DSGD: x and y packed in one 2p vector
};
inline constexpr int kGossipPhaseCount = 5;
const char* gossipPhaseName(GossipPhase phase);  ///< "X", "Y", "Y0", "XY"

struct GossipTag {
  std::uint64_t iteration = 0;
  GossipPhase phase = GossipPhase::X;
  std::uint16_t round = 1;  ///< 1..K
  std::uint32_t sender = 0;

  bool operator==(const GossipTag&) const = default;
};

inline constexpr std::size_t kGossipHeaderSize = 20;

/// Size of an encoded message carrying `count` coordinates.
std::size_t gossipMessageSize(std::size_t count, VectorEncoding encoding);

/// Header + dense frame.
std::vector<std::uint8_t> encodeGossipMessage(const GossipTag& tag, const Vector& payload,
                                              VectorEncoding encoding);

/// The tag of an encoded message without its vector (e.g. to count bytes per sender); false for a
/// buffer too short or with a wrong magic/version/phase.
bool peekGossipTag(std::span<const std::uint8_t> bytes, GossipTag& tag);

/// Strict decoder: refuses a short buffer, a wrong magic/version/phase, or a vector of another length
/// than `expectedCount` (when >= 0); *why then says which.
bool decodeGossipMessage(std::span<const std::uint8_t> bytes, std::int64_t expectedCount, GossipTag& tag,
                         Vector& payload, std::string* why);

}  // namespace distopt
