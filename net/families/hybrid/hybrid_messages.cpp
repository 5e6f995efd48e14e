#include "net/families/hybrid/hybrid_messages.hpp"

#include "net/protocol/wire_fields.hpp"

#include <cstring>

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

}  // namespace distopt::net
