#include "core/config/memory_estimate.hpp"

#include <cmath>
#include <sstream>

#include <unistd.h>

#include "core/config/experiment.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

std::string gibibytes(double bytes) {
  std::ostringstream text;
  text.precision(3);
  text << bytes / (1024.0 * 1024.0 * 1024.0) << " GiB";
  return text.str();
}

}  // namespace

bool MemoryLimits::isValid(std::string* why) const {
  if (!(bytes >= 0.0) || !std::isfinite(bytes)) {
    if (why) *why = "bytes: must be a number >= 0";
    return false;
  }
  return true;
}

std::uint64_t physicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long pageSize = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || pageSize <= 0) return 0;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(pageSize);
}

double estimateRunBytes(const Experiment& experiment, const ProblemFootprint& footprint, MemoryScope scope) {
  const double vector = 8.0 * footprint.dimension;
  const double worker = footprint.dataBytes + kWorkerVectors * vector;
  if (scope == MemoryScope::OneWorker) return worker;
  const double server = footprint.dataBytes + kServerVectors * vector;
  const double workers = static_cast<double>(experiment.workers);
  // The simulator shares one copy of the data between every worker it plays.
  if (experiment.engine == "sim") return server + workers * kWorkerVectors * vector;
  // Workers started through ssh or Slurm use other machines' memory (Slurm's nodes may include this
  // one, but then Slurm's own limits apply).
  double remote = experiment.launcher == kSlurmLauncher ? workers : 0.0;
  for (const auto& host : experiment.hosts) remote += static_cast<double>(host.count);
  return server + (workers - remote) * worker;
}

void requireMemoryFits(const Experiment& experiment, const ProblemFootprint& footprint,
                       const MemoryLimits& limits) {
  requireValid(limits, "memory limits");
  double limit = limits.bytes;
  if (limit == 0.0) limit = kMemoryShare * static_cast<double>(physicalMemoryBytes());
  if (limit <= 0.0) return;  // physical memory unknown: nothing to compare with
  const double need = estimateRunBytes(experiment, footprint, limits.scope);
  if (need <= limit) return;
  std::ostringstream text;
  text << "the run needs at least " << gibibytes(need) << " on this machine (data "
       << gibibytes(footprint.dataBytes) << ", model vectors of d = " << footprint.dimension << "; "
       << (limits.scope == MemoryScope::OneWorker
               ? std::string("one worker")
               : std::to_string(experiment.workers) + " workers, engine " + experiment.engine)
       << ") but may use " << gibibytes(limit) << " (" << static_cast<int>(kMemoryShare * 100)
       << "% of physical memory): make the problem smaller";
  throw InputError("problem.params", text.str());
}

}  // namespace distopt
