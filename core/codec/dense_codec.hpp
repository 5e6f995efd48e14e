#pragma once
// Dense vector frames (net/PROTOCOL.md §6): an 8-byte prefix (encoding, count) and the coordinates in
// little-endian IEEE 754. Writes straight into a caller's buffer (a ZeroMQ message), so a model of
// 1e6 coordinates is converted once and never copied again.

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/problems/problem.hpp"

namespace distopt {

enum class VectorEncoding : std::uint8_t {
  DenseFloat64 = 1,
  DenseFloat32 = 2,
};

inline constexpr std::size_t kVectorPrefixSize = 8;

/// Bytes of a frame holding `count` coordinates.
std::size_t denseFrameSize(std::size_t count, VectorEncoding encoding);

/// Writes `x` into `out`, which must hold denseFrameSize(x.size(), encoding) bytes.
void writeDenseFrame(const Vector& x, VectorEncoding encoding, void* out);

/// Writes the prefix of a float64 frame of `count` coordinates at `out` (denseFrameSize(count,
/// DenseFloat64) bytes) and returns where the coordinates go: for writers that compute them in place
/// (a live worker's gradient), so nothing is copied into the frame afterwards.
double* beginFloat64Frame(std::size_t count, void* out);

/// A validated frame, not yet converted: float64 coordinates can be used in place.
struct DenseFrameView {
  VectorEncoding encoding = VectorEncoding::DenseFloat64;
  std::int64_t count = 0;
  const unsigned char* coordinates = nullptr;  ///< count scalars of the encoding, little-endian

  /// The coordinates as a vector: in place for float64, converted into `scratch` for float32.
  Eigen::Ref<const Vector> view(Vector& scratch) const;
};

/// Checks a frame as readDenseFrame does, without converting it.
bool inspectDenseFrame(const void* data, std::size_t size, std::int64_t expectedCount, DenseFrameView* view,
                       std::string* why);

/// Reads a frame into `out` (resized). Refuses a wrong size, an unknown encoding or, when
/// `expectedCount` >= 0, another count; *why then says which.
bool readDenseFrame(const void* data, std::size_t size, std::int64_t expectedCount, Vector& out, std::string* why);

}  // namespace distopt
