#include "ui/editor/experiment_editor.hpp"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMap>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/config/experiment.hpp"
#include "core/data/shards.hpp"
#include "core/registry/registry.hpp"
#include "core/timing/time_models.hpp"
#include "core/util/input_error.hpp"
#include "ui/editor/event_log_choice.hpp"
#include "ui/editor/option_form.hpp"
#include "ui/editor/sweep_this.hpp"
#include "ui/editor/worker_placement.hpp"
#include "ui/session/machine_check.hpp"

namespace distopt::ui {
namespace {

constexpr int kMaxWorkers = 1'000'000;  // parseExperiment's limit
constexpr int kWorkerCountEntryLimit = 999'999'999;
constexpr int kMaxPlotPoints = 2000;  // the sorted curve keeps its shape with far fewer points than workers
const char* const kErrorColour = "#c62828";

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

const QString& invalidFrame() {
  static const QString frame =
      QStringLiteral("QLineEdit { border: 1px solid %1; border-radius: 2px; padding: 1px 2px; }")
          .arg(QLatin1String(kErrorColour));
  return frame;
}

/// A text field's JSON: absent when empty, a number when it reads as one, else the text itself, so the
/// experiment parser names the field instead of the editor silently dropping what was typed.
nlohmann::json numberOrText(const QLineEdit* edit, bool integer) {
  const QString text = edit->text().trimmed();
  if (text.isEmpty()) return nullptr;
  bool ok = false;
  if (integer) {
    const qulonglong value = text.toULongLong(&ok);
    if (ok) return static_cast<std::uint64_t>(value);
    const double asDouble = text.toDouble(&ok);
    if (ok && asDouble >= 0 && std::floor(asDouble) == asDouble && asDouble < 9e15)
      return static_cast<std::uint64_t>(asDouble);
  } else {
    const double value = text.toDouble(&ok);
    // JSON cannot hold inf or nan (they would be saved as null): keep the text for the parser to name.
    if (ok && std::isfinite(value)) return value;
  }
  return text.toStdString();
}

/// The inverse for setDocument: empty for absent/null (and for 0 where 0 means "none").
QString textOf(const nlohmann::json& value, bool zeroIsEmpty = false) {
  if (value.is_null()) return {};
  if (value.is_string()) return fromStd(value.get<std::string>());
  if (zeroIsEmpty && value.is_number() && value.get<double>() == 0.0) return {};
  return fromStd(value.dump());
}

bool hasOnlyKeys(const nlohmann::json& object, const QString& path, const QStringList& allowed,
                 QString* why) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (!allowed.contains(fromStd(it.key()))) {
      if (why)
        *why = (path.isEmpty() ? QString() : path + ".") + fromStd(it.key()) +
               QObject::tr(": unknown field (known: %1)").arg(allowed.join(", "));
      return false;
    }
  }
  return true;
}

/// The section `key` of `parent` as an object (null when absent), or false when it is something else.
bool sectionOf(const nlohmann::json& parent, const std::string& key, const QString& path,
               const QStringList& allowed, nlohmann::json* section, QString* why) {
  *section = parent.contains(key) ? parent.at(key) : nlohmann::json();
  if (section->is_null()) {
    *section = nlohmann::json::object();
    return true;
  }
  if (!section->is_object()) {
    if (why) *why = path + QObject::tr(": must be an object");
    return false;
  }
  return hasOnlyKeys(*section, path, allowed, why);
}

/// Checks a {"name", "params"} section against the registry; *name gets the name (or `fallback`).
template <typename Entry>
const Entry* componentOf(const nlohmann::json& section, const QString& path,
                         const Entry* (*find)(const std::string&), const std::string& fallback,
                         QString* why) {
  std::string name = fallback;
  if (section.contains("name")) {
    if (!section.at("name").is_string()) {
      if (why) *why = path + QObject::tr(".name: must be a string");
      return nullptr;
    }
    name = section.at("name").get<std::string>();
  }
  const Entry* entry = find(name);
  if (!entry) {
    if (why) *why = path + QObject::tr(".name: unknown name \"%1\"").arg(fromStd(name));
    return nullptr;
  }
  QString problem;
  if (!OptionForm::canShow(entry->options,
                           section.contains("params") ? section.at("params") : nlohmann::json(), &problem)) {
    if (why) *why = path + QStringLiteral(".params.") + problem;
    return nullptr;
  }
  return entry;
}

QLabel* makeSummaryLabel(QWidget* parent) {
  auto* label = new QLabel(parent);
  label->setWordWrap(true);
  label->setStyleSheet(QStringLiteral("color: palette(mid);"));
  label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  return label;
}

QComboBox* makeCombo(QWidget* parent) {
  auto* combo = new QComboBox(parent);
  // Long item texts must not widen the side panel.
  combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  combo->setMinimumContentsLength(12);
  return combo;
}

QString formatTime(double value) { return QString::number(value, 'g', 6); }

}  // namespace

