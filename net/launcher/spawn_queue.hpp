#pragma once
// Starts a run's worker processes a few at a time, between turns of the coordinator's socket. Started all
// at once, a thousand workers on a small machine are a thousand runnable processes: the coordinator gets
// a thousandth of a core, answers nobody, and the first workers give up waiting while the last are still
// being forked. Started here, at most `maxStarting` workers are between fork and READY at any moment; the
// coordinator serves its socket between batches (WorkerPool::setup).
//
// Thread: the coordinator's.

#include <functional>
#include <string>
#include <vector>

#include "net/launcher/local_launcher.hpp"

namespace distopt::net {

class SpawnQueue {
 public:
  /// `maxStarting` >= 1: processes started but not yet ready, at most.
  SpawnQueue(LocalLauncher& launcher, std::vector<ProcessSpec> specs, int maxStarting);

  /// Starts processes while fewer than `maxStarting` of those started are not `isReady(workerId)` (or no
  /// longer wanted: `isReady` true for a dead worker too). False with *why (naming the process) when one
  /// cannot be started.
  bool spawnMore(const std::function<bool(int workerId)>& isReady, std::string* why);
  bool done() const { return m_next == m_specs.size(); }
  std::size_t spawned() const { return m_next; }

 private:
  LocalLauncher& m_launcher;
  std::vector<ProcessSpec> m_specs;
  std::size_t m_next = 0;
  int m_maxStarting;
  std::vector<int> m_starting;  // ids started and not yet ready
};

/// How many workers may be starting at once on this machine: enough to keep its cores busy with exec and
/// set-up, few enough that the coordinator still gets its share of them.
int defaultMaxStarting();

/// Raises this process's soft limit on open files towards `wanted` (up to the hard limit): a coordinator
/// holds a connection per worker. Returns the limit now in force.
long raiseOpenFileLimit(long wanted);

}  // namespace distopt::net
