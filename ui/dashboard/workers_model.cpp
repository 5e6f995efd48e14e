#include "ui/dashboard/workers_model.hpp"

#include <QBrush>
#include <QColor>
#include <algorithm>

namespace distopt::ui {


WorkersModel::WorkersModel(QObject* parent) : QAbstractTableModel(parent) {}

int WorkersModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_workers.size());
}

int WorkersModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant WorkersModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* names[] = {"Worker", "Host", "State", "s/job", "Jobs", "Accepted", "Discarded",
                                "Cancelled", "Mean delay", "Bytes up", "Bytes down", "Reason"};
  return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QVariant();
}

QVariant WorkersModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(m_workers.size())) return {};
  const WorkerStatus& w = m_workers[static_cast<std::size_t>(index.row())];
  if (role == Qt::ForegroundRole && index.column() == State) {
    if (w.state == "dead") return QBrush(QColor(200, 30, 30));
    if (w.state == "suspect" || w.state == "slow") return QBrush(QColor(200, 120, 0));
    return QBrush(QColor(20, 130, 40));
  }
  if (role == Qt::TextAlignmentRole && index.column() != Host && index.column() != State && index.column() != Reason)
    return int(Qt::AlignRight | Qt::AlignVCenter);
  if (role != Qt::DisplayRole && role != Qt::UserRole && role != Qt::ToolTipRole) return {};
  const bool raw = role == Qt::UserRole;
  switch (index.column()) {
    case Id: return w.worker;
    case Host: return QString::fromStdString(w.host);
    case State: return QString::fromStdString(w.state);
    case Speed: return raw ? QVariant(w.meanJobSeconds) : QVariant(QString::number(w.meanJobSeconds, 'g', 3));
    case Jobs: return static_cast<qulonglong>(w.counters.jobsSent);
    case Accepted: return static_cast<qulonglong>(w.counters.accepted);
    case Discarded: return static_cast<qulonglong>(w.counters.discarded);
    case Cancelled: return static_cast<qulonglong>(w.counters.cancelled + w.counters.lateCancelled);
    case MeanDelay: return raw ? QVariant(w.meanDelay) : QVariant(QString::number(w.meanDelay, 'f', 2));
    case BytesUp: return raw ? QVariant(static_cast<qulonglong>(w.bytesUp)) : QVariant(formatBytes(w.bytesUp));
    case BytesDown: return raw ? QVariant(static_cast<qulonglong>(w.bytesDown)) : QVariant(formatBytes(w.bytesDown));
    case Reason: return QString::fromStdString(w.reason);
    default: return {};
  }
}

void WorkersModel::update(const std::vector<WorkerStatus>& batch) {
  // One insert and one change notice per batch: per worker, the sorting proxy re-sorted the whole table
  // each time, quadratic in the worker count.
  int highest = -1;
  for (const auto& status : batch)
    if (status.worker < kMaxRows) highest = std::max(highest, status.worker);
  if (highest < 0) return;
  if (static_cast<std::size_t>(highest) >= m_workers.size()) {
    const std::size_t first = m_workers.size();
    beginInsertRows({}, static_cast<int>(first), highest);
    m_workers.resize(static_cast<std::size_t>(highest) + 1);
    m_known.resize(m_workers.size(), false);
    for (std::size_t i = first; i < m_workers.size(); ++i) m_workers[i].worker = static_cast<int>(i);
    endInsertRows();
  }
  int lowest = highest;
  for (const auto& status : batch) {
    if (status.worker < 0 || status.worker >= kMaxRows) continue;
    const auto index = static_cast<std::size_t>(status.worker);
    m_workers[index] = status;
    m_known[index] = true;
    lowest = std::min(lowest, status.worker);
  }
  emit dataChanged(index(lowest, 0), index(highest, ColumnCount - 1));
}

void WorkersModel::markEnded(const QString& state) {
  // The run is over: nobody is "alive" any more; the dead stay dead (their reason says why).
  if (m_workers.empty()) return;
  const std::string ended = state.toStdString();
  for (auto& worker : m_workers)
    if (worker.state != "dead") worker.state = ended;
  emit dataChanged(index(0, State), index(static_cast<int>(m_workers.size()) - 1, State));
}

void WorkersModel::clear() {
  beginResetModel();
  m_workers.clear();
  m_known.clear();
  endResetModel();
}

int WorkersModel::countInState(const QString& state) const {
  const std::string wanted = state.toStdString();
  return static_cast<int>(std::count_if(m_workers.begin(), m_workers.end(),
                                        [&](const WorkerStatus& w) { return w.state == wanted; }));
}

}  // namespace distopt::ui
