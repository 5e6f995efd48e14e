#pragma once
// SHA-256 (FIPS 180-4), for the provenance of the data files a run reads: enough to tell later whether
// two runs saw the same bytes. Core links no crypto library, and this needs none of its other parts.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace distopt {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  /// The digest as 64 lowercase hex digits; the object must not be updated afterwards.
  std::string hexDigest();

 private:
  void compress(const unsigned char* block);

  std::array<std::uint32_t, 8> m_state{};
  std::array<unsigned char, 64> m_buffer{};
  std::size_t m_buffered = 0;
  std::uint64_t m_length = 0;  // bytes
};

/// SHA-256 of a file's bytes as stored (a .gz file's compressed bytes) and its size. Throws InputError
/// naming the path when it cannot be read.
struct FileDigest {
  std::string sha256;
  std::uint64_t bytes = 0;
};
FileDigest sha256OfFile(const std::string& path);

}  // namespace distopt
