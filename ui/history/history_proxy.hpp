#pragma once
// The run history's view of RunHistoryModel: the rows that pass a HistoryFilter, sorted by a column
// (numbers as numbers, text case-insensitively, the runs without a value last in either direction).
// Grouped, a group shows while any of its runs passes, with how many do.
// Thread: GUI thread only.

#include <QSortFilterProxyModel>

#include "ui/history/run_filter.hpp"

namespace distopt::ui {

class RunHistoryModel;

class HistoryProxy : public QSortFilterProxyModel {
  Q_OBJECT

 public:
  explicit HistoryProxy(RunHistoryModel* source, QObject* parent = nullptr);

  void setFilter(HistoryFilter filter);
  const HistoryFilter& filter() const { return m_filter; }

  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

 protected:
  bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
  bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

 private:
  RunHistoryModel* m_source;
  HistoryFilter m_filter;
};

}  // namespace distopt::ui
