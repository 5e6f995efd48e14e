#pragma once
// The Kronecker family's roles' bookkeeping (kron_family_coordinator, kron_family_worker): a worker's
// running step figures (reported in STATS) and the coordinator's evaluations keyed by model version
// (EVAL -> LOSS, COFIRE, STATS -> one EvaluationPoint with the family metrics). Transport-free, no
// clock: the roles measure their own CPU seconds (threadCpuSeconds) and pass them in.
//
// Metrics of a point at version v cover the window since the previous requested evaluation:
//   fired_fraction     mean k_i/m over the batches of the window (coordinator, from PARTIAL counts)
//   iteration_seconds  CPU seconds per iteration of the roles' work: the coordinator's plus every
//                      worker's (STATS differences), evaluation excluded
//   nnz, updated_neurons, flips  per iteration, summed over workers (STATS differences)
//   batch_loss         mean ½ Σ_{i∈B} e_i² of the window's iterations
//   fired_fraction_all, eta       at v

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "core/kronecker/kron_roles.hpp"
#include "core/telemetry/telemetry.hpp"

namespace distopt {

/// CPU seconds of the calling thread: iteration_seconds measures the roles' own work, not the time a
/// transport (or another process on the machine) takes.
double threadCpuSeconds();

/// A worker's cumulative step figures since INIT.
class KronWorkerTally {
 public:
  void note(const BlockStepStats& stats);
  void addSeconds(double seconds) { m_seconds += seconds; }
  kron::StatsMessage report(std::uint64_t version) const;

 private:
  std::uint64_t m_nnz = 0;
  std::uint64_t m_updated = 0;
  std::uint64_t m_flips = 0;
  bool m_haveFlips = false;
  double m_seconds = 0.0;
};

class KronEvaluationBook {
 public:
  /// `gram` must outlive the book.
  KronEvaluationBook(int workers, std::int64_t neurons, std::int64_t batch, const Eigen::MatrixXd& gram);

  /// Coordinator side of the window: every completed iteration and the CPU seconds of its own work.
  void noteIteration(const KronIterationResult& result);
  void addSeconds(double seconds) { m_window.seconds += seconds; }

  /// Opens the evaluation of version `version` (closing the metrics window there); false when one for
  /// that version is open already or the version is older than the last one requested.
  bool request(std::uint64_t version, bool coFire);
  bool isOpen(std::uint64_t version) const { return m_open.count(version) != 0; }
  bool anyOpen() const { return !m_open.empty(); }
  bool wantsCoFire(std::uint64_t version) const;

  /// Reports of an open version. False (why set) for no open evaluation, a second report of the same
  /// kind from the worker, a report not asked for, or a wrong size.
  bool onLoss(int worker, const kron::LossMessage& loss, std::string* why);
  bool onCoFire(int worker, const kron::CoFireMessage& coFire, std::string* why);
  bool onStats(int worker, const kron::StatsMessage& stats, std::string* why);

  struct Finished {
    std::uint64_t version = 0;
    EvaluationPoint point;  ///< loss, gradNormSq, metrics; time, updates and bytes left to the caller
  };
  /// Completed evaluations in version order; `eta` goes into the metrics.
  std::vector<Finished> take(const KronCoordinatorRole& coordinator, double eta);

 private:
  struct Window {
    std::uint64_t iterations = 0;
    std::uint64_t firedPairs = 0;
    double batchLoss = 0.0;
    double seconds = 0.0;
  };
  struct Open {
    bool coFire = false;
    Window window;
    std::vector<kron::LossMessage> losses;
    std::vector<kron::CoFireMessage> coFires;
    std::vector<kron::StatsMessage> stats;
    std::vector<char> haveLoss, haveCoFire, haveStats;
    int missing = 0;
  };
  Open* find(int worker, std::uint64_t version, std::string* why);

  int m_k;
  std::int64_t m_m;
  std::int64_t m_s;
  std::uint64_t m_n;
  const Eigen::MatrixXd& m_gram;
  Window m_window;
  std::map<std::uint64_t, Open> m_open;
  std::uint64_t m_lastRequested = 0;
  bool m_anyRequested = false;
  std::vector<kron::StatsMessage> m_lastStats;  // per worker, of the last completed evaluation
};

}  // namespace distopt
