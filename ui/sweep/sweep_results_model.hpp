#pragma once
// The sweep panel's results table: one row per point — its values, seeds done, the main final metric as
// mean ± sd over seeds with min and max, the selection rule's score (the best point's row in bold),
// terminations — replaced wholesale as sweep.csv grows. The UserRole of every cell is a number (or the text)
// to sort by through a QSortFilterProxyModel. Thread: GUI thread only.

#include <QAbstractTableModel>

#include "ui/sweep/sweep_results.hpp"

namespace distopt::ui {

class SweepResultsModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  explicit SweepResultsModel(QObject* parent = nullptr);

  void setResults(SweepResults results);
  /// Chooses the best point by another statistic over seeds (median, mean or max = the worst seed).
  void setStatistic(const std::string& statistic);
  const SweepResults& results() const { return m_results; }
  /// The point shown in `row` (a source row).
  int pointAt(int row) const;
  /// The source row of `point`; -1 when absent.
  int rowOf(int point) const;

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  int columnCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  /// The columns after the swept fields' (column 0 is the point, then one per field).
  enum Trailing { Seeds, Metric, Min, Max, Score, Ended, TrailingCount };
  int trailingColumn(Trailing column) const { return 1 + static_cast<int>(m_results.axes.size()) + column; }

 private:
  SweepResults m_results;
  int m_best = -1;  ///< m_results.best(), kept: the font role asks for it per cell
};

/// "0.0123 ± 0.004" (no ± for one seed, "–" for none).
QString meanSdText(const BandPoint& metric);

}  // namespace distopt::ui
