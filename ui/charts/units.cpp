#include "ui/charts/units.hpp"

#include <QObject>
#include <algorithm>
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

QString timeAxisTitle(const nlohmann::json& experiment) {
  if (!experiment.is_object() || experiment.value("engine", std::string()) != "live")
    return QObject::tr("time [units]");
  const auto workers = experiment.find("workers");
  if (workers != experiment.end() && workers->is_object()) {
    const auto unit = workers->find("unit_ms");
    if (unit != workers->end() && unit->is_number() && std::isfinite(unit->get<double>()) &&
        unit->get<double>() > 0.0)
      return QObject::tr("time [units of %1 ms]").arg(unit->get<double>(), 0, 'g', 4);
  }
  return QObject::tr("time [units]");
}

}  // namespace distopt::ui
