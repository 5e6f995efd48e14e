#pragma once
// QSGD (docs/papers.md, compressed-sgd §2.7; Alistarh et al. 2017, bucketing as in GRACE). Worker: per bucket
// of d consecutive coordinates ν = ‖g_j‖₂ (or max|g_j|) sent as binary32; a = s|g_i|/ν; ℓ_i = min(s, ⌊a⌋ +
// [u_i < a − ⌊a⌋]) with one 24-bit uniform per coordinate in index order from std::mt19937_64 seeded with
// splitmix64(seed ⊕ (worker << 32)); send QSGD levels (codec AUTO/DENSE/ELIAS). Server: u = mean of the
// decoded ĝ; Shared Apply; downlink DENSE_F32(u).

#include <random>

#include "core/codec/qsgd_codec.hpp"
#include "core/compressed/compressed_roles.hpp"

namespace distopt {

struct QsgdOptions {
  std::uint32_t s = 4;         ///< levels, 1..32768
  std::uint64_t bucket = 128;  ///< bucket size d >= 1 (clamped to N)
  bool maxNorm = false;        ///< norm = max (else l2)
  QsgdCodec codec = QsgdCodec::Auto;
  StepSchedule step;  ///< γ default 0.05
  double mu = 0.0;
  double lambda = 0.0;
  std::uint64_t seed = 0;  ///< run seed (keys each worker's generator)

  bool isValid(std::string* why) const;
};

/// The quantiser alone, exposed for tests and benchmarks: levels of g with `uniform` giving u_i.
QsgdLevels quantizeQsgd(const Vector& g, std::uint64_t bucket, std::uint32_t s, bool maxNorm,
                        const std::function<double()>& uniform);
/// The generator of compressed-sgd §2.7 for worker m and its 24-bit uniform.
std::mt19937_64 qsgdGenerator(std::uint64_t seed, int worker);
double qsgdUniform(std::mt19937_64& generator);

CompressedMethod makeQsgd(const QsgdOptions& options, int numWorkers, const Vector& x0);

}  // namespace distopt
