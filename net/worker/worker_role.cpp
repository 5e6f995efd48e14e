#include "net/worker/worker_role.hpp"

#include <algorithm>
#include <cmath>

namespace distopt::net {

WorkerHost::Clock::time_point emulatedDue(const TimeModel& timeModel, int worker, double tauUnits,
                                          double computeSeconds, double unitSeconds,
                                          WorkerHost::Clock::time_point computeEnd, bool* overrun) {
  double waitSeconds = 0.0;
  if (timeModel.injectsDelay()) {
    // A worker that never finishes (tau = inf) waits "forever": until CANCEL or STOP.
    const double target = std::isfinite(tauUnits) ? tauUnits * unitSeconds : 1e9;
    if (overrun) *overrun = computeSeconds > target;
    waitSeconds = std::max(0.0, target - computeSeconds);
  } else {
    if (overrun) *overrun = false;
    waitSeconds = (timeModel.naturalSlowdown(worker) - 1.0) * computeSeconds;
  }
  return computeEnd +
         std::chrono::duration_cast<WorkerHost::Clock::duration>(std::chrono::duration<double>(waitSeconds));
}

}  // namespace distopt::net
