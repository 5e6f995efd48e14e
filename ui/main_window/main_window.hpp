#pragma once
// The workbench's top-level window: the experiment editor on the left, the live dashboard in the
// middle, run control in the tool bar and the run's state in the status bar. A run is started and
// watched only through RunClient (docs/architecture.md, rule 6). Thread: GUI thread only.

#include <QJsonObject>
#include <QMainWindow>
#include <cstdint>
#include <optional>

#include "core/store/stored_run.hpp"
#include "ui/client/run_client.hpp"
#include "ui/export/report_export.hpp"
#include "ui/session/shown_run.hpp"

class QAction;
class QLabel;
class QProgressBar;

namespace distopt::ui {

class Dashboard;
class ExperimentEditor;
class NoticeBar;
class RemoteWorkersPanel;
class ReportExportJob;
class RunHistoryPanel;
class SweepPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Loads an experiment file into the editor; false with *why when it cannot.
  bool openExperiment(const QString& path, QString* why);
  /// Starts the edited experiment (as Start does); false with *why when it cannot.
  bool startRun(QString* why);
  /// Reattaches the dashboard to a run started earlier, from its results folder: what the run store
  /// already holds is shown at once, live telemetry continues from there. A run that has ended, or
  /// whose coordinator is gone, is shown as it stands (from the store), saying so; false only when
  /// the folder holds no run.
  bool reattach(const QString& runDirectory, QString* why);
  /// Attaches read-only to a run on another machine through its dashboard feed (a manager's
  /// dashboard): the feed's history first, then live telemetry; the run cannot be stopped from here.
  bool attachRemote(const RunEndpoints& endpoints, QString* why);
  /// Shows a stored run in the dashboard (refused while a run is being watched).
  bool showStoredRun(const StoredRun& run, QString* why);
  /// "Export report" for what the dashboard shows, into `directory`, written before this returns.
  bool exportReport(const QString& directory, QString* why);
  /// The same written by a worker thread (the menu's Export report): returns at once; the job reports
  /// in the status bar (or a warning) when done, then deletes itself.
  ReportExportJob* startReportExport(const QString& directory);

  ExperimentEditor* editor() const { return m_editor; }
  Dashboard* dashboard() const { return m_dashboard; }
  RunClient* client() const { return m_client; }
  RunHistoryPanel* history() const { return m_history; }
  RemoteWorkersPanel* remoteWorkers() const { return m_remoteWorkers; }
  /// The sweep panel (a dock, hidden until "Sweep this…" or View → Sweep panel).
  SweepPanel* sweepPanel() const { return m_sweep; }
  /// Shows the "Connect remote workers" window.
  void showRemoteWorkers();
  /// The results folder of the current run.
  QString runDirectory() const { return m_shown.runDirectory; }
  /// What the dashboard shows (and the form, read-only, until editCopy()).
  const ShownRun& shown() const { return m_shown; }
  /// The state line of the status bar ("Running", "Stopped", "Lost: …").
  QString runStateText() const;
  /// The form stops showing the shown run's experiment read-only: it becomes an editable copy.
  void editCopy();
  /// True while the form shows the shown run's experiment, read-only.
  bool formReadOnly() const;
  /// The notice about runs still active (shown at start-up when there are any).
  NoticeBar* activeRunsNotice() const { return m_activeRunsBar; }
  /// Looks for runs still active and offers them in the notice; returns how many there are.
  int checkActiveRuns();
  /// Presentation mode (View → Presentation mode, F11; distopt-workbench --present): the manager view
  /// alone, full screen and large, no form, menus, tool bar or status bar; Esc leaves, and the window
  /// comes back as it was (main_window_presentation.cpp).
  void setPresentationMode(bool on);
  bool presentationMode() const { return m_presentation.has_value(); }

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildActions();
  /// Seeds overlaid as bands, and the sweep panel with its menu entry (main_window_sweep.cpp).
  void buildSweepWorkbench();
  /// Wires the client's signals to the dashboard, the status bar and the Connect window.
  void connectClient();
  void onValidity(bool valid, const QString& reason);
  void onState(RunClient::State state);
  void onStatus(const QJsonObject& status);
  /// "Running", or "Waiting for workers: 2 of 3 joined" while the coordinator waits for them.
  QString runningText() const;
  void onFinished(const QJsonObject& summary);
  void updateWorkerCounts();
  /// Switches what is shown: resets the dashboard, the status bar, the Connect window and the form.
  void beginShowing(ShownRun::Source source, const nlohmann::json& experiment, const QString& label);
  void setRunState(const QString& text);
  /// The form shows the shown run's experiment, read-only, with a banner offering an editable copy.
  void lockForm();
  void saveSettings();
  void chooseRunToReattach();
  bool confirmClose();
  void restoreSettings();
  void exportChartDialog(int chart);
  bool watching() const;
  /// The shown run's name for export file names: its folder's, else its experiment's.
  QString shownRunName() const;
  /// The stored run behind what the dashboard shows (a reopened run, or the current run's row).
  std::optional<StoredRun> shownStoredRun(QString* why) const;
  /// Where that run is stored; nullopt when the dashboard shows none.
  std::optional<StoreLocation> shownStoreLocation() const;
  /// The report's content: the run's record now, its data loaded where the report is written.
  ReportContent reportContent() const;

  ExperimentEditor* m_editor = nullptr;
  Dashboard* m_dashboard = nullptr;
  RunClient* m_client = nullptr;
  QAction* m_start = nullptr;
  QAction* m_stop = nullptr;
  QAction* m_openToNetwork = nullptr;       ///< start live runs reachable by other machines (secured)
  bool m_awaitingRemoteExperiment = false;  ///< attached remotely; the feed's history brings the layout
  QLabel* m_runState = nullptr;
  QLabel* m_workerCounts = nullptr;
  QLabel* m_networkBadge = nullptr;  ///< shown while live runs start open to other machines
  QProgressBar* m_progress = nullptr;
  RunHistoryPanel* m_history = nullptr;
  RemoteWorkersPanel* m_remoteWorkers = nullptr;
  SweepPanel* m_sweep = nullptr;
  NoticeBar* m_activeRunsBar = nullptr;  ///< above the dashboard: runs still active
  NoticeBar* m_formBanner = nullptr;     ///< above the form: it shows the shown run, read-only
  QString m_invalidReason;
  ShownRun m_shown;
  /// While presenting: what to restore when it ends.
  struct Presentation {
    QByteArray windowState;  ///< docks and tool bars (saveState)
    Qt::WindowStates windowStates;
    int tab = 0;
    bool noticeShown = false;
  };
  std::optional<Presentation> m_presentation;
};

}  // namespace distopt::ui
