#include "ui/history/run_columns.hpp"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QObject>
#include <algorithm>
#include <cmath>
#include <tuple>

#include <nlohmann/json.hpp>

#include "ui/charts/units.hpp"

namespace distopt::ui {
namespace {

const QString kSummary = QStringLiteral("summary.");
const QString kMetric = QStringLiteral("metric.");

struct Named {
  const char* key;
  const char* title;
};

// The run's own columns, in their order.
constexpr Named kRunColumns[] = {{"run", "Run"},         {"id", "Id"},     {"started", "Started"},
                                 {"outcome", "Outcome"}, {"tags", "Tags"}, {"bytes", "Bytes"},
                                 {"dataset", "Data set"}};

// Experiment fields people know by name; the rest are named by their path.
constexpr Named kExperimentNames[] = {{"name", "Experiment"},
                                      {"algorithm.name", "Method"},
                                      {"problem.name", "Problem"},
                                      {"data.sharding", "Sharding"},
                                      {"engine", "Engine"},
                                      {"workers.count", "Workers"},
                                      {"workers.time_model.name", "Time model"},
                                      {"workers.unit_ms", "Time unit [ms]"},
                                      {"seed", "Seed"},
                                      {"stop.time", "Time budget"},
                                      {"stop.updates", "Update budget"},
                                      {"stop.wall_seconds", "Wall-time budget [s]"},
                                      {"stop.target_gap", "Target f − f*"},
                                      {"eval.interval", "Evaluation interval"},
                                      {"eval.every_updates", "Evaluated every (updates)"}};

// The summary's numbers (core/telemetry/run_files.cpp summaryToJson), in the order results are read.
constexpr Named kSummaryNames[] = {{"final_loss", "Final loss"},
                                   {"final_gap", "Final f − f*"},
                                   {"final_grad_norm_sq", "Final ‖∇f‖²"},
                                   {"final_test_accuracy", "Test accuracy"},
                                   {"time_to_target", "Time to target"},
                                   {"time", "Engine time"},
                                   {"wall_seconds", "Wall time"},
                                   {"updates_applied", "Updates"},
                                   {"gradient_evaluations", "Gradient evaluations"},
                                   {"bytes_uplink", "Bytes up"},
                                   {"bytes_downlink", "Bytes down"},
                                   {"delay_mean", "Mean delay"},
                                   {"delay_max", "Largest delay"},
                                   {"jobs_sent", "Jobs sent"},
                                   {"arrivals", "Arrivals"},
                                   {"gradients_accepted", "Accepted gradients"},
                                   {"gradients_discarded", "Discarded gradients"},
                                   {"jobs_cancelled", "Cancelled jobs"},
                                   {"late_cancelled", "Cancelled late"},
                                   {"jobs_lost", "Lost jobs"},
                                   {"malformed_dropped", "Malformed messages"},
                                   {"workers", "Workers that ran"}};

// Parameter names written as the symbols the papers use.
constexpr Named kSymbols[] = {{"gamma", "γ"},   {"alpha", "α"},          {"beta", "β"},  {"rho", "ρ"},
                              {"eta", "η"},     {"lambda", "λ"},         {"mu", "μ"},    {"sigma", "σ"},
                              {"tau", "τ"},     {"lr", "learning rate"}, {"theta", "θ"}, {"delta", "δ"},
                              {"epsilon", "ε"}, {"kappa", "κ"},          {"omega", "ω"}};

template <std::size_t N>
int indexIn(const Named (&table)[N], const QString& key) {
  for (std::size_t i = 0; i < N; ++i)
    if (key == QLatin1String(table[i].key)) return static_cast<int>(i);
  return -1;
}

template <std::size_t N>
QString titleIn(const Named (&table)[N], const QString& key) {
  const int i = indexIn(table, key);
  return i < 0 ? QString() : QObject::tr(table[i].title);
}

/// "bits_up_per_iteration" -> "Bits up per iteration"; "grad_norm_sq" reads as ‖∇f‖².
QString inWords(QString name) {
  name.replace(QStringLiteral("grad_norm_sq"), QStringLiteral("‖∇f‖²"));
  name.replace(QLatin1Char('_'), QLatin1Char(' '));
  if (!name.isEmpty()) name[0] = name[0].toUpper();
  return name;
}

QString symbolOrWord(const QString& parameter) {
  const QString symbol = titleIn(kSymbols, parameter);
  return symbol.isEmpty() ? parameter : symbol;
}

/// Numbers as people write them: integers whole (12345, not 1.234e+04), others with four significant
/// digits, scientific only when very small or very large.
QString formatNumber(double value) {
  if (!std::isfinite(value)) return QString::number(value);
  if (value == std::floor(value) && std::abs(value) < 1e15)
    return QString::number(static_cast<qint64>(value));
  const double magnitude = std::abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e4) return QString::number(value, 'g', 4);
  if (magnitude >= 1e4 && magnitude < 1e9) return QString::number(value, 'f', 1);
  return QString::number(value, 'e', 2);
}

/// How a number in column `key` reads.
QString formatFor(const QString& key, double value) {
  if (key == QLatin1String("bytes") || key.endsWith(QLatin1String("bytes_uplink")) ||
      key.endsWith(QLatin1String("bytes_downlink")))
    return formatBytes(value);
  if (key.contains(QLatin1String("accuracy"))) return QStringLiteral("%1 %").arg(value * 100.0, 0, 'f', 2);
  if (key == QLatin1String("summary.wall_seconds")) return QStringLiteral("%1 s").arg(formatNumber(value));
  if (key.endsWith(QLatin1String("gap")) || key.endsWith(QLatin1String("grad_norm_sq")))
    return QString::number(value, 'e', 2);
  return formatNumber(value);
}

HistoryCell numberCell(const QString& key, double value, const QString& tip = QString()) {
  return {value, formatFor(key, value), tip};
}

HistoryCell textCell(const QString& text, const QString& tip = QString()) { return {text, text, tip}; }

/// Every leaf of the experiment by dotted path; a list is one value (its JSON), as a sweep sets it.
void flattenExperiment(const nlohmann::json& value, const QString& path, HistoryCells& cells) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      const QString name = QString::fromStdString(key);
      if (path.isEmpty() && name == QLatin1String("description")) continue;  // prose, not a parameter
      flattenExperiment(child, path.isEmpty() ? name : path + QLatin1Char('.') + name, cells);
    }
    return;
  }
  if (path.isEmpty()) return;
  if (value.is_number())
    cells.insert(path, numberCell(path, value.get<double>()));
  else if (value.is_boolean())
    cells.insert(path, textCell(value.get<bool>() ? QStringLiteral("true") : QStringLiteral("false")));
  else if (value.is_string())
    cells.insert(path, textCell(QString::fromStdString(value.get<std::string>())));
  else if (!value.is_null())
    cells.insert(path, textCell(QString::fromStdString(
                           value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))));
}

