#pragma once
// The results of a sweep, one row per run, read back from each run's summary.json: what sweep.csv holds
// and what the progress line counts. A run's folder is the only source, so a resumed sweep rebuilds the
// same table from the runs already done.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/sweep_spec.hpp"

namespace distopt::app {

/// How a run of the sweep ended, as the sweep sees it: a diverged run is a result, not a failure.
enum class SweepRunState { Pending, Done, Failed, Stopped };
const char* sweepRunStateName(SweepRunState state);

struct SweepResult {
  SweepRun run;
  std::string folder;  ///< the run's folder (inside the sweep folder)
  SweepRunState state = SweepRunState::Pending;
  std::string why;           ///< for Failed: the reason (exit status, last line of run.log)
  nlohmann::json summary;    ///< the run's summary.json (null until done)
};

/// Reads FOLDER/summary.json: Stopped for a run the user stopped, Failed for one that could not go on,
/// else Done (diverged included), with the summary; Pending when there is none (or it cannot be read).
SweepResult readSweepResult(const SweepRun& run, const std::string& folder);

/// Writes sweep.csv (atomically: temp + rename): run folder, point, seed, one column per swept field,
/// state, termination, final metrics, time to target, bytes, wall time. Throws InputError when it cannot.
void writeSweepTable(const std::string& path, const SweepSpec& spec, const std::vector<SweepResult>& results);

}  // namespace distopt::app
