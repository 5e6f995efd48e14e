#include "net/protocol/message.hpp"

#include <cstring>

#include <nlohmann/json.hpp>

#include "net/protocol/json_fields.hpp"

namespace distopt::net {
namespace {

constexpr char kMagic[4] = {'D', 'O', 'P', 'T'};

template <typename T>
void putLe(char* out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    out[i] = static_cast<char>((static_cast<std::uint64_t>(value) >> (8 * i)) & 0xffU);
  }
}

template <typename T>
T getLe(const unsigned char* in) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) value |= static_cast<std::uint64_t>(in[i]) << (8 * i);
  return static_cast<T>(value);
}

constexpr MessageKindInfo kKindTable[] = {
    {MessageKind::Hello, "HELLO"},
    {MessageKind::Welcome, "WELCOME"},
    {MessageKind::Heartbeat, "HEARTBEAT"},
    {MessageKind::EchoRequest, "ECHO_REQUEST"},
    {MessageKind::EchoReply, "ECHO_REPLY"},
    {MessageKind::Stop, "STOP"},
    {MessageKind::Assign, "ASSIGN"},
    {MessageKind::Ready, "READY"},
    {MessageKind::Job, "JOB"},
    {MessageKind::Cancel, "CANCEL"},
    {MessageKind::Grad, "GRAD"},
    {MessageKind::Error, "ERROR"},
    // Compressed-SGD family (16-31).
    {MessageKind::CompRoundStart, "ROUND_START"},
    {MessageKind::CompDownDenseF32, "DOWN_DENSE_F32"},
    {MessageKind::CompDownSign, "DOWN_SIGN"},
    {MessageKind::CompDownScaledSign, "DOWN_SCALED_SIGN"},
    {MessageKind::CompDownTernary, "DOWN_TERNARY"},
    {MessageKind::CompDownSparseSign, "DOWN_SPARSE_SIGN"},
    {MessageKind::CompDownSparseF32, "DOWN_SPARSE_F32"},
    {MessageKind::CompDownQsgd, "DOWN_QSGD"},
    {MessageKind::CompUpDenseF32, "UP_DENSE_F32"},
    {MessageKind::CompUpSign, "UP_SIGN"},
    {MessageKind::CompUpScaledSign, "UP_SCALED_SIGN"},
    {MessageKind::CompUpTernary, "UP_TERNARY"},
    {MessageKind::CompUpSparseSign, "UP_SPARSE_SIGN"},
    {MessageKind::CompUpSparseF32, "UP_SPARSE_F32"},
    {MessageKind::CompUpQsgd, "UP_QSGD"},
    {MessageKind::CompHash, "HASH"},
    // Decentralized family (32-47).
    {MessageKind::DecStart, "DEC_START"},
    {MessageKind::DecEndpoint, "DEC_ENDPOINT"},
    {MessageKind::DecPeers, "DEC_PEERS"},
    {MessageKind::DecGossip, "DEC_GOSSIP"},
    {MessageKind::DecProgress, "DEC_PROGRESS"},
    {MessageKind::DecState, "DEC_STATE"},
    // Hybrid-order family (48-63).
    {MessageKind::HyBegin, "HY_BEGIN"},
    {MessageKind::HyGrad, "HY_GRAD"},
    {MessageKind::HyProj, "HY_PROJ"},
    {MessageKind::HyParams, "HY_PARAMS"},
    {MessageKind::LzStart, "LZ_START"},
    {MessageKind::LzHvp, "LZ_HVP"},
    {MessageKind::LzCoef, "LZ_COEF"},
    {MessageKind::LzGather, "LZ_GATHER"},
    {MessageKind::LzRitz, "LZ_RITZ"},
    {MessageKind::LzEigen, "LZ_EIGEN"},
    {MessageKind::HySnapshot, "HY_SNAPSHOT"},
    {MessageKind::HyEstimate, "HY_ESTIMATE"},
    // Kronecker family (64-79).
    {MessageKind::KronInit, "KRON_INIT"},
    {MessageKind::KronReady, "KRON_READY"},
    {MessageKind::KronStart, "KRON_START"},
    {MessageKind::KronBatch, "KRON_BATCH"},
    {MessageKind::KronPartial, "KRON_PARTIAL"},
    {MessageKind::KronResid, "KRON_RESID"},
    {MessageKind::KronLoss, "KRON_LOSS"},
    {MessageKind::KronCoFire, "KRON_COFIRE"},
    {MessageKind::KronEval, "KRON_EVAL"},
    {MessageKind::KronStats, "KRON_STATS"},
};

const MessageKindInfo* findKind(std::uint16_t raw) {
  for (const auto& info : kKindTable)
    if (static_cast<std::uint16_t>(info.kind) == raw) return &info;
  return nullptr;
}

