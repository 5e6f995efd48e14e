#pragma once
// The Kronecker family's coordinator role (docs/papers.md, kronecker-async §3.9): INIT every worker with
// its neuron block and the data, collect READY, START with η, then keep up to τ + 1 BATCHes in flight and
// broadcast each RESID as an iteration's PARTIALs complete. The model lives only on the workers, so the
// role evaluates remotely: EVAL(version) -> LOSS, COFIRE, STATS -> one point (KronEvaluationBook). The
// same code runs on the virtual network (KronSimRun) and on ZeroMQ (net/families/kronecker).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/kronecker/kron_driver.hpp"
#include "core/kronecker/kron_family_messages.hpp"
#include "core/kronecker/kron_metrics.hpp"
#include "core/kronecker/kron_problem.hpp"
#include "core/transport/role_links.hpp"

namespace distopt {

class KronFamilyCoordinator final : public FamilyCoordinator<KronDown, KronUp> {
 public:
  /// `problem` must outlive the role. Throws InputError when workers > m.
  KronFamilyCoordinator(const KronTwoLayerProblem& problem, const KronRunSettings& settings, int workers,
                        std::uint64_t samplerSeed, std::uint64_t maxUpdates);

  std::string name() const override;
  void start(CoordinatorLink<KronDown>& link) override;
  void onMessage(int worker, KronUp&& message, CoordinatorLink<KronDown>& link) override;
  void onWorkerLost(int worker, const std::string& reason, CoordinatorLink<KronDown>& link) override;
  void requestEvaluation(const EvaluationRequest& request, bool atEnd, CoordinatorLink<KronDown>& link) override;

  std::uint64_t iterations() const override { return m_core.completed(); }
  /// One minibatch gradient per completed iteration, its k partials together.
  std::uint64_t gradientEvaluations() const override { return m_core.completed(); }
  const Vector* model() const override { return nullptr; }
  std::string failure() const override { return m_failure; }
  bool diverged() const override { return m_diverged; }
  WorkCounters counters(int worker) const override { return m_counters[static_cast<std::size_t>(worker)]; }
  bool evaluatesRemotely() const override { return true; }
  bool evaluationPending() const override { return m_book.anyOpen(); }
  std::vector<EvaluationPoint> takeEvaluations() override { return std::exchange(m_finished, {}); }

  /// KRON_COFIRE (16 + 2n(n+1) bytes) or KRON_LOSS (24 + 8n), n the samples: the largest uplink.
  std::int64_t largestUplinkBytes() const;

 private:
  void begin(CoordinatorLink<KronDown>& link);
  void sendEvaluation(const EvaluationRequest& request, CoordinatorLink<KronDown>& link);
  void issueBatches(CoordinatorLink<KronDown>& link);
  void onPartial(int worker, const kron::PartialMessage& partial, CoordinatorLink<KronDown>& link);
  void takeFinished();

  const KronTwoLayerProblem& m_problem;
  KronRunSettings m_settings;
  int m_k;
  std::uint64_t m_maxUpdates;
  std::vector<std::pair<std::int64_t, std::int64_t>> m_blocks;
  KronCoordinatorRole m_core;
  KronEvaluationBook m_book;
  std::vector<char> m_ready;
  std::vector<WorkCounters> m_counters;
  double m_eta = 0.0;
  bool m_started = false;
  bool m_finishing = false;
  bool m_diverged = false;
  std::string m_failure;
  std::optional<EvaluationRequest> m_early;
  std::map<std::uint64_t, EvaluationRequest> m_requests;
  std::map<std::uint64_t, double> m_sentAt;
  std::vector<EvaluationPoint> m_finished;
};

}  // namespace distopt
