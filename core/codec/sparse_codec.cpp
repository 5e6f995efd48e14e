#include "core/codec/sparse_codec.hpp"

#include <limits>

#include "core/codec/bit_stream.hpp"
#include "core/util/check.hpp"

namespace distopt {
namespace {

bool fail(std::string* why, const std::string& text) {
  if (why) *why = text;
  return false;
}

std::uint64_t perIndexPayload(SparsePayload payload) { return payload == SparsePayload::Signs ? 1 : 32; }

std::uint64_t riceBits(const std::vector<std::uint32_t>& indices, int r) {
  std::uint64_t bits = 40;
  std::int64_t previous = -1;
  for (std::uint32_t index : indices) {
    const auto gapMinusOne = static_cast<std::uint64_t>(static_cast<std::int64_t>(index) - previous - 1);
    bits += (gapMinusOne >> r) + 1 + static_cast<std::uint64_t>(r);
    previous = index;
  }
  return bits;
}

std::uint64_t gammaBits(const std::vector<std::uint32_t>& indices) {
  std::uint64_t bits = 32;
  std::int64_t previous = -1;
  for (std::uint32_t index : indices) {
    bits += static_cast<std::uint64_t>(
        eliasGammaBits(static_cast<std::uint64_t>(static_cast<std::int64_t>(index) - previous)));
    previous = index;
  }
  return bits;
}

IndexCodec indexCodecOf(CodecId codec) {
  const int id = static_cast<int>(codec);
  switch (id & 15) {
    case 0:
      return IndexCodec::Raw32;
    case 1:
      return IndexCodec::RawB;
    case 2:
      return IndexCodec::Bitmap;
    case 3:
      return IndexCodec::Gamma;
    default:
      return IndexCodec::Rice;
  }
}

}  // namespace

const char* indexCodecName(IndexCodec codec) {
  switch (codec) {
    case IndexCodec::Raw32:
      return "raw32";
    case IndexCodec::RawB:
      return "rawb";
    case IndexCodec::Bitmap:
      return "bitmap";
    case IndexCodec::Gamma:
      return "gamma";
    case IndexCodec::Rice:
      return "rice";
    case IndexCodec::Auto:
      return "auto";
  }
  return "auto";
}

std::optional<IndexCodec> indexCodecFromName(const std::string& name) {
  for (IndexCodec codec : {IndexCodec::Raw32, IndexCodec::RawB, IndexCodec::Bitmap, IndexCodec::Gamma,
                           IndexCodec::Rice, IndexCodec::Auto})
    if (name == indexCodecName(codec)) return codec;
  return std::nullopt;
}

CodecId sparseCodecId(SparsePayload payload, IndexCodec codec) {
  DISTOPT_CHECK(codec != IndexCodec::Auto);
  const int base = payload == SparsePayload::Signs ? 16 : 32;
  return static_cast<CodecId>(base + static_cast<int>(codec));
}

bool isSparseCodec(CodecId codec) {
  const int id = static_cast<int>(codec);
  return (id >= 16 && id <= 20) || (id >= 32 && id <= 36);
}

int bestRiceParameter(const std::vector<std::uint32_t>& indices, std::uint64_t dimension,
                      SparsePayload payload, std::uint64_t* bits) {
  const int b = indexWidth(dimension);
  int best = 0;
  std::uint64_t bestBits = std::numeric_limits<std::uint64_t>::max();
  for (int r = 0; r <= b; ++r) {
    const std::uint64_t candidate = riceBits(indices, r);
    if (candidate < bestBits) bestBits = candidate, best = r;
  }
  if (bits) *bits = bestBits + perIndexPayload(payload) * indices.size();
  return best;
}

std::uint64_t sparsePayloadBits(IndexCodec codec, const std::vector<std::uint32_t>& indices,
                                std::uint64_t dimension, SparsePayload payload, int* riceParameter) {
  const std::uint64_t k = indices.size();
  const std::uint64_t tail = perIndexPayload(payload) * k;
  switch (codec) {
    case IndexCodec::Raw32:
      return 32 + 32 * k + tail;
    case IndexCodec::RawB:
      return 32 + static_cast<std::uint64_t>(indexWidth(dimension)) * k + tail;
    case IndexCodec::Bitmap:
      return dimension + tail;
    case IndexCodec::Gamma:
      return gammaBits(indices) + tail;
    case IndexCodec::Rice: {
      std::uint64_t bits = 0;
      const int r = bestRiceParameter(indices, dimension, payload, &bits);
      if (riceParameter) *riceParameter = r;
      return bits;
    }
    case IndexCodec::Auto:
      return sparsePayloadBits(autoIndexCodec(indices, dimension, payload), indices, dimension, payload,
                               riceParameter);
  }
  return 0;
}

IndexCodec autoIndexCodec(const std::vector<std::uint32_t>& indices, std::uint64_t dimension,
                          SparsePayload payload) {
  // Candidates in ascending wire id, so a strict "<" keeps the lowest id on ties.
  IndexCodec best = IndexCodec::RawB;
  std::uint64_t bestBits = sparsePayloadBits(IndexCodec::RawB, indices, dimension, payload);
  for (IndexCodec codec : {IndexCodec::Bitmap, IndexCodec::Gamma, IndexCodec::Rice}) {
    const std::uint64_t bits = sparsePayloadBits(codec, indices, dimension, payload);
    if (bits < bestBits) bestBits = bits, best = codec;
  }
  return best;
}

double sparseLowerBound(std::uint64_t dimension, std::uint64_t count, SparsePayload payload) {
  return log2Binomial(dimension, count) + static_cast<double>(perIndexPayload(payload) * count);
}

EncodedMessage encodeSparse(const SparseSet& set, std::uint64_t dimension, SparsePayload payload,
                            IndexCodec codec) {
  DISTOPT_CHECK(dimension >= 1 && dimension <= 0xFFFFFFFFu);
  const auto& indices = set.indices;
  const std::uint64_t k = indices.size();
  DISTOPT_CHECK(k <= dimension);
  DISTOPT_CHECK((payload == SparsePayload::Signs ? set.negative.size() : set.values.size()) == k);
  for (std::size_t j = 0; j < k; ++j)
    DISTOPT_CHECK(indices[j] < dimension && (j == 0 || indices[j] > indices[j - 1]));
  if (codec == IndexCodec::Auto) codec = autoIndexCodec(indices, dimension, payload);

  int r = 0;
  const std::uint64_t total = sparsePayloadBits(codec, indices, dimension, payload, &r);
  BitWriter writer(total);
  switch (codec) {
    case IndexCodec::Raw32:
      writer.putU32(static_cast<std::uint32_t>(k));
      for (std::uint32_t index : indices) writer.putU32(index);
      break;
    case IndexCodec::RawB: {
      const int b = indexWidth(dimension);
      writer.putU32(static_cast<std::uint32_t>(k));
      for (std::uint32_t index : indices) writer.putBitsMsbFirst(index, b);
      break;
    }
    case IndexCodec::Bitmap: {
      std::uint64_t next = 0;
      for (std::uint32_t index : indices) {
        writer.putRun(false, index - next);
        writer.putBit(true);
        next = std::uint64_t{index} + 1;
      }
      writer.putRun(false, dimension - next);
      break;
    }
    case IndexCodec::Gamma: {
      writer.putU32(static_cast<std::uint32_t>(k));
      std::int64_t previous = -1;
      for (std::uint32_t index : indices) {
        writer.putEliasGamma(static_cast<std::uint64_t>(static_cast<std::int64_t>(index) - previous));
        previous = index;
      }
      break;
    }
    case IndexCodec::Rice: {
      writer.putU32(static_cast<std::uint32_t>(k));
      writer.putU8(static_cast<std::uint8_t>(r));
      std::int64_t previous = -1;
      for (std::uint32_t index : indices) {
        const auto gapMinusOne = static_cast<std::uint64_t>(static_cast<std::int64_t>(index) - previous - 1);
        writer.putRun(true, gapMinusOne >> r);
        writer.putBit(false);
        writer.putBitsMsbFirst(gapMinusOne & ((std::uint64_t{1} << r) - 1), r);
        previous = index;
      }
      break;
    }
    case IndexCodec::Auto:
      break;
  }
  if (payload == SparsePayload::Signs) {
    for (std::uint8_t negative : set.negative) writer.putBit(negative != 0);
  } else {
    for (float value : set.values) writer.putF32(value);
  }
  DISTOPT_CHECK(writer.bitCount() == total);
  EncodedMessage message;
  message.codec = sparseCodecId(payload, codec);
  message.payloadBits = total;
  message.lowerBoundBits = sparseLowerBound(dimension, k, payload);
  message.bytes = writer.finish();
  return message;
}

bool decodeSparse(const EncodedMessage& message, std::uint64_t dimension, SparseSet& out,
                  SparsePayload& payload, std::string* why) {
  if (!isSparseCodec(message.codec))
    return fail(why, std::string("expected a SPARSE_* codec, got ") + codecName(message.codec));
  if (dimension < 1 || dimension > 0xFFFFFFFFu) return fail(why, "dimension out of range");
  if (!checkPayloadSize(message.bytes, message.payloadBits, why)) return false;
  payload = static_cast<int>(message.codec) < 32 ? SparsePayload::Signs : SparsePayload::Values;
  const IndexCodec codec = indexCodecOf(message.codec);
  const std::uint64_t tailPerIndex = perIndexPayload(payload);
  const std::string name = codecName(message.codec);
  BitReader reader(message.bytes.data(), message.bytes.size(), message.payloadBits);
  out.indices.clear();
  out.negative.clear();
  out.values.clear();

  std::uint64_t k = 0;
  if (codec != IndexCodec::Bitmap) {
    std::uint32_t count = 0;
    if (!reader.getU32(count)) return fail(why, name + ": stream ended before K");
    k = count;
    if (k > dimension)
      return fail(why, name + ": K = " + std::to_string(k) + " > N = " + std::to_string(dimension));
    // Every index costs at least one bit plus its payload: a cheap bound before any allocation.
    if (k * (1 + tailPerIndex) > reader.remaining())
      return fail(why, name + ": stream too short for K = " + std::to_string(k));
  }
  const int b = indexWidth(dimension);
  std::int64_t previous = -1;
  auto pushIndex = [&](std::uint64_t index) {
    if (index >= dimension)
      return fail(why, name + ": index " + std::to_string(index) + " >= N = " + std::to_string(dimension));
    if (static_cast<std::int64_t>(index) <= previous)
      return fail(why, name + ": indices not strictly increasing");
    out.indices.push_back(static_cast<std::uint32_t>(index));
    previous = static_cast<std::int64_t>(index);
    return true;
  };

  switch (codec) {
    case IndexCodec::Raw32:
    case IndexCodec::RawB: {
      const int width = codec == IndexCodec::Raw32 ? 32 : b;
      const std::uint64_t expected = 32 + k * (static_cast<std::uint64_t>(width) + tailPerIndex);
      if (message.payloadBits != expected)
        return fail(why, name + ": K = " + std::to_string(k) + " needs " + std::to_string(expected) +
                             " bits, message has " + std::to_string(message.payloadBits));
      out.indices.reserve(static_cast<std::size_t>(k));
      for (std::uint64_t j = 0; j < k; ++j) {
        std::uint64_t index = 0;
        const bool ok = codec == IndexCodec::Raw32 ? reader.getBitsLsbFirst(32, index)
                                                   : reader.getBitsMsbFirst(width, index);
        if (!ok) return fail(why, name + ": stream ended early");
        if (!pushIndex(index)) return false;
      }
      break;
    }
    case IndexCodec::Bitmap: {
      if (message.payloadBits < dimension) return fail(why, name + ": shorter than the N-bit mask");
      for (std::uint64_t i = 0; i < dimension; ++i) {
        bool bit = false;
        reader.getBit(bit);
        if (bit) out.indices.push_back(static_cast<std::uint32_t>(i));
      }
      k = out.indices.size();
      const std::uint64_t expected = dimension + k * tailPerIndex;
      if (message.payloadBits != expected)
        return fail(why, name + ": mask with K = " + std::to_string(k) + " needs " +
                             std::to_string(expected) + " bits, message has " +
                             std::to_string(message.payloadBits));
      break;
    }
    case IndexCodec::Gamma: {
      out.indices.reserve(static_cast<std::size_t>(k));
      for (std::uint64_t j = 0; j < k; ++j) {
        std::uint64_t gap = 0;
        if (!reader.getEliasGamma(gap)) return fail(why, name + ": bad or truncated gamma code");
        if (gap > dimension) return fail(why, name + ": gap " + std::to_string(gap) + " > N");
        if (!pushIndex(static_cast<std::uint64_t>(previous + static_cast<std::int64_t>(gap)))) return false;
      }
      break;
    }
    case IndexCodec::Rice: {
      std::uint8_t r = 0;
      if (!reader.getU8(r)) return fail(why, name + ": stream ended before r");
      if (r > b)
        return fail(why, name + ": Rice parameter " + std::to_string(r) + " > b = " + std::to_string(b));
      out.indices.reserve(static_cast<std::size_t>(k));
      const std::uint64_t maxQuotient = (dimension - 1) >> r;
      for (std::uint64_t j = 0; j < k; ++j) {
        std::uint64_t quotient = 0;
        std::uint64_t remainder = 0;
        if (!reader.getUnary(maxQuotient, quotient))
          return fail(why, name + ": bad or truncated unary quotient");
        if (!reader.getBitsMsbFirst(r, remainder)) return fail(why, name + ": stream ended in a remainder");
        const std::uint64_t gap = ((quotient << r) | remainder) + 1;
        if (gap > dimension) return fail(why, name + ": gap " + std::to_string(gap) + " > N");
        if (!pushIndex(static_cast<std::uint64_t>(previous + static_cast<std::int64_t>(gap)))) return false;
      }
      break;
    }
    case IndexCodec::Auto:
      break;
  }

  if (reader.remaining() != k * tailPerIndex)
    return fail(why, name + ": " + std::to_string(reader.remaining()) + " bits left for " +
                         std::to_string(k) + (payload == SparsePayload::Signs ? " signs" : " values"));
  if (payload == SparsePayload::Signs) {
    out.negative.resize(static_cast<std::size_t>(k));
    for (auto& negative : out.negative) {
      bool bit = false;
      reader.getBit(bit);
      negative = bit ? 1 : 0;
    }
  } else {
    out.values.resize(static_cast<std::size_t>(k));
    for (auto& value : out.values) reader.getF32(value);
  }
  return true;
}

}  // namespace distopt
