#pragma once
// Packed signs (docs/papers.md, compressed-sgd §3.3). SIGN1: N bits, bit i = 1 iff value_i < 0 (a comparison,
// so +0.0 and −0.0 give 0 = "+1"); decode bit 0 → +1, bit 1 → −1. SCALED_SIGN: L binary32 scales in segment
// order, then SIGN1. Lower bounds: N and 32L + N bits (arbitrary signs are incompressible).

#include <cstdint>
#include <string>
#include <vector>

#include "core/codec/compressed_message.hpp"

namespace distopt {

EncodedMessage encodeSign1(const Vector& values);
/// Signs as ±1 (int8), exactly `dimension` of them.
bool decodeSign1(const EncodedMessage& message, std::uint64_t dimension, std::vector<std::int8_t>& signs,
                 std::string* why);

/// `scales` has one entry per segment (L >= 1).
EncodedMessage encodeScaledSign(const std::vector<float>& scales, const Vector& values);
bool decodeScaledSign(const EncodedMessage& message, std::uint64_t dimension, std::size_t numSegments,
                      std::vector<float>& scales, std::vector<std::int8_t>& signs, std::string* why);

}  // namespace distopt