bool isKnownKind(std::uint16_t raw) { return findKind(raw) != nullptr; }

}  // namespace

std::span<const MessageKindInfo> messageKinds() { return kKindTable; }

const char* messageKindName(MessageKind kind) {
  const MessageKindInfo* info = findKind(static_cast<std::uint16_t>(kind));
  return info ? info->name : "UNKNOWN";
}

const char* decodeErrorName(DecodeError error) {
  switch (error) {
    case DecodeError::None: return "none";
    case DecodeError::NoFrames: return "no_frames";
    case DecodeError::BadHeaderSize: return "bad_header_size";
    case DecodeError::BadMagic: return "bad_magic";
    case DecodeError::UnknownKind: return "unknown_kind";
  }
  return "unknown";
}

Message Message::withJson(MessageKind kind, const nlohmann::json& body) {
  Message message;
  message.kind = kind;
  const std::string text = body.dump();
  message.payload.emplace_back(text.data(), text.size());
  return message;
}

std::optional<nlohmann::json> Message::jsonPayload(std::size_t index) const {
  if (index >= payload.size()) return std::nullopt;
  const auto& frame = payload[index];
  return parseWireJsonObject(static_cast<const char*>(frame.data()), frame.size());
}

std::string encodeHeader(const Message& message) {
  std::string header(kHeaderSize, '\0');
  std::memcpy(header.data(), kMagic, 4);
  putLe<std::uint16_t>(header.data() + 4, message.version);
  putLe<std::uint16_t>(header.data() + 6, static_cast<std::uint16_t>(message.kind));
  putLe<std::uint32_t>(header.data() + 8, message.flags);
  putLe<std::uint32_t>(header.data() + 12, message.seq);
  return header;
}

std::vector<zmq::message_t> encode(Message&& message) {
  std::vector<zmq::message_t> frames;
  frames.reserve(1 + message.payload.size());
  const std::string header = encodeHeader(message);
  frames.emplace_back(header.data(), header.size());
  for (auto& frame : message.payload) frames.push_back(std::move(frame));
  message.payload.clear();
  return frames;
}

std::optional<Message> decode(std::vector<zmq::message_t>&& frames, DecodeError* error) {
  auto fail = [error](DecodeError e) -> std::optional<Message> {
    if (error) *error = e;
    return std::nullopt;
  };
  if (frames.empty()) return fail(DecodeError::NoFrames);
  const auto& head = frames.front();
  if (head.size() != kHeaderSize) return fail(DecodeError::BadHeaderSize);
  const auto* bytes = static_cast<const unsigned char*>(head.data());
  if (std::memcmp(bytes, kMagic, 4) != 0) return fail(DecodeError::BadMagic);
  const auto rawKind = getLe<std::uint16_t>(bytes + 6);
  if (!isKnownKind(rawKind)) return fail(DecodeError::UnknownKind);

  Message message;
  message.version = getLe<std::uint16_t>(bytes + 4);
  message.kind = static_cast<MessageKind>(rawKind);
  message.flags = getLe<std::uint32_t>(bytes + 8);
  message.seq = getLe<std::uint32_t>(bytes + 12);
  message.payload.reserve(frames.size() - 1);
  for (std::size_t i = 1; i < frames.size(); ++i) message.payload.push_back(std::move(frames[i]));
  if (error) *error = DecodeError::None;
  return message;
}

std::size_t sendMessage(zmq::socket_t& socket, Message&& message, const zmq::message_t* routingId,
                        SendFailure* failure) {
  auto frames = encode(std::move(message));
  std::size_t bytes = 0;
  auto fail = [failure](SendFailure why) -> std::size_t {
    if (failure) *failure = why;
    return 0;
  };
  if (failure) *failure = SendFailure::None;
  try {
    if (routingId) {
      zmq::message_t id(routingId->data(), routingId->size());
      bytes += id.size();
      if (!socket.send(id, zmq::send_flags::sndmore | zmq::send_flags::dontwait))
        return fail(SendFailure::Full);
    }
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const bool last = i + 1 == frames.size();
      bytes += frames[i].size();
      const auto flags = last ? zmq::send_flags::dontwait
                              : (zmq::send_flags::sndmore | zmq::send_flags::dontwait);
      if (!socket.send(frames[i], flags)) return fail(SendFailure::Full);
    }
  } catch (const zmq::error_t&) {
    // EHOSTUNREACH under ROUTER_MANDATORY: the peer is gone; the caller sees 0 and reports it.
    return fail(SendFailure::PeerGone);
  }
  return bytes;
}

}  // namespace distopt::net
