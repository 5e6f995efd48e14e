#pragma once
// Roles of synchronous compressed SGD (docs/papers.md, compressed-sgd §2), transport-free (rule 3 of
// docs/architecture.md). A worker role turns its stochastic gradient into one encoded uplink message and
// applies the server's encoded downlink to its replica; the server role decodes the M uplinks of a round,
// aggregates them, and returns the downlink, which it applies to its own model through the same code path the
// workers use, so every replica stays bit-identical to the server's model (§2.1 "replica safety"). Messages
// are EncodedMessage payloads of core/codec: a live engine sends exactly these bytes after the §3.1
// header. No clock, socket or global RNG here; randomised compressors own keyed generators.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/codec/compressed_message.hpp"
#include "core/problems/problem.hpp"
#include "core/util/random_stream.hpp"

namespace distopt {

/// The parameter vector as L segments ("tensors") of sizes N_1..N_L in a fixed order (compressed-sgd §2).
struct SegmentLayout {
  std::vector<std::uint64_t> sizes;
  std::uint64_t total() const;
  /// One segment of n coordinates.
  static SegmentLayout single(std::uint64_t n);
};

/// Per-layer layout (W_l then b_l) for the network problems, one segment otherwise.
SegmentLayout segmentLayoutOf(const Problem& problem);

/// Step size γ_t as a function of the round t, shared by every replica.
struct StepSchedule {
  enum class Kind { Constant, InverseTime, Step };
  Kind kind = Kind::Constant;
  double gamma = 1e-3;  ///< γ (γ_0 for the decaying kinds)
  double tau = 1.0;  ///< inverse_time: γ_t = γ·τ/(t + τ) (compressed-sgd §2.5: γ0/(λ(t+τ)), γ = γ0/(λτ))
  std::uint64_t totalRounds = 0;  ///< step: γ/10 from 50%, γ/100 from 75% of totalRounds (compressed-sgd E3)

  double at(std::uint64_t t) const;
  bool isValid(std::string* why) const;
};

/// compressed-sgd §2.1 "Shared Apply": d = u + λx; b = μb + d; x = x − γ_t·b (b unused when μ = 0).
struct SharedApply {
  double mu = 0.0;
  double lambda = 0.0;
  void apply(Vector& x, Vector& buffer, const Vector& u, double gammaT) const;
};

/// What a round's aggregation measured (for EvaluationPoint::metrics).
struct RoundReport {
  bool hasVotes = false;
  double voteAgreement = 0.0;  ///< Σ_i max(n+_i, n−_i) / Σ_i n_i: share of cast votes on the winning side
  double voteMargin = 0.0;     ///< mean over voted coordinates of |c_i| / n_i (1 unanimous, 0 tie)
  double voteCoverage = 0.0;   ///< share of coordinates with at least one vote
  double downNonzeroFraction = 1.0;  ///< nnz(update) / N
};

class CompressedWorker {
 public:
  virtual ~CompressedWorker() = default;
  /// The uplink message for round t from the stochastic gradient at model(); may update worker state.
  virtual EncodedMessage compress(const Vector& gradient, std::uint64_t t) = 0;
  /// Applies the server's downlink of round t to the replica; false (replica untouched) when malformed.
  virtual bool applyDownlink(const EncodedMessage& message, std::uint64_t t, std::string* why) = 0;
  const Vector& model() const { return m_x; }
  /// The error-feedback memory or sparsification residual, when the method keeps one (for tests and
  /// diagnostics); nullptr otherwise.
  virtual const Vector* memory() const { return nullptr; }

 protected:
  explicit CompressedWorker(Vector x0) : m_x(std::move(x0)) {}
  Vector m_x;
};

class CompressedServer {
 public:
  virtual ~CompressedServer() = default;
  /// Takes worker m's uplink of the current round; false (message dropped) when malformed.
  virtual bool receive(int worker, const EncodedMessage& message, std::string* why) = 0;
  /// All uplinks are in: aggregates, applies, and returns the downlink of round t.
  virtual EncodedMessage finishRound(std::uint64_t t, RoundReport& report) = 0;
  const Vector& model() const { return m_x; }
  int numWorkers() const { return m_numWorkers; }

 protected:
  CompressedServer(int numWorkers, Vector x0) : m_x(std::move(x0)), m_numWorkers(numWorkers) {}
  Vector m_x;
  int m_numWorkers;
};

/// A built method: its two role factories (for the round roles of round_coordinator and round_worker,
/// on the virtual network or live).
struct CompressedMethod {
  std::string name;
  std::function<std::unique_ptr<CompressedWorker>(int worker)> makeWorker;
  std::function<std::unique_ptr<CompressedServer>()> makeServer;
};

/// Top-K per segment (compressed-sgd §2.4 tie-break: |a| descending, then index ascending), ascending.
std::vector<std::uint32_t> topKIndices(const Vector& a, const SegmentLayout& layout,
                                       const std::vector<std::uint64_t>& k);
/// K_l distinct uniform indices per segment, ascending (partial Fisher–Yates from `stream`).
std::vector<std::uint32_t> randKIndices(const SegmentLayout& layout, const std::vector<std::uint64_t>& k,
                                        RandomStream& stream);

/// Per-segment K for rho in parts per million: ceil(N_l·rho/1e6) (per_tensor) or one global ceil spread
/// over the segments by largest remainder (global scope keeps one segment; see sparse_sign_vote.hpp).
std::vector<std::uint64_t> perSegmentK(const SegmentLayout& layout, std::uint64_t rhoPpm);
/// `total` spread over segments proportionally to their sizes, largest-remainder rounding.
std::vector<std::uint64_t> spreadK(const SegmentLayout& layout, std::uint64_t total);

/// 64-bit FNV-1a of the parameter bytes (compressed-sgd §2.1 replica check).
std::uint64_t modelHash(const Vector& x);
/// SplitMix64 finaliser, for keyed seeds (compressed-sgd §2.7) and hashed tie breaks.
std::uint64_t splitMix64(std::uint64_t x);

/// Tally of ±1 votes per coordinate: c_i = Σ (+1 / −1) and n_i = votes cast.
struct VoteTally {
  std::vector<std::int32_t> sum;
  std::vector<std::int32_t> count;
  void reset(std::uint64_t n);
  /// Fills the vote fields of `report` from the tally.
  void report(RoundReport& report) const;
};

}  // namespace distopt
