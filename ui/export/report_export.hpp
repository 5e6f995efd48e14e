#pragma once
// "Export report": one folder a user can hand on — every chart of the dashboard as PNG, SVG and PDF with
// a CSV of its drawn data (the same figures as "Export chart", recorded once by chart_export), the
// manager view, the summary table (Markdown and JSON), the experiment file, the run's data (CSV and
// JSON, when the run is in the store) and report.pdf: a first page with the summary as a table, the
// experiment's parameters and the comparison with the baseline and overlaid runs, then one figure a page.
// A report is made in two steps: snapshotReport records every chart on the GUI thread (drawing commands,
// milliseconds), writeReport turns that into files on any thread — the stored run's data, the images
// and the PDF, which take seconds for a large run, never block the GUI (ReportExportJob runs it on a
// worker). exportReport does both in one call.

#include <QPicture>
#include <QString>
#include <QStringList>
#include <functional>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/store/stored_run.hpp"
#include "ui/export/chart_export.hpp"

namespace distopt::ui {

class Dashboard;

struct ReportContent {
  QString title;                       ///< e.g. the run's label
  nlohmann::json experiment;           ///< the experiment document
  nlohmann::json summary;              ///< summary.json content, null while running
  std::optional<StoredRun> storedRun;  ///< the stored data, for data/ (CSV + JSON)
  /// When storedRun is unset: loads it where the report is written (a worker thread); nullopt = none.
  std::function<std::optional<StoredRun>()> loadRun;
};

/// One chart of a report, recorded.
struct ReportPage {
  QString file;  ///< base name
  QString title;
  RecordedFigure figure;
};

using ReportRows = std::vector<std::pair<QString, QString>>;

/// Everything writeReport needs, with nothing left that belongs to the GUI thread.
struct ReportSnapshot {
  ReportContent content;
  std::vector<ReportPage> charts;
  QPicture managerView;
  /// The baseline and the overlaid runs with what the dashboard measured against them; empty when the
  /// run is compared with nothing.
  ReportRows comparison;
};

/// Records what `dashboard` shows (GUI thread).
ReportSnapshot snapshotReport(Dashboard* dashboard, ReportContent content);

/// Writes the report into `directory` (created if needed); any thread. Returns the files written
/// (relative paths); false with *why when a file cannot be written.
bool writeReport(const ReportSnapshot& snapshot, const QString& directory, QStringList* written,
                 QString* why);

/// A stored run's data: CSV files and run.json into `directory`; false with *why naming the file.
bool exportRunData(const StoredRun& run, const QString& directory, QString* why);

/// The summary table's rows as (quantity, value) pairs, in reading order; absent values are skipped.
ReportRows summaryRows(const nlohmann::json& summary);
/// The experiment's parameters as (field, value) rows ("algorithm.params.gamma", "0.5"), in the document's
/// order; the description is left out (it is prose, not a parameter).
ReportRows parameterRows(const nlohmann::json& experiment);

/// Writes the report for what `dashboard` shows into `directory` (created if needed). Returns the
/// files written (relative paths); false with *why when a file cannot be written.
bool exportReport(Dashboard* dashboard, const ReportContent& content, const QString& directory,
                  QStringList* written, QString* why);

}  // namespace distopt::ui
