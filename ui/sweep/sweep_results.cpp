#include "ui/sweep/sweep_results.hpp"

#include <QObject>
#include <cmath>
#include <limits>
#include <map>

namespace distopt::ui {
namespace {

double numberOf(const QString& text) {
  bool ok = false;
  const double value = text.toDouble(&ok);
  return ok ? value : std::numeric_limits<double>::quiet_NaN();
}

// A JSON string cell ("\"rennala\"") shown without its quotes; numbers and lists as written.
QString shownValue(const QString& cell) {
  if (cell.size() >= 2 && cell.startsWith(QLatin1Char('"')) && cell.endsWith(QLatin1Char('"')))
    return cell.mid(1, cell.size() - 2);
  return cell;
}

}  // namespace

bool splitCsvLine(const QString& line, QStringList* cells) {
  cells->clear();
  QString cell;
  bool quoted = false;
  for (qsizetype i = 0; i < line.size(); ++i) {
    const QChar c = line[i];
    if (quoted) {
      if (c == QLatin1Char('"') && i + 1 < line.size() && line[i + 1] == QLatin1Char('"')) {
        cell += c;
        ++i;
      } else if (c == QLatin1Char('"')) {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == QLatin1Char('"')) {
      quoted = true;
    } else if (c == QLatin1Char(',')) {
      cells->append(cell);
      cell.clear();
    } else {
      cell += c;
    }
  }
  cells->append(cell);
  return !quoted;
}

QString SweepResults::metricLabel() const {
  if (metric == QLatin1String("final_gap")) return QObject::tr("final f − f*");
  if (metric == QLatin1String("final_loss")) return QObject::tr("final loss");
  if (metric == QLatin1String("final_test_accuracy")) return QObject::tr("final test accuracy");
  return metric;
}

double SweepResults::score(std::size_t index) const {
  const auto& values = points[index].seedValues;
  return values.empty() ? std::numeric_limits<double>::quiet_NaN() : rule().score(values);
}

int SweepResults::best() const {
  const SelectionRule selection = rule();
  int found = -1;
  double bestScore = 0.0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double s = score(i);
    // A point whose every seed failed scores the worst: it is never the best.
    if (!std::isfinite(s)) continue;
    if (found < 0 || selection.better(s, bestScore)) {
      found = static_cast<int>(i);
      bestScore = s;
    }
  }
  return found;
}

bool parseSweepResults(const QString& csv, SweepResults* results, QString* why, const QString& metric,
                       const std::string& statistic) {
  auto fail = [&](const QString& text) {
    if (why) *why = text;
    return false;
  };
  // Records may hold quoted line breaks (a failure's reason): join lines until the quotes close.
  std::vector<QStringList> records;
  QString pending;
  for (const QString& line : csv.split(QLatin1Char('\n'))) {
    pending = pending.isEmpty() ? line : pending + QLatin1Char('\n') + line;
    QStringList cells;
    if (!splitCsvLine(pending, &cells)) continue;
    if (!pending.isEmpty()) records.push_back(cells);
    pending.clear();
  }
  if (!pending.isEmpty()) return fail(QObject::tr("sweep.csv ends inside a quoted cell"));
  if (records.empty()) return fail(QObject::tr("sweep.csv is empty"));
  const QStringList header = records.front();
  const qsizetype state = header.indexOf(QStringLiteral("state"));
  if (header.size() < 4 || header[0] != QLatin1String("run") || header[1] != QLatin1String("point") ||
      header[2] != QLatin1String("seed") || state < 3)
    return fail(QObject::tr("sweep.csv does not start with run,point,seed,…,state"));
  const qsizetype termination = header.indexOf(QStringLiteral("termination"));

  SweepResults out;
  out.axes = header.mid(3, state - 3);
  out.statistic = statistic;
  QString chosen = metric;
  if (chosen.isEmpty()) {
    chosen = QStringLiteral("final_loss");
    const qsizetype gap = header.indexOf(QStringLiteral("final_gap"));
    for (std::size_t r = 1; r < records.size() && gap >= 0; ++r)
      if (records[r].size() == header.size() && std::isfinite(numberOf(records[r][gap])))
        chosen = QStringLiteral("final_gap");
  }
  const qsizetype metricColumn = header.indexOf(chosen);
  if (metricColumn < 0) return fail(QObject::tr("sweep.csv has no column %1").arg(chosen));
  out.metric = chosen;
  const double worst = out.rule().worst();

  std::map<int, SweepPointResult> points;
  std::map<int, std::vector<double>> values;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const QStringList& row = records[r];
    if (row.size() != header.size())
      return fail(QObject::tr("sweep.csv row %1 has %2 cells, the header %3")
                      .arg(r + 1)
                      .arg(row.size())
                      .arg(header.size()));
    bool ok = false;
    const int point = row[1].toInt(&ok);
    if (!ok || point < 0 || point > 1'000'000)
      return fail(QObject::tr("sweep.csv row %1: point '%2' is not a point index").arg(r + 1).arg(row[1]));
    SweepPointResult& p = points[point];
    if (p.runs == 0) {
      p.point = point;
      for (qsizetype a = 3; a < state; ++a) {
        p.values << shownValue(row[a]);
        p.numbers.push_back(numberOf(row[a]));
      }
    }
    ++p.runs;
    ++out.runs;
    p.folders << row[0];
    const QString runState = row[state];
    if (runState == QLatin1String("done")) {
      ++p.done;
      ++out.done;
      const double value = numberOf(row[metricColumn]);
      values[point].push_back(value);
      p.seedValues.push_back(std::isfinite(value) ? value : worst);
      const QString ended = termination >= 0 ? row[termination] : QString();
      if (!ended.isEmpty() && !p.terminations.contains(ended)) p.terminations << ended;
    } else if (runState == QLatin1String("failed")) {
      p.seedValues.push_back(worst);
      ++p.failed;
      ++out.failed;
    }
  }
  for (auto& [index, p] : points) {
    p.metric = summarize(values[index]);
    out.points.push_back(std::move(p));
  }
  *results = std::move(out);
  return true;
}

}  // namespace distopt::ui
