#include "core/codec/ternary_codec.hpp"

#include "core/codec/bit_stream.hpp"
#include "core/codec/sparse_codec.hpp"
#include "core/util/check.hpp"

namespace distopt {
namespace {

bool fail(std::string* why, const std::string& text) {
  if (why) *why = text;
  return false;
}

SparseSet nonZeros(const std::vector<std::int8_t>& values) {
  SparseSet set;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] == 0) continue;
    set.indices.push_back(static_cast<std::uint32_t>(i));
    set.negative.push_back(values[i] < 0 ? 1 : 0);
  }
  return set;
}

}  // namespace

double ternaryLowerBound(const std::vector<std::int8_t>& values) {
  std::vector<std::uint64_t> counts(3, 0);
  for (std::int8_t v : values) ++counts[static_cast<std::size_t>(v + 1)];
  return log2Multinomial(counts);
}

EncodedMessage encodeTernary(const std::vector<std::int8_t>& values, TernaryCodec codec) {
  const std::uint64_t n = values.size();
  for (std::int8_t v : values) DISTOPT_CHECK(v >= -1 && v <= 1);
  EncodedMessage message;
  if (codec == TernaryCodec::Auto) {
    const SparseSet set = nonZeros(values);
    const std::uint64_t t5Bits = 8 * ((n + 4) / 5);
    const std::uint64_t sparseBits =
        sparsePayloadBits(IndexCodec::Auto, set.indices, n, SparsePayload::Signs);
    if (sparseBits < t5Bits) {
      message = encodeSparse(set, n, SparsePayload::Signs, IndexCodec::Auto);
      message.lowerBoundBits = ternaryLowerBound(values);
      return message;
    }
    codec = TernaryCodec::T5;
  }
  BitWriter writer(2 * n);
  if (codec == TernaryCodec::T2) {
    for (std::int8_t v : values) {
      writer.putBit(v != 0);
      writer.putBit(v < 0);
    }
    message.codec = CodecId::TernT2;
  } else {
    for (std::uint64_t j = 0; j < n; j += 5) {
      unsigned byte = 0;
      unsigned power = 1;
      for (std::uint64_t k = j; k < j + 5 && k < n; ++k, power *= 3) {
        const unsigned trit = values[k] == 0 ? 0u : (values[k] > 0 ? 1u : 2u);
        byte += trit * power;
      }
      writer.putU8(static_cast<std::uint8_t>(byte));
    }
    message.codec = CodecId::TernT5;
  }
  message.payloadBits = writer.bitCount();
  message.lowerBoundBits = ternaryLowerBound(values);
  message.bytes = writer.finish();
  return message;
}

bool decodeTernary(const EncodedMessage& message, std::uint64_t dimension, std::vector<std::int8_t>& values,
                   std::string* why) {
  if (isSparseCodec(message.codec)) {
    SparseSet set;
    SparsePayload payload = SparsePayload::Signs;
    if (!decodeSparse(message, dimension, set, payload, why)) return false;
    if (payload != SparsePayload::Signs)
      return fail(why, std::string("ternary cannot be ") + codecName(message.codec));
    values.assign(static_cast<std::size_t>(dimension), 0);
    for (std::size_t j = 0; j < set.indices.size(); ++j) values[set.indices[j]] = set.negative[j] ? -1 : 1;
    return true;
  }
  if (!checkPayloadSize(message.bytes, message.payloadBits, why)) return false;
  values.assign(static_cast<std::size_t>(dimension), 0);
  if (message.codec == CodecId::TernT2) {
    if (message.payloadBits != 2 * dimension)
      return fail(why, "TERN_T2 of N = " + std::to_string(dimension) + " needs 2N bits, message has " +
                           std::to_string(message.payloadBits));
    BitReader reader(message.bytes.data(), message.bytes.size(), message.payloadBits);
    for (auto& v : values) {
      bool nonzero = false;
      bool negative = false;
      reader.getBit(nonzero);
      reader.getBit(negative);
      if (!nonzero && negative) return fail(why, "TERN_T2: pair (0,1) is not a value");
      v = nonzero ? (negative ? -1 : 1) : 0;
    }
    return true;
  }
  if (message.codec == CodecId::TernT5) {
    const std::uint64_t bytes = (dimension + 4) / 5;
    if (message.payloadBits != 8 * bytes)
      return fail(why, "TERN_T5 of N = " + std::to_string(dimension) + " needs " + std::to_string(8 * bytes) +
                           " bits, message has " + std::to_string(message.payloadBits));
    for (std::uint64_t j = 0; j < bytes; ++j) {
      unsigned byte = message.bytes[static_cast<std::size_t>(j)];
      if (byte > 242) return fail(why, "TERN_T5: byte " + std::to_string(byte) + " > 242");
      for (std::uint64_t k = 5 * j; k < 5 * j + 5; ++k, byte /= 3) {
        const unsigned trit = byte % 3;
        if (k >= dimension) {
          if (trit != 0) return fail(why, "TERN_T5: non-zero trit past N");
          continue;
        }
        values[static_cast<std::size_t>(k)] = trit == 0 ? 0 : (trit == 1 ? 1 : -1);
      }
    }
    return true;
  }
  return fail(why, std::string("expected a ternary codec, got ") + codecName(message.codec));
}

}  // namespace distopt
