#include "ui/editor/event_log_choice.hpp"

#include "core/telemetry/run_digest.hpp"

namespace distopt::ui {

EventLogChoice::EventLogChoice(QWidget* parent) : QComboBox(parent) {
  setObjectName(QStringLiteral("eventLog"));
  // Short: the form is a side panel (its width is tested); the tooltip says the rest.
  addItem(tr("aggregates"), QString::fromLatin1(eventLogName(EventLog::Aggregates)));
  addItem(tr("full: every event"), QString::fromLatin1(eventLogName(EventLog::Full)));
  setToolTip(
      tr("What the run keeps of its update events.\n"
         "aggregates: the exact delay histogram per worker and outcome, the accepted-update timeline and a "
         "sample of 2000 events: a few MB for any run.\n"
         "full: also one row per event (events.csv.gz and the store): hundreds of MB for thousands of "
         "workers."));
}

QString EventLogChoice::problemWith(const nlohmann::json& document) {
  if (!document.is_object() || !document.contains("events")) return {};
  const nlohmann::json& value = document.at("events");
  if (value.is_string() && eventLogFromName(value.get<std::string>())) return {};
  return tr("events: must be \"aggregates\" or \"full\"");
}

void EventLogChoice::readFrom(const nlohmann::json& document) {
  const bool full = document.is_object() && document.contains("events") &&
                    document.at("events").is_string() &&
                    eventLogFromName(document.at("events").get<std::string>()) == EventLog::Full;
  setCurrentIndex(findData(QString::fromLatin1(eventLogName(full ? EventLog::Full : EventLog::Aggregates))));
}

void EventLogChoice::writeTo(nlohmann::json& document) const {
  if (currentData().toString() == QLatin1String(eventLogName(EventLog::Full)))
    document["events"] = eventLogName(EventLog::Full);
}

}  // namespace distopt::ui
