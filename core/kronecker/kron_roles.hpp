#pragma once
// The neuron-sharded roles of docs/papers.md, kronecker-async §3.9, transport-free (docs/architecture.md,
// rule 3): no clock, no socket, no global RNG. A worker owns one NeuronBlock (naive W rows or fast P rows);
// the coordinator owns y, the batch sampler, η and the pipeline bookkeeping. The family's roles
// (kron_family_coordinator, kron_family_worker) hold them, on the virtual network and on ZeroMQ.
//
// Pipelining: with staleness τ the coordinator may have τ + 1 iterations whose RESID is outstanding;
// a worker answers BATCH(t) from a block that has applied `appliedVersion` steps, and the delay
// t − appliedVersion lies in [0, τ]. Updates are additive and commute; each RESID is applied once.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/kronecker/kron_protocol.hpp"
#include "core/kronecker/neuron_block.hpp"
#include "core/telemetry/telemetry.hpp"
#include "core/util/random_stream.hpp"

namespace distopt {

/// S distinct indices of [0, n) per step by a partial Fisher–Yates shuffle over a persistent
/// permutation, from one seeded stream (kronecker-async §2.3): the naive and fast runs see the same batches.
class KronBatchSampler {
 public:
  KronBatchSampler(std::int64_t n, std::int64_t batch, std::uint64_t seed);
  void next(std::vector<std::uint32_t>& out);

 private:
  std::vector<std::uint32_t> m_permutation;
  std::int64_t m_batch;
  RandomStream m_stream;
};

class KronWorkerRole {
 public:
  KronWorkerRole(int worker, std::unique_ptr<NeuronBlock> block, int staleness);

  int worker() const { return m_worker; }
  const NeuronBlock& block() const { return *m_block; }
  NeuronBlock& block() { return *m_block; }
  std::uint64_t appliedVersion() const { return m_applied; }
  std::size_t inFlight() const { return m_kept.size(); }

  /// READY: the block's fired pairs at init (the coordinator derives the default η from them).
  kron::ReadyMessage ready() const;
  void onStart(const kron::StartMessage& start);
  /// BATCH(t) -> PARTIAL(t). Refused (false, reason) when not started, out of order, or deeper than τ + 1.
  bool onBatch(const kron::BatchMessage& batch, kron::PartialMessage& reply, std::string* why);
  /// RESID(t): applies the step for the kept forward of t. Refused unless t is the oldest in flight.
  bool onResid(const kron::ResidMessage& resid, BlockStepStats& stats, std::string* why);
  /// At the end of a run: forgets forwards whose RESID will never come (they changed no state), so the
  /// next BATCH the worker accepts is iteration appliedVersion().
  void dropUnanswered();
  /// LOSS and COFIRE for the block as it is now (version = steps applied).
  kron::LossMessage lossReport(BlockEvaluation* keep = nullptr) const;
  static kron::CoFireMessage coFireReport(const BlockEvaluation& evaluation, std::uint64_t version);

 private:
  int m_worker;
  std::unique_ptr<NeuronBlock> m_block;
  int m_staleness;
  std::optional<double> m_eta;
  std::uint64_t m_applied = 0;
  std::uint64_t m_nextBatch = 0;
  std::deque<KeptForward> m_kept;
  std::vector<double> m_sums;
  std::vector<std::uint32_t> m_counts;
};

/// One completed iteration as the coordinator saw it.
struct KronIterationResult {
  std::uint64_t iteration = 0;
  std::vector<std::uint32_t> batch;
  std::vector<double> outputs;    ///< f_i
  std::vector<double> residuals;  ///< e_i = f_i − y_i
  double batchLoss = 0.0;         ///< ½ Σ_{i∈B} e_i²
  std::uint64_t firedPairs = 0;   ///< nnz_t = Σ_i k_i
};

class KronCoordinatorRole {
 public:
  struct Options {
    int workers = 1;
    int staleness = 0;
    std::int64_t batch = 1;
    std::uint64_t samplerSeed = 0;
  };

  KronCoordinatorRole(Eigen::VectorXd labels, std::int64_t neurons, const Options& options);

  /// Collects READY; once all arrived, measuredFiredFraction() is p̂ over all (r, i).
  void onReady(int worker, const kron::ReadyMessage& ready);
  bool allReady() const { return m_ready == m_options.workers; }
  double measuredFiredFraction() const;
  /// The step 0.5/(S·p̂) of kronecker-async §2.6 (p̂ floored at one pair: an all-silent init stays finite).
  double defaultEta() const;
  kron::StartMessage start(double eta);
  /// At the end of a run: forgets iterations still awaiting PARTIALs (their RESID is never sent), so
  /// every worker ends at version completed().
  void abandonPending() {
    m_pending.clear();
    m_nextIteration = m_completed;
  }

  /// True while fewer than τ + 1 iterations await their RESID.
  bool canSend() const { return m_pending.size() < static_cast<std::size_t>(m_options.staleness) + 1; }
  kron::BatchMessage nextBatch();
  std::size_t inFlight() const { return m_pending.size(); }
  std::uint64_t completed() const { return m_completed; }

  /// PARTIAL from a worker. When it completes the oldest iteration: true with the RESID to broadcast
  /// and the iteration's result. Refused (why set, result false) for unknown iterations or duplicates.
  bool onPartial(int worker, const kron::PartialMessage& partial, kron::ResidMessage& resid,
                 KronIterationResult& result, bool* complete, std::string* why);

  /// Full loss, gradient norm and fired fraction from every worker's LOSS (and COFIRE, for the
  /// gradient norm), all at the same version; ascending worker order.
  EvaluationPoint evaluate(const std::vector<kron::LossMessage>& losses,
                           const std::vector<kron::CoFireMessage>* coFires,
                           const Eigen::MatrixXd& gram) const;

 private:
  struct Pending {
    std::uint64_t iteration = 0;
    std::vector<std::uint32_t> batch;
    std::vector<std::vector<double>> sums;  // per worker
    std::vector<char> arrived;
    int count = 0;
    std::uint64_t firedPairs = 0;
  };

  Eigen::VectorXd m_y;
  std::int64_t m_m;
  Options m_options;
  KronBatchSampler m_sampler;
  int m_ready = 0;
  std::uint64_t m_initFired = 0;
  std::uint64_t m_nextIteration = 0;
  std::uint64_t m_completed = 0;
  std::deque<Pending> m_pending;
};

}  // namespace distopt
