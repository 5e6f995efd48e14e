#include "ui/history/run_history_panel.hpp"

#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QTableWidget>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>
#include <algorithm>
#include <map>
#include <memory>

#include "core/analysis/run_labels.hpp"
#include "core/telemetry/evaluation.hpp"
#include "core/util/input_error.hpp"
#include "ui/export/report_export.hpp"
#include "ui/history/history_columns_dialog.hpp"

namespace distopt::ui {
namespace {

QPushButton* button(const QString& text, const QString& tip, QHBoxLayout* row) {
  auto* b = new QPushButton(text);
  b->setToolTip(tip);
  row->addWidget(b);
  return b;
}

constexpr const char* kColumnsKey = "history/columns";
constexpr const char* kGroupKey = "history/groupBy";

QString labelOf(const RunInfo& info) {
  return QStringLiteral("#%1 %2").arg(info.id).arg(QString::fromStdString(info.label()));
}

}  // namespace

RunHistoryPanel::RunHistoryPanel(const QString& storePath, QWidget* parent)
    : QWidget(parent), m_storePath(storePath) {
  m_pool.setMaxThreadCount(1);  // one store connection at a time; requests queue in order
  m_model = new RunHistoryModel(this);
  QSettings settings;
  if (const QStringList columns = settings.value(QLatin1String(kColumnsKey)).toStringList();
      !columns.isEmpty())
    m_model->setChosenColumns(columns);
  m_model->setGroupBy(settings.value(QLatin1String(kGroupKey)).toString());

  m_proxy = new HistoryProxy(m_model, this);
  m_view = new QTreeView();
  m_view->setModel(m_proxy);
  m_view->setSortingEnabled(true);
  m_view->setUniformRowHeights(true);
  m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
  m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_view->setAlternatingRowColors(true);
  m_view->setExpandsOnDoubleClick(false);  // a double click opens a run; groups open with their arrow
  m_view->header()->setStretchLastSection(true);
  m_view->header()->setSectionsMovable(false);
  m_view->header()->setContextMenuPolicy(Qt::CustomContextMenu);
  m_view->header()->setSortIndicator(-1, Qt::DescendingOrder);

  // First row: what is listed. Second row: what to do with the selection (the rarer actions in a
  // menu), so both fit the dashboard's width at 1024 px without scrolling.
  auto* listing = new QHBoxLayout();
  m_filter = new QLineEdit();
  m_filter->setClearButtonEnabled(true);
  m_filter->setPlaceholderText(tr("Filter: text, or column = value; γ < 0.1"));
  m_filter->setToolTip(
      tr("Words are looked for in the shown columns. A term COLUMN OP VALUE tests one column (shown or not), "
         "named by its header, field path or parameter: = != < <= > >= and ~ (contains). Separate terms "
         "with ';' or ','. Example: method = ringmaster; gamma < 0.1"));
  listing->addWidget(m_filter, 1);
  listing->addWidget(new QLabel(tr("Group:")));
  m_groupChoice = new QComboBox();
  m_groupChoice->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_groupChoice->setMinimumContentsLength(12);
  m_groupChoice->setToolTip(tr("Group the runs under one row per value of a column"));
  listing->addWidget(m_groupChoice);
  m_columns = new QPushButton(tr("Columns…"));
  m_columns->setToolTip(
      tr("Choose the columns: the experiment's fields, the summary's figures, family "
         "metrics (also from the header's context menu)"));
  listing->addWidget(m_columns);

  auto* actions = new QHBoxLayout();
  auto* refreshButton = button(tr("Refresh"), tr("Read the run store again"), actions);
  m_open = button(tr("Open"), tr("Show the selected run in the dashboard"), actions);
  m_overlay = new QToolButton();
  m_overlay->setText(tr("Overlay"));
  m_overlay->setToolTip(
      tr("Add the selected runs' curves to the convergence chart; the arrow chooses how runs "
         "that differ only in their seed are drawn"));
  m_overlay->setPopupMode(QToolButton::MenuButtonPopup);
  auto* seeds = new QMenu(m_overlay);
  m_seedDisplay = new QActionGroup(seeds);
  for (const auto& [text, display] : {std::pair{tr("Seeds: mean, min–max band"), SeedDisplay::BandMinMax},
                                      std::pair{tr("Seeds: mean ± sd band"), SeedDisplay::BandStdDev},
                                      std::pair{tr("Seeds: one line each"), SeedDisplay::Lines}}) {
    QAction* action = seeds->addAction(text);
    action->setCheckable(true);
    action->setData(static_cast<int>(display));
    action->setActionGroup(m_seedDisplay);
  }
  m_seedDisplay->actions().front()->setChecked(true);
  m_overlay->setMenu(seeds);
  actions->addWidget(m_overlay);
  m_compare = button(tr("Compare"), tr("Differences between the two selected runs' experiments"), actions);
  m_baseline = button(tr("Baseline"),
                      tr("Measure the manager view's speed-up and bytes saved against this run"), actions);
  m_more = new QToolButton();
  m_more->setText(tr("More"));
  m_more->setPopupMode(QToolButton::InstantPopup);
  auto* more = new QMenu(m_more);
  m_rename = more->addAction(tr("Rename…"), this, &RunHistoryPanel::onRename);
  m_rename->setToolTip(tr("Give the run a label"));
  m_tags = more->addAction(tr("Tags…"), this, &RunHistoryPanel::onTags);
  m_tags->setToolTip(tr("Comma-separated tags"));
  m_export = more->addAction(tr("Export data…"), this, &RunHistoryPanel::onExport);
  m_export->setToolTip(tr("The run's data as CSV files and one JSON document"));
  more->addSeparator();
  m_delete = more->addAction(tr("Delete…"), this, &RunHistoryPanel::onDelete);
  m_delete->setToolTip(tr("Remove the selected runs and all their data from the store"));
  QAction* pruneAction = more->addAction(tr("Prune…"), this, &RunHistoryPanel::onPrune);
  pruneAction->setToolTip(tr("Delete all but the newest runs, or the runs older than some days"));
  more->setToolTipsVisible(true);
  m_more->setMenu(more);
  m_more->setToolTip(tr("Rename, tag, export, delete, prune"));
  actions->addWidget(m_more);
  actions->addStretch(1);

  m_status = new QLabel();
  m_status->setWordWrap(true);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(listing);
  layout->addLayout(actions);
  layout->addWidget(m_view, 1);
  layout->addWidget(m_status);

  connect(refreshButton, &QPushButton::clicked, this, [this] { refresh(); });
  connect(m_open, &QPushButton::clicked, this, &RunHistoryPanel::onOpen);
  connect(m_view, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
    if (!m_model->isGroup(m_proxy->mapToSource(index))) onOpen();
  });
  connect(m_overlay, &QToolButton::clicked, this, &RunHistoryPanel::onOverlay);
  connect(m_compare, &QPushButton::clicked, this, &RunHistoryPanel::onCompare);
  connect(m_baseline, &QPushButton::clicked, this, &RunHistoryPanel::onBaseline);
  connect(m_columns, &QPushButton::clicked, this, [this] {
    if (const auto keys = askHistoryColumns(this, m_model->availableColumns(), m_model->chosenColumns()))
      setColumns(*keys);
  });
  connect(m_filter, &QLineEdit::textChanged, this, [this] { applyFilter(nullptr); });
  connect(m_groupChoice, &QComboBox::activated, this,
          [this](int index) { setGroupBy(m_groupChoice->itemData(index).toString()); });
  connect(m_view->header(), &QHeaderView::customContextMenuRequested, this, &RunHistoryPanel::showHeaderMenu);
  connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &RunHistoryPanel::updateButtons);
  // Whatever rebuilt the rows (a refresh, a column or group change, a filter): groups stay open with
  // their header across the row, the group choice offers the current columns.
  // The sort belongs to a column, not to a place: it follows the column when columns come and go.
  connect(m_view->header(), &QHeaderView::sortIndicatorChanged, this,
          [this](int section, Qt::SortOrder order) {
            if (const QString key = m_model->keyAt(section); !key.isEmpty()) {
              m_sortKey = key;
              m_sortOrder = order;
            }
          });
  connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
    m_view->sortByColumn(std::max(0, m_model->columnOf(m_sortKey)), m_sortOrder);
    // Wide enough for what the runs hold, within reason (a long label or path stays elided).
    for (int column = 0; column < m_model->columnCount(); ++column) {
      m_view->resizeColumnToContents(column);
      m_view->setColumnWidth(column, std::min(m_view->columnWidth(column), 260));
    }
  });
  const auto laidOut = [this] {
    for (int row = 0; row < m_proxy->rowCount(); ++row)
      m_view->setFirstColumnSpanned(row, QModelIndex(),
                                    m_model->isGroup(m_proxy->mapToSource(m_proxy->index(row, 0))));
    m_view->setRootIsDecorated(!m_model->groupBy().isEmpty());
    m_view->expandAll();
  };
  connect(m_proxy, &QAbstractItemModel::modelReset, this, laidOut);
  connect(m_proxy, &QAbstractItemModel::rowsInserted, this, laidOut);
  connect(m_proxy, &QAbstractItemModel::layoutChanged, this, laidOut);
  connect(m_model, &QAbstractItemModel::modelReset, this, &RunHistoryPanel::fillGroupChoice);
  fillGroupChoice();
  updateButtons();
}

