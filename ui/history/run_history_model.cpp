#include "ui/history/run_history_model.hpp"

#include <QDateTime>
#include <algorithm>
#include <map>

#include "ui/charts/units.hpp"

namespace distopt::ui {
namespace {

std::optional<double> numberIn(const nlohmann::json& object, const char* key) {
  if (object.is_object() && object.contains(key) && object[key].is_number()) return object[key].get<double>();
  return std::nullopt;
}

QString started(const std::string& iso) {
  const QDateTime time = QDateTime::fromString(QString::fromStdString(iso), Qt::ISODateWithMs);
  return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"))
                        : QString::fromStdString(iso);
}

QString stateOf(const RunInfo& info) {
  // A run whose coordinator died is marked interrupted when the store is opened on its host; one with
  // no end recorded otherwise is running (or was started on another host, which cannot be checked).
  if (!info.terminationName.empty()) return QString::fromStdString(info.terminationName);
  return info.finished() ? QStringLiteral("?") : QStringLiteral("running");
}

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

}  // namespace

RunHistoryModel::RunHistoryModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunHistoryModel::refresh(RunStore& store) {
  std::vector<Row> rows;
  for (RunInfo& info : store.listRuns()) {
    Row row;
    const auto summary = nlohmann::json::parse(info.summaryJson, nullptr, false);
    row.timeToTarget = numberIn(summary, "time_to_target");
    row.finalGap = numberIn(summary, "final_gap");
    const auto up = numberIn(summary, "bytes_uplink");
    const auto down = numberIn(summary, "bytes_downlink");
    if (up || down) row.bytes = static_cast<std::uint64_t>(up.value_or(0) + down.value_or(0));
    row.info = std::move(info);
    rows.push_back(std::move(row));
  }
  beginResetModel();
  m_rows = std::move(rows);
  endResetModel();
}

std::int64_t RunHistoryModel::runIdAt(int row) const {
  return row >= 0 && row < rowCount() ? m_rows[static_cast<std::size_t>(row)].info.id : 0;
}

int RunHistoryModel::rowOf(std::int64_t runId) const {
  for (std::size_t i = 0; i < m_rows.size(); ++i)
    if (m_rows[i].info.id == runId) return static_cast<int>(i);
  return -1;
}

int RunHistoryModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RunHistoryModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunHistoryModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const Row& row = m_rows[static_cast<std::size_t>(index.row())];
  const RunRecord& record = row.info.record;
  const bool sort = role == Qt::UserRole;
  if (role != Qt::DisplayRole && !sort && role != Qt::ToolTipRole) return {};
  auto optionalNumber = [&](const std::optional<double>& value, char format, int precision) -> QVariant {
    if (sort) return value ? QVariant(*value) : QVariant(std::numeric_limits<double>::infinity());
    return value ? QString::number(*value, format, precision) : QStringLiteral("–");
  };
  switch (index.column()) {
    case Label:
      if (role == Qt::ToolTipRole)
        return QStringLiteral("run %1: %2").arg(row.info.id).arg(QString::fromStdString(record.name));
      return QString::fromStdString(row.info.label());
    case Algorithm:
      return QString::fromStdString(record.algorithm);
    case Problem:
      return QString::fromStdString(record.problem);
    case Engine:
      return QString::fromStdString(record.engine);
    case Workers:
      return record.workers;
    case Started:
      return sort ? QVariant(QString::fromStdString(record.startedAt)) : QVariant(started(record.startedAt));
    case Termination:
      if (role == Qt::ToolTipRole) return QString::fromStdString(row.info.terminationDetail);
      return stateOf(row.info);
    case TimeToTarget:
      return optionalNumber(row.timeToTarget, 'f', 1);
    case FinalGap:
      return optionalNumber(row.finalGap, 'e', 2);
    case Bytes:
      if (sort) return row.bytes ? QVariant(static_cast<qulonglong>(*row.bytes)) : QVariant(qulonglong{0});
      return row.bytes ? formatBytes(static_cast<double>(*row.bytes)) : QStringLiteral("–");
    case Tags: {
      QStringList tags;
      for (const auto& tag : record.tags) tags << QString::fromStdString(tag);
      return tags.join(QStringLiteral(", "));
    }
    default:
      return {};
  }
}

QVariant RunHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* const kTitles[] = {"Run",          "Algorithm", "Problem", "Engine",
                                        "Workers",      "Started",   "Outcome", "Time to target",
                                        "Final f − f*", "Bytes",     "Tags"};
  return section >= 0 && section < ColumnCount ? tr(kTitles[section]) : QVariant();
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
