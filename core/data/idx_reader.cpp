#include "core/data/idx_reader.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "core/data/gz_file.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

constexpr unsigned char kUnsignedByte = 0x08;

std::string hex32(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", value);
  return text;
}

std::string withThousands(std::int64_t value) {
  std::string digits = std::to_string(value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

// Reads the magic and the dimensions, checking the magic against (unsigned byte, `dims` dimensions).
std::vector<std::uint32_t> readHeader(GzFile& file, int dims, const char* what) {
  std::array<unsigned char, 4> magic{};
  const std::size_t got = file.read(magic.data(), magic.size());
  if (got < magic.size()) {
    throw InputError(file.path(), "truncated: the file ends inside the 4-byte IDX magic number (" +
                                      std::to_string(got) + " bytes)");
  }
  const std::uint32_t value = (std::uint32_t{magic[0]} << 24) | (std::uint32_t{magic[1]} << 16) |
                              (std::uint32_t{magic[2]} << 8) | std::uint32_t{magic[3]};
  const std::uint32_t expected = (std::uint32_t{kUnsignedByte} << 8) | static_cast<std::uint32_t>(dims);
  if (value != expected) {
    throw InputError(file.path(), "bad magic number " + hex32(value) + ": expected " + hex32(expected) + " (IDX " +
                                      what + ": unsigned bytes, " + std::to_string(dims) + " dimension" +
                                      (dims == 1 ? "" : "s") + ")");
  }
  std::vector<std::uint32_t> sizes(static_cast<std::size_t>(dims));
  for (auto& size : sizes) {
    std::array<unsigned char, 4> bytes{};
    if (file.read(bytes.data(), bytes.size()) < bytes.size()) {
      throw InputError(file.path(), "truncated: the file ends inside the IDX header (" + std::to_string(dims) +
                                        " dimensions expected)");
    }
    size = (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
           std::uint32_t{bytes[3]};
  }
  return sizes;
}

// Reads up to `size` bytes, growing the buffer only as data arrives: a header may declare 4 billion
// images, and allocating what it declares before reading (as fuzzing found) dies on a 16-byte file.
std::vector<unsigned char> readUpTo(GzFile& file, std::uint64_t size) {
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 16;
  std::vector<unsigned char> bytes;
  while (bytes.size() < size) {
    const std::size_t before = bytes.size();
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, size - before));
    bytes.resize(before + want);
    const std::size_t got = file.read(bytes.data() + before, want);
    bytes.resize(before + got);
    if (got < want) break;
  }
  return bytes;
}

std::int64_t rowsToRead(std::int64_t declared, std::int64_t limit) {
  return limit > 0 ? std::min(declared, limit) : declared;
}

}  // namespace

IdxImages readIdxImages(const std::string& path, std::int64_t limit) {
  DISTOPT_CHECK(limit >= 0);
  GzFile file(path);
  const auto dims = readHeader(file, 3, "images");
  IdxImages images;
  images.declaredCount = dims[0];
  if (dims[1] == 0 || dims[2] == 0 || std::uint64_t{dims[1]} * dims[2] > (1u << 26)) {
    throw InputError(path, "bad image size " + std::to_string(dims[1]) + "x" + std::to_string(dims[2]));
  }
  images.rows = static_cast<int>(dims[1]);
  images.cols = static_cast<int>(dims[2]);
  const std::int64_t pixelsPerImage = std::int64_t{images.rows} * images.cols;
  const std::int64_t count = rowsToRead(images.declaredCount, limit);

  const auto needed = static_cast<std::uint64_t>(count * pixelsPerImage);
  const std::vector<unsigned char> bytes = readUpTo(file, needed);
  if (bytes.size() < needed) {
    throw InputError(path, "truncated: the header declares " + withThousands(images.declaredCount) + " images of " +
                               std::to_string(images.rows) + "x" + std::to_string(images.cols) +
                               " pixels, but the file ends after " +
                               withThousands(static_cast<std::int64_t>(bytes.size())) + " of the " +
                               withThousands(static_cast<std::int64_t>(needed)) + " pixel bytes needed for " +
                               withThousands(count) + " images");
  }
  images.pixels.resize(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(pixelsPerImage));
  float* out = images.pixels.data();
  constexpr float kScale = 1.0f / 255.0f;
  for (std::size_t i = 0; i < bytes.size(); ++i) out[i] = static_cast<float>(bytes[i]) * kScale;
  return images;
}

IdxLabels readIdxLabels(const std::string& path, std::int64_t limit) {
  DISTOPT_CHECK(limit >= 0);
  GzFile file(path);
  const auto dims = readHeader(file, 1, "labels");
  IdxLabels labels;
  labels.declaredCount = dims[0];
  const std::int64_t count = rowsToRead(labels.declaredCount, limit);
  const std::vector<unsigned char> bytes = readUpTo(file, static_cast<std::uint64_t>(count));
  if (bytes.size() < static_cast<std::uint64_t>(count)) {
    throw InputError(path, "truncated: the header declares " + withThousands(labels.declaredCount) +
                               " labels, but the file ends after " +
                               withThousands(static_cast<std::int64_t>(bytes.size())));
  }
  labels.labels.assign(bytes.begin(), bytes.end());
  return labels;
}

bool IdxReadOptions::isValid(std::string* why) const {
  auto fail = [&](const char* message) {
    if (why) *why = message;
    return false;
  };
  if (limit < 0) return fail("limit must be >= 0 (0 = all samples)");
  if (!std::isfinite(pixelMean)) return fail("pixelMean must be finite");
  if (!(pixelStd > 0.0) || !std::isfinite(pixelStd)) return fail("pixelStd must be > 0");
  return true;
}

Dataset readIdxDataset(const std::string& imagesPath, const std::string& labelsPath, const IdxReadOptions& options) {
  std::string why;
  DISTOPT_CHECK_MSG(options.isValid(&why), why.c_str());
  IdxLabels labels = readIdxLabels(labelsPath, options.limit);
  IdxImages images = readIdxImages(imagesPath, options.limit);
  if (labels.declaredCount != images.declaredCount) {
    throw InputError(labelsPath, "count mismatch: " + withThousands(labels.declaredCount) + " labels but " +
                                     withThousands(images.declaredCount) + " images in " + imagesPath);
  }
  Dataset data;
  data.source = imagesPath;
  data.isSparse = false;
  data.dense = std::move(images.pixels);
  if (options.pixelMean != 0.0 || options.pixelStd != 1.0) {
    const auto mean = static_cast<float>(options.pixelMean);
    const auto inverseStd = static_cast<float>(1.0 / options.pixelStd);
    data.dense.array() = (data.dense.array() - mean) * inverseStd;
  }
  data.labels = std::move(labels.labels);
  int maxLabel = 0;
  for (int label : data.labels) maxLabel = std::max(maxLabel, label);
  data.numClasses = std::max(2, maxLabel + 1);
  return data;
}

}  // namespace distopt
