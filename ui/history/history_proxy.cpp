#include "ui/history/history_proxy.hpp"

#include "ui/history/run_history_model.hpp"

namespace distopt::ui {

HistoryProxy::HistoryProxy(RunHistoryModel* source, QObject* parent)
    : QSortFilterProxyModel(parent), m_source(source) {
  setSourceModel(source);
  setSortRole(Qt::UserRole);
  // A group row passes when one of its runs does; the group row itself is never tested.
  setRecursiveFilteringEnabled(true);
}

void HistoryProxy::setFilter(HistoryFilter filter) {
  m_filter = std::move(filter);
  invalidateRowsFilter();
}

QVariant HistoryProxy::data(const QModelIndex& index, int role) const {
  const QModelIndex source = mapToSource(index);
  if (role == Qt::DisplayRole && index.column() == 0 && m_source->isGroup(source)) {
    const int runs = rowCount(index);
    return QStringLiteral("%1 (%2)").arg(m_source->data(source).toString(),
                                         runs == 1 ? tr("1 run") : tr("%1 runs").arg(runs));
  }
  return QSortFilterProxyModel::data(index, role);
}

bool HistoryProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
  const QModelIndex row = m_source->index(sourceRow, 0, sourceParent);
  const HistoryCells* cells = m_source->cellsOf(row);
  if (!cells) return false;
  return m_filter.isEmpty() || m_filter.accepts(*cells, m_source->shownKeys());
}

bool HistoryProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const {
  const QVariant a = left.data(Qt::UserRole);
  const QVariant b = right.data(Qt::UserRole);
  // Runs without a value sink to the bottom whichever way the column is sorted (a descending sort
  // asks lessThan the other way round).
  const bool descending = sortOrder() == Qt::DescendingOrder;
  if (!a.isValid() || !b.isValid())
    return a.isValid() == b.isValid() ? false : (a.isValid() ? !descending : descending);
  const bool numberA = a.typeId() == QMetaType::Double;
  const bool numberB = b.typeId() == QMetaType::Double;
  if (numberA && numberB) return a.toDouble() < b.toDouble();
  if (numberA != numberB) return numberA;  // numbers before text
  return a.toString().compare(b.toString(), Qt::CaseInsensitive) < 0;
}

}  // namespace distopt::ui
