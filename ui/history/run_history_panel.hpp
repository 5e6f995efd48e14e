#pragma once
// Run history: every run in the store as a table of the columns a person chooses (saved in QSettings),
// filtered by text or per column ("method = ringmaster; γ < 0.1"), sorted, optionally grouped by a column,
// with the actions a researcher takes on past runs — reopen its dashboard, overlay several on the convergence
// chart, diff two experiment configs, make one the manager view's baseline, rename, tag, delete, export its
// data. Reads and edits the store directly (widgets may use the store, docs/architecture.md, rule 6); it
// never touches a running coordinator. Opening, overlaying, choosing a baseline and exporting load runs on a
// worker thread (their own store connection), so the GUI never waits for the disk; the result arrives as a
// signal, a newer request of the same kind supersedes an older one still loading. Thread: GUI thread only.

#include <QString>
#include <QStringList>
#include <QThreadPool>
#include <QWidget>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/store/stored_run.hpp"
#include "ui/history/history_proxy.hpp"
#include "ui/history/overlay_band.hpp"
#include "ui/history/prune_runs.hpp"
#include "ui/history/run_history_model.hpp"

class QAction;
class QActionGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QToolButton;
class QTreeView;

namespace distopt::ui {

class RunHistoryPanel : public QWidget {
  Q_OBJECT

 public:
  /// `storePath`: the run store to list (created on first use if missing).
  explicit RunHistoryPanel(const QString& storePath, QWidget* parent = nullptr);
  ~RunHistoryPanel() override;

  const QString& storePath() const { return m_storePath; }
  RunHistoryModel* model() const { return m_model; }
  HistoryProxy* proxy() const { return m_proxy; }
  QTreeView* view() const { return m_view; }
  QLineEdit* filterEdit() const { return m_filter; }

  /// Shows these columns (keys, see run_columns.hpp) and saves the choice for the next panel.
  void setColumns(const QStringList& keys);
  /// Groups the rows by a column's values (empty: no groups); saved like the columns.
  void setGroupBy(const QString& key);
  /// Filters the rows (HistoryFilter's syntax); false with *why (also shown) when the text is refused,
  /// and the rows stay as they were.
  bool setFilterText(const QString& text, QString* why = nullptr);

  /// Reloads the list; false with *why (also shown in the panel) when the store cannot be read.
  bool refresh(QString* why = nullptr);
  /// Selected run ids, in table order.
  std::vector<std::int64_t> selectedRuns() const;
  /// Selects exactly these runs (unknown ids are ignored).
  void selectRuns(const std::vector<std::int64_t>& runIds);

  /// A stored run with the chosen parts; nullopt with *why when it is gone or unreadable.
  std::optional<StoredRun> load(std::int64_t runId, const StoredRunParts& parts, QString* why) const;

  // The actions, callable without dialogs (tests, scripts); each reports through message() on failure.
  // openRun, overlayRuns and chooseBaseline return at once (true: loading started) and emit
  // openRequested / overlayRequested / baselineChosen, or message() with the reason, once loaded.
  bool openRun(std::int64_t runId);
  bool overlayRuns(const std::vector<std::int64_t>& runIds);
  bool chooseBaseline(std::int64_t runId);
  /// How overlayRuns shows several seeds of one configuration (the panel's "Seeds" choice).
  SeedDisplay seedDisplay() const;
  void setSeedDisplay(SeedDisplay display);
  /// Loads still running (or results not yet delivered).
  int pendingLoads() const { return m_pending; }
  bool rename(std::int64_t runId, const QString& label);
  bool setTags(std::int64_t runId, const QStringList& tags);
  bool remove(const std::vector<std::int64_t>& runIds);
  /// What `rule` would delete and the space it gives back; nullopt with *why when the store is unreadable.
  std::optional<PrunePlan> planPrune(const PruneRule& rule, QString* why) const;
  /// Deletes the plan's runs (freeing their space) and refreshes the list.
  bool prune(const PrunePlan& plan);
  /// The differing fields of two runs' experiment documents.
  std::optional<std::vector<ConfigDifference>> compare(std::int64_t left, std::int64_t right,
                                                       QString* why) const;
  /// CSV files plus run.json into `directory`.
  bool exportData(std::int64_t runId, const QString& directory, QString* why);

 signals:
  /// A stored run to show in the dashboard (everything loaded).
  void openRequested(const distopt::StoredRun& run);
  /// Curves to overlay: labels and evaluation points of each run, and keys naming the runs ("#12") for
  /// colours that stay with them.
  void overlayRequested(const QStringList& labels,
                        const std::vector<std::vector<distopt::EvaluationPoint>>& curves,
                        const QStringList& keys);
  /// Overlaid runs that are seeds of one configuration, as their mean and band (unless the choice is
  /// one line per run). Emitted after overlayRequested for the same request, once per configuration.
  void overlayBandRequested(const distopt::ui::OverlayBand& band);
  void baselineChosen(const QString& label, const std::vector<distopt::EvaluationPoint>& curve);
  void message(const QString& text);

 private:
  void onOpen();
  void onOverlay();
  void onCompare();
  void onBaseline();
  void onRename();
  void onTags();
  void onDelete();
  void onPrune();
  void onExport();
  void updateButtons();
  /// Applies the filter box's text to the current columns.
  bool applyFilter(QString* why);
  void fillGroupChoice();
  void showHeaderMenu(const QPoint& at);
  void saveView() const;
  /// Runs that pass the filter.
  int visibleRuns() const;
  std::unique_ptr<RunStore> openStore(QString* why) const;
  using Loaded = std::function<void(std::vector<StoredRun>&)>;
  /// Loads `runIds` with `parts` on m_pool; `done` runs on the GUI thread unless a newer load of the
  /// same `kind` was started meanwhile. Failures go to fail().
  void loadAsync(int kind, std::vector<std::int64_t> runIds, StoredRunParts parts, Loaded done);
  /// Runs one edit on the store, reporting failures, then refreshes the list.
  bool edit(const std::function<bool(RunStore&)>& change);
  bool fail(const QString& text);

  QString m_storePath;
  RunHistoryModel* m_model = nullptr;
  HistoryProxy* m_proxy = nullptr;
  QTreeView* m_view = nullptr;
  QLabel* m_status = nullptr;
  QLineEdit* m_filter = nullptr;
  QComboBox* m_groupChoice = nullptr;
  QPushButton* m_columns = nullptr;
  QPushButton* m_open = nullptr;
  QToolButton* m_overlay = nullptr;
  QActionGroup* m_seedDisplay = nullptr;
  QPushButton* m_compare = nullptr;
  QPushButton* m_baseline = nullptr;
  QToolButton* m_more = nullptr;
  QAction* m_rename = nullptr;
  QAction* m_tags = nullptr;
  QAction* m_delete = nullptr;
  QAction* m_export = nullptr;
  QString m_sortKey = QStringLiteral("started");  // newest first until a person sorts otherwise
  Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
  std::vector<std::uint64_t> m_latest;  // per load kind: the newest request
  int m_pending = 0;
  QThreadPool m_pool;  // last: its destructor waits for loads that use this panel
};

}  // namespace distopt::ui
