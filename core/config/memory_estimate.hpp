#pragma once
// Memory a run needs, estimated from the parsed experiment before anything is built, so that a file
// asking for more than the machine holds (problem.params.features = 1e9: 8 GB per model vector) is
// refused with the field to change instead of dying in an allocation minutes later.
//
// The estimate is a floor, not a forecast: the problem's data, plus a few model-sized vectors per
// process (kServerVectors in the coordinator or simulator, kWorkerVectors per worker), for every process
// on this machine (the simulator: one process holding every worker; live: the coordinator and the
// local workers; a remote worker: itself). A run above the limit surely cannot run; one below may still
// need more (an algorithm's own state, per-worker buffers). The limit is 90% of physical memory
// (sysconf), leaving the rest to the system and the programs already running.

#include <cstdint>
#include <string>

#include "core/registry/component.hpp"

namespace distopt {

struct Experiment;

/// Model-sized vectors a process surely holds: the server's x, its gradient and step state and an
/// evaluation scratch; a worker's model copy, gradient and scratch.
inline constexpr double kServerVectors = 4.0;
inline constexpr double kWorkerVectors = 3.0;
/// Share of physical memory a run may plan to use.
inline constexpr double kMemoryShare = 0.9;

enum class MemoryScope {
  WholeRun,   ///< every process of the run that starts on this machine (distopt-run, the GUI)
  OneWorker,  ///< one worker process (distopt-worker, which may be on another machine)
};

struct MemoryLimits {
  /// Bytes the run may use on this machine; 0 = kMemoryShare of physical memory.
  double bytes = 0.0;
  MemoryScope scope = MemoryScope::WholeRun;
  bool isValid(std::string* why) const;
};

/// Physical memory of this machine in bytes (sysconf), 0 when unknown.
std::uint64_t physicalMemoryBytes();

/// Bytes the run needs on this machine (see above), for `footprint` of its problem.
double estimateRunBytes(const Experiment& experiment, const ProblemFootprint& footprint, MemoryScope scope);

/// Throws InputError naming the problem's params when the estimate exceeds the limit.
void requireMemoryFits(const Experiment& experiment, const ProblemFootprint& footprint,
                       const MemoryLimits& limits);

}  // namespace distopt
