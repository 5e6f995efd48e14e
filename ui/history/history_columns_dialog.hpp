#pragma once
// "Columns…" of the run history: every column the listed runs offer, checked when shown, with a search
// field (runs have dozens of experiment fields) and a way back to the default set.
// Thread: GUI thread only.

#include <QStringList>
#include <optional>
#include <vector>

#include "ui/history/run_columns.hpp"

class QWidget;

namespace distopt::ui {

/// The keys to show, in order: the `chosen` ones still checked (also those no listed run has, so they
/// come back with such a run), then the newly checked in `available`'s order. nullopt when cancelled.
std::optional<QStringList> askHistoryColumns(QWidget* parent, const std::vector<HistoryColumn>& available,
                                             const QStringList& chosen);

/// The keys checked in the dialog's terms: `chosen` minus the unchecked, plus the checked (in order).
QStringList mergeHistoryColumns(const QStringList& chosen, const QStringList& checked,
                                const std::vector<HistoryColumn>& available);

}  // namespace distopt::ui
