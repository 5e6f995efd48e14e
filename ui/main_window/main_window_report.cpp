// MainWindow: the stored run behind the dashboard, and "Export report" (written by a worker thread).
#include <QMessageBox>
#include <QStatusBar>

#include "core/store/run_store.hpp"
#include "core/util/input_error.hpp"
#include "ui/export/report_job.hpp"
#include "ui/history/run_history_panel.hpp"
#include "ui/main_window/main_window.hpp"

namespace distopt::ui {

std::optional<StoreLocation> MainWindow::shownStoreLocation() const {
  if (m_shown.storedRunId) return StoreLocation{m_history->storePath().toStdString(), *m_shown.storedRunId};
  if (!m_shown.runDirectory.isEmpty()) return readStoreLocation(m_shown.runDirectory.toStdString());
  return std::nullopt;
}

std::optional<StoredRun> MainWindow::shownStoredRun(QString* why) const {
  const auto location = shownStoreLocation();
  if (!location) {
    if (why)
      *why = tr("The dashboard shows no stored run (the run was not recorded, or nothing was run yet).");
    return std::nullopt;
  }
  try {
    auto store = RunStore::open(location->path);
    auto run = loadStoredRun(*store, location->runId);
    if (!run && why)
      *why = tr("run %1 is no longer in %2").arg(location->runId).arg(QString::fromStdString(location->path));
    return run;
  } catch (const InputError& e) {
    if (why) *why = QString::fromStdString(e.what());
    return std::nullopt;
  }
}

ReportContent MainWindow::reportContent() const {
  ReportContent content;
  content.experiment = m_shown.experiment;
  content.summary = m_shown.summary;
  std::optional<StoredRun> record;
  const auto location = shownStoreLocation();
  if (location) {
    // One row (label, summary); the data — millions of rows for a full event log — is read by the writer.
    try {
      auto store = RunStore::open(location->path);
      record = loadStoredRun(*store, location->runId,
                             StoredRunParts{.events = false,
                                            .aggregates = false,
                                            .evaluations = false,
                                            .bandwidth = false,
                                            .workers = false});
    } catch (const InputError&) {
      // Unreadable now: the report goes without data/, as for a run that was never stored.
    }
  }
  if (record) {
    if (content.summary.is_null()) content.summary = record->summary;
    content.loadRun = [location = *location]() -> std::optional<StoredRun> {
      try {
        auto store = RunStore::open(location.path);
        return loadStoredRun(*store, location.runId);
      } catch (const InputError&) {
        return std::nullopt;
      }
    };
  }
  const std::string name =
      content.experiment.is_object() ? content.experiment.value("name", std::string()) : "";
  content.title = record ? QString::fromStdString(record->info.label())
                         : QString::fromStdString(name.empty() ? "DistOpt run" : name);
  return content;
}

bool MainWindow::exportReport(const QString& directory, QString* why) {
  QStringList written;
  if (!distopt::ui::exportReport(m_dashboard, reportContent(), directory, &written, why)) return false;
  statusBar()->showMessage(tr("Report written to %1 (%2 files)").arg(directory).arg(written.size()), 10000);
  return true;
}

ReportExportJob* MainWindow::startReportExport(const QString& directory) {
  auto* job = new ReportExportJob(m_dashboard, reportContent(), directory, this);
  statusBar()->showMessage(tr("Writing the report to %1…").arg(directory));
  connect(job, &ReportExportJob::finished, this,
          [this, job, directory](bool ok, const QStringList& written, const QString& why) {
            if (ok)
              statusBar()->showMessage(
                  tr("Report written to %1 (%2 files)").arg(directory).arg(written.size()), 10000);
            else
              QMessageBox::warning(this, tr("Export report"), why);
            job->deleteLater();
          });
  return job;
}

}  // namespace distopt::ui
