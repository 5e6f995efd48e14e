#pragma once
// What a person reads of a sweep besides sweep.csv: sweep.md, one row per point with each final metric
// as mean ± standard deviation over its seeds, and sweep.svg, the main final metric (f − f* where known,
// else the loss or the test accuracy) against the first numeric swept field: median over seeds with a
// min–max band, one line per combination of the other fields, log axes where the values span decades.

#include <string>
#include <utility>
#include <vector>

#include "core/config/sweep_spec.hpp"
#include "sweep_table.hpp"

namespace distopt::app {

/// Writes each (name, text) into `folder` (atomically, one by one); the first failure's reason, or empty
/// (a failed file does not stop the others).
std::string writeReportFiles(const std::string& folder,
                             const std::vector<std::pair<std::string, std::string>>& files);

/// Writes sweep.md and sweep.svg into `folder`; the reason a file could not be written, or empty.
std::string writeSweepReport(const std::string& folder, const std::string& title, const SweepSpec& spec,
                             const std::vector<SweepResult>& results);

}  // namespace distopt::app