ExperimentEditor::ExperimentEditor(const QString& presetsDirectory, QWidget* parent) : QWidget(parent) {
  m_presetsDirectory = presetsDirectory;
  if (m_presetsDirectory.isEmpty()) {
    // The presets installed beside the program (PREFIX/bin/../share/distopt/experiments); the build
    // tree mirrors that layout with a link to the sources', so no build path is compiled in.
    const QString appDir = QCoreApplication::applicationDirPath();
    const QStringList candidates = {appDir + QStringLiteral("/../share/distopt/experiments"),
                                    appDir + QStringLiteral("/resources/experiments")};
    for (const QString& candidate : candidates) {
      if (QFileInfo(candidate).isDir()) {
        m_presetsDirectory = QDir(candidate).absolutePath();
        break;
      }
    }
  }

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);

  auto* fileRow = new QHBoxLayout();
  m_presetCombo = makeCombo(this);
  m_presetCombo->setToolTip(tr("Load one of the experiments that ship with the workbench"));
  m_openButton = new QPushButton(tr("Open…"), this);
  m_saveButton = new QPushButton(tr("Save…"), this);
  fileRow->addWidget(m_presetCombo, 1);
  fileRow->addWidget(m_openButton);
  fileRow->addWidget(m_saveButton);
  layout->addLayout(fileRow);

  auto* scroll = new QScrollArea(this);
  m_scroll = scroll;
  scroll->setWidgetResizable(true);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setFrameShape(QFrame::NoFrame);
  auto* content = new QWidget(scroll);
  m_content = content;
  auto* contentLayout = new QVBoxLayout(content);
  contentLayout->setContentsMargins(0, 0, 6, 0);
  contentLayout->addWidget(buildExperimentGroup());
  contentLayout->addWidget(buildProblemGroup());
  contentLayout->addWidget(buildAlgorithmGroup());
  contentLayout->addWidget(buildWorkersGroup());
  contentLayout->addWidget(buildStopGroup());
  contentLayout->addWidget(buildEvalGroup());
  contentLayout->addStretch(1);
  scroll->setWidget(content);
  layout->addWidget(scroll, 1);

  m_status = new QLabel(this);
  m_status->setWordWrap(true);
  m_status->setObjectName(QStringLiteral("editorStatus"));
  layout->addWidget(m_status);

  // The editor's own numeric fields can be swept too (not the name, the placement or the stop group).
  for (const Marked& marked : m_marked) {
    if (!marked.widget || marked.path == QLatin1String("name") ||
        marked.path == QLatin1String("workers.where"))
      continue;
    const QString path = marked.path;
    QWidget* widget = marked.widget;
    offerSweepThis(widget, [this, path, widget] {
      QString current;
      if (auto* line = qobject_cast<QLineEdit*>(widget)) current = line->text();
      if (auto* spin = qobject_cast<QSpinBox*>(widget)) current = QString::number(spin->value());
      emit sweepRequested(path, current);
    });
  }

  loadPresets();
  connect(m_presetCombo, &QComboBox::activated, this, [this](int index) {
    const QString path = m_presetCombo->itemData(index).toString();
    if (path.isEmpty()) return;
    QString why;
    m_loadingPreset = true;
    const bool loaded = loadFile(path, &why);
    m_loadingPreset = false;
    if (!loaded) {
      m_presetCombo->setCurrentIndex(0);
      showStatus(why, true);
      return;
    }
    // A preset is a template: Save must not offer to overwrite the shipped file.
    m_currentFile.clear();
  });
  connect(m_openButton, &QPushButton::clicked, this, &ExperimentEditor::open);
  connect(m_saveButton, &QPushButton::clicked, this, &ExperimentEditor::save);

  // A small experiment that runs as it stands, so the editor never opens on an invalid document.
  const nlohmann::json initial = {
      {"name", "untitled"},
      {"seed", 1},
      {"engine", "sim"},
      {"problem", {{"name", problemEntries().front().name}, {"params", nlohmann::json::object()}}},
      {"algorithm", {{"name", algorithmEntries().front().name}, {"params", nlohmann::json::object()}}},
      {"workers", {{"count", 16}, {"time_model", {{"name", "fixed"}, {"params", nlohmann::json::object()}}}}},
      {"stop", {{"time", 500}}}};
  setDocument(initial, nullptr);
}

ExperimentEditor::~ExperimentEditor() = default;

QComboBox* ExperimentEditor::eventLogCombo() const { return m_eventLog; }

// ---------------------------------------------------------------------------------------------------
// Building the sections

namespace {

/// A field cell: the editor, and under it a message label shown when the field is invalid.
QWidget* withErrorLabel(QWidget* parent, QWidget* editor, QLabel** error) {
  auto* cell = new QWidget(parent);
  auto* cellLayout = new QVBoxLayout(cell);
  cellLayout->setContentsMargins(0, 0, 0, 0);
  cellLayout->setSpacing(1);
  editor->setParent(cell);
  cellLayout->addWidget(editor);
  *error = new QLabel(cell);
  (*error)->setWordWrap(true);
  (*error)->setStyleSheet(QStringLiteral("color: %1;").arg(QLatin1String(kErrorColour)));
  (*error)->hide();
  cellLayout->addWidget(*error);
  return cell;
}

/// Labels of every section and generated form share one width, so the fields line up down the panel.
int labelWidth(const QWidget* widget) {
  return widget->fontMetrics().horizontalAdvance(QStringLiteral("every (updates)")) + 6;
}

void addLabelledRow(QFormLayout* form, const QString& text, QWidget* field) {
  auto* label = new QLabel(text, field->parentWidget());
  label->setMinimumWidth(labelWidth(label));
  label->setBuddy(field);
  form->addRow(label, field);
}

QFormLayout* makeFormLayout(QWidget* parent) {
  auto* form = new QFormLayout(parent);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  form->setLabelAlignment(Qt::AlignLeft | Qt::AlignTop);
  return form;
}

}  // namespace

QWidget* ExperimentEditor::buildExperimentGroup() {
  auto* group = new QGroupBox(tr("Experiment"), this);
  auto* form = makeFormLayout(group);
  QLabel* error = nullptr;

  m_name = new QLineEdit(group);
  m_name->setPlaceholderText(QStringLiteral("experiment"));
  m_name->setToolTip(tr("Name of the experiment, recorded with every run"));
  addLabelledRow(form, tr("Name"), withErrorLabel(group, m_name, &error));
  m_marked.push_back({QStringLiteral("name"), m_name, error});

  m_description = new QPlainTextEdit(group);
  m_description->setPlaceholderText(tr("What this experiment is for"));
  m_description->setTabChangesFocus(true);
  m_description->setFixedHeight(m_description->fontMetrics().lineSpacing() * 3 + 12);
  addLabelledRow(form, tr("Description"), m_description);

  m_seed = new QLineEdit(group);
  m_seed->setPlaceholderText(tr("default: 1"));
  m_seed->setToolTip(
      tr("Run seed: synthetic data, initial point, random compute times and sharding all derive "
         "from it\nValid: an integer >= 0"));
  addLabelledRow(form, tr("Seed"), withErrorLabel(group, m_seed, &error));
  m_marked.push_back({QStringLiteral("seed"), m_seed, error});

  m_engine = makeCombo(group);
  m_engine->addItem(tr("live: real worker processes"), QStringLiteral("live"));
  m_engine->addItem(tr("sim: simulated, virtual time"), QStringLiteral("sim"));
  m_engine->setToolTip(
      tr("live: one process per worker, sleeping the modelled compute time (times unit_ms)\n"
         "sim: a discrete-event simulation in virtual time, deterministic and fast"));
  addLabelledRow(form, tr("Engine"), m_engine);

  m_eventLog = new EventLogChoice(group);
  addLabelledRow(form, tr("Event log"), m_eventLog);

  connect(m_name, &QLineEdit::textChanged, this, &ExperimentEditor::onEdited);
  connect(m_description, &QPlainTextEdit::textChanged, this, &ExperimentEditor::onEdited);
  connect(m_seed, &QLineEdit::textChanged, this, [this] {
    // Random time models draw from the seed, so the speeds may change with it.
    if (!m_loading) updateSpeeds();
    onEdited();
  });
  connect(m_engine, &QComboBox::currentIndexChanged, this, [this] {
    m_unitMs->setEnabled(m_engine->currentData().toString() == QStringLiteral("live"));
    onEdited();
  });
  connect(m_eventLog, &QComboBox::currentIndexChanged, this, &ExperimentEditor::onEdited);
  return group;
}

