#include "ui/session/shown_run.hpp"

#include <QObject>
#include <algorithm>

#include "ui/dashboard/dashboard.hpp"
#include "ui/history/stored_run_view.hpp"

namespace distopt::ui {

void showStoredRunIn(Dashboard& dashboard, const StoredRun& run) {
  dashboard.beginRun(run.experiment);
  dashboard.addEvaluations(run.evaluations);
  addStoredUpdates(dashboard, run);  // from the aggregates: exact whatever the run kept of its events
  dashboard.addBandwidth(run.bandwidth);
  dashboard.updateWorkers(run.workers);
}

QString terminationText(const QString& termination) {
  if (termination == QLatin1String("time_limit")) return QObject::tr("time limit reached");
  if (termination == QLatin1String("update_limit")) return QObject::tr("update limit reached");
  if (termination == QLatin1String("byte_limit")) return QObject::tr("byte budget spent");
  if (termination == QLatin1String("gradient_limit")) return QObject::tr("gradient budget spent");
  if (termination == QLatin1String("target_reached")) return QObject::tr("target reached");
  if (termination == QLatin1String("diverged")) return QObject::tr("diverged");
  if (termination == QLatin1String("stopped")) return QObject::tr("stopped");
  if (termination == QLatin1String("stalled")) return QObject::tr("stalled (no work left)");
  if (termination == QLatin1String("failed")) return QObject::tr("failed");
  return termination;
}

QString endedStateText(const QJsonObject& summary) {
  const QString termination = summary.value(QStringLiteral("termination")).toString();
  if (termination == QLatin1String("stopped")) return QObject::tr("Stopped");
  if (termination == QLatin1String("diverged")) return QObject::tr("Diverged");
  if (termination == QLatin1String("failed")) return QObject::tr("Failed");
  if (termination.isEmpty()) return QObject::tr("Ended");
  return QObject::tr("Finished (%1)").arg(terminationText(termination));
}

std::optional<double> progressFraction(const QJsonObject& status, const QJsonObject& experiment) {
  // A run that used up its budget is done, whatever clock its summary's time is on.
  const QString termination = status.value(QStringLiteral("termination")).toString();
  for (const char* spent : {"time_limit", "update_limit", "byte_limit", "gradient_limit"})
    if (termination == QLatin1String(spent)) return 1.0;
  std::optional<double> fraction;
  const auto consider = [&fraction](double value, double limit) {
    // A hostile or broken status (NaN, negative) moves nothing.
    if (!(limit > 0.0) || !(value >= 0.0)) return;
    fraction = std::max(fraction.value_or(0.0), std::min(1.0, value / limit));
  };
  const auto number = [&status](const char* key) { return status.value(QLatin1String(key)).toDouble(); };
  consider(number("time"), number("time_limit"));
  consider(number("updates"), number("update_limit"));
  consider(number("bytes"), number("byte_limit"));
  consider(number("gradients"), number("gradient_limit"));
  if (fraction) return fraction;
  // A summary: its time and updates against the experiment's own stop rules (a published or stored
  // summary does not repeat the experiment).
  const QJsonValue own = status.value(QStringLiteral("experiment"));
  const QJsonObject stop =
      (own.isObject() ? own.toObject() : experiment).value(QStringLiteral("stop")).toObject();
  consider(number("time"), stop.value(QStringLiteral("time")).toDouble());
  consider(number("updates_applied"), stop.value(QStringLiteral("updates")).toDouble());
  consider(number("bytes_uplink") + number("bytes_downlink"), stop.value(QStringLiteral("bytes")).toDouble());
  consider(number("gradient_evaluations"), stop.value(QStringLiteral("gradients")).toDouble());
  return fraction;
}

}  // namespace distopt::ui
