#pragma once
// The compressed-SGD family's worker role (docs/papers.md, compressed-sgd §2.1): applies the downlink a
// round order carries to its replica with the method's Shared Apply (the code the server applied to the
// model), sends its replica's hash when the round is a multiple of r_sync, then computes the round: one
// stochastic gradient at the replica from the keyed stream (seed, Gradient, worker, round), compressed
// by the method's worker role, sent when the time model's draw for (worker, round) has elapsed. A
// non-finite gradient is never sent (§3.2): the worker ends as diverged.

#include <cstdint>
#include <memory>

#include "core/compressed/compressed_roles.hpp"
#include "core/compressed/round_messages.hpp"
#include "core/timing/time_model.hpp"
#include "core/transport/role_links.hpp"

namespace distopt {

/// What a worker computes from; every reference outlives the role.
struct CompressedWorkerSetup {
  const Problem* problem = nullptr;
  const Shard* shard = nullptr;
  const TimeModel* timeModel = nullptr;
  std::uint64_t seed = 0;
  std::uint64_t maxRounds = 0;  ///< the update limit T (0 none): round T's order computes nothing
  std::uint64_t replicaCheckEvery = 100;
};

class CompressedRoundWorker final : public FamilyWorker<RoundOrder, CompressedUp> {
 public:
  CompressedRoundWorker(const CompressedMethod& method, int worker, const CompressedWorkerSetup& setup);

  void onMessage(RoundOrder&& order, WorkerLink<CompressedUp>& link) override;

  /// The method's worker role (its replica, error-feedback memory), for tests.
  const CompressedWorker& role() const { return *m_role; }

 private:
  std::unique_ptr<CompressedWorker> m_role;
  int m_worker;
  CompressedWorkerSetup m_setup;
  std::uint64_t m_nextRound = 0;
  Vector m_gradient;
  Vector m_scratch;
};

}  // namespace distopt
