#pragma once
// The experiment's "events" field in the editor: what a run keeps of its update events — the exact
// aggregates and a sample (the default, a few MB for any run) or also the full per-event log
// (events.csv.gz and every row in the store; hundreds of MB for a large run). Kept apart from the
// editor's other sections so the field's reading, writing and checking live in one place.
// Thread: GUI thread only.

#include <QComboBox>
#include <QString>

#include <nlohmann/json.hpp>

namespace distopt::ui {

class EventLogChoice : public QComboBox {
  Q_OBJECT

 public:
  explicit EventLogChoice(QWidget* parent = nullptr);

  /// Null when `document`'s "events" is absent, "aggregates" or "full"; otherwise the reason, in the
  /// parser's words ("events: ...").
  static QString problemWith(const nlohmann::json& document);
  /// Shows `document`'s choice (absent: aggregates); call after problemWith() found nothing.
  void readFrom(const nlohmann::json& document);
  /// Writes the choice into `document`: "events": "full", or no field for the default (as the
  /// normalised document does).
  void writeTo(nlohmann::json& document) const;
};

}  // namespace distopt::ui
