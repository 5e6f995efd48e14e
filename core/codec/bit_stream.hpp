#pragma once
// Bit streams of the compressed-SGD wire formats (docs/papers.md, compressed-sgd §3.1): bit k of a stream is
// bit k mod 8 (least significant first) of byte ⌊k/8⌋. Fixed-size fields (u8/u32/f32) go in least significant
// bit first, which equals appending their little-endian bytes; multi-bit fields inside variable-length codes
// go in most significant bit first. The reader never reads past the payload's declared bit count and reports
// failure instead of crashing, so decoders can refuse hostile input.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace distopt {

class BitWriter {
 public:
  /// `reserveBits` is only a capacity hint.
  explicit BitWriter(std::uint64_t reserveBits = 0);

  void putBit(bool bit) { putBitsLsbFirst(bit ? 1u : 0u, 1); }
  /// The low `count` (<= 32) bits of `value`, least significant first.
  void putBitsLsbFirst(std::uint64_t value, int count);
  /// The low `count` (<= 32) bits of `value`, most significant first.
  void putBitsMsbFirst(std::uint64_t value, int count);
  /// `count` copies of `bit`.
  void putRun(bool bit, std::uint64_t count);
  void putU8(std::uint8_t value) { putBitsLsbFirst(value, 8); }
  void putU32(std::uint32_t value) { putBitsLsbFirst(value, 32); }
  void putF32(float value);
  /// Elias-gamma code of x >= 1: ⌊log2 x⌋ zero-bits, then the binary digits of x, MSB first.
  void putEliasGamma(std::uint64_t x);

  std::uint64_t bitCount() const { return m_bits; }
  /// Pads with zero bits to a whole byte and hands over the bytes.
  std::vector<std::uint8_t> finish();

 private:
  std::vector<std::uint8_t> m_bytes;
  std::uint64_t m_accumulator = 0;
  int m_pending = 0;
  std::uint64_t m_bits = 0;
};

class BitReader {
 public:
  /// Reads at most `payloadBits` bits of `data` (`size` bytes); the caller has checked that size.
  BitReader(const std::uint8_t* data, std::size_t size, std::uint64_t payloadBits);

  bool getBit(bool& bit);
  bool getBitsLsbFirst(int count, std::uint64_t& value);
  bool getBitsMsbFirst(int count, std::uint64_t& value);
  bool getU8(std::uint8_t& value);
  bool getU32(std::uint32_t& value);
  bool getF32(float& value);
  /// Counts one-bits up to the next zero-bit (consumed); fails past `maxOnes` or at the end.
  bool getUnary(std::uint64_t maxOnes, std::uint64_t& ones);
  /// Elias gamma; fails on more than 63 leading zeros or at the end.
  bool getEliasGamma(std::uint64_t& x);

  std::uint64_t position() const { return m_pos; }
  std::uint64_t remaining() const { return m_limit - m_pos; }

 private:
  const std::uint8_t* m_data;
  std::uint64_t m_limit;
  std::uint64_t m_pos = 0;
};

/// Length in bits of the Elias-gamma code of x >= 1: 2⌊log2 x⌋ + 1.
int eliasGammaBits(std::uint64_t x);
/// ⌊log2 x⌋ for x >= 1.
int floorLog2(std::uint64_t x);
/// max(1, ⌈log2 n⌉): the fixed index width of RAWB (compressed-sgd §3.5).
int indexWidth(std::uint64_t n);

}  // namespace distopt
