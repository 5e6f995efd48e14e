#pragma once
// Whether this machine can run a live experiment's local workers, checked before anything starts: one
// process per worker, each with its own copy of the problem's data and model. A count the machine
// cannot carry (100 000 worker processes on two cores) is refused with the numbers that say why,
// instead of forking until the machine gives out. Thread: any.

#include <QString>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

namespace distopt::ui {

struct MachineResources {
  int cores = 1;
  std::uint64_t availableBytes = 0;  ///< memory free for new processes (MemAvailable); 0 = unknown

  /// This machine, now.
  static MachineResources current();
};

struct LocalWorkerLimits {
  /// Worker processes per core (they mostly wait: emulated speeds, network round trips).
  int workersPerCore = 32;
  /// At least this many are always allowed (a small machine still runs the quickstart).
  int minimumWorkers = 64;
  /// Share of the available memory the workers may take together.
  double memoryShare = 0.8;
  /// What a worker process costs before any data: runtime, libraries, sockets.
  std::uint64_t processBaseBytes = 24ull << 20;

  bool isValid(std::string* why) const;
};

/// Estimated resident memory of one worker of `experiment` (its data and model).
std::uint64_t estimatedWorkerBytes(const nlohmann::json& experiment, const LocalWorkerLimits& limits = {});

/// nullopt when the experiment's local workers fit `machine` (or it is not a live run); else the reason,
/// naming workers.count, the machine's figures and the largest count that fits.
std::optional<QString> localWorkersRefusal(const nlohmann::json& experiment, const MachineResources& machine,
                                           const LocalWorkerLimits& limits = {});

}  // namespace distopt::ui
