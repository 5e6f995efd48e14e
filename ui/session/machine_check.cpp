#include "ui/session/machine_check.hpp"

#include <QFile>
#include <QObject>
#include <QThread>
#include <algorithm>
#include <cmath>

#include "ui/charts/units.hpp"

namespace distopt::ui {
namespace {

// A numeric problem parameter, or 0 when absent or not a sane count.
double countParam(const nlohmann::json& params, const char* name) {
  const auto found = params.find(name);
  if (found == params.end() || !found->is_number()) return 0.0;
  const double value = found->get<double>();
  return std::isfinite(value) && value > 0.0 ? std::min(value, 1e12) : 0.0;
}

}  // namespace

MachineResources MachineResources::current() {
  MachineResources machine;
  machine.cores = std::max(1, QThread::idealThreadCount());
  QFile meminfo(QStringLiteral("/proc/meminfo"));
  if (meminfo.open(QIODevice::ReadOnly)) {
    for (const QByteArray& line : meminfo.readAll().split('\n')) {
      if (!line.startsWith("MemAvailable:")) continue;
      const QList<QByteArray> fields = line.simplified().split(' ');
      if (fields.size() >= 2) machine.availableBytes = fields[1].toULongLong() * 1024ull;
    }
  }
  return machine;
}

bool LocalWorkerLimits::isValid(std::string* why) const {
  const auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (workersPerCore < 1) return fail("workersPerCore: must be >= 1");
  if (minimumWorkers < 1) return fail("minimumWorkers: must be >= 1");
  if (!(memoryShare > 0.0 && memoryShare <= 1.0)) return fail("memoryShare: must be in (0, 1]");
  return true;
}

std::uint64_t estimatedWorkerBytes(const nlohmann::json& experiment, const LocalWorkerLimits& limits) {
  double bytes = static_cast<double>(limits.processBaseBytes);
  const nlohmann::json problem = experiment.value("problem", nlohmann::json::object());
  const nlohmann::json params =
      problem.is_object() ? problem.value("params", nlohmann::json::object()) : nlohmann::json::object();
  if (params.is_object()) {
    const double d = countParam(params, "d");
    const double samples = std::max(countParam(params, "m"), countParam(params, "n"));
    // Each worker builds or loads its own copy of a generated data set (samples x d doubles), and keeps
    // a model, a gradient and a few vectors of d.
    bytes += 8.0 * samples * std::max(d, 1.0) + 8.0 * 6.0 * d;
  }
  return static_cast<std::uint64_t>(std::min(bytes, 1e18));
}

std::optional<QString> localWorkersRefusal(const nlohmann::json& experiment, const MachineResources& machine,
                                           const LocalWorkerLimits& limits) {
  if (!experiment.is_object() || experiment.value("engine", std::string("live")) != "live")
    return std::nullopt;
  const nlohmann::json workers = experiment.value("workers", nlohmann::json::object());
  if (!workers.is_object() || !workers.contains("count") || !workers["count"].is_number())
    return std::nullopt;
  const double count = workers["count"].get<double>();
  const int cores = std::max(1, machine.cores);
  const std::uint64_t perWorker = std::max<std::uint64_t>(1, estimatedWorkerBytes(experiment, limits));
  long long fit =
      std::max<long long>(limits.minimumWorkers, static_cast<long long>(limits.workersPerCore) * cores);
  if (machine.availableBytes > 0)
    fit = std::min<long long>(
        fit, static_cast<long long>(limits.memoryShare * static_cast<double>(machine.availableBytes) /
                                    static_cast<double>(perWorker)));
  if (count <= static_cast<double>(fit)) return std::nullopt;
  return QObject::tr(
             "workers.count: %1 live workers means %1 worker processes on this machine, which has %2 "
             "cores and %3 of memory free (about %4 per worker for this problem): at most %5 fit. Use the "
             "sim engine for large worker counts.")
      .arg(static_cast<long long>(count))
      .arg(cores)
      .arg(machine.availableBytes > 0 ? formatBytes(static_cast<double>(machine.availableBytes))
                                      : QObject::tr("an unknown amount"))
      .arg(formatBytes(static_cast<double>(perWorker)))
      .arg(std::max<long long>(fit, 0));
}

}  // namespace distopt::ui
