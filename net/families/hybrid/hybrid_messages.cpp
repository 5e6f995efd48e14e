#include "net/families/hybrid/hybrid_messages.hpp"

#include "net/protocol/wire_fields.hpp"

#include <cstring>
#include <utility>

#include "core/codec/dense_codec.hpp"
#include "net/protocol/job_messages.hpp"

namespace distopt::net {
namespace {

using wire::fail;
using wire::get;
using wire::put;

zmq::message_t metaFrame(const HybridMeta& meta) {
  zmq::message_t frame(kHybridMetaSize);
  auto* bytes = static_cast<unsigned char*>(frame.data());
  put<std::uint64_t>(bytes, 0, meta.step);
  put<std::uint32_t>(bytes, 8, meta.iter);
  put<std::uint32_t>(bytes, 12, meta.part);
  put<double>(bytes, 16, meta.value);
  return frame;
}

// HybridKind lists the kinds in the order of their numbers 48..59, so a kind is an offset.
constexpr bool sameOrder() {
  const std::pair<HybridKind, MessageKind> pairs[] = {
      {HybridKind::HyBegin, MessageKind::HyBegin},     {HybridKind::HyGrad, MessageKind::HyGrad},
      {HybridKind::HyProj, MessageKind::HyProj},       {HybridKind::HyParams, MessageKind::HyParams},
      {HybridKind::LzStart, MessageKind::LzStart},     {HybridKind::LzHvp, MessageKind::LzHvp},
      {HybridKind::LzCoef, MessageKind::LzCoef},       {HybridKind::LzGather, MessageKind::LzGather},
      {HybridKind::LzRitz, MessageKind::LzRitz},       {HybridKind::LzEigen, MessageKind::LzEigen},
      {HybridKind::HySnapshot, MessageKind::HySnapshot}, {HybridKind::HyEstimate, MessageKind::HyEstimate}};
  for (const auto& [kind, wire] : pairs)
    if (static_cast<std::uint16_t>(wire) - static_cast<std::uint16_t>(MessageKind::HyBegin) !=
        static_cast<std::uint16_t>(kind))
      return false;
  return true;
}
static_assert(sameOrder());

MessageKind wireKind(HybridKind kind) {
  return static_cast<MessageKind>(static_cast<std::uint16_t>(MessageKind::HyBegin) +
                                  static_cast<std::uint16_t>(kind));
}

}  // namespace

bool isHybridKind(MessageKind kind) {
  const auto raw = static_cast<std::uint16_t>(kind);
  return raw >= static_cast<std::uint16_t>(MessageKind::HyBegin) &&
         raw <= static_cast<std::uint16_t>(MessageKind::HyEstimate);
}

Message makeHybrid(MessageKind kind, const HybridMeta& meta, const Eigen::Ref<const Vector>& values) {
  Message message = Message::of(kind);
  message.payload.push_back(metaFrame(meta));
  message.payload.push_back(encodeVectorFrame(values, VectorEncoding::DenseFloat64));
  return message;
}

Message makeHybridMetaOnly(MessageKind kind, const HybridMeta& meta) {
  Message message = Message::of(kind);
  message.payload.push_back(metaFrame(meta));
  return message;
}

bool parseHybridMeta(const Message& message, HybridMeta* meta, std::string* why) {
  if (!isHybridKind(message.kind)) return fail(why, "not a hybrid-order kind");
  if (message.payload.empty() || message.payload.size() > 2)
    return fail(why, std::string(messageKindName(message.kind)) + " must have 1 or 2 payload frames, got " +
                         std::to_string(message.payload.size()));
  if (message.payload[0].size() != kHybridMetaSize)
    return fail(why, std::string(messageKindName(message.kind)) + " meta frame must be " +
                         std::to_string(kHybridMetaSize) + " bytes, got " +
                         std::to_string(message.payload[0].size()));
  const auto* bytes = static_cast<const unsigned char*>(message.payload[0].data());
  meta->step = get<std::uint64_t>(bytes, 0);
  meta->iter = get<std::uint32_t>(bytes, 8);
  meta->part = get<std::uint32_t>(bytes, 12);
  meta->value = get<double>(bytes, 16);
  return true;
}

bool parseHybrid(const Message& message, std::int64_t expectedCount, HybridMeta* meta, Vector* values,
                 std::string* why) {
  if (!parseHybridMeta(message, meta, why)) return false;
  const std::size_t frames = expectedCount < 0 ? 1 : 2;
  if (message.payload.size() != frames)
    return fail(why, std::string(messageKindName(message.kind)) + " must have " + std::to_string(frames) +
                         " payload frames here, got " + std::to_string(message.payload.size()));
  if (expectedCount < 0) return true;
  DenseFrameView view;
  const auto& frame = message.payload[1];
  if (!inspectDenseFrame(frame.data(), frame.size(), expectedCount, &view, why)) return false;
  if (view.encoding != VectorEncoding::DenseFloat64) return fail(why, "hybrid vectors must be dense float64");
  return readDenseFrame(frame.data(), frame.size(), expectedCount, *values, why);
}

Message makeHybridMessage(const HybridMessage& message) {
  if (!message.values) return makeHybridMetaOnly(wireKind(message.kind), message.meta);
  return makeHybrid(wireKind(message.kind), message.meta, *message.values);
}

bool parseHybridMessage(const Message& message, HybridMessage* out, std::string* why) {
  if (!parseHybridMeta(message, &out->meta, why)) return false;
  out->kind = static_cast<HybridKind>(static_cast<std::uint16_t>(message.kind) -
                                      static_cast<std::uint16_t>(MessageKind::HyBegin));
  if (message.payload.size() == 1) {
    out->values.reset();
    return true;
  }
  DenseFrameView view;
  const auto& frame = message.payload[1];
  if (!inspectDenseFrame(frame.data(), frame.size(), -1, &view, why)) return false;
  if (view.encoding != VectorEncoding::DenseFloat64) return fail(why, "hybrid vectors must be dense float64");
  out->values.emplace();
  return readDenseFrame(frame.data(), frame.size(), view.count, *out->values, why);
}

}  // namespace distopt::net
