#pragma once
// The model snapshots the simulator's jobs in flight were sent, shared between the jobs of one version
// and counted by hand.
//
// Why not std::shared_ptr<const Vector>: its count is a locked instruction as soon as the process has a
// second thread (the run store's writer), and a locked instruction waits for the stores before it —
// here the job record's, a cache miss at E1's 6174 workers. One such increment per job and one decrement
// per cancellation made distopt-run's E1 run 1.3 x slower with the store than without it, in code the
// store never touches. The simulator is single-threaded, so plain counts are exact; slots are reused,
// so a new version copies into memory already allocated.

#include <cstdint>
#include <deque>
#include <limits>
#include <vector>

#include "core/problems/problem.hpp"

namespace distopt {

class SnapshotPool {
 public:
  using Handle = std::uint32_t;
  static constexpr Handle kNone = std::numeric_limits<Handle>::max();

  /// A reference to the snapshot of `version` (the caller releases it), copied from `model` when the
  /// version is not the current one. The pool keeps the current version's snapshot until the next.
  Handle share(std::uint64_t version, const Vector& model);
  /// One more reference to `handle` (kNone: nothing).
  void retain(Handle handle);
  /// Drops a reference (kNone: nothing); the last one frees the slot for reuse.
  void release(Handle handle);
  const Vector& model(Handle handle) const { return m_slots[handle].model; }
  /// Slots holding a snapshot (the current one and those jobs in flight still refer to).
  std::size_t live() const { return m_slots.size() - m_free.size(); }

 private:
  struct Slot {
    Vector model;
    std::uint64_t references = 0;
  };
  std::deque<Slot> m_slots;  // a deque: references to a slot's model stay valid as the pool grows
  std::vector<Handle> m_free;
  Handle m_current = kNone;
  std::uint64_t m_currentVersion = 0;
};

}  // namespace distopt