void RunHistoryPanel::saveView() const {
  QSettings settings;
  settings.setValue(QLatin1String(kColumnsKey), m_model->chosenColumns());
  settings.setValue(QLatin1String(kGroupKey), m_model->groupBy());
}

void RunHistoryPanel::setColumns(const QStringList& keys) {
  const auto selected = selectedRuns();
  m_model->setChosenColumns(keys);
  saveView();
  applyFilter(nullptr);
  selectRuns(selected);
}

void RunHistoryPanel::setGroupBy(const QString& key) {
  const auto selected = selectedRuns();
  m_model->setGroupBy(key);
  saveView();
  selectRuns(selected);
}

bool RunHistoryPanel::setFilterText(const QString& text, QString* why) {
  if (m_filter->text() != text) {
    const QSignalBlocker quiet(m_filter);
    m_filter->setText(text);
  }
  return applyFilter(why);
}

bool RunHistoryPanel::applyFilter(QString* why) {
  QString reason;
  auto filter =
      HistoryFilter::parse(m_filter->text(), m_model->shownColumns(), m_model->availableColumns(), &reason);
  // A filter that cannot be understood says why and keeps the rows as they were (typing "γ <" on the
  // way to "γ < 0.1" does not empty the table).
  m_filter->setStyleSheet(filter ? QString() : QStringLiteral("QLineEdit { background: #ffe0e0; }"));
  m_filter->setToolTip(filter ? QString() : reason);
  if (!filter) {
    if (why) *why = reason;
    m_status->setText(tr("Filter: %1").arg(reason));
    return false;
  }
  const auto selected = selectedRuns();
  m_proxy->setFilter(std::move(*filter));
  selectRuns(selected);
  m_status->setText(
      tr("%1 of %n run(s) shown", nullptr, static_cast<int>(m_model->rows().size())).arg(visibleRuns()));
  return true;
}