QWidget* ExperimentEditor::buildProblemGroup() {
  auto* group = new QGroupBox(tr("Problem and data"), this);
  auto* layout = new QVBoxLayout(group);
  auto* top = makeFormLayout(nullptr);
  m_problemCombo = makeCombo(group);
  for (const auto& entry : problemEntries()) {
    m_problemCombo->addItem(fromStd(entry.name), fromStd(entry.name));
    m_problemCombo->setItemData(m_problemCombo->count() - 1, fromStd(entry.summary), Qt::ToolTipRole);
  }
  addLabelledRow(top, tr("Problem"), m_problemCombo);
  layout->addLayout(top);
  m_problemSummary = makeSummaryLabel(group);
  layout->addWidget(m_problemSummary);
  m_problemFormSlot = new QVBoxLayout();
  layout->addLayout(m_problemFormSlot);

  auto* bottom = makeFormLayout(nullptr);
  m_sharding = makeCombo(group);
  const QMap<QString, QString> shardingHelp = {
      {QStringLiteral("iid"),
       tr("Shuffled, then cut into equal parts: every worker sees the same distribution")},
      {QStringLiteral("contiguous"),
       tr("File order cut into equal slices (heterogeneous if the file is ordered)")},
      {QStringLiteral("non-iid-label"),
       tr("Sorted by label, two chunks per worker: most see one or two classes")},
      {QStringLiteral("shared"), tr("No split: every worker draws from the whole data set")}};
  for (const auto& rule : shardRuleNames()) {
    m_sharding->addItem(fromStd(rule), fromStd(rule));
    m_sharding->setItemData(m_sharding->count() - 1, shardingHelp.value(fromStd(rule)), Qt::ToolTipRole);
  }
  m_sharding->setToolTip(tr("How training samples are divided among the workers"));
  addLabelledRow(bottom, tr("Sharding"), m_sharding);
  layout->addLayout(bottom);

  connect(m_problemCombo, &QComboBox::currentIndexChanged, this, [this] {
    if (m_loading) return;
    rebuildProblemForm(nlohmann::json::object());
    onEdited();
  });
  connect(m_sharding, &QComboBox::currentIndexChanged, this, &ExperimentEditor::onEdited);
  return group;
}

QWidget* ExperimentEditor::buildAlgorithmGroup() {
  auto* group = new QGroupBox(tr("Algorithm"), this);
  auto* layout = new QVBoxLayout(group);
  auto* top = makeFormLayout(nullptr);
  m_algorithmCombo = makeCombo(group);
  for (const auto& entry : algorithmEntries()) {
    m_algorithmCombo->addItem(fromStd(entry.name), fromStd(entry.name));
    m_algorithmCombo->setItemData(m_algorithmCombo->count() - 1, fromStd(entry.summary), Qt::ToolTipRole);
  }
  addLabelledRow(top, tr("Method"), m_algorithmCombo);
  layout->addLayout(top);
  m_algorithmSummary = makeSummaryLabel(group);
  layout->addWidget(m_algorithmSummary);
  m_algorithmFormSlot = new QVBoxLayout();
  layout->addLayout(m_algorithmFormSlot);

  connect(m_algorithmCombo, &QComboBox::currentIndexChanged, this, [this] {
    if (m_loading) return;
    // The new method's own defaults: tuned values of one method mean nothing for another.
    rebuildAlgorithmForm(nlohmann::json::object());
    onEdited();
  });
  return group;
}

