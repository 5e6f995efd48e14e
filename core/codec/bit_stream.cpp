#include "core/codec/bit_stream.hpp"

#include <bit>
#include <cstring>

#include "core/util/check.hpp"

namespace distopt {

int floorLog2(std::uint64_t x) {
  DISTOPT_CHECK(x >= 1);
  return 63 - std::countl_zero(x);
}

int eliasGammaBits(std::uint64_t x) { return 2 * floorLog2(x) + 1; }

int indexWidth(std::uint64_t n) {
  if (n <= 2) return 1;
  return floorLog2(n - 1) + 1;
}

BitWriter::BitWriter(std::uint64_t reserveBits) {
  m_bytes.reserve(static_cast<std::size_t>((reserveBits + 7) / 8));
}

void BitWriter::putBitsLsbFirst(std::uint64_t value, int count) {
  DISTOPT_CHECK(count >= 0 && count <= 32);
  if (count == 0) return;
  value &= (count == 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << count) - 1));
  m_accumulator |= value << m_pending;
  m_pending += count;
  m_bits += static_cast<std::uint64_t>(count);
  while (m_pending >= 8) {
    m_bytes.push_back(static_cast<std::uint8_t>(m_accumulator & 0xFFu));
    m_accumulator >>= 8;
    m_pending -= 8;
  }
}

void BitWriter::putBitsMsbFirst(std::uint64_t value, int count) {
  DISTOPT_CHECK(count >= 0 && count <= 32);
  std::uint64_t reversed = 0;
  for (int k = 0; k < count; ++k) reversed |= ((value >> k) & 1u) << (count - 1 - k);
  putBitsLsbFirst(reversed, count);
}

void BitWriter::putRun(bool bit, std::uint64_t count) {
  const std::uint64_t word = bit ? 0xFFFFFFFFu : 0u;
  while (count >= 32) {
    putBitsLsbFirst(word, 32);
    count -= 32;
  }
  putBitsLsbFirst(word, static_cast<int>(count));
}

void BitWriter::putF32(float value) { putU32(std::bit_cast<std::uint32_t>(value)); }

void BitWriter::putEliasGamma(std::uint64_t x) {
  DISTOPT_CHECK(x >= 1 && x <= 0xFFFFFFFFu);
  const int zeros = floorLog2(x);
  putRun(false, static_cast<std::uint64_t>(zeros));
  putBitsMsbFirst(x, zeros + 1);
}

std::vector<std::uint8_t> BitWriter::finish() {
  if (m_pending > 0) m_bytes.push_back(static_cast<std::uint8_t>(m_accumulator & 0xFFu));
  m_accumulator = 0;
  m_pending = 0;
  return std::move(m_bytes);
}

BitReader::BitReader(const std::uint8_t* data, std::size_t size, std::uint64_t payloadBits)
    : m_data(data), m_limit(payloadBits) {
  DISTOPT_CHECK(payloadBits <= std::uint64_t{size} * 8);
}

bool BitReader::getBit(bool& bit) {
  if (m_pos >= m_limit) return false;
  bit = ((m_data[m_pos >> 3] >> (m_pos & 7u)) & 1u) != 0;
  ++m_pos;
  return true;
}

bool BitReader::getBitsLsbFirst(int count, std::uint64_t& value) {
  if (count < 0 || count > 64 || static_cast<std::uint64_t>(count) > remaining()) return false;
  value = 0;
  for (int k = 0; k < count; ++k) {
    const std::uint64_t bit = (m_data[m_pos >> 3] >> (m_pos & 7u)) & 1u;
    value |= bit << k;
    ++m_pos;
  }
  return true;
}

bool BitReader::getBitsMsbFirst(int count, std::uint64_t& value) {
  if (count < 0 || count > 64 || static_cast<std::uint64_t>(count) > remaining()) return false;
  value = 0;
  for (int k = 0; k < count; ++k) {
    const std::uint64_t bit = (m_data[m_pos >> 3] >> (m_pos & 7u)) & 1u;
    value = (value << 1) | bit;
    ++m_pos;
  }
  return true;
}

bool BitReader::getU8(std::uint8_t& value) {
  std::uint64_t v = 0;
  if (!getBitsLsbFirst(8, v)) return false;
  value = static_cast<std::uint8_t>(v);
  return true;
}

bool BitReader::getU32(std::uint32_t& value) {
  if (remaining() < 32) return false;
  if ((m_pos & 7u) == 0) {  // byte-aligned: the common case for headers
    std::uint32_t v = 0;
    for (int b = 0; b < 4; ++b)
      v |= std::uint32_t{m_data[(m_pos >> 3) + static_cast<std::uint64_t>(b)]} << (8 * b);
    m_pos += 32;
    value = v;
    return true;
  }
  std::uint64_t v = 0;
  getBitsLsbFirst(32, v);
  value = static_cast<std::uint32_t>(v);
  return true;
}

bool BitReader::getF32(float& value) {
  std::uint32_t bits = 0;
  if (!getU32(bits)) return false;
  value = std::bit_cast<float>(bits);
  return true;
}

bool BitReader::getUnary(std::uint64_t maxOnes, std::uint64_t& ones) {
  ones = 0;
  while (true) {
    bool bit = false;
    if (!getBit(bit)) return false;
    if (!bit) return true;
    if (++ones > maxOnes) return false;
  }
}

bool BitReader::getEliasGamma(std::uint64_t& x) {
  int zeros = 0;
  while (true) {
    bool bit = false;
    if (!getBit(bit)) return false;
    if (bit) break;
    if (++zeros > 63) return false;
  }
  std::uint64_t rest = 0;
  if (!getBitsMsbFirst(zeros, rest)) return false;
  x = (std::uint64_t{1} << zeros) | rest;
  return true;
}

}  // namespace distopt
