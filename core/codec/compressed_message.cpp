#include "core/codec/compressed_message.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <numbers>

#include "core/util/check.hpp"

namespace distopt {
namespace {

bool fail(std::string* why, const std::string& text) {
  if (why) *why = text;
  return false;
}

void putLe(std::uint8_t* out, std::uint64_t value, int bytes) {
  for (int b = 0; b < bytes; ++b) out[b] = static_cast<std::uint8_t>((value >> (8 * b)) & 0xFFu);
}

std::uint64_t getLe(const std::uint8_t* in, int bytes) {
  std::uint64_t value = 0;
  for (int b = 0; b < bytes; ++b) value |= std::uint64_t{in[b]} << (8 * b);
  return value;
}

}  // namespace

const char* codecName(CodecId codec) {
  switch (codec) {
    case CodecId::DenseF32:
      return "DENSE_F32";
    case CodecId::Sign1:
      return "SIGN1";
    case CodecId::ScaledSign:
      return "SCALED_SIGN";
    case CodecId::TernT2:
      return "TERN_T2";
    case CodecId::TernT5:
      return "TERN_T5";
    case CodecId::SparseSignRaw32:
      return "SPARSE_SIGN_RAW32";
    case CodecId::SparseSignRawB:
      return "SPARSE_SIGN_RAWB";
    case CodecId::SparseSignBitmap:
      return "SPARSE_SIGN_BITMAP";
    case CodecId::SparseSignGamma:
      return "SPARSE_SIGN_GAMMA";
    case CodecId::SparseSignRice:
      return "SPARSE_SIGN_RICE";
    case CodecId::SparseF32Raw32:
      return "SPARSE_F32_RAW32";
    case CodecId::SparseF32RawB:
      return "SPARSE_F32_RAWB";
    case CodecId::SparseF32Bitmap:
      return "SPARSE_F32_BITMAP";
    case CodecId::SparseF32Gamma:
      return "SPARSE_F32_GAMMA";
    case CodecId::SparseF32Rice:
      return "SPARSE_F32_RICE";
    case CodecId::QsgdDense:
      return "QSGD_DENSE";
    case CodecId::QsgdElias:
      return "QSGD_ELIAS";
  }
  return "UNKNOWN";
}

std::optional<CodecId> codecFromWire(std::uint8_t id) {
  const auto codec = static_cast<CodecId>(id);
  if (std::string(codecName(codec)) == "UNKNOWN") return std::nullopt;
  return codec;
}

std::uint64_t EncodedMessage::wireBytes() const { return kCompressedHeaderSize + (payloadBits + 7) / 8; }

void writeFrameHeader(const FrameHeader& header, std::uint8_t* out) {
  putLe(out + 0, kCompressedMagic, 4);
  out[4] = static_cast<std::uint8_t>(header.kind);
  out[5] = static_cast<std::uint8_t>(header.codec);
  putLe(out + 6, header.flags, 2);
  putLe(out + 8, header.iteration, 4);
  putLe(out + 12, header.sender, 4);
  putLe(out + 16, header.dimension, 8);
  putLe(out + 24, header.payloadBits, 8);
}

bool readFrameHeader(const std::uint8_t* frame, std::size_t size, FrameHeader& header, std::string* why) {
  if (size < kCompressedHeaderSize) return fail(why, "frame shorter than the 32-byte header");
  if (getLe(frame, 4) != kCompressedMagic) return fail(why, "bad magic");
  const std::uint8_t kind = frame[4];
  if (kind < 1 || kind > 4) return fail(why, "unknown frame kind " + std::to_string(kind));
  const auto codec = codecFromWire(frame[5]);
  if (!codec) return fail(why, "unknown codec id " + std::to_string(frame[5]));
  const auto flags = static_cast<std::uint16_t>(getLe(frame + 6, 2));
  if ((flags & ~std::uint16_t{3}) != 0) return fail(why, "reserved flag bits set");
  header.kind = static_cast<FrameKind>(kind);
  header.codec = *codec;
  header.flags = flags;
  header.iteration = static_cast<std::uint32_t>(getLe(frame + 8, 4));
  header.sender = static_cast<std::uint32_t>(getLe(frame + 12, 4));
  header.dimension = getLe(frame + 16, 8);
  header.payloadBits = getLe(frame + 24, 8);
  const std::uint64_t payloadBytes = size - kCompressedHeaderSize;
  if (header.payloadBits > payloadBytes * 8 || (header.payloadBits + 7) / 8 != payloadBytes)
    return fail(why, "payload of " + std::to_string(payloadBytes) + " bytes does not hold " +
                         std::to_string(header.payloadBits) + " bits");
  return true;
}

double log2Binomial(std::uint64_t n, std::uint64_t k) {
  DISTOPT_CHECK(k <= n);
  if (k == 0 || k == n) return 0.0;
  const double nd = static_cast<double>(n);
  const double kd = static_cast<double>(k);
  return (std::lgamma(nd + 1.0) - std::lgamma(kd + 1.0) - std::lgamma(nd - kd + 1.0)) / std::numbers::ln2;
}

double log2Multinomial(const std::vector<std::uint64_t>& counts) {
  std::uint64_t n = 0;
  double sum = 0.0;
  for (std::uint64_t c : counts) {
    n += c;
    sum -= std::lgamma(static_cast<double>(c) + 1.0);
  }
  sum += std::lgamma(static_cast<double>(n) + 1.0);
  return std::max(0.0, sum / std::numbers::ln2);
}

bool checkPayloadSize(const std::vector<std::uint8_t>& bytes, std::uint64_t payloadBits, std::string* why) {
  if (bytes.size() != (payloadBits + 7) / 8)
    return fail(why, "payload has " + std::to_string(bytes.size()) + " bytes, " +
                         std::to_string(payloadBits) + " bits need " + std::to_string((payloadBits + 7) / 8));
  const unsigned used = static_cast<unsigned>(payloadBits % 8);
  if (used != 0 && (bytes.back() >> used) != 0) return fail(why, "non-zero padding bits");
  return true;
}

EncodedMessage encodeDenseF32(const Vector& values) {
  EncodedMessage message;
  message.codec = CodecId::DenseF32;
  const auto n = static_cast<std::size_t>(values.size());
  message.payloadBits = 32 * std::uint64_t{n};
  message.lowerBoundBits = static_cast<double>(message.payloadBits);
  message.bytes.resize(4 * n);
  std::uint8_t* out = message.bytes.data();
  for (std::size_t i = 0; i < n; ++i)
    putLe(out + 4 * i, std::bit_cast<std::uint32_t>(static_cast<float>(values[static_cast<Eigen::Index>(i)])),
          4);
  return message;
}

bool decodeDenseF32(const EncodedMessage& message, std::uint64_t dimension, Vector& out, std::string* why) {
  if (message.codec != CodecId::DenseF32)
    return fail(why, std::string("expected DENSE_F32, got ") + codecName(message.codec));
  if (message.payloadBits != 32 * dimension)
    return fail(why, "DENSE_F32 of N = " + std::to_string(dimension) + " needs " +
                         std::to_string(32 * dimension) + " bits, message has " +
                         std::to_string(message.payloadBits));
  if (!checkPayloadSize(message.bytes, message.payloadBits, why)) return false;
  out.resize(static_cast<Eigen::Index>(dimension));
  const std::uint8_t* in = message.bytes.data();
  for (std::uint64_t i = 0; i < dimension; ++i)
    out[static_cast<Eigen::Index>(i)] =
        std::bit_cast<float>(static_cast<std::uint32_t>(getLe(in + 4 * i, 4)));
  return true;
}

}  // namespace distopt