/// The data set a problem reads, named as people name it: "a9a" for a9a.gz, "fashion-mnist" for
/// .../fashion-mnist/train-images-idx3-ubyte.gz (a file named after its role takes its folder's name).
QString dataSetOf(const HistoryCells& cells) {
  for (const char* field : {"problem.params.train", "problem.params.train_images", "problem.params.data"}) {
    const auto it = cells.find(QLatin1String(field));
    if (it == cells.end() || it->isNumber()) continue;
    const QString path = it->value.toString();
    const QFileInfo file(path);
    QString name = file.fileName();
    for (const char* suffix : {".gz", ".bz2", ".xz", ".csv", ".txt", ".svm"})
      if (name.endsWith(QLatin1String(suffix))) name.chop(static_cast<int>(qstrlen(suffix)));
    if (name.startsWith(QLatin1String("train")) || name.startsWith(QLatin1String("t10k")))
      name = file.dir().dirName();
    return name.isEmpty() || name == QLatin1String(".") ? path : name;
  }
  return {};
}

QString stateOf(const RunInfo& info) {
  // A run whose coordinator died is marked interrupted when the store is opened on its host; one with
  // no end recorded otherwise is running (or was started on another host, which cannot be checked).
  if (!info.terminationName.empty()) return QString::fromStdString(info.terminationName);
  return info.finished() ? QStringLiteral("?") : QStringLiteral("running");
}

