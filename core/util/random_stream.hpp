#pragma once
// Keyed random streams (docs/architecture.md, rule 3): every random draw in a run comes from a stream
// named by (run seed, purpose, worker, job number), so a run is reproducible whatever order the simulator or
// the network delivers events in, and a worker process can recreate its streams from the key alone.
//
// The generator is xoshiro256** seeded through SplitMix64 from a hash of the key: cheap to create
// (the simulator makes one per job, millions per run) and identical on every platform, which is why
// the distributions below are written out instead of using <random>'s implementation-defined ones.

#include <cstdint>

namespace distopt {

/// What a stream is used for; part of the key so that, e.g., a job's gradient noise and its
/// compute-time draw never share bits.
enum class StreamPurpose : std::uint64_t {
  Gradient = 1,   ///< stochastic gradient sampling (batch indices, additive noise)
  ComputeTime = 2,///< time-model draws (docs/papers.md, async-sgd §3)
  Data = 3,       ///< synthetic data generation
  Shard = 4,      ///< assignment of samples to workers
  Init = 5,       ///< model initialisation
  Compression = 6,///< randomised compressors (e.g. QSGD rounding)
};

struct StreamKey {
  std::uint64_t runSeed = 0;
  StreamPurpose purpose = StreamPurpose::Gradient;
  std::uint64_t worker = 0;  ///< 0-based worker index; use kNoWorker for run-wide streams
  std::uint64_t job = 0;     ///< per-worker job sequence number (0-based)

  static constexpr std::uint64_t kNoWorker = ~std::uint64_t{0};
};

class RandomStream {
 public:
  explicit RandomStream(const StreamKey& key);
  /// A stream from a bare 64-bit seed (for tools and tests that have no run key).
  static RandomStream fromSeed(std::uint64_t seed);

  /// Next 64 raw bits.
  std::uint64_t next();
  /// Uniform in [0, 1) with 53 random bits.
  double uniform();
  /// Uniform integer in [0, bound) without modulo bias; bound must be > 0.
  std::uint64_t uniformInt(std::uint64_t bound);
  /// Standard normal N(0, 1) (Marsaglia polar method; the spare value is kept).
  double normal();

 private:
  RandomStream() = default;
  void seedFrom(std::uint64_t seed);

  std::uint64_t m_s[4] = {0, 0, 0, 0};
  double m_spareNormal = 0.0;
  bool m_hasSpare = false;
};

/// Mixes the key into one 64-bit seed (exposed for tests and for protocol documentation).
std::uint64_t hashStreamKey(const StreamKey& key);

}  // namespace distopt
