#include "core/codec/dense_codec.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

#include "core/util/check.hpp"

namespace distopt {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the wire format is little-endian; add byte swapping before building on a big-endian host");

std::size_t scalarSize(VectorEncoding encoding) { return encoding == VectorEncoding::DenseFloat32 ? 4 : 8; }

}  // namespace

std::size_t denseFrameSize(std::size_t count, VectorEncoding encoding) {
  return kVectorPrefixSize + count * scalarSize(encoding);
}

namespace {

void writePrefix(std::size_t size, VectorEncoding encoding, unsigned char* bytes) {
  const auto count = static_cast<std::uint32_t>(size);
  DISTOPT_CHECK(static_cast<std::size_t>(count) == size);
  bytes[0] = static_cast<unsigned char>(encoding);
  bytes[1] = bytes[2] = bytes[3] = 0;
  std::memcpy(bytes + 4, &count, 4);
}

}  // namespace

double* beginFloat64Frame(std::size_t count, void* out) {
  auto* bytes = static_cast<unsigned char*>(out);
  writePrefix(count, VectorEncoding::DenseFloat64, bytes);
  return reinterpret_cast<double*>(bytes + kVectorPrefixSize);
}

void writeDenseFrame(const Vector& x, VectorEncoding encoding, void* out) {
  auto* bytes = static_cast<unsigned char*>(out);
  const auto count = static_cast<std::uint32_t>(x.size());
  writePrefix(static_cast<std::size_t>(x.size()), encoding, bytes);
  if (encoding == VectorEncoding::DenseFloat64) {
    std::memcpy(bytes + kVectorPrefixSize, x.data(), count * sizeof(double));
  } else {
    for (std::uint32_t i = 0; i < count; ++i) {
      const float value = static_cast<float>(x[i]);
      std::memcpy(bytes + kVectorPrefixSize + 4 * i, &value, 4);
    }
  }
}

bool inspectDenseFrame(const void* data, std::size_t size, std::int64_t expectedCount, DenseFrameView* view,
                       std::string* why) {
  auto fail = [why](std::string text) {
    if (why) *why = std::move(text);
    return false;
  };
  if (size < kVectorPrefixSize) return fail("vector frame shorter than its 8-byte prefix");
  const auto* bytes = static_cast<const unsigned char*>(data);
  const auto encoding = static_cast<VectorEncoding>(bytes[0]);
  if (encoding != VectorEncoding::DenseFloat64 && encoding != VectorEncoding::DenseFloat32)
    return fail("unknown vector encoding " + std::to_string(bytes[0]));
  std::uint32_t count = 0;
  std::memcpy(&count, bytes + 4, 4);
  if (expectedCount >= 0 && static_cast<std::int64_t>(count) != expectedCount)
    return fail("vector has " + std::to_string(count) + " coordinates, expected " + std::to_string(expectedCount));
  if (size != denseFrameSize(count, encoding))
    return fail("vector frame of " + std::to_string(size) + " bytes does not hold " + std::to_string(count) +
                " coordinates");
  *view = DenseFrameView{.encoding = encoding, .count = count, .coordinates = bytes + kVectorPrefixSize};
  return true;
}

Eigen::Ref<const Vector> DenseFrameView::view(Vector& scratch) const {
  if (encoding == VectorEncoding::DenseFloat64) {
    // In place when the coordinates are where a double may be read (a ZeroMQ buffer puts them 8 bytes
    // in); a frame at any other address (inside a larger message, as fuzzing found) is copied.
    if (reinterpret_cast<std::uintptr_t>(coordinates) % alignof(double) == 0)
      return Eigen::Map<const Vector>(reinterpret_cast<const double*>(coordinates), count);
    scratch.resize(count);
    // An empty vector has no storage: memcpy must not be handed its null pointer (fuzzing again).
    if (count > 0) std::memcpy(scratch.data(), coordinates, static_cast<std::size_t>(count) * sizeof(double));
    return scratch;
  }
  scratch.resize(count);
  for (std::int64_t i = 0; i < count; ++i) {
    float value = 0;
    std::memcpy(&value, coordinates + 4 * i, 4);
    scratch[i] = value;
  }
  return scratch;
}

bool readDenseFrame(const void* data, std::size_t size, std::int64_t expectedCount, Vector& out, std::string* why) {
  DenseFrameView frame;
  if (!inspectDenseFrame(data, size, expectedCount, &frame, why)) return false;
  out = frame.view(out);
  return true;
}

}  // namespace distopt
