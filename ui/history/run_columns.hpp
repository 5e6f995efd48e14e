#pragma once
// What the run history can show of a run, as cells keyed by column: the run itself ("run", "id",
// "started", "outcome", "tags", "bytes", "dataset"), every field of its experiment by the sweep's dotted
// PATH ("algorithm.params.gamma", "workers.count"; lists as one value), every number of its summary
// ("summary.final_test_accuracy", "summary.wall_seconds") and every family metric of its last evaluation
// ("metric.consensus_error"). A run that never finished takes its final loss, f − f*, ‖∇f‖² and test
// accuracy from its last evaluation. Columns are named in words ("Method", "γ", "Test accuracy"); the
// key stays the column's identity (saved column sets, filters by path).
// Thread: any (no widgets).

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <optional>

#include "core/store/run_store.hpp"

namespace distopt::ui {

/// One cell: `value` is what sorts and filters (a double for numbers, else a QString), `text` what is
/// shown, `tip` an optional tooltip.
struct HistoryCell {
  QVariant value;
  QString text;
  QString tip;

  bool isNumber() const { return value.typeId() == QMetaType::Double; }
};

using HistoryCells = QHash<QString, HistoryCell>;

/// A column: its key, its header in words and a tooltip naming where the value comes from.
struct HistoryColumn {
  QString key;
  QString title;
  QString tip;
};

/// Every cell of one run (parsed once; filters and sorts read these). `last` is the run's latest
/// evaluation point, if any.
HistoryCells historyCells(const RunInfo& info, const std::optional<EvaluationPoint>& last);

/// The header and tooltip of a column key.
HistoryColumn describeHistoryColumn(const QString& key);

/// The columns shown before a person chooses: run, method, problem, data set, engine, workers, started,
/// outcome, time to target, final loss, final f − f*, test accuracy, bytes, tags.
QStringList defaultHistoryColumns();

/// The keys present in `runs`, in a stable, readable order: the run's own columns, then the
/// experiment's fields (method, problem, data, workers first), then results.
QStringList orderedHistoryKeys(const QStringList& keys);

}  // namespace distopt::ui