QWidget* ExperimentEditor::buildWorkersGroup() {
  auto* group = new QGroupBox(tr("Workers"), this);
  auto* layout = new QVBoxLayout(group);
  auto* top = makeFormLayout(nullptr);
  QLabel* error = nullptr;

  m_workerCount = new QSpinBox(group);
  m_workerCount->setObjectName(QStringLiteral("workers_count"));
  // Wider than the valid range: a typed 0 or 2000000 stays as typed and is refused by validation with
  // the reason, instead of the box silently reverting or dropping a digit.
  m_workerCount->setRange(0, kWorkerCountEntryLimit);
  // Typing 6174 must not build the speeds for 6, 61 and 617 workers on the way.
  m_workerCount->setKeyboardTracking(false);
  m_workerCount->setToolTip(tr("Number of workers\nValid: an integer >= 1 and <= %1").arg(kMaxWorkers));
  addLabelledRow(top, tr("Count"), withErrorLabel(group, m_workerCount, &error));
  m_marked.push_back({QStringLiteral("workers.count"), m_workerCount, error});

  m_placement = new WorkerPlacement(group);
  addLabelledRow(top, tr("Where"), withErrorLabel(group, m_placement, &error));
  m_marked.push_back({QStringLiteral("workers.where"), m_placement, error});
  connect(m_placement, &WorkerPlacement::changed, this, &ExperimentEditor::onEdited);

  m_timeModelCombo = makeCombo(group);
  for (const auto& entry : timeModelEntries()) {
    m_timeModelCombo->addItem(fromStd(entry.name), fromStd(entry.name));
    m_timeModelCombo->setItemData(m_timeModelCombo->count() - 1, fromStd(entry.summary), Qt::ToolTipRole);
  }
  m_timeModelCombo->setToolTip(tr("How long each worker takes per gradient"));
  addLabelledRow(top, tr("Time model"), m_timeModelCombo);
  layout->addLayout(top);
  m_timeModelSummary = makeSummaryLabel(group);
  layout->addWidget(m_timeModelSummary);
  m_timeModelFormSlot = new QVBoxLayout();
  layout->addLayout(m_timeModelFormSlot);

  auto* unitForm = makeFormLayout(nullptr);
  m_unitMs = new QLineEdit(group);
  m_unitMs->setPlaceholderText(tr("default: 10"));
  m_unitMs->setToolTip(tr("Live runs: milliseconds of wall-clock time per time unit\nValid: a number >= 1"));
  addLabelledRow(unitForm, tr("unit_ms"), withErrorLabel(group, m_unitMs, &error));
  m_marked.push_back({QStringLiteral("workers.unit_ms"), m_unitMs, error});
  layout->addLayout(unitForm);

  m_speedTable = new QTableWidget(0, 3, group);
  m_speedTable->setHorizontalHeaderLabels({tr("worker"), tr("τᵢ [units]"), tr("× fastest")});
  m_speedTable->horizontalHeaderItem(0)->setToolTip(
      tr("0-based worker index, as in straggler lists and schedules"));
  m_speedTable->horizontalHeaderItem(1)->setToolTip(
      tr("Nominal time per gradient (the mean for random models), from the time model as configured"));
  m_speedTable->horizontalHeaderItem(2)->setToolTip(tr("τᵢ divided by the smallest τ"));
  m_speedTable->verticalHeader()->hide();
  m_speedTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  m_speedTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_speedTable->setSelectionMode(QAbstractItemView::NoSelection);
  m_speedTable->verticalHeader()->setDefaultSectionSize(m_speedTable->fontMetrics().height() + 4);
  m_speedTable->setFixedHeight(150);
  layout->addWidget(m_speedTable);

  m_speedNote = new QLabel(group);
  m_speedNote->setWordWrap(true);
  layout->addWidget(m_speedNote);

  auto* chart = new QChart();
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->legend()->hide();
  chart->setMargins(QMargins(2, 2, 2, 2));
  chart->setBackgroundRoundness(0);
  auto* series = new QLineSeries(chart);
  chart->addSeries(series);
  auto* xAxis = new QValueAxis(chart);
  xAxis->setTitleText(tr("workers, fastest first"));
  xAxis->setLabelFormat(QStringLiteral("%d"));
  auto* yAxis = new QValueAxis(chart);
  yAxis->setTitleText(tr("τᵢ"));
  yAxis->setLabelFormat(QStringLiteral("%.3g"));
  QFont small = xAxis->labelsFont();
  small.setPointSizeF(small.pointSizeF() * 0.85);
  for (QValueAxis* axis : {xAxis, yAxis}) {
    axis->setLabelsFont(small);
    axis->setTitleFont(small);
    axis->setTickCount(5);
  }
  chart->addAxis(xAxis, Qt::AlignBottom);
  chart->addAxis(yAxis, Qt::AlignLeft);
  series->attachAxis(xAxis);
  series->attachAxis(yAxis);
  m_speedChart = new QChartView(chart, group);
  m_speedChart->setRenderHint(QPainter::Antialiasing);
  m_speedChart->setFixedHeight(170);
  m_speedChart->setToolTip(tr("Nominal time per gradient of every worker, sorted"));
  layout->addWidget(m_speedChart);

  connect(m_workerCount, &QSpinBox::valueChanged, this, [this] {
    if (m_loading) return;
    updateSpeeds();
    onEdited();
  });
  connect(m_timeModelCombo, &QComboBox::currentIndexChanged, this, [this] {
    if (m_loading) return;
    rebuildTimeModelForm(nlohmann::json::object());
    updateSpeeds();
    onEdited();
  });
  connect(m_unitMs, &QLineEdit::textChanged, this, &ExperimentEditor::onEdited);
  return group;
}

QWidget* ExperimentEditor::buildStopGroup() {
  auto* group = new QGroupBox(tr("Stop when"), this);
  auto* form = makeFormLayout(group);
  struct RowSpec {
    StopRow* row;
    QString key;
    QString label;
    QString help;
  };
  const RowSpec rows[] = {
      {&m_stopTime, QStringLiteral("time"), tr("time reaches"),
       tr("Time budget in time units (virtual time; live: times unit_ms)\nValid: a number > 0")},
      {&m_stopUpdates, QStringLiteral("updates"), tr("updates reach"),
       tr("Number of model updates applied by the server\nValid: an integer >= 1")},
      {&m_stopBytes, QStringLiteral("bytes"), tr("bytes moved reach"),
       tr("Communication budget: bytes sent in both directions together (the messages' encoded sizes in "
          "the simulator, counted at the socket live)\nValid: an integer >= 1")},
      {&m_stopGradients, QStringLiteral("gradients"), tr("gradients computed reach"),
       tr("Computation budget: stochastic gradients the workers computed (a minibatch counts one; the "
          "decentralized family counts per-sample gradients, as its paper does)\nValid: an integer >= 1")},
      {&m_stopGap, QStringLiteral("target_gap"), tr("f − f* below"),
       tr("Stop once the optimality gap f(x) − f* is below this (needs a problem that knows f*)\nValid: a "
          "number > 0")},
      {&m_stopGradNorm, QStringLiteral("target_grad_norm_sq"), tr("‖∇f‖² below"),
       tr("Stop once the squared gradient norm is below this; also the ε of the theory defaults\nValid: a "
          "number > 0")},
  };
  for (const RowSpec& spec : rows) {
    auto* rowWidget = new QWidget(group);
    auto* rowLayout = new QHBoxLayout(rowWidget);
    rowLayout->setContentsMargins(0, 0, 0, 0);
    spec.row->enabled = new QCheckBox(spec.label, rowWidget);
    spec.row->enabled->setObjectName(QStringLiteral("stop_") + spec.key);
    spec.row->value = new QLineEdit(rowWidget);
    spec.row->value->setObjectName(QStringLiteral("stop_") + spec.key + QStringLiteral("_value"));
    spec.row->value->setEnabled(false);
    rowLayout->addWidget(spec.row->enabled);
    rowLayout->addWidget(spec.row->value, 1);
    spec.row->enabled->setToolTip(spec.help);
    spec.row->value->setToolTip(spec.help);
    QLabel* error = nullptr;
    form->addRow(withErrorLabel(group, rowWidget, &error));
    m_marked.push_back({QStringLiteral("stop.") + spec.key, spec.row->value, error});
    StopRow* row = spec.row;
    connect(row->enabled, &QCheckBox::toggled, this, [this, row](bool on) {
      row->value->setEnabled(on);
      onEdited();
    });
    connect(row->value, &QLineEdit::textChanged, this, &ExperimentEditor::onEdited);
  }
  auto* note = new QLabel(group);
  QLabel* error = nullptr;
  form->addRow(withErrorLabel(group, note, &error));
  note->hide();
  m_marked.push_back({QStringLiteral("stop"), nullptr, error});
  return group;
}

