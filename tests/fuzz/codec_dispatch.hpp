#pragma once
// Decodes an EncodedMessage with the decoder its codec id names, as the compressed family's roles do
// once a frame has passed its header checks (shared by the codec and compressed-message harnesses).

#include <cstdint>
#include <string>
#include <vector>

#include "core/codec/compressed_message.hpp"
#include "core/codec/qsgd_codec.hpp"
#include "core/codec/sign_codec.hpp"
#include "core/codec/sparse_codec.hpp"
#include "core/codec/ternary_codec.hpp"

namespace distopt::fuzz {

/// Parameters the run agrees on out of band (bucket and levels of QSGD, segments of scaled sign).
struct CodecParameters {
  std::uint64_t bucket = 1;
  std::uint32_t levels = 1;
  std::size_t segments = 1;
};

inline bool decodeAny(const EncodedMessage& message, std::uint64_t dimension,
                      const CodecParameters& parameters) {
  std::string why;
  switch (message.codec) {
    case CodecId::DenseF32: {
      Vector out;
      return decodeDenseF32(message, dimension, out, &why);
    }
    case CodecId::Sign1: {
      std::vector<std::int8_t> signs;
      return decodeSign1(message, dimension, signs, &why);
    }
    case CodecId::ScaledSign: {
      std::vector<float> scales;
      std::vector<std::int8_t> signs;
      return decodeScaledSign(message, dimension, parameters.segments, scales, signs, &why);
    }
    case CodecId::TernT2:
    case CodecId::TernT5: {
      std::vector<std::int8_t> values;
      return decodeTernary(message, dimension, values, &why);
    }
    case CodecId::QsgdDense:
    case CodecId::QsgdElias: {
      QsgdLevels levels;
      if (!decodeQsgd(message, dimension, parameters.bucket, parameters.levels, levels, &why)) return false;
      Vector out;
      dequantizeQsgd(levels, parameters.bucket, parameters.levels, out);
      return true;
    }
    default: {
      if (!isSparseCodec(message.codec)) return false;
      SparseSet set;
      SparsePayload payload = SparsePayload::Signs;
      return decodeSparse(message, dimension, set, payload, &why);
    }
  }
}

}  // namespace distopt::fuzz
