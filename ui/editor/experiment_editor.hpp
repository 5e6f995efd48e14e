#pragma once
// The experiment editor (docs/architecture.md, rule 6): every field of an experiment file, point and click.
// The problem, algorithm and time model forms are generated from the registry's option metadata, so a new
// component gets its form for free. Validation is the experiment parser's own (parseExperiment), run on every
// edit, so the editor and `distopt-run` can never disagree about what is valid; the first problem is shown at
// its field and reported through validityChanged() for the Start button. Nothing is built here except the
// time model (cheap, and needed for the speed table); problems that read data files are left to the run.
// Thread: GUI thread only.

#include <QString>
#include <QStringList>
#include <QWidget>
#include <vector>

#include <nlohmann/json.hpp>

class QCheckBox;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QScrollArea;
class QSpinBox;
class QTableWidget;
class QVBoxLayout;

namespace distopt::ui {

class EventLogChoice;
class OptionForm;
class WorkerPlacement;

class ExperimentEditor : public QWidget {
  Q_OBJECT

 public:
  /// Rows of the per-worker speed table; the plot always shows every worker.
  static constexpr int kMaxSpeedRows = 256;

  /// `presetsDirectory`: folder of preset experiment files; empty = the one installed beside the
  /// program (PREFIX/bin/../share/distopt/experiments, mirrored in the build tree).
  explicit ExperimentEditor(const QString& presetsDirectory = QString(), QWidget* parent = nullptr);
  ~ExperimentEditor() override;

  /// The experiment as a raw document (what Save writes). Empty fields are left out so the parser's
  /// defaults apply; fields that do not parse are kept as typed, so the parser names them.
  nlohmann::json document() const;
  /// Shows `document`. Refuses (returning false with *why, editor unchanged) what the editor cannot
  /// show: not an object, unknown fields or option names, unknown components. Values that are merely
  /// invalid are shown, marked at their field.
  bool setDocument(const nlohmann::json& document, QString* why = nullptr);
  /// Empty when the experiment can run; otherwise "FIELD.PATH: message" for the first problem.
  QString validationError() const;
  bool isValid() const { return validationError().isEmpty(); }
  /// Every problem found, "FIELD.PATH: message" each (the first is validationError()): the forms'
  /// fields, the parser's (each bad field set aside in turn, so one does not hide the next), the time
  /// model, this machine's limits and where the workers run.
  QStringList validationErrors() const;

  /// Read-only: the form shows an experiment (a run's) that cannot be changed here, but it still
  /// scrolls, and Save still writes it out.
  void setReadOnly(bool readOnly);
  bool isReadOnly() const { return m_readOnly; }

  /// Where the workers run: this machine, or remote slots (how the run is started, not the file).
  WorkerPlacement* workerPlacement() const { return m_placement; }
  /// distopt-run's arguments for where the workers run (none when all are local).
  QStringList runArguments() const;

  /// Reads an experiment file (JSON syntax errors name FILE:LINE:COLUMN) and shows it.
  bool loadFile(const QString& path, QString* why = nullptr);
  /// Writes document() as indented JSON. Becomes the current file.
  bool saveFile(const QString& path, QString* why = nullptr);
  /// Folder of the loaded or saved file (relative data paths resolve against it); empty if none.
  QString baseDirectory() const { return m_baseDirectory; }
  /// Path of the loaded or saved file; empty if none.
  QString currentFile() const { return m_currentFile; }

  /// Folder the presets come from, and the preset files found there (sorted).
  QString presetsDirectory() const { return m_presetsDirectory; }
  QStringList presetFiles() const;

  /// Nominal time tau_i of every worker under the current time model (empty when it cannot be built).
  const std::vector<double>& nominalTimes() const { return m_nominalTimes; }

  // The generated forms and a few fields, for tests and for the main window.
  OptionForm* problemForm() const { return m_problemForm; }
  OptionForm* algorithmForm() const { return m_algorithmForm; }
  OptionForm* timeModelForm() const { return m_timeModelForm; }
  QComboBox* problemCombo() const { return m_problemCombo; }
  QComboBox* algorithmCombo() const { return m_algorithmCombo; }
  QComboBox* timeModelCombo() const { return m_timeModelCombo; }
  QComboBox* presetCombo() const { return m_presetCombo; }
  QComboBox* eventLogCombo() const;
  QSpinBox* workerCount() const { return m_workerCount; }
  QTableWidget* speedTable() const { return m_speedTable; }
  QChartView* speedChart() const { return m_speedChart; }