QWidget* ExperimentEditor::buildEvalGroup() {
  auto* group = new QGroupBox(tr("Evaluate"), this);
  auto* form = makeFormLayout(group);
  QLabel* error = nullptr;
  m_evalInterval = new QLineEdit(group);
  m_evalInterval->setPlaceholderText(tr("auto"));
  m_evalInterval->setToolTip(
      tr("Evaluate f (and the options below) every this many time units; empty or 0 = "
         "none. With neither schedule set: about 200 points over the run\nValid: a number >= 0"));
  addLabelledRow(form, tr("every (time)"), withErrorLabel(group, m_evalInterval, &error));
  m_marked.push_back({QStringLiteral("eval.interval"), m_evalInterval, error});
  m_evalEveryUpdates = new QLineEdit(group);
  m_evalEveryUpdates->setPlaceholderText(tr("auto"));
  m_evalEveryUpdates->setToolTip(
      tr("Evaluate every this many updates; empty or 0 = none\nValid: an integer >= 0"));
  addLabelledRow(form, tr("every (updates)"), withErrorLabel(group, m_evalEveryUpdates, &error));
  m_marked.push_back({QStringLiteral("eval.every_updates"), m_evalEveryUpdates, error});
  m_evalGradNorm = new QCheckBox(tr("squared gradient norm ‖∇f‖²"), group);
  m_evalGradNorm->setToolTip(tr("Also compute the full gradient norm at each evaluation"));
  m_evalAccuracy = new QCheckBox(tr("test accuracy (classifiers)"), group);
  m_evalAccuracy->setToolTip(tr("Also compute accuracy on the test set, for problems that have one"));
  form->addRow(m_evalGradNorm);
  form->addRow(m_evalAccuracy);
  connect(m_evalInterval, &QLineEdit::textChanged, this, &ExperimentEditor::onEdited);
  connect(m_evalEveryUpdates, &QLineEdit::textChanged, this, &ExperimentEditor::onEdited);
  connect(m_evalGradNorm, &QCheckBox::toggled, this, &ExperimentEditor::onEdited);
  connect(m_evalAccuracy, &QCheckBox::toggled, this, &ExperimentEditor::onEdited);
  return group;
}

