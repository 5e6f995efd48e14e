#pragma once
// Sparse index sets with one sign bit or one binary32 value per index (docs/papers.md, compressed-sgd §3.5):
// SPARSE_SIGN_* and SPARSE_F32_* with the index codecs RAW32, RAWB, BITMAP, GAMMA and RICE, and the AUTO
// policy that sends the exactly-smallest of BITMAP, GAMMA, RICE (best r) and RAWB (ties → lowest id).
// The signs or values always follow the index part, in index order. Gaps: g_1 = i_1 + 1,
// g_j = i_j − i_{j−1}. Lower bound: log2 C(N,K) + K (signs) or + 32K (values).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/codec/compressed_message.hpp"

namespace distopt {

enum class IndexCodec { Raw32, RawB, Bitmap, Gamma, Rice, Auto };

/// "raw32", "rawb", "bitmap", "gamma", "rice", "auto" (option values).
const char* indexCodecName(IndexCodec codec);
std::optional<IndexCodec> indexCodecFromName(const std::string& name);

/// Strictly increasing indices in [0, N); per index a sign (negative: 1 = negative) or a value.
struct SparseSet {
  std::vector<std::uint32_t> indices;
  std::vector<std::uint8_t> negative;  ///< sign variant
  std::vector<float> values;           ///< value variant
};

enum class SparsePayload { Signs, Values };

/// Exact payload bits of the set under `codec` (not Auto); for Rice also the best r when asked.
std::uint64_t sparsePayloadBits(IndexCodec codec, const std::vector<std::uint32_t>& indices,
                                std::uint64_t dimension, SparsePayload payload, int* riceParameter = nullptr);
/// The Rice parameter r in [0, b] with the shortest stream (smallest r on ties) and that length.
int bestRiceParameter(const std::vector<std::uint32_t>& indices, std::uint64_t dimension,
                      SparsePayload payload, std::uint64_t* bits = nullptr);
/// The codec AUTO picks for this support.
IndexCodec autoIndexCodec(const std::vector<std::uint32_t>& indices, std::uint64_t dimension,
                          SparsePayload payload);
/// log2 C(N,K) + K (signs) or + 32K (values).
double sparseLowerBound(std::uint64_t dimension, std::uint64_t count, SparsePayload payload);

/// Encodes `set` (indices must be strictly increasing and < N <= 2^32 − 1; a DISTOPT_CHECK guards it).
EncodedMessage encodeSparse(const SparseSet& set, std::uint64_t dimension, SparsePayload payload,
                            IndexCodec codec);
/// Decodes any SPARSE_SIGN_* or SPARSE_F32_* message of dimension N; the codec id says which variant
/// (`payload` reports it). Refuses K > N, an index >= N, a Rice parameter > b, a truncated stream and
/// any bit count other than the one the content implies.
bool decodeSparse(const EncodedMessage& message, std::uint64_t dimension, SparseSet& out,
                  SparsePayload& payload, std::string* why);

/// The wire id of (payload, index codec); codec must not be Auto.
CodecId sparseCodecId(SparsePayload payload, IndexCodec codec);
/// True for the ten SPARSE_* ids.
bool isSparseCodec(CodecId codec);

}  // namespace distopt
