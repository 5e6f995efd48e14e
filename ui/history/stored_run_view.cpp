#include "ui/history/stored_run_view.hpp"

#include "ui/charts/bandwidth_chart.hpp"
#include "ui/charts/delay_histogram.hpp"
#include "ui/dashboard/dashboard.hpp"

namespace distopt::ui {

void addStoredUpdates(Dashboard& dashboard, const StoredRun& run) {
  for (const DelayCount& d : run.delays) dashboard.delays()->addCount(d.worker, d.outcome, d.delay, d.count);
  std::uint64_t accepted = 0;
  for (const DelayCount& d : run.delays)
    if (d.outcome == Outcome::Accepted) accepted += d.count;
  dashboard.addAcceptedTimeline(run.accepted, accepted, run.info.lastEventTime);
}

}  // namespace distopt::ui
