#pragma once
// How the GUI writes quantities, so a byte count reads the same in every table, chart and export.

#include <QString>

namespace distopt::ui {

/// "532 B", "1.25 MB": decimal units (what network links are sold in), 4 significant digits.
QString formatBytes(double bytes);

}  // namespace distopt::ui
