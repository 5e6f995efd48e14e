#pragma once
// QSGD levels (docs/papers.md, compressed-sgd §3.6). A message is B binary32 bucket norms ν_j (buckets of
// `bucket` consecutive coordinates, the last one may be shorter), a level ℓ_i ∈ [0, s] and a sign per
// coordinate. QSGD_DENSE: norms, then per coordinate a sign bit (1 = negative; 0 when ℓ = 0) and w =
// ⌈log2(s+1)⌉ level bits MSB first: 32B + N(1 + w) bits. QSGD_ELIAS: norms, u32 nnz, then per non-zero level
// in index order Elias-gamma(gap), sign bit, Elias-gamma(ℓ). AUTO picks the smaller (ties → DENSE). Lower
// bound: 32B + log2 [N! / Π_v n_v!] over the signed levels v ∈ {−s..s}.

#include <cstdint>
#include <string>
#include <vector>

#include "core/codec/compressed_message.hpp"

namespace distopt {

struct QsgdLevels {
  std::vector<float> norms;            ///< one per bucket
  std::vector<std::uint16_t> levels;   ///< ℓ_i in [0, s]
  std::vector<std::uint8_t> negative;  ///< σ_i; 0 wherever ℓ_i = 0
};

enum class QsgdCodec { Dense, Elias, Auto };

/// Number of buckets ⌈N/bucket⌉.
std::uint64_t qsgdBuckets(std::uint64_t dimension, std::uint64_t bucket);
/// w = ⌈log2(s+1)⌉.
int qsgdLevelWidth(std::uint32_t s);
/// Exact payload bits of each codec.
std::uint64_t qsgdDenseBits(std::uint64_t dimension, std::uint64_t bucket, std::uint32_t s);
std::uint64_t qsgdEliasBits(const QsgdLevels& levels);
double qsgdLowerBound(const QsgdLevels& levels, std::uint32_t s);

/// Levels must be <= s, sizes consistent with (N, bucket); checked.
EncodedMessage encodeQsgd(const QsgdLevels& levels, std::uint64_t bucket, std::uint32_t s, QsgdCodec codec);
/// Decodes QSGD_DENSE or QSGD_ELIAS for the agreed (N, bucket, s). Refuses levels > s, a sign bit on a
/// zero level, non-finite or negative norms, gaps past N, truncation and wrong bit counts.
bool decodeQsgd(const EncodedMessage& message, std::uint64_t dimension, std::uint64_t bucket, std::uint32_t s,
                QsgdLevels& out, std::string* why);
/// ĝ_i = ν_j · (σ_i ? −1 : +1) · ℓ_i / s, computed in double from the binary32 norm.
void dequantizeQsgd(const QsgdLevels& levels, std::uint64_t bucket, std::uint32_t s, Vector& out);

}  // namespace distopt
