#pragma once
// A read-only table of whole rows sorted through a proxy by each cell's Qt::UserRole (numbers sort as
// numbers): the sweep panel's.
// Thread: GUI thread only.

class QAbstractItemModel;
class QSortFilterProxyModel;
class QTableView;

namespace distopt::ui {

/// A view of `source` through a new proxy (returned in *proxy; the view owns it): rows selected whole,
/// not editable, no row numbers, the last column stretched, sorting on.
QTableView* makeSortableTable(QAbstractItemModel* source, QSortFilterProxyModel** proxy);

}  // namespace distopt::ui
