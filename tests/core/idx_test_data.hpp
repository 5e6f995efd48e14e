#pragma once
// Small IDX files (the MNIST format) for problem tests that must not need a real data set: `count`
// 28x28 images whose pixels depend on the label, and their labels, gzipped.

#include <cstdint>
#include <string>
#include <vector>

#include <zlib.h>

namespace distopt::test {

inline void appendBigEndian(std::vector<unsigned char>& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<unsigned char>(value >> shift));
}

inline void writeGz(const std::string& path, const std::vector<unsigned char>& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
}

// `count` 28×28 images whose pixels depend on the label, and their labels.
inline void writeIdxPair(const std::string& images, const std::string& labels, std::uint32_t count) {
  std::vector<unsigned char> imageBytes = {0, 0, 8, 3};
  appendBigEndian(imageBytes, count);
  appendBigEndian(imageBytes, 28);
  appendBigEndian(imageBytes, 28);
  std::vector<unsigned char> labelBytes = {0, 0, 8, 1};
  appendBigEndian(labelBytes, count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto label = static_cast<unsigned char>(i % 10);
    labelBytes.push_back(label);
    for (std::uint32_t p = 0; p < 784; ++p)
      imageBytes.push_back(
          static_cast<unsigned char>(p % 10 == label ? 200 + (i + p) % 50 : (i * 7 + p) % 40));
  }
  writeGz(images, imageBytes);
  writeGz(labels, labelBytes);
}

}  // namespace distopt::test