void RunHistoryPanel::fillGroupChoice() {
  const QSignalBlocker quiet(m_groupChoice);
  m_groupChoice->clear();
  m_groupChoice->addItem(tr("none"), QString());
  for (const HistoryColumn& column : m_model->shownColumns())
    if (column.key != QLatin1String("run")) m_groupChoice->addItem(column.title, column.key);
  const QString group = m_model->groupBy();
  if (!group.isEmpty() && m_groupChoice->findData(group) < 0)
    m_groupChoice->addItem(describeHistoryColumn(group).title, group);
  m_groupChoice->setCurrentIndex(std::max(0, m_groupChoice->findData(group)));
}

void RunHistoryPanel::showHeaderMenu(const QPoint& at) {
  const int section = m_view->header()->logicalIndexAt(at);
  const QString key = m_model->keyAt(section);
  const QString title = describeHistoryColumn(key).title;
  QMenu menu(this);
  if (!key.isEmpty()) {
    menu.addAction(tr("Group by %1").arg(title), this, [this, key] { setGroupBy(key); });
    menu.addAction(tr("Filter %1…").arg(title), this, [this, title] {
      bool ok = false;
      const QString condition = QInputDialog::getText(
          this, tr("Filter a column"),
          tr("Keep the runs whose %1 is (= != < <= > >= or ~ for contains):").arg(title), QLineEdit::Normal,
          QStringLiteral("%1 = ").arg(title), &ok);
      if (!ok || condition.trimmed().isEmpty()) return;
      const QString current = m_filter->text().trimmed();
      setFilterText(current.isEmpty() ? condition : current + QStringLiteral("; ") + condition);
    });
    if (key != QLatin1String("run"))
      menu.addAction(tr("Hide %1").arg(title), this, [this, key] {
        QStringList keys = m_model->chosenColumns();
        keys.removeAll(key);
        setColumns(keys);
      });
    menu.addSeparator();
  }
  if (!m_model->groupBy().isEmpty()) menu.addAction(tr("No groups"), this, [this] { setGroupBy(QString()); });
  menu.addAction(tr("Columns…"), m_columns, &QPushButton::click);
  menu.exec(m_view->header()->mapToGlobal(at));
}

