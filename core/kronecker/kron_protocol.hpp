#pragma once
// Messages of the neuron-sharded Kronecker protocol (docs/papers.md, kronecker-async §3.9), transport-free:
// plain structs and their exact little-endian encodings, so a live engine can send the very bytes the
// simulator counts. Every message starts with the fixed 16-byte header {type u8, 7 pad bytes, iteration u64}.
// Sizes (S = batch size, n = training points):
//
//   INIT     coord -> worker  header + 96 config bytes + U (8·d1·n) + V (8·d2·n)   once
//   READY    worker -> coord  header + fired pairs at init (u64)            = 24
//   START    coord -> worker  header + η (f64)                              = 24
//   BATCH    coord -> all     header + S indices (u32)                      = 16 + 4S
//   PARTIAL  worker -> coord  header + applied_version (u64) + S partial sums (f64) + S fired
//                             counts (u32)                                  = 24 + 12S
//   RESID    coord -> all     header + S residuals e_i (f64)                = 16 + 8S
//   LOSS     worker -> coord  header + fired pairs (u64) + Fcache_w (n f64) = 24 + 8n
//   COFIRE   worker -> coord  header + upper triangle of N^w (n(n+1)/2 u32) = 16 + 2n(n+1)
//   EVAL     coord -> worker  header(version) + flags u64 (bit 0: COFIRE)  = 24
//   STATS    worker -> coord  header(version) + nnz, updated neurons, flips, flags (u64 each) +
//                             CPU seconds (f64), cumulative                 = 56
//
// LOSS adds the block's fired-pair count to the Fcache payload of kronecker-async §3.9 (8 bytes, for the
// fired-fraction curve); COFIRE is ours: N^w[j][k] = #{r in block fired on j and k} lets the coordinator form
// ||∇L||² = (1/m)·eᵀ(G∘N)e without a d-vector; EVAL asks for the reports of one version (a live
// worker cannot know the evaluation schedule), STATS carries the block's step figures for the metrics. No
// size depends on d or m (except INIT's data).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace distopt::kron {

enum class MessageType : std::uint8_t {
  Init = 1,
  Ready = 2,
  Start = 3,
  Batch = 4,
  Partial = 5,
  Resid = 6,
  Loss = 7,
  CoFire = 8,
  Eval = 9,
  Stats = 10,
};
const char* messageTypeName(MessageType type);

constexpr std::size_t kHeaderBytes = 16;
using Bytes = std::vector<std::uint8_t>;

struct InitMessage {
  std::uint64_t m = 0, n = 0, d1 = 0, d2 = 0, batch = 0;
  double threshold = 0.0;
  std::uint64_t dataSeed = 0, modelSeed = 0;
  std::uint64_t blockBegin = 0, blockEnd = 0;
  std::uint32_t staleness = 0;
  std::uint8_t algorithm = 0;  ///< 0 naive, 1 fast
  std::uint8_t index = 0;      ///< FireIndex::Kind
  std::uint8_t gram = 0;       ///< GramMode
  std::uint64_t resyncEvery = 0;
  Eigen::MatrixXd u, v;  ///< d1×n, d2×n
};
struct ReadyMessage {
  std::uint64_t firedPairs = 0;
};
struct StartMessage {
  double eta = 0.0;
};
struct BatchMessage {
  std::uint64_t iteration = 0;
  std::vector<std::uint32_t> indices;
};
struct PartialMessage {
  std::uint64_t iteration = 0;
  std::uint64_t appliedVersion = 0;
  std::vector<double> sums;
  std::vector<std::uint32_t> counts;
};
struct ResidMessage {
  std::uint64_t iteration = 0;
  std::vector<double> residuals;
};
struct LossMessage {
  std::uint64_t version = 0;  ///< steps applied when the cache was read
  std::uint64_t firedPairs = 0;
  std::vector<double> outputSums;
};
struct EvalMessage {
  std::uint64_t version = 0;  ///< the reports must be of the block after exactly this many steps
  bool coFire = false;        ///< send COFIRE too (gradient norm)
};
struct StatsMessage {
  std::uint64_t version = 0;
  std::uint64_t nnz = 0;               ///< cumulative (r, i) pairs with a gradient term
  std::uint64_t updatedNeurons = 0;    ///< cumulative Σ_t |U_t ∩ block|
  std::optional<std::uint64_t> flips;  ///< cumulative fire-status changes (fast path only)
  double cpuSeconds = 0.0;             ///< cumulative CPU seconds of forwards and updates
};
struct CoFireMessage {
  std::uint64_t version = 0;
  std::uint32_t n = 0;
  std::vector<std::uint32_t> upper;  ///< N[j][k] for j <= k, row-major
};

Bytes encode(const InitMessage& message);
Bytes encode(const ReadyMessage& message);
Bytes encode(const StartMessage& message);
Bytes encode(const BatchMessage& message);
Bytes encode(const PartialMessage& message);
Bytes encode(const ResidMessage& message);
Bytes encode(const LossMessage& message);
Bytes encode(const CoFireMessage& message);
Bytes encode(const EvalMessage& message);
Bytes encode(const StatsMessage& message);

/// The type in a buffer's header; false when the buffer is shorter than a header or the type unknown.
bool peekType(std::span<const std::uint8_t> bytes, MessageType* type);
/// Strict decoders: false (with a reason) for a wrong type, a length that no payload explains, or a
/// non-zero pad byte; never a crash on malformed input.
bool decode(std::span<const std::uint8_t> bytes, InitMessage& out, std::string* why);
bool decode(std::span<const std::uint8_t> bytes, ReadyMessage& out, std::string* why);
bool decode(std::span<const std::uint8_t> bytes, StartMessage& out, std::string* why);
bool decode(std::span<const std::uint8_t> bytes, BatchMessage& out, std::string* why);
bool decode(std::span<const std::uint8_t> bytes, PartialMessage& out, std::string* why);
bool decode(std::span<const std::uint8_t> bytes, ResidMessage& out, std::string* why);
bool decode(std::span<const std::uint8_t> bytes, LossMessage& out, std::string* why);
bool decode(std::span<const std::uint8_t> bytes, CoFireMessage& out, std::string* why);
bool decode(std::span<const std::uint8_t> bytes, EvalMessage& out, std::string* why);
bool decode(std::span<const std::uint8_t> bytes, StatsMessage& out, std::string* why);

/// Exact encoded sizes (what the simulator charges without encoding).
constexpr std::uint64_t batchBytes(std::uint64_t s) { return kHeaderBytes + 4 * s; }
constexpr std::uint64_t partialBytes(std::uint64_t s) { return kHeaderBytes + 8 + 12 * s; }
constexpr std::uint64_t residBytes(std::uint64_t s) { return kHeaderBytes + 8 * s; }
constexpr std::uint64_t lossBytes(std::uint64_t n) { return kHeaderBytes + 8 + 8 * n; }
constexpr std::uint64_t coFireBytes(std::uint64_t n) { return kHeaderBytes + 4 * (n * (n + 1) / 2); }
constexpr std::uint64_t initBytes(std::uint64_t n, std::uint64_t d1, std::uint64_t d2) {
  return kHeaderBytes + 96 + 8 * n * (d1 + d2);
}
constexpr std::uint64_t readyBytes() { return kHeaderBytes + 8; }
constexpr std::uint64_t startBytes() { return kHeaderBytes + 8; }
constexpr std::uint64_t evalBytes() { return kHeaderBytes + 8; }
constexpr std::uint64_t statsBytes() { return kHeaderBytes + 40; }

}  // namespace distopt::kron
