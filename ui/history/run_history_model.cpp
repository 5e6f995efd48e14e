#include "ui/history/run_history_model.hpp"

#include <QSet>
#include <algorithm>
#include <map>

namespace distopt::ui {
namespace {

void flatten(const nlohmann::json& value, const std::string& path, std::map<std::string, std::string>& out) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, child] : value.items()) flatten(child, path.empty() ? key : path + "." + key, out);
  } else if (value.is_array() && !value.empty()) {
    for (std::size_t i = 0; i < value.size(); ++i)
      flatten(value[i], path + "[" + std::to_string(i) + "]", out);
  } else {
    out[path] = value.dump();
  }
}

// Rows of a group carry its index + 1 as internal id; group rows (and every row when ungrouped) carry 0.
constexpr quintptr kTopLevel = 0;

/// Numbers before text, each in its natural order; the runs without a value last.
bool groupBefore(const HistoryCell& a, const HistoryCell& b) {
  if (a.text.isEmpty() != b.text.isEmpty()) return b.text.isEmpty();
  if (a.isNumber() != b.isNumber()) return a.isNumber();
  if (a.isNumber()) return a.value.toDouble() < b.value.toDouble();
  return a.text.compare(b.text, Qt::CaseInsensitive) < 0;
}

}  // namespace

RunHistoryModel::RunHistoryModel(QObject* parent)
    : QAbstractItemModel(parent), m_chosen(defaultHistoryColumns()) {}

void RunHistoryModel::refresh(RunStore& store) {
  std::vector<Row> rows;
  for (RunInfo& info : store.listRuns()) {
    Row row;
    row.cells = historyCells(info, store.lastEvaluation(info.id));
    row.info = std::move(info);
    rows.push_back(std::move(row));
  }
  beginResetModel();
  m_rows = std::move(rows);
  rebuild();
  endResetModel();
}

void RunHistoryModel::rebuild() {
  QSet<QString> present;
  m_numeric.clear();
  for (const Row& row : m_rows)
    for (auto it = row.cells.begin(); it != row.cells.end(); ++it) {
      present.insert(it.key());
      if (it->isNumber()) m_numeric.insert(it.key());
    }
  m_available.clear();
  for (const QString& key : orderedHistoryKeys(QStringList(present.begin(), present.end())))
    m_available.push_back(describeHistoryColumn(key));
  m_shown.clear();
  for (const QString& key : m_chosen)
    if (present.contains(key) || key == QLatin1String("run")) m_shown.push_back(describeHistoryColumn(key));

  m_groups.clear();
  m_groupOf.assign(m_rows.size(), -1);
  m_placeInGroup.assign(m_rows.size(), -1);
  if (m_groupBy.isEmpty()) return;
  std::vector<Group> groups;
  for (std::size_t i = 0; i < m_rows.size(); ++i) {
    const auto cell = m_rows[i].cells.find(m_groupBy);
    const HistoryCell value = cell == m_rows[i].cells.end() ? HistoryCell{} : *cell;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
      return g.value.text == value.text && g.value.value == value.value;
    });
    if (it == groups.end()) it = groups.insert(groups.end(), Group{value, {}});
    it->rows.push_back(static_cast<int>(i));
  }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const Group& a, const Group& b) { return groupBefore(a.value, b.value); });
  m_groups = std::move(groups);
  for (std::size_t g = 0; g < m_groups.size(); ++g)
    for (std::size_t place = 0; place < m_groups[g].rows.size(); ++place) {
      const auto row = static_cast<std::size_t>(m_groups[g].rows[place]);
      m_groupOf[row] = static_cast<int>(g);
      m_placeInGroup[row] = static_cast<int>(place);
    }
}

QStringList RunHistoryModel::shownKeys() const {
  QStringList keys;
  for (const HistoryColumn& column : m_shown) keys << column.key;
  return keys;
}

void RunHistoryModel::setChosenColumns(const QStringList& keys) {
  QStringList unique;
  for (const QString& key : keys)
    if (!key.isEmpty() && !unique.contains(key)) unique << key;
  // The run's label is what every action names: it is always there, first.
  unique.removeAll(QStringLiteral("run"));
  unique.prepend(QStringLiteral("run"));
  if (unique == m_chosen) return;
  beginResetModel();
  m_chosen = unique;
  rebuild();
  endResetModel();
}

int RunHistoryModel::columnOf(const QString& key) const {
  for (std::size_t i = 0; i < m_shown.size(); ++i)
    if (m_shown[i].key == key) return static_cast<int>(i);
  return -1;
}

QString RunHistoryModel::keyAt(int column) const {
  return column >= 0 && column < static_cast<int>(m_shown.size())
             ? m_shown[static_cast<std::size_t>(column)].key
             : QString();
}

void RunHistoryModel::setGroupBy(const QString& key) {
  if (key == m_groupBy) return;
  beginResetModel();
  m_groupBy = key;
  rebuild();
  endResetModel();
}

bool RunHistoryModel::isGroup(const QModelIndex& index) const {
  return index.isValid() && index.model() == this && !m_groupBy.isEmpty() && index.internalId() == kTopLevel;
}

const RunHistoryModel::Row* RunHistoryModel::runAt(const QModelIndex& index) const {
  if (!index.isValid() || index.model() != this || isGroup(index)) return nullptr;
  std::size_t row = static_cast<std::size_t>(index.row());
  if (!m_groupBy.isEmpty()) {
    const auto& group = m_groups[static_cast<std::size_t>(index.internalId() - 1)];
    if (row >= group.rows.size()) return nullptr;
    row = static_cast<std::size_t>(group.rows[row]);
  }
  return row < m_rows.size() ? &m_rows[row] : nullptr;
}