int RunHistoryPanel::visibleRuns() const {
  if (m_model->groupBy().isEmpty()) return m_proxy->rowCount();
  int count = 0;
  for (int group = 0; group < m_proxy->rowCount(); ++group)
    count += m_proxy->rowCount(m_proxy->index(group, 0));
  return count;
}

RunHistoryPanel::~RunHistoryPanel() {
  // Loads in flight finish (their results are then discarded) before the members they use go away.
  m_pool.waitForDone();
}

std::unique_ptr<RunStore> RunHistoryPanel::openStore(QString* why) const {
  try {
    return RunStore::open(m_storePath.toStdString());
  } catch (const InputError& e) {
    if (why) *why = QString::fromStdString(e.what());
    return nullptr;
  }
}

bool RunHistoryPanel::fail(const QString& text) {
  m_status->setText(text);
  emit message(text);
  return false;
}

bool RunHistoryPanel::refresh(QString* why) {
  QString error;
  auto store = openStore(&error);
  if (store) {
    try {
      const auto selected = selectedRuns();
      m_model->refresh(*store);
      applyFilter(nullptr);  // the columns may have changed
      selectRuns(selected);
      m_status->setText(tr("%1 of %n run(s) in %2", nullptr, static_cast<int>(m_model->rows().size()))
                            .arg(visibleRuns())
                            .arg(m_storePath));
      return true;
    } catch (const InputError& e) {
      error = QString::fromStdString(e.what());
    }
  }
  if (why) *why = error;
  return fail(error);
}

