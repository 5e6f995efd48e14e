#pragma once
// The dashboard's workers table (model/view): one row per worker with its state, reason, speed, jobs,
// outcome counts, mean delay and bytes, updated from WorkerStatus batches. Sorting is done by a
// QSortFilterProxyModel on top; the raw values are exposed under Qt::UserRole so numbers sort as numbers.

#include <QAbstractTableModel>
#include <vector>

#include "core/telemetry/telemetry.hpp"
#include "ui/charts/units.hpp"

namespace distopt::ui {

class WorkersModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { Id, Host, State, Speed, Jobs, Accepted, Discarded, Cancelled, MeanDelay, BytesUp, BytesDown, Reason, ColumnCount };

  /// Rows kept (worker ids below this): a bogus id must not allocate millions of rows.
  static constexpr int kMaxRows = 1 << 16;

  explicit WorkersModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  /// Merges the newest state of each worker in `batch` (rows appear as workers report).
  void update(const std::vector<WorkerStatus>& batch);
  void clear();
  /// Every worker not dead takes `state` (e.g. "ended"): the run is over, none is alive any more.
  void markEnded(const QString& state);
  const std::vector<WorkerStatus>& workers() const { return m_workers; }
  int countInState(const QString& state) const;

 private:
  std::vector<WorkerStatus> m_workers;  // index = worker id
  std::vector<bool> m_known;
};

}  // namespace distopt::ui
