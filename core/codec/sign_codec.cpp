#include "core/codec/sign_codec.hpp"

#include "core/codec/bit_stream.hpp"

namespace distopt {
namespace {

bool fail(std::string* why, const std::string& text) {
  if (why) *why = text;
  return false;
}

void putSigns(BitWriter& writer, const Vector& values) {
  const Eigen::Index n = values.size();
  Eigen::Index i = 0;
  for (; i + 32 <= n; i += 32) {
    std::uint32_t word = 0;
    for (int k = 0; k < 32; ++k) word |= static_cast<std::uint32_t>(values[i + k] < 0.0) << k;
    writer.putBitsLsbFirst(word, 32);
  }
  for (; i < n; ++i) writer.putBit(values[i] < 0.0);
}

bool getSigns(BitReader& reader, std::uint64_t dimension, std::vector<std::int8_t>& signs) {
  signs.resize(static_cast<std::size_t>(dimension));
  for (std::uint64_t i = 0; i < dimension; ++i) {
    bool bit = false;
    if (!reader.getBit(bit)) return false;
    signs[static_cast<std::size_t>(i)] = bit ? -1 : 1;
  }
  return true;
}

}  // namespace

EncodedMessage encodeSign1(const Vector& values) {
  BitWriter writer(static_cast<std::uint64_t>(values.size()));
  putSigns(writer, values);
  EncodedMessage message;
  message.codec = CodecId::Sign1;
  message.payloadBits = writer.bitCount();
  message.lowerBoundBits = static_cast<double>(values.size());
  message.bytes = writer.finish();
  return message;
}

bool decodeSign1(const EncodedMessage& message, std::uint64_t dimension, std::vector<std::int8_t>& signs,
                 std::string* why) {
  if (message.codec != CodecId::Sign1)
    return fail(why, std::string("expected SIGN1, got ") + codecName(message.codec));
  if (message.payloadBits != dimension)
    return fail(why, "SIGN1 of N = " + std::to_string(dimension) + " needs N bits, message has " +
                         std::to_string(message.payloadBits));
  if (!checkPayloadSize(message.bytes, message.payloadBits, why)) return false;
  BitReader reader(message.bytes.data(), message.bytes.size(), message.payloadBits);
  return getSigns(reader, dimension, signs) || fail(why, "SIGN1 stream ended early");
}

EncodedMessage encodeScaledSign(const std::vector<float>& scales, const Vector& values) {
  BitWriter writer(32 * scales.size() + static_cast<std::uint64_t>(values.size()));
  for (float scale : scales) writer.putF32(scale);
  putSigns(writer, values);
  EncodedMessage message;
  message.codec = CodecId::ScaledSign;
  message.payloadBits = writer.bitCount();
  message.lowerBoundBits = static_cast<double>(message.payloadBits);
  message.bytes = writer.finish();
  return message;
}

bool decodeScaledSign(const EncodedMessage& message, std::uint64_t dimension, std::size_t numSegments,
                      std::vector<float>& scales, std::vector<std::int8_t>& signs, std::string* why) {
  if (message.codec != CodecId::ScaledSign)
    return fail(why, std::string("expected SCALED_SIGN, got ") + codecName(message.codec));
  const std::uint64_t expected = 32 * std::uint64_t{numSegments} + dimension;
  if (message.payloadBits != expected)
    return fail(why, "SCALED_SIGN with L = " + std::to_string(numSegments) +
                         ", N = " + std::to_string(dimension) + " needs " + std::to_string(expected) +
                         " bits, message has " + std::to_string(message.payloadBits));
  if (!checkPayloadSize(message.bytes, message.payloadBits, why)) return false;
  BitReader reader(message.bytes.data(), message.bytes.size(), message.payloadBits);
  scales.resize(numSegments);
  for (auto& scale : scales)
    if (!reader.getF32(scale)) return fail(why, "SCALED_SIGN stream ended early");
  return getSigns(reader, dimension, signs) || fail(why, "SCALED_SIGN stream ended early");
}

}  // namespace distopt
