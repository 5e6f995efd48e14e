#pragma once
// How every harness reads libFuzzer's bytes. A multi-frame input is a list of frames, each a 4-byte
// little-endian length then that many bytes (a length beyond the end takes what is left), so a seed
// written by tests/fuzz/make_corpus.cpp from the real encoders is a valid message the fuzzer mutates.
// Small parameters a decoder needs from its caller (dimension, bucket, ...) come first, as plain
// bytes, bounded so that the fuzzer explores the decoder rather than the allocator.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace distopt::fuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : m_data(data), m_size(size) {}

  bool empty() const { return m_offset >= m_size; }
  std::size_t remaining() const { return m_size - m_offset; }

  std::uint8_t byte() { return empty() ? 0 : m_data[m_offset++]; }
  /// Little-endian unsigned of `bytes` bytes (missing bytes read as 0).
  std::uint64_t unsignedOf(int bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value |= static_cast<std::uint64_t>(byte()) << (8 * i);
    return value;
  }
  /// A value in [0, bound] from two bytes.
  std::uint64_t upTo(std::uint64_t bound) { return bound == 0 ? 0 : unsignedOf(2) % (bound + 1); }

  /// The next frame: 4-byte length, then the bytes.
  std::span<const std::uint8_t> frame() {
    const std::uint64_t declared = unsignedOf(4);
    const std::size_t length = declared < remaining() ? static_cast<std::size_t>(declared) : remaining();
    std::span<const std::uint8_t> out(m_data + m_offset, length);
    m_offset += length;
    return out;
  }
  std::span<const std::uint8_t> rest() {
    std::span<const std::uint8_t> out(m_data + m_offset, remaining());
    m_offset = m_size;
    return out;
  }

 private:
  const std::uint8_t* m_data;
  std::size_t m_size;
  std::size_t m_offset = 0;
};

/// Appends a frame in the harnesses' input format (for the corpus generator).
inline void appendFrame(std::string& out, const void* data, std::size_t size) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((size >> (8 * i)) & 0xffU));
  out.append(static_cast<const char*>(data), size);
}

}  // namespace distopt::fuzz
