#pragma once
// The Kronecker family's worker role (docs/papers.md, kronecker-async §3.9): built from INIT (checked
// against the worker's own run: a worker builds its problem from the experiment it was assigned), it holds
// one neuron block, answers BATCH with PARTIAL after the time model's compute, applies RESID, and reports
// LOSS (COFIRE) and STATS for EVAL. Messages are handled strictly in arrival order; the transport holds
// those that arrive while a PARTIAL is being computed (role_links.hpp, sendAfterCompute).

#include <memory>
#include <string>

#include "core/kronecker/kron_family_messages.hpp"
#include "core/kronecker/kron_metrics.hpp"
#include "core/kronecker/kron_problem.hpp"
#include "core/timing/time_model.hpp"
#include "core/transport/role_links.hpp"

namespace distopt {

class KronFamilyWorker final : public FamilyWorker<KronDown, KronUp> {
 public:
  /// `problem` and `timeModel` must outlive the role.
  KronFamilyWorker(const KronTwoLayerProblem& problem, const TimeModel& timeModel, int worker);

  void onMessage(KronDown&& message, WorkerLink<KronUp>& link) override;

  /// The block's role after INIT (tests), or nullptr.
  const KronWorkerRole* role() const { return m_role.get(); }

 private:
  void onInit(const kron::InitMessage& init, WorkerLink<KronUp>& link);
  void onBatch(const kron::BatchMessage& batch, WorkerLink<KronUp>& link);
  void onResid(const kron::ResidMessage& resid, WorkerLink<KronUp>& link);
  void onEval(const kron::EvalMessage& eval, WorkerLink<KronUp>& link);

  const KronTwoLayerProblem& m_problem;
  const TimeModel& m_timeModel;
  int m_worker;
  std::unique_ptr<KronWorkerRole> m_role;
  KronWorkerTally m_tally;
  bool m_failed = false;
};

}  // namespace distopt
