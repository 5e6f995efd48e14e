#include "core/codec/qsgd_codec.hpp"

#include <cmath>
#include <map>

#include "core/codec/bit_stream.hpp"
#include "core/util/check.hpp"

namespace distopt {
namespace {

bool fail(std::string* why, const std::string& text) {
  if (why) *why = text;
  return false;
}

}  // namespace

std::uint64_t qsgdBuckets(std::uint64_t dimension, std::uint64_t bucket) {
  DISTOPT_CHECK(bucket >= 1);
  return (dimension + bucket - 1) / bucket;
}

int qsgdLevelWidth(std::uint32_t s) {
  DISTOPT_CHECK(s >= 1);
  return floorLog2(s) + 1;  // ⌈log2(s+1)⌉ = number of binary digits of s
}

std::uint64_t qsgdDenseBits(std::uint64_t dimension, std::uint64_t bucket, std::uint32_t s) {
  return 32 * qsgdBuckets(dimension, bucket) +
         dimension * (1 + static_cast<std::uint64_t>(qsgdLevelWidth(s)));
}

std::uint64_t qsgdEliasBits(const QsgdLevels& levels) {
  std::uint64_t bits = 32 * levels.norms.size() + 32;
  std::int64_t previous = -1;
  for (std::size_t i = 0; i < levels.levels.size(); ++i) {
    if (levels.levels[i] == 0) continue;
    bits += static_cast<std::uint64_t>(
                eliasGammaBits(static_cast<std::uint64_t>(static_cast<std::int64_t>(i) - previous))) +
            1 + static_cast<std::uint64_t>(eliasGammaBits(levels.levels[i]));
    previous = static_cast<std::int64_t>(i);
  }
  return bits;
}

double qsgdLowerBound(const QsgdLevels& levels, std::uint32_t /*s*/) {
  std::map<int, std::uint64_t> byValue;
  for (std::size_t i = 0; i < levels.levels.size(); ++i)
    ++byValue[levels.negative[i] ? -static_cast<int>(levels.levels[i]) : static_cast<int>(levels.levels[i])];
  std::vector<std::uint64_t> counts;
  for (const auto& [value, count] : byValue) counts.push_back(count);
  return 32.0 * static_cast<double>(levels.norms.size()) + log2Multinomial(counts);
}

EncodedMessage encodeQsgd(const QsgdLevels& levels, std::uint64_t bucket, std::uint32_t s, QsgdCodec codec) {
  const std::uint64_t n = levels.levels.size();
  DISTOPT_CHECK(levels.negative.size() == n && levels.norms.size() == qsgdBuckets(n, bucket));
  for (std::uint64_t i = 0; i < n; ++i)
    DISTOPT_CHECK(levels.levels[i] <= s && (levels.levels[i] > 0 || !levels.negative[i]));
  const std::uint64_t denseBits = qsgdDenseBits(n, bucket, s);
  const std::uint64_t eliasBits = qsgdEliasBits(levels);
  if (codec == QsgdCodec::Auto) codec = eliasBits < denseBits ? QsgdCodec::Elias : QsgdCodec::Dense;

  BitWriter writer(codec == QsgdCodec::Dense ? denseBits : eliasBits);
  for (float norm : levels.norms) writer.putF32(norm);
  EncodedMessage message;
  if (codec == QsgdCodec::Dense) {
    const int w = qsgdLevelWidth(s);
    for (std::uint64_t i = 0; i < n; ++i) {
      writer.putBit(levels.negative[i] != 0);
      writer.putBitsMsbFirst(levels.levels[i], w);
    }
    message.codec = CodecId::QsgdDense;
  } else {
    std::uint32_t nnz = 0;
    for (std::uint16_t level : levels.levels) nnz += level > 0 ? 1 : 0;
    writer.putU32(nnz);
    std::int64_t previous = -1;
    for (std::uint64_t i = 0; i < n; ++i) {
      if (levels.levels[i] == 0) continue;
      writer.putEliasGamma(static_cast<std::uint64_t>(static_cast<std::int64_t>(i) - previous));
      writer.putBit(levels.negative[i] != 0);
      writer.putEliasGamma(levels.levels[i]);
      previous = static_cast<std::int64_t>(i);
    }
    message.codec = CodecId::QsgdElias;
  }
  message.payloadBits = writer.bitCount();
  DISTOPT_CHECK(message.payloadBits == (codec == QsgdCodec::Dense ? denseBits : eliasBits));
  message.lowerBoundBits = qsgdLowerBound(levels, s);
  message.bytes = writer.finish();
  return message;
}

bool decodeQsgd(const EncodedMessage& message, std::uint64_t dimension, std::uint64_t bucket, std::uint32_t s,
                QsgdLevels& out, std::string* why) {
  if (message.codec != CodecId::QsgdDense && message.codec != CodecId::QsgdElias)
    return fail(why, std::string("expected a QSGD codec, got ") + codecName(message.codec));
  if (bucket < 1 || s < 1 || s > 32768) return fail(why, "QSGD: bucket or s out of range");
  if (!checkPayloadSize(message.bytes, message.payloadBits, why)) return false;
  const std::string name = codecName(message.codec);
  const std::uint64_t buckets = qsgdBuckets(dimension, bucket);
  if (message.codec == CodecId::QsgdDense && message.payloadBits != qsgdDenseBits(dimension, bucket, s))
    return fail(why, name + ": N = " + std::to_string(dimension) + " needs " +
                         std::to_string(qsgdDenseBits(dimension, bucket, s)) + " bits, message has " +
                         std::to_string(message.payloadBits));
  if (message.payloadBits < 32 * buckets) return fail(why, name + ": shorter than its norms");
  BitReader reader(message.bytes.data(), message.bytes.size(), message.payloadBits);
  out.norms.resize(static_cast<std::size_t>(buckets));
  for (auto& norm : out.norms) {
    reader.getF32(norm);
    if (!std::isfinite(norm) || norm < 0.0f) return fail(why, name + ": norm not finite and >= 0");
  }
  out.levels.assign(static_cast<std::size_t>(dimension), 0);
  out.negative.assign(static_cast<std::size_t>(dimension), 0);
  if (message.codec == CodecId::QsgdDense) {
    const int w = qsgdLevelWidth(s);
    for (std::uint64_t i = 0; i < dimension; ++i) {
      bool negative = false;
      std::uint64_t level = 0;
      reader.getBit(negative);
      reader.getBitsMsbFirst(w, level);
      if (level > s) return fail(why, name + ": level " + std::to_string(level) + " > s");
      if (level == 0 && negative) return fail(why, name + ": sign bit set on a zero level");
      out.levels[static_cast<std::size_t>(i)] = static_cast<std::uint16_t>(level);
      out.negative[static_cast<std::size_t>(i)] = negative ? 1 : 0;
    }
    return true;
  }
  std::uint32_t nnz = 0;
  if (!reader.getU32(nnz)) return fail(why, name + ": stream ended before nnz");
  if (nnz > dimension) return fail(why, name + ": nnz > N");
  if (std::uint64_t{nnz} * 3 > reader.remaining()) return fail(why, name + ": stream too short for nnz");
  std::int64_t previous = -1;
  for (std::uint32_t j = 0; j < nnz; ++j) {
    std::uint64_t gap = 0;
    std::uint64_t level = 0;
    bool negative = false;
    if (!reader.getEliasGamma(gap) || !reader.getBit(negative) || !reader.getEliasGamma(level))
      return fail(why, name + ": bad or truncated code");
    if (gap > dimension || previous + static_cast<std::int64_t>(gap) >= static_cast<std::int64_t>(dimension))
      return fail(why, name + ": index >= N");
    if (level > s) return fail(why, name + ": level " + std::to_string(level) + " > s");
    previous += static_cast<std::int64_t>(gap);
    out.levels[static_cast<std::size_t>(previous)] = static_cast<std::uint16_t>(level);
    out.negative[static_cast<std::size_t>(previous)] = negative ? 1 : 0;
  }
  if (reader.remaining() != 0)
    return fail(why, name + ": " + std::to_string(reader.remaining()) + " trailing bits");
  return true;
}

void dequantizeQsgd(const QsgdLevels& levels, std::uint64_t bucket, std::uint32_t s, Vector& out) {
  const std::size_t n = levels.levels.size();
  out.resize(static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const double norm = levels.norms[i / bucket];
    const double magnitude = norm * static_cast<double>(levels.levels[i]) / static_cast<double>(s);
    out[static_cast<Eigen::Index>(i)] = levels.negative[i] ? -magnitude : magnitude;
  }
}

}  // namespace distopt