QStringList ExperimentEditor::presetFiles() const {
  if (m_presetsDirectory.isEmpty()) return {};
  QDir dir(m_presetsDirectory);
  QStringList files;
  for (const QString& name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
    files << dir.absoluteFilePath(name);
  return files;
}

void ExperimentEditor::loadPresets() {
  m_presetCombo->clear();
  const QStringList files = presetFiles();
  m_presetCombo->addItem(files.isEmpty() ? tr("(no presets found)") : tr("Presets…"), QString());
  for (const QString& path : files) {
    m_presetCombo->addItem(QFileInfo(path).completeBaseName(), path);
    // The description makes the tooltip: it says what the preset reproduces.
    try {
      const nlohmann::json preset = readExperimentFile(path.toStdString());
      if (preset.contains("description") && preset.at("description").is_string())
        m_presetCombo->setItemData(m_presetCombo->count() - 1,
                                   fromStd(preset.at("description").get<std::string>()), Qt::ToolTipRole);
    } catch (const std::exception&) {
      // A broken preset still gets listed; choosing it reports the problem.
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Forms

void ExperimentEditor::rebuildProblemForm(const nlohmann::json& params) {
  const ProblemEntry* entry = findProblem(m_problemCombo->currentData().toString().toStdString());
  delete m_problemForm;
  m_problemForm = new OptionForm(entry ? entry->options : std::vector<OptionSpec>{}, this);
  m_problemForm->setObjectName(QStringLiteral("problemForm"));
  m_problemForm->setBaseDirectory(m_baseDirectory);
  m_problemForm->setValues(params);
  m_problemForm->setLabelMinimumWidth(labelWidth(this));
  m_problemSummary->setText(entry ? fromStd(entry->summary) : QString());
  m_problemFormSlot->addWidget(m_problemForm);
  connect(m_problemForm, &OptionForm::changed, this, &ExperimentEditor::onEdited);
  forwardSweeps(m_problemForm, QStringLiteral("problem.params."));
}

void ExperimentEditor::rebuildAlgorithmForm(const nlohmann::json& params) {
  const AlgorithmEntry* entry = findAlgorithm(m_algorithmCombo->currentData().toString().toStdString());
  delete m_algorithmForm;
  m_algorithmForm = new OptionForm(entry ? entry->options : std::vector<OptionSpec>{}, this);
  m_algorithmForm->setObjectName(QStringLiteral("algorithmForm"));
  m_algorithmForm->setValues(params);
  m_algorithmForm->setLabelMinimumWidth(labelWidth(this));
  m_algorithmSummary->setText(entry ? fromStd(entry->summary) : QString());
  m_algorithmFormSlot->addWidget(m_algorithmForm);
  connect(m_algorithmForm, &OptionForm::changed, this, &ExperimentEditor::onEdited);
  forwardSweeps(m_algorithmForm, QStringLiteral("algorithm.params."));
}

void ExperimentEditor::rebuildTimeModelForm(const nlohmann::json& params) {
  const TimeModelEntry* entry = findTimeModel(m_timeModelCombo->currentData().toString().toStdString());
  delete m_timeModelForm;
  m_timeModelForm = new OptionForm(entry ? entry->options : std::vector<OptionSpec>{}, this);
  m_timeModelForm->setObjectName(QStringLiteral("timeModelForm"));
  m_timeModelForm->setValues(params);
  m_timeModelForm->setLabelMinimumWidth(labelWidth(this));
  m_timeModelSummary->setText(entry ? fromStd(entry->summary) : QString());
  m_timeModelFormSlot->addWidget(m_timeModelForm);
  connect(m_timeModelForm, &OptionForm::changed, this, [this] {
    if (m_loading) return;
    updateSpeeds();
    onEdited();
  });
  forwardSweeps(m_timeModelForm, QStringLiteral("workers.time_model.params."));
}

void ExperimentEditor::forwardSweeps(OptionForm* form, const QString& prefix) {
  connect(form, &OptionForm::sweepRequested, this, [this, form, prefix](const QString& name) {
    emit sweepRequested(prefix + name, form->fieldText(name));
  });
}

// ---------------------------------------------------------------------------------------------------
// Speeds

void ExperimentEditor::updateSpeeds() {
  m_nominalTimes.clear();
  m_speedError.clear();
  const int count = m_workerCount->value();
  bool deterministic = true;
  bool injectsDelay = true;
  const TimeModelEntry* entry = findTimeModel(m_timeModelCombo->currentData().toString().toStdString());
  QString formError;
  if (!entry) {
    m_speedError = tr("workers.time_model.name: unknown time model");
  } else if (!m_timeModelForm->isValid(&formError)) {
    // The form already shows the problem at its field; the table just waits for a valid model.
  } else {
    nlohmann::json params = m_timeModelForm->values();
    std::string why;
    const nlohmann::json seed = numberOrText(m_seed, true);
    try {
      if (!validateAndFillOptions(entry->options, params, "workers.time_model.params", &why))
        throw InputError("", why);
      const auto model = entry->make(params, count, seed.is_number_unsigned() ? seed.get<std::uint64_t>() : 1,
                                     "workers.time_model.params");
      m_nominalTimes = distopt::nominalTimes(*model);
      deterministic = model->isDeterministic();
      injectsDelay = model->injectsDelay();
    } catch (const std::exception& error) {
      m_speedError = fromStd(error.what());
      m_nominalTimes.clear();
    }
  }

  const int rows = std::min<int>(static_cast<int>(m_nominalTimes.size()), kMaxSpeedRows);
  std::vector<double> sorted;
  for (double tau : m_nominalTimes)
    if (std::isfinite(tau)) sorted.push_back(tau);
  std::sort(sorted.begin(), sorted.end());
  const double fastest = sorted.empty() ? 1.0 : sorted.front();

  m_speedTable->setUpdatesEnabled(false);
  m_speedTable->setRowCount(rows);
  for (int row = 0; row < rows; ++row) {
    const double tau = m_nominalTimes[static_cast<std::size_t>(row)];
    const QString cells[] = {
        QString::number(row), std::isfinite(tau) ? formatTime(tau) : QStringLiteral("∞"),
        std::isfinite(tau) && fastest > 0 ? formatTime(tau / fastest) : QStringLiteral("–")};
    for (int column = 0; column < 3; ++column) {
      QTableWidgetItem* item = m_speedTable->item(row, column);
      if (!item) {
        item = new QTableWidgetItem();
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_speedTable->setItem(row, column, item);
      }
      item->setText(cells[column]);
    }
  }
  m_speedTable->setUpdatesEnabled(true);

  QStringList notes;
  if (!m_speedError.isEmpty()) {
    notes << QStringLiteral("<span style=\"color:%1\">%2</span>")
                 .arg(QLatin1String(kErrorColour), m_speedError.toHtmlEscaped());
  } else if (!formError.isEmpty()) {
    notes << tr("Fix the time model's options to see the speeds.");
  } else if (!sorted.empty()) {
    const double median = sorted[sorted.size() / 2];
    notes << tr("τ from %1 to %2, median %3.")
                 .arg(formatTime(sorted.front()), formatTime(sorted.back()), formatTime(median));
    if (count > kMaxSpeedRows)
      notes << tr("Table: first %1 of %2 workers; the plot shows all.").arg(kMaxSpeedRows).arg(count);
    if (!deterministic) notes << tr("Random model: τᵢ is the mean time.");
    if (!injectsDelay) notes << tr("Live runs add no delay: τᵢ is the virtual-time stand-in only.");
  }
  m_speedNote->setText(notes.join(QStringLiteral(" ")));

  auto* series = static_cast<QLineSeries*>(m_speedChart->chart()->series().front());
  QList<QPointF> points;
  if (!sorted.empty()) {
    const std::size_t n = sorted.size();
    const std::size_t step = std::max<std::size_t>(1, n / kMaxPlotPoints);
    for (std::size_t i = 0; i < n; i += step) points.append(QPointF(static_cast<double>(i + 1), sorted[i]));
    if (points.back().x() != static_cast<double>(n))
      points.append(QPointF(static_cast<double>(n), sorted.back()));
  }
  series->replace(points);
  const auto axes = m_speedChart->chart()->axes();
  for (QAbstractAxis* axis : axes) {
    auto* valueAxis = static_cast<QValueAxis*>(axis);
    if (axis->orientation() == Qt::Horizontal) {
      valueAxis->setRange(1.0, std::max<double>(2.0, static_cast<double>(sorted.size())));
    } else {
      const double low = sorted.empty() ? 0.0 : sorted.front();
      const double high = sorted.empty() ? 1.0 : sorted.back();
      // Equal speeds would give an empty range; pad so the flat line sits inside the plot.
      const double pad = high > low ? 0.05 * (high - low) : std::max(0.05 * std::abs(high), 0.05);
      valueAxis->setRange(std::max(0.0, low - pad), high + pad);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The document

nlohmann::json ExperimentEditor::document() const {
  nlohmann::json doc = nlohmann::json::object();
  const QString name = m_name->text().trimmed();
  if (!name.isEmpty()) doc["name"] = name.toStdString();
  const QString description = m_description->toPlainText().trimmed();
  if (!description.isEmpty()) doc["description"] = description.toStdString();
  if (const auto seed = numberOrText(m_seed, true); !seed.is_null()) doc["seed"] = seed;
  doc["engine"] = m_engine->currentData().toString().toStdString();
  m_eventLog->writeTo(doc);
  doc["problem"] = {{"name", m_problemCombo->currentData().toString().toStdString()},
                    {"params", m_problemForm->values()}};
  doc["data"] = {{"sharding", m_sharding->currentData().toString().toStdString()}};
  doc["algorithm"] = {{"name", m_algorithmCombo->currentData().toString().toStdString()},
                      {"params", m_algorithmForm->values()}};
  nlohmann::json workers = {{"count", m_workerCount->value()},
                            {"time_model",
                             {{"name", m_timeModelCombo->currentData().toString().toStdString()},
                              {"params", m_timeModelForm->values()}}}};
  if (const auto unit = numberOrText(m_unitMs, false); !unit.is_null()) workers["unit_ms"] = unit;
  m_placement->writeLauncher(workers);
  doc["workers"] = workers;

  nlohmann::json stop = nlohmann::json::object();
  auto addStop = [&stop](const StopRow& row, const char* key, bool integer) {
    if (!row.enabled->isChecked()) return;
    const auto value = numberOrText(row.value, integer);
    // An enabled rule with no value is a mistake, not "off": keep it so the parser names it.
    stop[key] = value.is_null() ? nlohmann::json("") : value;
  };
  addStop(m_stopTime, "time", false);
  addStop(m_stopUpdates, "updates", true);
  addStop(m_stopBytes, "bytes", true);
  addStop(m_stopGradients, "gradients", true);
  addStop(m_stopGap, "target_gap", false);
  addStop(m_stopGradNorm, "target_grad_norm_sq", false);
  doc["stop"] = stop;

  nlohmann::json eval = nlohmann::json::object();
  if (const auto interval = numberOrText(m_evalInterval, false); !interval.is_null())
    eval["interval"] = interval;
  if (const auto every = numberOrText(m_evalEveryUpdates, true); !every.is_null())
    eval["every_updates"] = every;
  eval["grad_norm"] = m_evalGradNorm->isChecked();
  eval["accuracy"] = m_evalAccuracy->isChecked();
  doc["eval"] = eval;
  return doc;
}

bool ExperimentEditor::setDocument(const nlohmann::json& document, QString* why) {
  // Check everything first, so a refused document leaves the editor as it was.
  if (!document.is_object()) {
    if (why) *why = tr("an experiment must be a JSON object");
    return false;
  }
  if (!hasOnlyKeys(document, QString(),
                   {"name", "description", "seed", "engine", "problem", "data", "algorithm", "workers",
                    "stop", "eval", "events"},
                   why))
    return false;
  if (const QString problem = EventLogChoice::problemWith(document); !problem.isEmpty()) {
    if (why) *why = problem;
    return false;
  }
  nlohmann::json problem, data, algorithm, workers, timeModel, stop, eval;
  if (!sectionOf(document, "problem", "problem", {"name", "params"}, &problem, why) ||
      !sectionOf(document, "data", "data", {"sharding"}, &data, why) ||
      !sectionOf(document, "algorithm", "algorithm", {"name", "params"}, &algorithm, why) ||
      !sectionOf(document, "workers", "workers", {"count", "time_model", "unit_ms", "launcher", "slurm"},
                 &workers, why) ||
      !sectionOf(workers, "time_model", "workers.time_model", {"name", "params"}, &timeModel, why) ||
      !sectionOf(document, "stop", "stop", {"time", "updates", "bytes", "gradients", "target_gap", "target_grad_norm_sq"}, &stop,
                 why) ||
      !sectionOf(document, "eval", "eval", {"interval", "every_updates", "grad_norm", "accuracy"}, &eval,
                 why))
    return false;
  const ProblemEntry* problemEntry =
      componentOf<ProblemEntry>(problem, "problem", &findProblem, problemEntries().front().name, why);
  if (!problemEntry) return false;
  const AlgorithmEntry* algorithmEntry = componentOf<AlgorithmEntry>(algorithm, "algorithm", &findAlgorithm,
                                                                     algorithmEntries().front().name, why);
  if (!algorithmEntry) return false;
  // "natural" is what parseExperiment assumes when the time model is left out.
  const TimeModelEntry* timeEntry =
      componentOf<TimeModelEntry>(timeModel, "workers.time_model", &findTimeModel, "natural", why);
  if (!timeEntry) return false;

  auto choiceIndex = [](QComboBox* combo, const nlohmann::json& value, const std::string& fallback) {
    return combo->findData(fromStd(value.is_string() ? value.get<std::string>() : fallback));
  };
  const int engineIndex = choiceIndex(m_engine, document.value("engine", nlohmann::json()), "live");
  if (engineIndex < 0) {
    if (why) *why = tr("engine: must be \"sim\" or \"live\"");
    return false;
  }
  const int shardingIndex = choiceIndex(m_sharding, data.value("sharding", nlohmann::json()), "iid");
  if (shardingIndex < 0) {
    if (why)
      *why = tr("data.sharding: must be one of %1").arg(fromStd(nlohmann::json(shardRuleNames()).dump()));
    return false;
  }
  const nlohmann::json count = workers.value("count", nlohmann::json());
  const bool countOk = count.is_number() && std::floor(count.get<double>()) == count.get<double>() &&
                       count.get<double>() >= 1 && count.get<double>() <= kMaxWorkers;
  if (!countOk) {
    if (why) *why = tr("workers.count: must be an integer >= 1 and <= %1").arg(kMaxWorkers);
    return false;
  }
  if (const QString launcherRefusal =
          WorkerPlacement::launcherProblem(workers, static_cast<int>(count.get<double>()));
      !launcherRefusal.isEmpty()) {
    if (why) *why = launcherRefusal;
    return false;
  }
  for (const char* key : {"name", "description"}) {
    if (document.contains(key) && !document.at(key).is_string()) {
      if (why) *why = QString::fromLatin1(key) + tr(": must be a string");
      return false;
    }
  }
  for (const char* key : {"grad_norm", "accuracy"}) {
    if (eval.contains(key) && !eval.at(key).is_boolean()) {
      if (why) *why = QStringLiteral("eval.") + QString::fromLatin1(key) + tr(": must be true or false");
      return false;
    }
  }

  m_loading = true;
  {
    const QSignalBlocker blockProblem(m_problemCombo);
    const QSignalBlocker blockAlgorithm(m_algorithmCombo);
    const QSignalBlocker blockTimeModel(m_timeModelCombo);
    m_problemCombo->setCurrentIndex(m_problemCombo->findData(fromStd(problemEntry->name)));
    m_algorithmCombo->setCurrentIndex(m_algorithmCombo->findData(fromStd(algorithmEntry->name)));
    m_timeModelCombo->setCurrentIndex(m_timeModelCombo->findData(fromStd(timeEntry->name)));
  }
  rebuildProblemForm(problem.value("params", nlohmann::json::object()));
  rebuildAlgorithmForm(algorithm.value("params", nlohmann::json::object()));
  rebuildTimeModelForm(timeModel.value("params", nlohmann::json::object()));

  m_name->setText(textOf(document.value("name", nlohmann::json())));
  m_description->setPlainText(textOf(document.value("description", nlohmann::json())));
  m_seed->setText(textOf(document.value("seed", nlohmann::json())));
  m_engine->setCurrentIndex(engineIndex);
  m_eventLog->readFrom(document);
  m_sharding->setCurrentIndex(shardingIndex);
  m_workerCount->setValue(static_cast<int>(count.get<double>()));
  m_unitMs->setText(textOf(workers.value("unit_ms", nlohmann::json())));
  m_placement->readLauncher(workers);
  m_unitMs->setEnabled(m_engine->currentData().toString() == QStringLiteral("live"));

  auto setStop = [&stop](StopRow& row, const char* key) {
    const nlohmann::json value = stop.value(key, nlohmann::json());
    // The normalised document writes "updates": 0 for "no limit" (a budget's 0 is no limit too).
    const bool on = !value.is_null() && !(value.is_number() && value.get<double>() == 0.0 &&
                                          std::string(key) != "time" && std::string(key).rfind("target", 0) != 0);
    row.enabled->setChecked(on);
    row.value->setEnabled(on);
    row.value->setText(on ? textOf(value) : QString());
  };
  setStop(m_stopTime, "time");
  setStop(m_stopUpdates, "updates");
  setStop(m_stopBytes, "bytes");
  setStop(m_stopGradients, "gradients");
  setStop(m_stopGap, "target_gap");
  setStop(m_stopGradNorm, "target_grad_norm_sq");

  m_evalInterval->setText(textOf(eval.value("interval", nlohmann::json()), true));
  m_evalEveryUpdates->setText(textOf(eval.value("every_updates", nlohmann::json()), true));
  m_evalGradNorm->setChecked(eval.value("grad_norm", true));
  m_evalAccuracy->setChecked(eval.value("accuracy", true));
  m_loading = false;
  // The combo names the preset the form came from, and no other: a document from elsewhere (a file, a
  // stored run) puts it back on "Presets…".
  if (!m_loadingPreset) m_presetCombo->setCurrentIndex(0);

  updateSpeeds();
  revalidate();
  emit documentChanged();
  if (why) why->clear();
  return true;
}

QString ExperimentEditor::validationError() const {
  const QStringList errors = validationErrors();
  return errors.isEmpty() ? QString() : errors.front();
}

void ExperimentEditor::onEdited() {
  if (m_loading) return;
  revalidate();
  emit documentChanged();
}

void ExperimentEditor::revalidate() {
  m_placement->describeFor(m_workerCount->value(), m_engine->currentData().toString());
  const QStringList errors = validationErrors();
  const QString reason = errors.isEmpty() ? QString() : errors.front();
  for (const Marked& marked : m_marked) {
    marked.error->hide();
    marked.error->clear();
    if (auto* edit = qobject_cast<QLineEdit*>(marked.widget)) edit->setStyleSheet(QString());
  }
  for (const QString& error : errors) {
    const int colon = error.indexOf(QStringLiteral(": "));
    if (colon > 0) markField(error.left(colon), error.mid(colon + 2));
  }
  const bool valid = reason.isEmpty();
  if (valid) {
    showStatus(tr("Ready: %1 worker(s), %2 engine.")
                   .arg(m_workerCount->value())
                   .arg(m_engine->currentData().toString()),
               false);
  } else {
    // Every problem, one a line: fixing the first must not be the way to find the second.
    showStatus(errors.size() == 1
                   ? reason
                   : tr("%1 problems:\n• %2").arg(errors.size()).arg(errors.join(QStringLiteral("\n• "))),
               true);
  }
  if (valid != m_lastValid || reason != m_lastReason) {
    m_lastValid = valid;
    m_lastReason = reason;
    emit validityChanged(valid, reason);
  }
}

void ExperimentEditor::markField(const QString& path, const QString& message) {
  for (const Marked& marked : m_marked) {
    if (marked.path != path) continue;
    marked.error->setText(message);
    marked.error->show();
    if (auto* edit = qobject_cast<QLineEdit*>(marked.widget)) edit->setStyleSheet(invalidFrame());
  }
}

void ExperimentEditor::showStatus(const QString& text, bool error) {
  m_status->setText(text);
  m_status->setStyleSheet(error ? QStringLiteral("color: %1;").arg(QLatin1String(kErrorColour))
                                : QStringLiteral("color: #2e7d32;"));
}

// ---------------------------------------------------------------------------------------------------
// Files

bool ExperimentEditor::loadFile(const QString& path, QString* why) {
  nlohmann::json document;
  try {
    document = readExperimentFile(path.toStdString());
  } catch (const std::exception& error) {
    if (why) *why = fromStd(error.what());
    return false;
  }
  const QString previousBase = m_baseDirectory;
  m_baseDirectory = QFileInfo(path).absolutePath();
  QString problem;
  if (!setDocument(document, &problem)) {
    m_baseDirectory = previousBase;
    if (why) *why = path + QStringLiteral(": ") + problem;
    return false;
  }
  m_currentFile = QFileInfo(path).absoluteFilePath();
  if (why) why->clear();
  return true;
}

bool ExperimentEditor::saveFile(const QString& path, QString* why) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
    if (why) *why = path + QStringLiteral(": ") + file.errorString();
    return false;
  }
  const std::string text = document().dump(2) + "\n";
  file.write(text.data(), static_cast<qint64>(text.size()));
  if (!file.commit()) {
    if (why) *why = path + QStringLiteral(": ") + file.errorString();
    return false;
  }
  m_currentFile = QFileInfo(path).absoluteFilePath();
  m_baseDirectory = QFileInfo(path).absolutePath();
  if (m_problemForm) m_problemForm->setBaseDirectory(m_baseDirectory);
  if (why) why->clear();
  return true;
}

void ExperimentEditor::open() {
  const QString start = m_baseDirectory.isEmpty() ? m_presetsDirectory : m_baseDirectory;
  const QString path = QFileDialog::getOpenFileName(this, tr("Open experiment"), start,
                                                    tr("Experiments (*.json);;All files (*)"));
  if (path.isEmpty()) return;
  QString why;
  if (!loadFile(path, &why)) showStatus(why, true);
}

void ExperimentEditor::save() {
  QString start = m_currentFile;
  if (start.isEmpty()) {
    const QString name =
        m_name->text().trimmed().isEmpty() ? QStringLiteral("experiment") : m_name->text().trimmed();
    start = QDir(m_baseDirectory.isEmpty() ? QDir::homePath() : m_baseDirectory).filePath(name + ".json");
    // Never offer the shipped presets' folder: a preset is a template.
    if (!m_presetsDirectory.isEmpty() &&
        QFileInfo(start).absolutePath() == QDir(m_presetsDirectory).absolutePath())
      start = QDir::home().filePath(name + ".json");
  }
  QString path = QFileDialog::getSaveFileName(this, tr("Save experiment"), start, tr("Experiments (*.json)"));
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".json");
  QString why;
  if (!saveFile(path, &why))
    showStatus(why, true);
  else
    showStatus(tr("Saved %1").arg(QDir::toNativeSeparators(path)), false);
}

}  // namespace distopt::ui
