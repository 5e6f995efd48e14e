#include "net/families/compressed/compressed_messages.hpp"

#include <cstring>

#include "net/protocol/wire_fields.hpp"

namespace distopt::net {
namespace {

using wire::fail;

const std::uint8_t* bytesOf(const zmq::message_t& frame) {
  return static_cast<const std::uint8_t*>(frame.data());
}

zmq::message_t compressedFrame(FrameKind kind, const EncodedMessage& message, std::uint32_t iteration,
                               std::uint32_t sender, std::uint64_t dimension) {
  zmq::message_t frame(kCompressedHeaderSize + message.bytes.size());
  auto* out = static_cast<std::uint8_t*>(frame.data());
  writeFrameHeader(FrameHeader{.kind = kind,
                               .codec = message.codec,
                               .flags = 0,
                               .iteration = iteration,
                               .sender = sender,
                               .dimension = dimension,
                               .payloadBits = message.payloadBits},
                   out);
  if (!message.bytes.empty())
    std::memcpy(out + kCompressedHeaderSize, message.bytes.data(), message.bytes.size());
  return frame;
}

/// Reads a §3.1 frame and checks it against what the DOPT message says it is.
bool readCompressedFrame(const zmq::message_t& frame, FrameKind kind, std::uint64_t iteration,
                         std::uint32_t sender, std::uint64_t dimension, EncodedMessage* message,
                         std::string* why) {
  FrameHeader header;
  if (!readFrameHeader(bytesOf(frame), frame.size(), header, why)) return false;
  if (header.kind != kind) return fail(why, "compressed frame of another kind");
  if (header.iteration != iteration)
    return fail(why, "compressed frame of iteration " + std::to_string(header.iteration) + ", expected " +
                         std::to_string(iteration));
  if (header.sender != sender)
    return fail(why, "compressed frame from sender " + std::to_string(header.sender));
  if (header.dimension != dimension)
    return fail(why, "compressed frame of N = " + std::to_string(header.dimension));
  message->codec = header.codec;
  message->payloadBits = header.payloadBits;
  message->lowerBoundBits = 0.0;
  message->bytes.assign(bytesOf(frame) + kCompressedHeaderSize, bytesOf(frame) + frame.size());
  return true;
}

constexpr auto kDownBase = static_cast<std::uint16_t>(MessageKind::CompDownDenseF32);
constexpr auto kUpBase = static_cast<std::uint16_t>(MessageKind::CompUpDenseF32);
constexpr std::uint16_t kClasses = 7;

}  // namespace

CodecClass codecClass(CodecId codec) {
  switch (codec) {
    case CodecId::DenseF32:
      return CodecClass::DenseF32;
    case CodecId::Sign1:
      return CodecClass::Sign;
    case CodecId::ScaledSign:
      return CodecClass::ScaledSign;
    case CodecId::TernT2:
    case CodecId::TernT5:
      return CodecClass::Ternary;
    case CodecId::QsgdDense:
    case CodecId::QsgdElias:
      return CodecClass::Qsgd;
    default:
      return static_cast<int>(codec) < 32 ? CodecClass::SparseSign : CodecClass::SparseF32;
  }
}

MessageKind downlinkKind(CodecClass c) {
  return static_cast<MessageKind>(kDownBase + static_cast<std::uint16_t>(c));
}
MessageKind uplinkKind(CodecClass c) {
  return static_cast<MessageKind>(kUpBase + static_cast<std::uint16_t>(c));
}

bool isCompressedDownlinkKind(MessageKind kind) {
  const auto k = static_cast<std::uint16_t>(kind);
  return kind == MessageKind::CompRoundStart || (k >= kDownBase && k < kDownBase + kClasses);
}

bool isCompressedUplinkKind(MessageKind kind) {
  const auto k = static_cast<std::uint16_t>(kind);
  return k >= kUpBase && k < kUpBase + kClasses;
}

Message makeRoundOrder(const RoundOrder& order, std::uint64_t dimension) {
  Message message = Message::of(order.downlink ? downlinkKind(codecClass(order.downlink->codec))
                                               : MessageKind::CompRoundStart);
  zmq::message_t meta(kRoundMetaSize);
  auto* out = static_cast<std::uint8_t*>(meta.data());
  wire::put(out, 0, order.round);
  wire::put(out, 8, order.startTime);
  message.payload.push_back(std::move(meta));
  if (order.downlink)
    message.payload.push_back(compressedFrame(FrameKind::DownlinkUpdate, *order.downlink,
                                              static_cast<std::uint32_t>(order.round - 1), kServerSender,
                                              dimension));
  return message;
}

Message makeUplink(const UplinkReport& report, std::uint64_t dimension, int sender) {
  Message message = Message::of(uplinkKind(codecClass(report.message.codec)));
  zmq::message_t meta(kUplinkMetaSize);
  auto* out = static_cast<std::uint8_t*>(meta.data());
  wire::put(out, 0, report.round);
  wire::put(out, 8, report.tauTarget);
  wire::put(out, 16, report.computeTime);
  wire::put(out, 24, report.lowerBoundBits);
  message.payload.push_back(std::move(meta));
  message.payload.push_back(compressedFrame(FrameKind::Uplink, report.message,
                                            static_cast<std::uint32_t>(report.round),
                                            static_cast<std::uint32_t>(sender), dimension));
  return message;
}

Message makeReplicaHash(std::uint64_t round, std::uint64_t hash, std::uint64_t dimension, int sender) {
  EncodedMessage body;
  body.codec = CodecId::DenseF32;  // the §3.1 header needs a codec id; a hash frame's payload is one u64
  body.payloadBits = 64;
  body.bytes.resize(8);
  wire::put(body.bytes.data(), 0, hash);
  Message message = Message::of(MessageKind::CompHash);
  message.payload.push_back(compressedFrame(FrameKind::ReplicaHash, body, static_cast<std::uint32_t>(round),
                                            static_cast<std::uint32_t>(sender), dimension));
  return message;
}

bool parseRoundOrder(const Message& message, std::uint64_t dimension, RoundOrder* order, std::string* why) {
  if (!isCompressedDownlinkKind(message.kind)) return fail(why, "not a round order");
  const bool start = message.kind == MessageKind::CompRoundStart;
  if (message.payload.size() != (start ? 1u : 2u)) return fail(why, "wrong frame count");
  if (message.payload[0].size() != kRoundMetaSize) return fail(why, "round meta is not 16 bytes");
  const auto* meta = bytesOf(message.payload[0]);
  order->round = wire::get<std::uint64_t>(meta, 0);
  order->startTime = wire::get<double>(meta, 8);
  order->downlink.reset();
  if (start) return true;
  if (order->round == 0) return fail(why, "a downlink cannot precede round 0");
  if (order->round > 0xFFFFFFFFull) return fail(why, "round beyond the 32-bit iteration field");
  EncodedMessage down;
  if (!readCompressedFrame(message.payload[1], FrameKind::DownlinkUpdate, order->round - 1, kServerSender,
                           dimension, &down, why))
    return false;
  if (downlinkKind(codecClass(down.codec)) != message.kind)
    return fail(why, "codec does not match the message kind");
  order->downlink = std::move(down);
  return true;
}

bool parseUplink(const Message& message, std::uint64_t dimension, int sender, UplinkReport* report,
                 std::string* why) {
  if (!isCompressedUplinkKind(message.kind)) return fail(why, "not an uplink");
  if (message.payload.size() != 2) return fail(why, "wrong frame count");
  if (message.payload[0].size() != kUplinkMetaSize) return fail(why, "uplink meta is not 32 bytes");
  const auto* meta = bytesOf(message.payload[0]);
  report->round = wire::get<std::uint64_t>(meta, 0);
  report->tauTarget = wire::get<double>(meta, 8);
  report->computeTime = wire::get<double>(meta, 16);
  report->lowerBoundBits = wire::get<double>(meta, 24);
  if (report->round > 0xFFFFFFFFull) return fail(why, "round beyond the 32-bit iteration field");
  if (!readCompressedFrame(message.payload[1], FrameKind::Uplink, report->round,
                           static_cast<std::uint32_t>(sender), dimension, &report->message, why))
    return false;
  if (uplinkKind(codecClass(report->message.codec)) != message.kind)
    return fail(why, "codec does not match the message kind");
  report->message.lowerBoundBits = report->lowerBoundBits;
  return true;
}

bool parseReplicaHash(const Message& message, std::uint64_t dimension, int sender, std::uint64_t* round,
                      std::uint64_t* hash, std::string* why) {
  if (message.kind != MessageKind::CompHash) return fail(why, "not a replica hash");
  if (message.payload.size() != 1) return fail(why, "wrong frame count");
  FrameHeader header;
  const auto& frame = message.payload[0];
  if (!readFrameHeader(bytesOf(frame), frame.size(), header, why)) return false;
  if (header.kind != FrameKind::ReplicaHash || header.payloadBits != 64)
    return fail(why, "not a 64-bit replica hash frame");
  if (header.sender != static_cast<std::uint32_t>(sender) || header.dimension != dimension)
    return fail(why, "replica hash of another sender or N");
  *round = header.iteration;
  *hash = wire::get<std::uint64_t>(bytesOf(frame), kCompressedHeaderSize);
  return true;
}

}  // namespace distopt::net
