#pragma once
// Encoded messages of compressed distributed SGD (docs/papers.md, compressed-sgd §3): the codec ids of §3.9,
// the 32-byte frame header of §3.1, the accounting of §2.1 (payload bits, wire bytes, information-theoretic
// lower bound) and the dense float32 codec of §3.2. The sign, sparse, ternary and QSGD codecs are in their
// own files beside this one; all produce an EncodedMessage whose `bytes` are exactly the payload a live
// engine puts after the header.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/problems/problem.hpp"

namespace distopt {

/// Wire ids (compressed-sgd §3.9). AUTO is an encoder policy, never a wire id.
enum class CodecId : std::uint8_t {
  DenseF32 = 1,
  Sign1 = 2,
  ScaledSign = 3,
  TernT2 = 4,
  TernT5 = 5,
  SparseSignRaw32 = 16,
  SparseSignRawB = 17,
  SparseSignBitmap = 18,
  SparseSignGamma = 19,
  SparseSignRice = 20,
  SparseF32Raw32 = 32,
  SparseF32RawB = 33,
  SparseF32Bitmap = 34,
  SparseF32Gamma = 35,
  SparseF32Rice = 36,
  QsgdDense = 48,
  QsgdElias = 49,
};

/// "DENSE_F32", "SIGN1", "SPARSE_SIGN_RICE", ... (names of compressed-sgd §3.9); "UNKNOWN" otherwise.
const char* codecName(CodecId codec);
/// The codec for a wire byte, if it is one of §3.9.
std::optional<CodecId> codecFromWire(std::uint8_t id);

/// One message's payload with its accounting (compressed-sgd §2.1, §3.7).
struct EncodedMessage {
  CodecId codec = CodecId::DenseF32;
  std::uint64_t payloadBits = 0;    ///< exact, before padding
  double lowerBoundBits = 0.0;      ///< information-theoretic bound for this message's content
  std::vector<std::uint8_t> bytes;  ///< ceil(payloadBits / 8) bytes, zero-padded

  /// 32 + ceil(payloadBits / 8): the frame a live engine sends (header + payload).
  std::uint64_t wireBytes() const;
};

inline constexpr std::size_t kCompressedHeaderSize = 32;
inline constexpr std::uint32_t kCompressedMagic = 0x31475343u;  // "CSG1"

/// Frame kinds (compressed-sgd §3.1).
enum class FrameKind : std::uint8_t { Uplink = 1, DownlinkUpdate = 2, Model = 3, ReplicaHash = 4 };

struct FrameHeader {
  FrameKind kind = FrameKind::Uplink;
  CodecId codec = CodecId::DenseF32;
  std::uint16_t flags = 0;  ///< bit0 tie_rule zero, bit1 server-EF downlink
  std::uint32_t iteration = 0;
  std::uint32_t sender = 0;     ///< worker id; 0xFFFFFFFF = server
  std::uint64_t dimension = 0;  ///< N
  std::uint64_t payloadBits = 0;
};

inline constexpr std::uint32_t kServerSender = 0xFFFFFFFFu;

/// The 32 header bytes, little-endian.
void writeFrameHeader(const FrameHeader& header, std::uint8_t* out);
/// Parses a whole frame (header + payload of `size` - 32 bytes). Refuses a short frame, a wrong magic,
/// an unknown kind or codec, reserved flag bits, or a payload whose length is not ceil(payload_bits/8).
bool readFrameHeader(const std::uint8_t* frame, std::size_t size, FrameHeader& header, std::string* why);

/// log2 C(n, k) by lgamma (compressed-sgd §3.5); 0 when k == 0 or k == n.
double log2Binomial(std::uint64_t n, std::uint64_t k);
/// log2 (n! / Π counts_v!) with n = Σ counts (type-class size, compressed-sgd §3.4/§3.6).
double log2Multinomial(const std::vector<std::uint64_t>& counts);

/// Checks that `bytes` has exactly ceil(payloadBits/8) bytes and zero padding; *why otherwise.
bool checkPayloadSize(const std::vector<std::uint8_t>& bytes, std::uint64_t payloadBits, std::string* why);

// ---- DENSE_F32 (compressed-sgd §3.2): N binary32 values in index order, 32N bits; bound 32N. ----

/// Each coordinate rounded to binary32.
EncodedMessage encodeDenseF32(const Vector& values);
/// Decodes exactly `dimension` values (widened to double, so the round trip of a binary32 is exact).
bool decodeDenseF32(const EncodedMessage& message, std::uint64_t dimension, Vector& out, std::string* why);

}  // namespace distopt
