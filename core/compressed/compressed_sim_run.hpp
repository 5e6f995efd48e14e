#pragma once
// The compressed-SGD simulator: the family's roles (round_coordinator, round_worker) on the virtual
// network (core/transport/virtual_network.hpp) — the very code a live run executes over ZeroMQ.
// Round t: every worker computes one stochastic gradient at its replica from its shard with the keyed
// stream (seed, Gradient, worker, t) and compresses it with its role; its uplink arrives when its
// TimeModel draw duration(worker, t, start) has elapsed, so the round lasts as long as its slowest
// worker. The server role decodes and aggregates the M uplinks in worker order and returns the downlink
// with the next round's order, which every worker applies. Bytes are the exact encoded sizes (32-byte
// header + payload), the downlink counted once per worker, as M unicast copies. Every
// `replicaCheckEvery` rounds each worker sends the 64-bit FNV-1a hash of its replica (an 8-byte
// payload, counted as kind "HASH"); a mismatch ends the run as Failed.
//
// EvaluationPoint::metrics (means over the rounds since the previous evaluation unless cumulative):
//   bits_up_per_iteration      Σ_m payload bits of the uplinks of a round
//   bits_up_per_worker         the same divided by M
//   bits_down_per_iteration    payload bits of one downlink copy
//   cumulative_bits_up / cumulative_bits_down   totals so far (downlink: one copy per round)
//   compression_ratio_up       32·N·M / bits_up_per_iteration (1 for dense SGD)
//   efficiency_up              Σ lower bound / Σ payload bits of the uplinks (η of compressed-sgd §3.7)
//   down_nonzero_fraction      nnz(aggregated update) / N
//   vote_agreement             majority-vote methods: share of cast votes on the winning side of their
//                              coordinate, Σ_i max(n+_i, n−_i) / Σ_i n_i (1 = unanimous everywhere)
//   vote_margin                majority-vote methods: mean over voted coordinates of |c_i| / n_i
//   vote_coverage              majority-vote methods: share of coordinates that received a vote

#include <memory>

#include "core/compressed/compressed_roles.hpp"
#include "core/compressed/round_coordinator.hpp"
#include "core/compressed/round_worker.hpp"
#include "core/transport/virtual_network.hpp"

namespace distopt {

class CompressedSimRun final : public RolesOnVirtualNetwork<RoundOrder, CompressedUp> {
 public:
  /// The problem and time model must outlive the run; the shards are shared (a BuiltRun that handed out
  /// `context` may move).
  CompressedSimRun(const CompressedMethod& method, const SimRunContext& context,
                   std::uint64_t replicaCheckEvery = 100);

  /// The roles, for tests (valid after construction; final state after run()).
  const CompressedServer& server() const;
  const CompressedWorker& worker(int m) const;
};

}  // namespace distopt
