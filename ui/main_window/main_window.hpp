#pragma once
// The workbench's top-level window: the experiment editor on the left, the live dashboard in the
// middle, run control in the tool bar and the run's state in the status bar. A run is started and
// watched only through RunClient (DESIGN.md §6). Thread: GUI thread only.

#include <QJsonObject>
#include <QMainWindow>

#include <cstdint>
#include <optional>

#include "core/store/stored_run.hpp"
#include "ui/client/run_client.hpp"

class QAction;
class QLabel;
class QProgressBar;

namespace distopt::ui {

class Dashboard;
class ExperimentEditor;
class RemoteWorkersPanel;
class RunHistoryPanel;

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
  /// already holds is shown at once, live telemetry continues from there.
  bool reattach(const QString& runDirectory, QString* why);
  /// Attaches read-only to a run on another machine through its dashboard feed (a manager's
  /// dashboard): the feed's history first, then live telemetry; the run cannot be stopped from here.
  bool attachRemote(const RunEndpoints& endpoints, QString* why);
  /// Shows a stored run in the dashboard (refused while a run is being watched).
  bool showStoredRun(const StoredRun& run, QString* why);
  /// "Export report" for what the dashboard shows, into `directory`.
  bool exportReport(const QString& directory, QString* why);

  ExperimentEditor* editor() const { return m_editor; }
  Dashboard* dashboard() const { return m_dashboard; }
  RunClient* client() const { return m_client; }
  RunHistoryPanel* history() const { return m_history; }
  RemoteWorkersPanel* remoteWorkers() const { return m_remoteWorkers; }
  /// Shows the "Connect remote workers" window.
  void showRemoteWorkers();
  /// The results folder of the current run.
  QString runDirectory() const { return m_runDirectory; }

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildActions();
  void onValidity(bool valid, const QString& reason);
  void onState(RunClient::State state);
  void onStatus(const QJsonObject& status);
  void onFinished(const QJsonObject& summary);
  void updateWorkerCounts();
  void restoreSettings();
  void exportChartDialog(int chart);
  void toggleManagerFullScreen();
  bool watching() const;
  /// The stored run behind what the dashboard shows (a reopened run, or the current run's row).
  std::optional<StoredRun> shownStoredRun(QString* why) const;

  ExperimentEditor* m_editor = nullptr;
  Dashboard* m_dashboard = nullptr;
  RunClient* m_client = nullptr;
  QAction* m_start = nullptr;
  QAction* m_stop = nullptr;
  QAction* m_openToNetwork = nullptr;  ///< start live runs reachable by other machines (secured)
  bool m_awaitingRemoteExperiment = false;  ///< attached remotely; the feed's history brings the layout
  QLabel* m_runState = nullptr;
  QLabel* m_workerCounts = nullptr;
  QProgressBar* m_progress = nullptr;
  RunHistoryPanel* m_history = nullptr;
  RemoteWorkersPanel* m_remoteWorkers = nullptr;
  QString m_runDirectory;
  QString m_invalidReason;
  nlohmann::json m_shownExperiment = nlohmann::json::object();
  nlohmann::json m_shownSummary;                ///< null until the shown run has finished
  std::optional<std::int64_t> m_shownRunId;     ///< a reopened stored run
  // Reattach shows the stored part first; live records up to these times are already shown.
  double m_backfilledEvents = -1.0;
  double m_backfilledEvaluations = -1.0;
  std::uint64_t m_shownEvents = 0;        ///< records of the watched run the dashboard has
  std::uint64_t m_shownEvaluations = 0;
};

}  // namespace distopt::ui
