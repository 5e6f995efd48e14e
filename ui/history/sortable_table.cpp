#include "ui/history/sortable_table.hpp"

#include <QHeaderView>
#include <QSortFilterProxyModel>
#include <QTableView>

namespace distopt::ui {

QTableView* makeSortableTable(QAbstractItemModel* source, QSortFilterProxyModel** proxy) {
  auto* view = new QTableView();
  auto* sorted = new QSortFilterProxyModel(view);
  sorted->setSourceModel(source);
  sorted->setSortRole(Qt::UserRole);
  view->setModel(sorted);
  view->setSortingEnabled(true);
  view->setSelectionBehavior(QAbstractItemView::SelectRows);
  view->setEditTriggers(QAbstractItemView::NoEditTriggers);
  view->verticalHeader()->hide();
  view->horizontalHeader()->setStretchLastSection(true);
  if (proxy) *proxy = sorted;
  return view;
}

}  // namespace distopt::ui
