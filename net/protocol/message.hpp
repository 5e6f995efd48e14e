#pragma once
// The one module that builds and parses wire frames (net/PROTOCOL.md §2-§3). Everything else in net/
// deals in Message values; nothing else touches a header byte.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <zmq.hpp>

#include "core/registry/family.hpp"

namespace distopt::net {

inline constexpr std::uint16_t kProtocolVersion = 1;
inline constexpr std::size_t kHeaderSize = 16;

enum class MessageKind : std::uint16_t {
  Hello = 1,
  Welcome = 2,
  Heartbeat = 3,
  EchoRequest = 4,
  EchoReply = 5,
  Stop = 6,
  Assign = 7,
  Ready = 8,
  Job = 9,
  Cancel = 10,
  Grad = 11,
  Error = 15,
  // Compressed-SGD family (16-31).
  CompRoundStart = 16,
  CompDownDenseF32 = 17,
  CompDownSign = 18,
  CompDownScaledSign = 19,
  CompDownTernary = 20,
  CompDownSparseSign = 21,
  CompDownSparseF32 = 22,
  CompDownQsgd = 23,
  CompUpDenseF32 = 24,
  CompUpSign = 25,
  CompUpScaledSign = 26,
  CompUpTernary = 27,
  CompUpSparseSign = 28,
  CompUpSparseF32 = 29,
  CompUpQsgd = 30,
  CompHash = 31,
  // Decentralized family, peer-to-peer and its coordination (32-47).
  DecStart = 32,
  DecEndpoint = 33,
  DecPeers = 34,
  DecGossip = 35,
  DecProgress = 36,
  DecState = 37,
  // Hybrid-order family (48-63).
  HyBegin = 48,
  HyGrad = 49,
  HyProj = 50,
  HyParams = 51,
  LzStart = 52,
  LzHvp = 53,
  LzCoef = 54,
  LzGather = 55,
  LzRitz = 56,
  LzEigen = 57,
  HySnapshot = 58,
  HyEstimate = 59,
  // Kronecker family (64-79).
  KronInit = 64,
  KronReady = 65,
  KronStart = 66,
  KronBatch = 67,
  KronPartial = 68,
  KronResid = 69,
  KronLoss = 70,
  KronCoFire = 71,
  KronEval = 72,
  KronStats = 73,
};

/// One row per kind: the only list of known kinds (decode refuses the others, names come from here).
struct MessageKindInfo {
  MessageKind kind;
  const char* name;
};
/// Every known kind, in kind order.
std::span<const MessageKindInfo> messageKinds();
/// Kinds are counted per kind below this bound: every family's range ends below it (PROTOCOL.md §3; the
/// ranges are the family table's, core/registry/family.hpp).
inline constexpr std::size_t kKindSlots = familyKindsEnd();
/// Kinds from here on belong to the families whose simulator is their roles (PROTOCOL.md §3).
inline constexpr std::size_t kFamilyKindsBegin = roleFamilyKindsBegin();

/// Name as written in PROTOCOL.md (e.g. "HELLO"), or "UNKNOWN".
const char* messageKindName(MessageKind kind);

/// A decoded protocol message: header fields and the payload frames, which are moved, never copied.
struct Message {
  std::uint16_t version = kProtocolVersion;
  MessageKind kind = MessageKind::Heartbeat;
  std::uint32_t flags = 0;
  std::uint32_t seq = 0;
  std::vector<zmq::message_t> payload;

  /// Message of `kind` with no payload.
  static Message of(MessageKind kind) {
    Message message;
    message.kind = kind;
    return message;
  }
  /// Message with one JSON payload frame.
  static Message withJson(MessageKind kind, const nlohmann::json& body);
  /// Parses payload frame `index` as a JSON object; nullopt if it is missing, not an object or nested too
  /// deep (parseWireJsonObject).
  std::optional<nlohmann::json> jsonPayload(std::size_t index = 0) const;
};

enum class DecodeError {
  None,
  NoFrames,
  BadHeaderSize,
  BadMagic,
  UnknownKind,
};
const char* decodeErrorName(DecodeError error);

/// Header frame bytes for `message` (used by encode, exposed for tests).
std::string encodeHeader(const Message& message);

/// Frames for `message`: header then payload. Consumes the payload.
std::vector<zmq::message_t> encode(Message&& message);

/// Parses `frames` (header first, no routing identity). On failure returns nullopt and sets *error.
/// A different protocol version still decodes: the caller decides how to refuse it.
std::optional<Message> decode(std::vector<zmq::message_t>&& frames, DecodeError* error);

/// Why sendMessage handed nothing to the socket.
enum class SendFailure {
  None,
  PeerGone,  ///< EHOSTUNREACH (ROUTER_MANDATORY): no connection to that peer
  Full,      ///< EAGAIN: the peer's send queue is at its high-water mark (it does not read)
};

/// Sends `message` on `socket`; with `routingId` (ROUTER side) the identity frame goes first.
/// Returns the number of bytes handed to the socket (all frames, including the identity), so
/// callers can count bandwidth at the socket, or 0 if the socket refused the message (*failure says why).
std::size_t sendMessage(zmq::socket_t& socket, Message&& message, const zmq::message_t* routingId = nullptr,
                        SendFailure* failure = nullptr);

/// Sequence counter for one connection.
class SeqCounter {
 public:
  std::uint32_t next() { return m_next++; }

 private:
  std::uint32_t m_next = 0;
};

}  // namespace distopt::net
