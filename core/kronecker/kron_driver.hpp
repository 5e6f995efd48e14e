#pragma once
// In-process, sequential (τ = 0) driver of the neuron-sharded roles: one step = BATCH to every
// worker, PARTIALs to the coordinator, RESID back. With one worker it is the single-process algorithm
// of kronecker-async (kron-naive §2.7, kron-fast §3.5); tests and the benchmark use it, the simulator adds
// virtual time, pipelining and telemetry on top of the same roles.

#include <memory>
#include <optional>
#include <vector>

#include "core/kronecker/kron_fast.hpp"
#include "core/kronecker/kron_naive.hpp"
#include "core/kronecker/kron_roles.hpp"

namespace distopt {

enum class KronAlgorithm { Naive, Fast };

/// What a run of kron-naive or kron-fast is set with (its algorithm params, kron_entries).
struct KronRunSettings {
  KronAlgorithm algorithm = KronAlgorithm::Fast;
  KronFastOptions fast;       ///< index, Gram mode, resync (fast only)
  std::optional<double> eta;  ///< absent: 0.5/(S·p̂)
  int staleness = 0;
};

/// The block a worker of `algorithm` holds for neurons [begin, end).
std::unique_ptr<NeuronBlock> makeNeuronBlock(const KronTwoLayerProblem& problem, KronAlgorithm algorithm,
                                             const KronFastOptions& fast, std::int64_t begin,
                                             std::int64_t end);

struct KronDriverOptions {
  KronAlgorithm algorithm = KronAlgorithm::Fast;
  KronFastOptions fast;       ///< index, Gram mode, resync (fast only)
  int workers = 1;            ///< neuron blocks
  std::optional<double> eta;  ///< absent: 0.5/(S·p̂)
  std::uint64_t samplerSeed = 0;
};

class KronSequentialDriver {
 public:
  KronSequentialDriver(const KronTwoLayerProblem& problem, const KronDriverOptions& options);

  /// One SGD step; `stats` (optional) receives every worker's step statistics.
  KronIterationResult step(std::vector<BlockStepStats>* stats = nullptr);
  /// Full loss (and gradient norm) through the LOSS / COFIRE path.
  EvaluationPoint evaluate(bool gradNorm) const;
  double eta() const { return m_eta; }
  int workers() const { return static_cast<int>(m_workers.size()); }
  KronWorkerRole& worker(int w) { return *m_workers[static_cast<std::size_t>(w)]; }
  const KronWorkerRole& worker(int w) const { return *m_workers[static_cast<std::size_t>(w)]; }
  /// The current inner-product table of all m neurons (m×n), assembled from the blocks.
  RowMatrix innerProductTable() const;

 private:
  const KronTwoLayerProblem& m_problem;
  std::vector<std::unique_ptr<KronWorkerRole>> m_workers;
  std::unique_ptr<KronCoordinatorRole> m_coordinator;
  double m_eta = 0.0;
};

}  // namespace distopt
