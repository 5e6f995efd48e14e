#pragma once
// The hybrid-order family's messages as its roles exchange them (net/PROTOCOL.md §12), whatever carries
// them: the virtual network counts them at their frame sizes (hybridMessageBytes), the live transport
// writes them as a 24-byte meta frame and one dense float64 vector frame
// (net/families/hybrid/hybrid_messages).

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/problems/problem.hpp"
#include "core/transport/wire_size.hpp"

namespace distopt {

/// The twelve kinds, in the order of their MessageKind numbers 48..59.
enum class HybridKind : std::uint8_t {
  HyBegin,
  HyGrad,
  HyProj,
  HyParams,
  LzStart,
  LzHvp,
  LzCoef,
  LzGather,
  LzRitz,
  LzEigen,
  HySnapshot,
  HyEstimate
};

/// The meta frame of every hybrid message (PROTOCOL.md §12.2).
struct HybridMeta {
  std::uint64_t step = 0;  ///< training step t
  std::uint32_t iter = 0;  ///< Lanczos iteration j, or the HY_PROJ phase
  std::uint32_t part = 0;  ///< LZ_COEF pass, LZ_START start/restart
  double value = 0.0;      ///< down: start_time (units); up: the sender's peak curvature bytes
};

struct HybridMessage {
  HybridKind kind = HybridKind::HyBegin;
  HybridMeta meta;
  /// Absent for the messages without a vector frame (HY_BEGIN, the LZ_START restart request).
  std::optional<Vector> values;
};

/// The kind's protocol name ("HY_GRAD", "LZ_HVP", ...), static: also the bandwidth kind it is charted under.
std::string_view hybridKindName(HybridKind kind);

/// What a message costs on the wire as the family's papers count it: its frame size (hybridMessageBytes
/// of its vector, or of none), under its kind's name.
WireSize hybridWireSize(const HybridMessage& message);

/// True when the message carries what its place in the protocol needs: `expectedCount` < 0 no vector,
/// else a vector of exactly that many values.
bool hybridValuesMatch(const HybridMessage& message, std::int64_t expectedCount);

}  // namespace distopt