std::int64_t RunHistoryModel::runIdOf(const QModelIndex& index) const {
  const Row* row = runAt(index);
  return row ? row->info.id : 0;
}

const HistoryCells* RunHistoryModel::cellsOf(const QModelIndex& index) const {
  const Row* row = runAt(index);
  return row ? &row->cells : nullptr;
}

QModelIndex RunHistoryModel::indexOfRun(std::int64_t runId, int column) const {
  const int row = rowOf(runId);
  if (row < 0) return {};
  if (m_groupBy.isEmpty()) return index(row, column);
  const auto r = static_cast<std::size_t>(row);
  return createIndex(m_placeInGroup[r], column, static_cast<quintptr>(m_groupOf[r] + 1));
}

std::int64_t RunHistoryModel::runIdAt(int row) const {
  return row >= 0 && row < static_cast<int>(m_rows.size()) ? m_rows[static_cast<std::size_t>(row)].info.id
                                                           : 0;
}

int RunHistoryModel::rowOf(std::int64_t runId) const {
  for (std::size_t i = 0; i < m_rows.size(); ++i)
    if (m_rows[i].info.id == runId) return static_cast<int>(i);
  return -1;
}

QModelIndex RunHistoryModel::index(int row, int column, const QModelIndex& parent) const {
  if (row < 0 || column < 0 || column >= columnCount()) return {};
  if (!parent.isValid()) {
    const std::size_t count = m_groupBy.isEmpty() ? m_rows.size() : m_groups.size();
    return static_cast<std::size_t>(row) < count ? createIndex(row, column, kTopLevel) : QModelIndex();
  }
  if (!isGroup(parent)) return {};
  const auto group = static_cast<std::size_t>(parent.row());
  if (group >= m_groups.size() || static_cast<std::size_t>(row) >= m_groups[group].rows.size()) return {};
  return createIndex(row, column, static_cast<quintptr>(group + 1));
}

QModelIndex RunHistoryModel::parent(const QModelIndex& child) const {
  if (!child.isValid() || m_groupBy.isEmpty() || child.internalId() == kTopLevel) return {};
  return createIndex(static_cast<int>(child.internalId() - 1), 0, kTopLevel);
}

int RunHistoryModel::rowCount(const QModelIndex& parent) const {
  if (!parent.isValid()) return static_cast<int>(m_groupBy.isEmpty() ? m_rows.size() : m_groups.size());
  if (!isGroup(parent) || parent.column() != 0) return 0;
  return static_cast<int>(m_groups[static_cast<std::size_t>(parent.row())].rows.size());
}

int RunHistoryModel::columnCount(const QModelIndex& /*parent*/) const {
  return static_cast<int>(m_shown.size());
}

QVariant RunHistoryModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.column() >= columnCount()) return {};
  const QString& key = m_shown[static_cast<std::size_t>(index.column())].key;
  if (isGroup(index)) {
    const Group& group = m_groups[static_cast<std::size_t>(index.row())];
    if (role == Qt::DisplayRole && index.column() == 0)
      return QStringLiteral("%1: %2").arg(describeHistoryColumn(m_groupBy).title,
                                          group.value.text.isEmpty() ? tr("(none)") : group.value.text);
    if (role == Qt::UserRole && key == m_groupBy) return group.value.value;
    return {};
  }
  const Row* row = runAt(index);
  if (!row) return {};
  const auto cell = row->cells.find(key);
  const bool has = cell != row->cells.end();
  switch (role) {
    case Qt::DisplayRole:
      return has ? cell->text : QStringLiteral("–");
    case Qt::UserRole:
      return has ? cell->value : QVariant();
    case Qt::ToolTipRole:
      if (has) return cell->tip;
      // The usual question about a "–": f − f* needs the best possible loss, which few problems know.
      if (key == QLatin1String("summary.final_gap"))
        return tr("%1's problem does not know f* (the best possible loss): compare its final loss instead")
            .arg(QString::fromStdString(row->info.label()));
      return tr("%1 has no %2")
          .arg(QString::fromStdString(row->info.label()),
               m_shown[static_cast<std::size_t>(index.column())].title);
    case Qt::TextAlignmentRole:
      // Numbers (and a number's absence) line up on the right.
      return (has ? cell->isNumber() : m_numeric.contains(key)) ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                                : QVariant();
    default:
      return {};
  }
}

QVariant RunHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= columnCount()) return {};
  const HistoryColumn& column = m_shown[static_cast<std::size_t>(section)];
  if (role == Qt::DisplayRole) return column.title;
  if (role == Qt::ToolTipRole) return column.tip;
  return {};
}

std::vector<ConfigDifference> diffConfigs(const nlohmann::json& left, const nlohmann::json& right) {
  std::map<std::string, std::string> a;
  std::map<std::string, std::string> b;
  flatten(left, "", a);
  flatten(right, "", b);
  std::vector<ConfigDifference> differences;
  auto add = [&](const std::string& path, const std::string& l, const std::string& r) {
    differences.push_back(
        {QString::fromStdString(path), QString::fromStdString(l), QString::fromStdString(r)});
  };
  for (const auto& [path, value] : a) {
    const auto other = b.find(path);
    if (other == b.end())
      add(path, value, "");
    else if (other->second != value)
      add(path, value, other->second);
  }
  for (const auto& [path, value] : b)
    if (!a.count(path)) add(path, "", value);
  std::sort(differences.begin(), differences.end(),
            [](const ConfigDifference& x, const ConfigDifference& y) { return x.path < y.path; });
  return differences;
}

}  // namespace distopt::ui