/// Per-entity metrics ("node_consensus_error.3") are one column per node: not offered.
bool perEntity(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot != std::string::npos && dot + 1 < name.size() &&
         std::all_of(name.begin() + static_cast<std::ptrdiff_t>(dot) + 1, name.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

HistoryCells historyCells(const RunInfo& info, const std::optional<EvaluationPoint>& last) {
  HistoryCells cells;
  const RunRecord& record = info.record;
  cells.insert(QStringLiteral("run"),
               textCell(QString::fromStdString(info.label()),
                        QStringLiteral("run %1: %2").arg(info.id).arg(QString::fromStdString(record.name))));
  cells.insert(QStringLiteral("id"), numberCell(QStringLiteral("id"), static_cast<double>(info.id)));
  const QDateTime started =
      QDateTime::fromString(QString::fromStdString(record.startedAt), Qt::ISODateWithMs);
  cells.insert(QStringLiteral("started"),
               {QString::fromStdString(record.startedAt),
                started.isValid() ? started.toLocalTime().toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"))
                                  : QString::fromStdString(record.startedAt),
                {}});
  cells.insert(QStringLiteral("outcome"),
               textCell(stateOf(info), QString::fromStdString(info.terminationDetail)));
  QStringList tags;
  for (const auto& tag : record.tags) tags << QString::fromStdString(tag);
  cells.insert(QStringLiteral("tags"), textCell(tags.join(QStringLiteral(", "))));

  const auto experiment = nlohmann::json::parse(record.experimentJson, nullptr, false);
  if (experiment.is_object()) flattenExperiment(experiment, QString(), cells);
  // The record's own fields stand in for a document that lacks them (runs stored by older builds).
  const auto fallback = [&](const char* key, const HistoryCell& cell) {
    if (!cells.contains(QLatin1String(key))) cells.insert(QLatin1String(key), cell);
  };
  if (!record.algorithm.empty())
    fallback("algorithm.name", textCell(QString::fromStdString(record.algorithm)));
  if (!record.problem.empty()) fallback("problem.name", textCell(QString::fromStdString(record.problem)));
  if (!record.engine.empty()) fallback("engine", textCell(QString::fromStdString(record.engine)));
  if (record.workers > 0)
    fallback("workers.count", numberCell(QStringLiteral("workers.count"), record.workers));
  if (const QString dataSet = dataSetOf(cells); !dataSet.isEmpty())
    cells.insert(QStringLiteral("dataset"), textCell(dataSet));

  const auto summary = nlohmann::json::parse(info.summaryJson, nullptr, false);
  if (summary.is_object())
    for (const auto& [name, value] : summary.items())
      if (value.is_number()) {
        const QString key = kSummary + QString::fromStdString(name);
        cells.insert(key, numberCell(key, value.get<double>()));
      }
  if (last) {
    // A run that never finished (interrupted, still running) has no summary: its curves' ends are its
    // latest figures.
    const QString tip = QObject::tr("from the run's last evaluation (t = %1)").arg(formatNumber(last->time));
    const auto latest = [&](const char* name, std::optional<double> value) {
      const QString key = kSummary + QLatin1String(name);
      if (value && !cells.contains(key)) cells.insert(key, numberCell(key, *value, tip));
    };
    latest("final_loss", last->loss);
    latest("final_gap", last->gap);
    latest("final_grad_norm_sq", last->gradNormSq);
    latest("final_test_accuracy", last->testAccuracy);
    for (const auto& [name, value] : last->metrics)
      if (!perEntity(name)) {
        const QString key = kMetric + QString::fromStdString(name);
        cells.insert(key, numberCell(key, value, tip));
      }
  }
  const auto up = cells.find(kSummary + QLatin1String("bytes_uplink"));
  const auto down = cells.find(kSummary + QLatin1String("bytes_downlink"));
  if (up != cells.end() || down != cells.end()) {
    const double total = (up != cells.end() ? up->value.toDouble() : 0.0) +
                         (down != cells.end() ? down->value.toDouble() : 0.0);
    cells.insert(QStringLiteral("bytes"), numberCell(QStringLiteral("bytes"), total));
  } else if (last) {
    cells.insert(QStringLiteral("bytes"),
                 numberCell(QStringLiteral("bytes"), static_cast<double>(last->bytesUp + last->bytesDown)));
  }
  return cells;
}

HistoryColumn describeHistoryColumn(const QString& key) {
  if (const QString title = titleIn(kRunColumns, key); !title.isEmpty()) {
    const QString tip = key == QLatin1String("bytes")
                            ? QObject::tr("bytes sent up and down over the whole run")
                        : key == QLatin1String("dataset") ? QObject::tr("the problem's training data")
                                                          : QString();
    return {key, title, tip};
  }
  if (key.startsWith(kSummary)) {
    const QString name = key.mid(kSummary.size());
    const QString title = titleIn(kSummaryNames, name);
    return {key, title.isEmpty() ? inWords(name) : title, QObject::tr("the run's summary: %1").arg(name)};
  }
  if (key.startsWith(kMetric)) {
    const QString name = key.mid(kMetric.size());
    return {key, inWords(name), QObject::tr("the family metric %1 at the run's last evaluation").arg(name)};
  }
  const QString tip = QObject::tr("experiment field %1").arg(key);
  if (const QString title = titleIn(kExperimentNames, key); !title.isEmpty()) return {key, title, tip};
  const QString parameter = key.section(QLatin1Char('.'), -1);
  if (key.startsWith(QLatin1String("algorithm.params."))) return {key, symbolOrWord(parameter), tip};
  if (key.startsWith(QLatin1String("problem.params.")))
    return {key, QObject::tr("%1 (problem)").arg(symbolOrWord(parameter)), tip};
  if (key.startsWith(QLatin1String("workers.time_model.params.")))
    return {key, QObject::tr("%1 (time model)").arg(symbolOrWord(parameter)), tip};
  return {key, key, tip};
}

QStringList defaultHistoryColumns() {
  return {QStringLiteral("run"),
          QStringLiteral("algorithm.name"),
          QStringLiteral("problem.name"),
          QStringLiteral("dataset"),
          QStringLiteral("engine"),
          QStringLiteral("workers.count"),
          QStringLiteral("started"),
          QStringLiteral("outcome"),
          QStringLiteral("summary.time_to_target"),
          QStringLiteral("summary.final_loss"),
          QStringLiteral("summary.final_gap"),
          QStringLiteral("summary.final_test_accuracy"),
          QStringLiteral("bytes"),
          QStringLiteral("tags")};
}

QStringList orderedHistoryKeys(const QStringList& keys) {
  // (section, place in its table, key): the run, the experiment's named fields, its algorithm's, the
  // problem's, its other fields, the summary's numbers, the family metrics.
  const auto rank = [](const QString& key) {
    if (const int i = indexIn(kRunColumns, key); i >= 0) return std::tuple(0, i, key);
    if (key.startsWith(kSummary)) {
      const int i = indexIn(kSummaryNames, key.mid(kSummary.size()));
      return std::tuple(5, i < 0 ? 1000 : i, key);
    }
    if (key.startsWith(kMetric)) return std::tuple(6, 0, key);
    if (const int i = indexIn(kExperimentNames, key); i >= 0) return std::tuple(1, i, key);
    if (key.startsWith(QLatin1String("algorithm."))) return std::tuple(2, 0, key);
    if (key.startsWith(QLatin1String("problem."))) return std::tuple(3, 0, key);
    return std::tuple(4, 0, key);
  };
  QStringList ordered = keys;
  std::sort(ordered.begin(), ordered.end(),
            [&](const QString& a, const QString& b) { return rank(a) < rank(b); });
  return ordered;
}

}  // namespace distopt::ui
