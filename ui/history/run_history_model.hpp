#pragma once
// Every run in the run store as a table (Qt model/view): label, algorithm, problem, engine, workers,
// started, termination, time to target, final f − f*, bytes, tags. Sortable through a proxy on
// Qt::UserRole (numbers sort as numbers). The model only lists; edits go through the store and are
// followed by refresh(). Thread: GUI thread only.

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/store/run_store.hpp"

namespace distopt::ui {

class RunHistoryModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { Label, Algorithm, Problem, Engine, Workers, Started, Termination, TimeToTarget, FinalGap, Bytes, Tags,
                ColumnCount };

  struct Row {
    RunInfo info;
    std::optional<double> timeToTarget;
    std::optional<double> finalGap;
    std::optional<std::uint64_t> bytes;
  };

  explicit RunHistoryModel(QObject* parent = nullptr);

  /// Reloads the list from `store` (newest first). Throws InputError when the store cannot be read.
  void refresh(RunStore& store);
  const std::vector<Row>& rows() const { return m_rows; }
  /// The run id in a row, 0 when out of range.
  std::int64_t runIdAt(int row) const;
  /// The row of a run, -1 when not listed.
  int rowOf(std::int64_t runId) const;

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  int columnCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  std::vector<Row> m_rows;
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
