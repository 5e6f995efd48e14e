#include "ui/history/stored_run_view.hpp"

#include "ui/charts/bandwidth_chart.hpp"
#include "ui/charts/delay_histogram.hpp"
#include "ui/dashboard/dashboard.hpp"

namespace distopt::ui {

void addStoredUpdates(Dashboard& dashboard, const StoredRun& run) {
  for (const DelayCount& d : run.delays) dashboard.delays()->addCount(d.worker, d.outcome, d.delay, d.count);
  for (const AcceptedPoint& p : run.accepted) dashboard.bandwidth()->setAcceptedUpdates(p.time, p.count);
}

}  // namespace distopt::ui
