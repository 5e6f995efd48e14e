#include "ui/sweep/sweep_results_model.hpp"

#include <QFont>
#include <cmath>
#include <limits>

namespace distopt::ui {

QString meanSdText(const BandPoint& metric) {
  if (metric.count == 0) return QStringLiteral("–");
  const QString mean = QString::number(metric.mean, 'g', 4);
  return metric.count > 1 ? mean + QStringLiteral(" ± ") + QString::number(metric.stddev, 'g', 2) : mean;
}

SweepResultsModel::SweepResultsModel(QObject* parent) : QAbstractTableModel(parent) {}

void SweepResultsModel::setResults(SweepResults results) {
  const bool sameShape = results.axes == m_results.axes && results.points.size() == m_results.points.size();
  if (sameShape) {
    // Only values change as runs finish: keep the view's selection and scroll position.
    m_results = std::move(results);
    m_best = m_results.best();
    if (rowCount() > 0) emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
    return;
  }
  beginResetModel();
  m_results = std::move(results);
  m_best = m_results.best();
  endResetModel();
}

void SweepResultsModel::setStatistic(const std::string& statistic) {
  if (statistic == m_results.statistic) return;
  m_results.statistic = statistic;
  m_best = m_results.best();
  emit headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
  if (rowCount() > 0) emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

int SweepResultsModel::pointAt(int row) const {
  return row >= 0 && row < rowCount() ? m_results.points[static_cast<std::size_t>(row)].point : -1;
}

int SweepResultsModel::rowOf(int point) const {
  for (int row = 0; row < rowCount(); ++row)
    if (m_results.points[static_cast<std::size_t>(row)].point == point) return row;
  return -1;
}

int SweepResultsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_results.points.size());
}

int SweepResultsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : 1 + static_cast<int>(m_results.axes.size()) + TrailingCount;
}

QVariant SweepResultsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const SweepPointResult& p = m_results.points[static_cast<std::size_t>(index.row())];
  const int axes = static_cast<int>(m_results.axes.size());
  const int column = index.column();
  const bool sort = role == Qt::UserRole;
  if (role == Qt::FontRole && index.row() == m_best) {
    QFont bold;
    bold.setBold(true);
    return bold;
  }
  if (role != Qt::DisplayRole && !sort) {
    if (role == Qt::TextAlignmentRole && column != trailingColumn(Ended))
      return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
  }
  auto number = [&](double value) -> QVariant {
    if (sort) return std::isfinite(value) ? value : std::numeric_limits<double>::infinity();
    return std::isfinite(value) ? QString::number(value, 'g', 4) : QStringLiteral("–");
  };
  if (column == 0)
    return sort ? QVariant(p.point) : QVariant(QStringLiteral("p%1").arg(p.point, 3, 10, QLatin1Char('0')));
  if (column <= axes) {
    const std::size_t a = static_cast<std::size_t>(column - 1);
    if (sort && std::isfinite(p.numbers[a])) return p.numbers[a];
    return p.values[static_cast<qsizetype>(a)];
  }
  switch (column - 1 - axes) {
    case Seeds:
      return sort ? QVariant(p.done)
                  : QVariant(QStringLiteral("%1/%2%3").arg(p.done).arg(p.runs).arg(
                        p.failed ? tr(" (%n failed)", nullptr, p.failed) : QString()));
    case Metric:
      return sort ? number(p.metric.mean) : QVariant(meanSdText(p.metric));
    case Min:
      return number(p.metric.min);
    case Max:
      return number(p.metric.max);
    case Score: {
      const double score = m_results.score(static_cast<std::size_t>(index.row()));
      // A point whose seeds all failed scores ±inf: shown as "–", sorted last for the rule.
      if (sort) return std::isfinite(score) ? score : (m_results.higherIsBetter() ? -1.0 : 1.0) * HUGE_VAL;
      return std::isfinite(score) ? QString::number(score, 'g', 4) : QStringLiteral("–");
    }
    case Ended:
      return p.terminations.join(QStringLiteral(", "));
    default:
      return {};
  }
}

QVariant SweepResultsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  const int axes = static_cast<int>(m_results.axes.size());
  if (section == 0) return tr("point");
  if (section <= axes) {
    // The field's last name: "gamma" rather than "algorithm.params.gamma" (the tooltip of the panel
    // has the full path).
    const QString path = m_results.axes[section - 1];
    return path.section(QLatin1Char('.'), -1);
  }
  const QString metric = m_results.metric.isEmpty() ? tr("metric") : m_results.metricLabel();
  switch (section - 1 - axes) {
    case Seeds:
      return tr("seeds done");
    case Metric:
      return tr("%1 (mean ± sd)").arg(metric);
    case Min:
      return tr("min");
    case Max:
      return tr("max");
    case Score:
      return m_results.statistic == "max"    ? tr("worst seed (best by)")
             : m_results.statistic == "mean" ? tr("mean (best by)")
                                             : tr("median (best by)");
    case Ended:
      return tr("ended");
    default:
      return {};
  }
}

}  // namespace distopt::ui