std::vector<std::int64_t> RunHistoryPanel::selectedRuns() const {
  // In the view's order; a selected group stands for its shown runs.
  std::vector<std::int64_t> ids;
  const QItemSelectionModel* selection = m_view->selectionModel();
  const auto add = [&](const QModelIndex& parent, bool all) {
    for (int row = 0; row < m_proxy->rowCount(parent); ++row) {
      const QModelIndex index = m_proxy->index(row, 0, parent);
      const bool selected = all || selection->isRowSelected(row, parent);
      if (const std::int64_t id = m_model->runIdOf(m_proxy->mapToSource(index)); id != 0) {
        if (selected && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
      }
    }
  };
  if (m_model->groupBy().isEmpty()) {
    add(QModelIndex(), false);
  } else {
    for (int group = 0; group < m_proxy->rowCount(); ++group)
      add(m_proxy->index(group, 0), selection->isRowSelected(group, QModelIndex()));
  }
  return ids;
}

void RunHistoryPanel::selectRuns(const std::vector<std::int64_t>& runIds) {
  QItemSelection selection;
  for (std::int64_t id : runIds) {
    const QModelIndex index = m_proxy->mapFromSource(m_model->indexOfRun(id));
    if (index.isValid()) selection.select(index, index);
  }
  m_view->selectionModel()->select(selection,
                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  updateButtons();
}

std::optional<StoredRun> RunHistoryPanel::load(std::int64_t runId, const StoredRunParts& parts,
                                               QString* why) const {
  auto store = openStore(why);
  if (!store) return std::nullopt;
  try {
    auto run = loadStoredRun(*store, runId, parts);
    if (!run && why) *why = tr("run %1 is no longer in the store").arg(runId);
    return run;
  } catch (const InputError& e) {
    if (why) *why = QString::fromStdString(e.what());
    return std::nullopt;
  }
}

void RunHistoryPanel::loadAsync(int kind, std::vector<std::int64_t> runIds, StoredRunParts parts,
                                Loaded done) {
  if (m_latest.size() <= static_cast<std::size_t>(kind))
    m_latest.resize(static_cast<std::size_t>(kind) + 1, 0);
  const std::uint64_t ticket = ++m_latest[static_cast<std::size_t>(kind)];
  ++m_pending;
  m_status->setText(tr("Loading…"));
  const std::string path = m_storePath.toStdString();
  m_pool.start([this, kind, ticket, path, ids = std::move(runIds), parts, done = std::move(done)] {
    auto runs = std::make_shared<std::vector<StoredRun>>();
    auto why = std::make_shared<QString>();
    try {
      auto store = RunStore::open(path);
      for (std::int64_t id : ids) {
        auto run = loadStoredRun(*store, id, parts);
        if (!run) {
          *why = tr("run %1 is no longer in the store").arg(id);
          break;
        }
        runs->push_back(std::move(*run));
      }
    } catch (const std::exception& e) {
      *why = QString::fromUtf8(e.what());
    }
    // m_pool's destructor waits for this task, so `this` is alive here; a queued call to an object
    // destroyed before it runs is discarded by Qt.
    QMetaObject::invokeMethod(
        this,
        [this, kind, ticket, runs, why, done] {
          --m_pending;
          if (ticket != m_latest[static_cast<std::size_t>(kind)]) return;  // superseded by a newer request
          if (!why->isEmpty()) {
            fail(*why);
            return;
          }
          done(*runs);
        },
        Qt::QueuedConnection);
  });
}

namespace {
enum LoadKind { OpenLoad, OverlayLoad, BaselineLoad };
}  // namespace

bool RunHistoryPanel::openRun(std::int64_t runId) {
  // The dashboard draws from the aggregates: a full event log (millions of rows) is not read.
  loadAsync(OpenLoad, {runId}, StoredRunParts{.events = false}, [this](std::vector<StoredRun>& runs) {
    emit openRequested(runs.front());
    m_status->setText(tr("Opened %1").arg(labelOf(runs.front().info)));
  });
  return true;
}

bool RunHistoryPanel::overlayRuns(const std::vector<std::int64_t>& runIds) {
  const StoredRunParts curveOnly{
      .events = false, .aggregates = false, .evaluations = true, .bandwidth = false, .workers = false};
  const SeedDisplay display = seedDisplay();
  loadAsync(OverlayLoad, runIds, curveOnly, [this, display](std::vector<StoredRun>& runs) {
    // Runs that differ only in their seed form one group, in the order their first run was selected.
    std::vector<std::vector<StoredRun*>> groups;
    std::map<std::string, std::size_t> groupOf;
    for (StoredRun& run : runs) {
      const std::string key = display == SeedDisplay::Lines
                                  ? std::to_string(run.info.id)
                                  : configurationKey(run.info.record.experimentJson);
      const auto [at, added] = groupOf.emplace(key, groups.size());
      if (added) groups.emplace_back();
      groups[at->second].push_back(&run);
    }
    QStringList labels, keys;
    std::vector<std::vector<EvaluationPoint>> curves;
    std::vector<OverlayBand> bands;
    // Each group named by its method and what differs between the groups ("rennala B=4 seed 1").
    std::vector<LabelledRun> named;
    for (const auto& group : groups)
      named.push_back({group.front()->info.id,
                       nlohmann::json::parse(group.front()->info.record.experimentJson, nullptr, false)});
    const std::vector<std::string> names = runLabels(named);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const auto& group = groups[g];
      // A name the person gave the run wins over the one made up for it.
      const std::string& given = group.front()->info.record.displayName;
      QString label = QString::fromStdString(given.empty() ? names[g] : given);
      if (group.size() == 1) {
        labels << label;
        keys << QStringLiteral("#%1").arg(group.front()->info.id);
        curves.push_back(std::move(group.front()->evaluations));
        continue;
      }
      std::vector<std::vector<EvaluationPoint>> seeds;
      QStringList ids;
      for (StoredRun* run : group) {
        seeds.push_back(std::move(run->evaluations));
        ids << QStringLiteral("#%1").arg(run->info.id);
      }
      label = QStringLiteral("%1 (%2)").arg(label, ids.join(QLatin1Char(',')));
      bands.push_back(overlayBand(label, seeds,
                                  display == SeedDisplay::BandStdDev ? BandKind::StdDev : BandKind::MinMax));
      bands.back().key = ids.join(QLatin1Char(','));
    }
    if (!curves.empty()) emit overlayRequested(labels, curves, keys);
    for (const OverlayBand& band : bands) emit overlayBandRequested(band);
    m_status->setText(tr("Overlaid %n run(s)", nullptr, static_cast<int>(runs.size())) +
                      (bands.empty() ? QString()
                                     : tr("; %n group(s) of seeds as mean and band", nullptr,
                                          static_cast<int>(bands.size()))));
  });
  return true;
}

SeedDisplay RunHistoryPanel::seedDisplay() const {
  return static_cast<SeedDisplay>(m_seedDisplay->checkedAction()->data().toInt());
}

void RunHistoryPanel::setSeedDisplay(SeedDisplay display) {
  for (QAction* action : m_seedDisplay->actions())
    if (action->data().toInt() == static_cast<int>(display)) action->setChecked(true);
}

bool RunHistoryPanel::chooseBaseline(std::int64_t runId) {
  const StoredRunParts curveOnly{
      .events = false, .aggregates = false, .evaluations = true, .bandwidth = false, .workers = false};
  loadAsync(BaselineLoad, {runId}, curveOnly, [this](std::vector<StoredRun>& runs) {
    const StoredRun& run = runs.front();
    if (!bestGap(run.evaluations)) {
      fail(tr("%1 has no f − f* curve (its problem does not know f*), so it cannot be a baseline")
               .arg(labelOf(run.info)));
      return;
    }
    emit baselineChosen(labelOf(run.info), run.evaluations);
    m_status->setText(tr("Baseline: %1").arg(labelOf(run.info)));
  });
  return true;
}

bool RunHistoryPanel::edit(const std::function<bool(RunStore&)>& change) {
  QString why;
  auto store = openStore(&why);
  if (!store) return fail(why);
  // A busy or read-only store throws from inside a slot: report it here, never let it reach Qt.
  try {
    const bool done = change(*store);
    refresh();
    return done;
  } catch (const std::exception& e) {
    return fail(QString::fromUtf8(e.what()));
  }
}

bool RunHistoryPanel::rename(std::int64_t runId, const QString& label) {
  return edit([&](RunStore& store) {
    return store.renameRun(runId, label.trimmed().toStdString()) ||
           fail(tr("run %1 is no longer in the store").arg(runId));
  });
}

bool RunHistoryPanel::setTags(std::int64_t runId, const QStringList& tags) {
  std::vector<std::string> clean;
  for (const QString& tag : tags)
    if (!tag.trimmed().isEmpty()) clean.push_back(tag.trimmed().toStdString());
  return edit([&](RunStore& store) {
    return store.setTags(runId, clean) || fail(tr("run %1 is no longer in the store").arg(runId));
  });
}

bool RunHistoryPanel::remove(const std::vector<std::int64_t>& runIds) {
  return edit([&](RunStore& store) {
    for (std::int64_t id : runIds) store.deleteRun(id);
    return true;
  });
}

std::optional<PrunePlan> RunHistoryPanel::planPrune(const PruneRule& rule, QString* why) const {
  if (std::string reason; !rule.isValid(&reason)) {
    if (why) *why = QString::fromStdString(reason);
    return std::nullopt;
  }
  try {
    auto store = openStore(why);
    if (!store) return std::nullopt;
    return ui::planPrune(*store, rule);
  } catch (const std::exception& e) {
    if (why) *why = QString::fromUtf8(e.what());
    return std::nullopt;
  }
}

bool RunHistoryPanel::prune(const PrunePlan& plan) {
  std::vector<std::int64_t> ids;
  for (const RunInfo& info : plan.runs) ids.push_back(info.id);
  return remove(ids);
}

std::optional<std::vector<ConfigDifference>> RunHistoryPanel::compare(std::int64_t left, std::int64_t right,
                                                                      QString* why) const {
  const StoredRunParts recordOnly{
      .events = false, .aggregates = false, .evaluations = false, .bandwidth = false, .workers = false};
  auto a = load(left, recordOnly, why);
  auto b = a ? load(right, recordOnly, why) : std::nullopt;
  if (!a || !b) return std::nullopt;
  return diffConfigs(a->experiment, b->experiment);
}

bool RunHistoryPanel::exportData(std::int64_t runId, const QString& directory, QString* why) {
  auto run = load(runId, StoredRunParts{}, why);
  if (!run) return false;
  if (!exportRunData(*run, directory, why)) return false;
  m_status->setText(tr("Exported %1 to %2").arg(labelOf(run->info), directory));
  return true;
}

void RunHistoryPanel::onOpen() {
  const auto ids = selectedRuns();
  if (!ids.empty()) openRun(ids.front());
}

void RunHistoryPanel::onOverlay() { overlayRuns(selectedRuns()); }

void RunHistoryPanel::onCompare() {
  const auto ids = selectedRuns();
  if (ids.size() != 2) return;
  QString why;
  const auto differences = compare(ids[0], ids[1], &why);
  if (!differences) {
    fail(why);
    return;
  }
  QDialog dialog(this);
  dialog.setWindowTitle(tr("Experiment differences: run %1 vs run %2").arg(ids[0]).arg(ids[1]));
  auto* table = new QTableWidget(static_cast<int>(differences->size()), 3, &dialog);
  table->setHorizontalHeaderLabels({tr("Field"), tr("Run %1").arg(ids[0]), tr("Run %1").arg(ids[1])});
  for (int row = 0; row < table->rowCount(); ++row) {
    const auto& d = (*differences)[static_cast<std::size_t>(row)];
    table->setItem(row, 0, new QTableWidgetItem(d.path));
    table->setItem(row, 1, new QTableWidgetItem(d.left.isEmpty() ? tr("(absent)") : d.left));
    table->setItem(row, 2, new QTableWidgetItem(d.right.isEmpty() ? tr("(absent)") : d.right));
  }
  table->horizontalHeader()->setStretchLastSection(true);
  table->resizeColumnsToContents();
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  auto* layout = new QVBoxLayout(&dialog);
  layout->addWidget(new QLabel(differences->empty() ? tr("The two experiments are identical.")
                                                    : tr("%n field(s) differ.", nullptr, table->rowCount())));
  layout->addWidget(table);
  layout->addWidget(buttons);
  dialog.resize(760, 420);
  dialog.exec();
}

void RunHistoryPanel::onBaseline() {
  const auto ids = selectedRuns();
  if (!ids.empty()) chooseBaseline(ids.front());
}

void RunHistoryPanel::onRename() {
  const auto ids = selectedRuns();
  if (ids.size() != 1) return;
  const int row = m_model->rowOf(ids.front());
  bool ok = false;
  const QString label = QInputDialog::getText(
      this, tr("Rename run"), tr("Label (empty restores the experiment's name):"), QLineEdit::Normal,
      QString::fromStdString(m_model->rows()[static_cast<std::size_t>(row)].info.record.displayName), &ok);
  if (ok) rename(ids.front(), label);
}

void RunHistoryPanel::onTags() {
  const auto ids = selectedRuns();
  if (ids.size() != 1) return;
  const auto& tags = m_model->rows()[static_cast<std::size_t>(m_model->rowOf(ids.front()))].info.record.tags;
  QStringList current;
  for (const auto& tag : tags) current << QString::fromStdString(tag);
  bool ok = false;
  const QString text = QInputDialog::getText(this, tr("Tags"), tr("Comma-separated tags:"), QLineEdit::Normal,
                                             current.join(QStringLiteral(", ")), &ok);
  if (ok) setTags(ids.front(), text.split(QLatin1Char(','), Qt::SkipEmptyParts));
}

void RunHistoryPanel::onDelete() {
  const auto ids = selectedRuns();
  if (ids.empty()) return;
  const auto answer =
      QMessageBox::question(this, tr("Delete runs"),
                            tr("Delete %n run(s) and all their data from the store? This cannot be undone.",
                               nullptr, static_cast<int>(ids.size())));
  if (answer == QMessageBox::Yes) remove(ids);
}

void RunHistoryPanel::onPrune() {
  const auto rule = askPruneRule(this);
  if (!rule) return;
  QString why;
  const auto plan = planPrune(*rule, &why);
  if (!plan) {
    fail(why);
    return;
  }
  if (plan->runs.empty()) {
    QMessageBox::information(this, tr("Prune runs"), pruneQuestion(*plan));
    return;
  }
  if (QMessageBox::question(this, tr("Prune runs"), pruneQuestion(*plan)) == QMessageBox::Yes) prune(*plan);
}

void RunHistoryPanel::onExport() {
  const auto ids = selectedRuns();
  if (ids.size() != 1) return;
  const QString directory = QFileDialog::getExistingDirectory(this, tr("Export run data to folder"));
  if (directory.isEmpty()) return;
  QString why;
  if (!exportData(ids.front(), directory, &why)) fail(why);
}

void RunHistoryPanel::updateButtons() {
  const std::size_t count = selectedRuns().size();
  m_open->setEnabled(count == 1);
  m_overlay->setEnabled(count >= 1);
  m_compare->setEnabled(count == 2);
  m_baseline->setEnabled(count == 1);
  m_rename->setEnabled(count == 1);
  m_tags->setEnabled(count == 1);
  m_export->setEnabled(count == 1);
  m_delete->setEnabled(count >= 1);
}

}  // namespace distopt::ui
