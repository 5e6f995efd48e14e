#include "ui/charts/units.hpp"

#include <array>
#include <cmath>

namespace distopt::ui {

QString formatBytes(double bytes) {
  static const std::array<const char*, 5> kUnits = {"B", "kB", "MB", "GB", "TB"};
  std::size_t unit = 0;
  double value = bytes;
  while (std::abs(value) >= 1000.0 && unit + 1 < kUnits.size()) {
    value /= 1000.0;
    ++unit;
  }
  if (unit == 0) return QStringLiteral("%1 B").arg(value, 0, 'f', 0);
  return QStringLiteral("%1 %2").arg(value, 0, 'g', 4).arg(QString::fromLatin1(kUnits[unit]));
}

}  // namespace distopt::ui