 public slots:
  /// File dialogs (the buttons); errors are shown in the editor's status line.
  void open();
  void save();

 signals:
  /// The validity or its reason changed; `reason` is empty when valid.
  void validityChanged(bool valid, const QString& reason);
  /// Any edit, load or preset.
  void documentChanged();
  /// "Sweep this…" on a field: its path as --set and --sweep name it ("algorithm.params.gamma") and the
  /// text it holds now (empty when it shows its default).
  void sweepRequested(const QString& path, const QString& current);

 private:
  struct StopRow {
    QCheckBox* enabled = nullptr;
    QLineEdit* value = nullptr;
  };

  QWidget* buildExperimentGroup();
  QWidget* buildProblemGroup();
  QWidget* buildAlgorithmGroup();
  QWidget* buildWorkersGroup();
  QWidget* buildStopGroup();
  QWidget* buildEvalGroup();
  void loadPresets();

  void rebuildProblemForm(const nlohmann::json& params);
  void rebuildAlgorithmForm(const nlohmann::json& params);
  void rebuildTimeModelForm(const nlohmann::json& params);
  void updateSpeeds();
  void onEdited();
  void revalidate();
  void markField(const QString& path, const QString& message);
  void showStatus(const QString& text, bool error);
  /// Forwards a generated form's "Sweep this…" with the form's path prefix.
  void forwardSweeps(OptionForm* form, const QString& prefix);

  QString m_presetsDirectory;
  QString m_baseDirectory;
  QString m_currentFile;
  bool m_loading = false;  ///< inside setDocument: one documentChanged() at the end
  bool m_loadingPreset = false;  ///< setDocument() called for the preset the combo shows
  bool m_lastValid = false;
  QString m_lastReason = QStringLiteral("(not validated)");
  std::vector<double> m_nominalTimes;
  QString m_speedError;  ///< "PATH: message" when the time model cannot be built

  QComboBox* m_presetCombo = nullptr;
  QPushButton* m_openButton = nullptr;
  QPushButton* m_saveButton = nullptr;
  QLabel* m_status = nullptr;
  QWidget* m_content = nullptr;  ///< the sections inside the scroll area
  QScrollArea* m_scroll = nullptr;
  QWidget* m_wheelLayer = nullptr;  ///< over the read-only sections: the wheel still scrolls
  bool m_readOnly = false;

  QLineEdit* m_name = nullptr;
  QPlainTextEdit* m_description = nullptr;
  QLineEdit* m_seed = nullptr;
  QComboBox* m_engine = nullptr;
  EventLogChoice* m_eventLog = nullptr;

  QComboBox* m_problemCombo = nullptr;
  QLabel* m_problemSummary = nullptr;
  QVBoxLayout* m_problemFormSlot = nullptr;
  OptionForm* m_problemForm = nullptr;
  QComboBox* m_sharding = nullptr;

  QComboBox* m_algorithmCombo = nullptr;
  QLabel* m_algorithmSummary = nullptr;
  QVBoxLayout* m_algorithmFormSlot = nullptr;
  OptionForm* m_algorithmForm = nullptr;

  QSpinBox* m_workerCount = nullptr;
  WorkerPlacement* m_placement = nullptr;
  QComboBox* m_timeModelCombo = nullptr;
  QLabel* m_timeModelSummary = nullptr;
  QVBoxLayout* m_timeModelFormSlot = nullptr;
  OptionForm* m_timeModelForm = nullptr;
  QLineEdit* m_unitMs = nullptr;
  QTableWidget* m_speedTable = nullptr;
  QLabel* m_speedNote = nullptr;
  QChartView* m_speedChart = nullptr;

  StopRow m_stopTime;
  StopRow m_stopUpdates;
  StopRow m_stopBytes;
  StopRow m_stopGradients;
  StopRow m_stopGap;
  StopRow m_stopGradNorm;

  QLineEdit* m_evalInterval = nullptr;
  QLineEdit* m_evalEveryUpdates = nullptr;
  QCheckBox* m_evalGradNorm = nullptr;
  QCheckBox* m_evalAccuracy = nullptr;

  /// Widget and message label of every editor-level field, by field path, for marking errors.
  struct Marked {
    QString path;
    QWidget* widget = nullptr;
    QLabel* error = nullptr;
  };
  std::vector<Marked> m_marked;
};

}  // namespace distopt::ui
