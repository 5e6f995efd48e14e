#pragma once
// The decentralized family's frames (net/PROTOCOL.md §11): builders and strict parsers for DEC_START,
// DEC_ENDPOINT, DEC_PEERS, DEC_GOSSIP, DEC_PROGRESS and DEC_STATE. The only code of the family that
// touches frame bytes; a parser refuses anything that differs from §11 and says why, never throws.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/codec/dense_codec.hpp"
#include "core/decentralized/decentralized_family_messages.hpp"
#include "core/problems/problem.hpp"
#include "net/families/peer_mesh.hpp"
#include "net/protocol/message.hpp"

namespace distopt::net {

/// Report meta frame: fixed part, then one entry per neighbour.
inline constexpr std::size_t kDecReportFixedSize = 88;
inline constexpr std::size_t kDecReportEdgeSize = 40;

Message makeDecStart(const DecStart& start);
bool parseDecStart(const Message& message, DecStart* start, std::string* why);

Message makeDecEndpoint(const std::string& endpoint);
bool parseDecEndpoint(const Message& message, std::string* endpoint, std::string* why);

Message makeDecPeers(const std::vector<PeerEndpoint>& peers);
bool parseDecPeers(const Message& message, std::vector<PeerEndpoint>* peers, std::string* why);

/// One gossip frame (the bytes of core/decentralized/gossip_message), copied once.
Message makeDecGossip(std::span<const std::uint8_t> gossip);
/// Checks the frame count only; the gossip frame itself is checked by the node (decodeGossipMessage).
/// `gossip` points into the message, valid while it lives.
bool parseDecGossip(const Message& message, std::span<const std::uint8_t>* gossip, std::string* why);

Message makeDecProgress(const NodeReport& report);
/// `y`, `v` null for methods without tracking. Vectors travel as dense float64 (exact).
Message makeDecState(const NodeReport& report, const Vector& x, const Vector* y, const Vector* v);
/// Parses either report kind. `dimension` >= 0 checks the vectors; `tracking` says how many vector
/// frames a DEC_STATE must carry (2 or 4 frames in all). `state` may be null for DEC_PROGRESS.
bool parseDecReport(const Message& message, std::int64_t dimension, bool tracking, NodeReport* report,
                    NodeStateVectors* state, std::string* why);

}  // namespace distopt::net
