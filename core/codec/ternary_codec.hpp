#pragma once
// Ternary vectors V ∈ {−1, 0, +1}^N (docs/papers.md, compressed-sgd §3.4): the S³GD-MV downlink and
// signSGD-MV's downlink with tie_rule zero. TERN_T2 (2 bits per coordinate: nonzero flag, then negative
// flag), TERN_T5 (five trits per byte, 8⌈N/5⌉ bits), or the non-zeros as a sparse sign set (§3.5, K =
// nnz(V)). TERNARY_AUTO sends the smallest of TERN_T5 and the best sparse-sign codec (ties → TERN_T5). Lower
// bound: log2 [N! / (n0! n+! n−!)].

#include <cstdint>
#include <string>
#include <vector>

#include "core/codec/compressed_message.hpp"

namespace distopt {

enum class TernaryCodec { T2, T5, Auto };

/// `values` holds −1, 0 or +1 only.
EncodedMessage encodeTernary(const std::vector<std::int8_t>& values, TernaryCodec codec);
/// Decodes TERN_T2, TERN_T5 or any SPARSE_SIGN_* message into exactly `dimension` values. Refuses the
/// T2 pair (0,1), a T5 byte > 242 or non-zero trits past N, and everything decodeSparse refuses.
bool decodeTernary(const EncodedMessage& message, std::uint64_t dimension, std::vector<std::int8_t>& values,
                   std::string* why);
/// Type-class bound of V.
double ternaryLowerBound(const std::vector<std::int8_t>& values);

}  // namespace distopt
