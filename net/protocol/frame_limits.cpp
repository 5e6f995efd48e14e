#include "net/protocol/frame_limits.hpp"

#include <algorithm>
#include <limits>

namespace distopt::net {

std::int64_t frameLimitFor(std::int64_t largestFrame) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 4;
  const std::int64_t largest = std::clamp<std::int64_t>(largestFrame, 0, kMax);
  return std::max(kMinFrameLimit, 2 * largest + (std::int64_t{1} << 20));
}

std::int64_t vectorRunLargestFrame(std::int64_t dimension) {
  // A gossip tag or meta frame (<= 64 bytes), the §6 prefix, 2 x d float64 coordinates.
  return 64 + 8 + 16 * std::max<std::int64_t>(dimension, 0);
}

}  // namespace distopt::net
