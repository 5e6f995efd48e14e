#include "net/worker/worker_role.hpp"

#include <algorithm>
#include <cmath>

namespace distopt::net {

WorkerHost::Clock::time_point emulatedDue(const TimeModel& timeModel, int worker, double tauUnits,
                                          double computeSeconds, double unitSeconds,
                                          WorkerHost::Clock::time_point computeEnd, bool* overrun) {
  double waitSeconds = 0.0;
  if (timeModel.injectsDelay()) {
    // A worker that never finishes (tau = inf) waits "forever": until CANCEL or STOP. So does one told
    // a duration beyond that (a JOB's tau override of 1e300 would overflow the clock's type).
    constexpr double kForever = 1e9;
    const double target = std::isfinite(tauUnits) ? std::min(tauUnits * unitSeconds, kForever) : kForever;
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
