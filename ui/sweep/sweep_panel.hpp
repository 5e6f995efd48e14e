#pragma once
// The sweep panel (issue 22, "in the workbench"): the experiment of the form run over the values of one
// or more fields and several seeds. It does not run anything itself: it starts `distopt-run EXP --sweep
// PATH=VALUES … --seeds … --jobs N` as a child process (sim runs N at a time, live runs one at a time)
// and reads what that writes — sweep.csv after every run that ends, the store's sweep rows — so the
// command line's resume, refusals and files are the panel's too. It shows a sortable table (one row per
// point, the final metric as mean ± sd over seeds), the final metric against the first swept field (log
// x when the values span decades, a line per combination of the other fields: per method when the
// algorithm is swept), and the chosen point's convergence as mean and band over its seeds. A point opens
// as an ordinary stored run (openRunRequested). Stop sends SIGINT: the runs stop cleanly and Start with
// the same fields resumes the sweep in its folder.
// Thread: GUI thread only.

#include <QProcess>
#include <QString>
#include <QThreadPool>
#include <QWidget>
#include <cstdint>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/telemetry/telemetry.hpp"
#include "ui/sweep/sweep_results_model.hpp"

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;
class QTableWidget;
class QTimer;

namespace distopt::ui {

class TickLabelAxis;

class LiveChart;

class SweepPanel : public QWidget {
  Q_OBJECT

 public:
  /// `storePath`: the run store the sweep records into (the history panel's).
  explicit SweepPanel(const QString& storePath, QWidget* parent = nullptr);
  ~SweepPanel() override;

  /// Where the experiment comes from when Start is pressed (the form's document and its folder).
  void setExperimentSource(std::function<nlohmann::json()> document, std::function<QString()> baseDirectory);
  /// The program to start (default: RunClient::defaultRunProgram()) and the folder new sweeps go in
  /// (default: the workbench's runs folder).
  void setProgram(const QString& program) { m_program = program; }
  void setOutputRoot(const QString& root) { m_outputRoot = root; }

  /// Sweeps `path` over `values` (the command line's syntax: "0.1,0.2", "1e-4..1/log:5"); a field already
  /// listed gets the new values.
  void addField(const QString& path, const QString& values);
  int fieldCount() const;
  void setSeeds(const QString& seeds);
  void setJobs(int jobs);

  /// Starts the sweep of `experiment` (relative data paths against `baseDirectory`). The fields and seeds
  /// are checked first (the refusal names the field); false with *why, nothing started.
  bool start(const nlohmann::json& experiment, const QString& baseDirectory, QString* why);
  bool isRunning() const;
  /// SIGINT to distopt-run: its runs stop cleanly (results written); starting the same sweep resumes it.
  void stop();
  /// The command line of the sweep started last (program first).
  QStringList commandLine() const { return m_command; }
  QString sweepFolder() const { return m_folder; }
  /// The last line distopt-run printed (its progress line), or the reason it ended.
  QString statusText() const;

  SweepResultsModel* model() const { return m_model; }
  QTableView* view() const { return m_view; }
  QChart* metricChart() const { return m_metricChart; }
  LiveChart* curveChart() const { return m_curves; }
  /// Reads sweep.csv again now (the panel does it every half second while the sweep runs).
  void refreshResults();
  /// The best point by the chosen rule (the statistic over seeds of the table's metric, a failed seed
  /// counting as the worst); -1 when none has a result yet.
  int bestPoint() const {
    return m_model->results().best() >= 0 ? m_model->pointAt(m_model->results().best()) : -1;
  }

  /// The stored runs of `point`, in seed order; empty with *why when the store has none (yet).
  std::vector<std::int64_t> runsOf(int point, QString* why) const;
  /// Opens `point`'s first seed as an ordinary run (emits openRunRequested); false with a message.
  bool openPoint(int point);
  /// Loads `point`'s runs from the store on a worker thread, then draws their convergence over the seeds
  /// (mean and band) in the curve chart and emits curvesShown. A newer request supersedes an older one.
  void showPointCurves(int point);
  /// How the best point is chosen: "median", "mean" or "max" (the worst seed), as a comparison's rule.
  void setStatistic(const std::string& statistic);
  void setBandKind(BandKind kind);

 signals:
  /// A run of the sweep to open (the history panel's open path).
  void openRunRequested(std::int64_t runId);
  /// The table was read again and changed.
  void resultsChanged();
  /// distopt-run ended (exit code: 0 done, 1 some run failed, 130 stopped, 2 refused).
  void finished(int exitCode);
  void message(const QString& text);
  /// The curves of `point` are drawn (error empty), or could not be loaded (error says why).
  void curvesShown(int point, const QString& error);

 private:
  void onStart();
  void onFinished(int exitCode, QProcess::ExitStatus status);
  void onOutput();
  void redrawMetricChart();
  void updateButtons();
  QStringList sweepArguments(QString* why) const;
  bool fail(const QString& text, QString* why);
  void drawPointCurves(int point, const std::vector<std::vector<EvaluationPoint>>& seeds);
  void showBest();

  QString m_storePath;
  QString m_program;
  QString m_outputRoot;
  std::function<nlohmann::json()> m_document;
  std::function<QString()> m_baseDirectory;

  QTableWidget* m_fields = nullptr;
  QLineEdit* m_seeds = nullptr;
  QSpinBox* m_jobs = nullptr;
  QComboBox* m_bestBy = nullptr;
  QComboBox* m_bandKind = nullptr;
  QPushButton* m_start = nullptr;
  QPushButton* m_stop = nullptr;
  QPushButton* m_open = nullptr;
  QLabel* m_status = nullptr;
  SweepResultsModel* m_model = nullptr;
  QSortFilterProxyModel* m_proxy = nullptr;
  QTableView* m_view = nullptr;
  QChart* m_metricChart = nullptr;
  std::vector<TickLabelAxis*> m_metricAxes;  ///< the axes drawn over the chart's (tick_label_axis.hpp)
  QChartView* m_metricView = nullptr;
  LiveChart* m_curves = nullptr;
  QTimer* m_poll = nullptr;

  QProcess* m_process = nullptr;
  QStringList m_command;
  QStringList m_lastPlan;  ///< the arguments that define the last sweep: the same again resumes it
  QString m_folder;
  QString m_lastLine;
  QByteArray m_output;
  qint64 m_tableStamp = -1;         ///< sweep.csv's modification time (and size) when last read
  std::uint64_t m_curveTicket = 0;  ///< the latest curve request; older answers are dropped
  int m_shownPoint = -1;
  QThreadPool m_pool;  // last: its destructor waits for loads that use this panel
};

}  // namespace distopt::ui
