#pragma once
// Every run in the run store as a table (Qt model/view) whose columns a person chooses among all the
// runs offer (ui/history/run_columns.hpp: the run, its experiment's fields, its summary's numbers, its
// family metrics). Each run's cells are made once per refresh; filters and sorts read them (through
// HistoryProxy). Grouped by a column, the runs sit under one header row per value of that column (a
// two-level tree); ungrouped, every run is a top-level row. Cells: Qt::DisplayRole the text,
// Qt::UserRole the value to sort by (a double for numbers; invalid when the run has no such value),
// Qt::ToolTipRole where it comes from. The model only lists; edits go through the store and are
// followed by refresh(). Thread: GUI thread only.

#include <QAbstractItemModel>
#include <QSet>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/store/run_store.hpp"
#include "ui/history/run_columns.hpp"

namespace distopt::ui {

class RunHistoryModel : public QAbstractItemModel {
  Q_OBJECT

 public:
  struct Row {
    RunInfo info;
    HistoryCells cells;
  };

  explicit RunHistoryModel(QObject* parent = nullptr);

  /// Reloads the list from `store` (newest first). Throws InputError when the store cannot be read.
  void refresh(RunStore& store);
  /// Every run, in store order (not the view's).
  const std::vector<Row>& rows() const { return m_rows; }
  /// The run id at a position of rows(), 0 when out of range.
  std::int64_t runIdAt(int row) const;
  /// The position of a run in rows(), -1 when not listed. Ungrouped, it is also the run's model row.
  int rowOf(std::int64_t runId) const;

  /// The columns the listed runs have values for, in a readable order.
  const std::vector<HistoryColumn>& availableColumns() const { return m_available; }
  /// The chosen columns the listed runs have (the model's columns, in order).
  const std::vector<HistoryColumn>& shownColumns() const { return m_shown; }
  QStringList shownKeys() const;
  /// The chosen keys, also those no listed run has (they show again when such a run is listed).
  const QStringList& chosenColumns() const { return m_chosen; }
  void setChosenColumns(const QStringList& keys);
  /// The model column of a key, -1 when not shown.
  int columnOf(const QString& key) const;
  QString keyAt(int column) const;

  /// Groups the runs by the values of column `key` (empty: no groups). The key need not be shown.
  void setGroupBy(const QString& key);
  const QString& groupBy() const { return m_groupBy; }
  bool isGroup(const QModelIndex& index) const;
  /// The run of a row, 0 for a group's row.
  std::int64_t runIdOf(const QModelIndex& index) const;
  /// The index of a run's row (in its group when grouped); invalid when not listed.
  QModelIndex indexOfRun(std::int64_t runId, int column = 0) const;
  /// The cells of a run's row, null for a group's row.
  const HistoryCells* cellsOf(const QModelIndex& index) const;

  QModelIndex index(int row, int column, const QModelIndex& parent = QModelIndex()) const override;
  QModelIndex parent(const QModelIndex& child) const override;
  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  int columnCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  struct Group {
    HistoryCell value;  ///< empty text: the runs without the column
    std::vector<int> rows;
  };
  /// Columns and groups from m_rows, m_chosen and m_groupBy (call inside a model reset).
  void rebuild();
  const Row* runAt(const QModelIndex& index) const;

  std::vector<Row> m_rows;
  QStringList m_chosen;
  std::vector<HistoryColumn> m_available;
  std::vector<HistoryColumn> m_shown;
  QSet<QString> m_numeric;  // keys some run has a number for
  QString m_groupBy;
  std::vector<Group> m_groups;
  std::vector<int> m_groupOf;       // per row of m_rows: its group
  std::vector<int> m_placeInGroup;  // per row of m_rows: its row in the group
};

/// One difference between two experiment documents: the field path and each side's value as JSON text
/// ("" when absent on that side).
struct ConfigDifference {
  QString path;
  QString left;
  QString right;
};
/// The fields that differ between two experiment documents, by dotted path (arrays by index), sorted.
std::vector<ConfigDifference> diffConfigs(const nlohmann::json& left, const nlohmann::json& right);

}  // namespace distopt::ui
