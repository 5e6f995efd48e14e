#pragma once
// How the GUI writes quantities, so a byte count reads the same in every table, chart and export.

#include <QString>

#include <nlohmann/json.hpp>

namespace distopt::ui {

/// "532 B", "1.25 MB": decimal units (what network links are sold in), 4 significant digits.
QString formatBytes(double bytes);

/// The title of a time axis for a run of `experiment`: "time [units]" for a simulated run (virtual time
/// units), "time [units of 5 ms]" for a live one (its workers.unit_ms), "time [units]" when unknown.
QString timeAxisTitle(const nlohmann::json& experiment);

}  // namespace distopt::ui
