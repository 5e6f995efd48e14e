#include "ui/sweep/sweep_panel.hpp"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegend>
#include <QLineEdit>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include <signal.h>

#include "core/config/sweep_spec.hpp"
#include "core/store/run_store.hpp"
#include "core/store/stored_run.hpp"
#include "core/util/input_error.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/charts/tick_label_axis.hpp"
#include "ui/client/run_client.hpp"
#include "ui/export/figure_render.hpp"
#include "ui/history/overlay_band.hpp"
#include "ui/history/sortable_table.hpp"
#include "ui/session/active_runs.hpp"

namespace distopt::ui {
namespace {

constexpr int kPollMs = 500;

QColor lineColor(std::size_t i) {
  // Okabe–Ito, as the command line's figures.
  static const QColor colors[] = {QColor(0, 114, 178),   QColor(213, 94, 0),  QColor(0, 158, 115),
                                  QColor(204, 121, 167), QColor(230, 159, 0), QColor(86, 180, 233),
                                  QColor(0, 0, 0)};
  return colors[i % std::size(colors)];
}

QString folderSafe(QString name) {
  for (QChar& c : name)
    if (!c.isLetterOrNumber() && c != QLatin1Char('-') && c != QLatin1Char('_')) c = QLatin1Char('_');
  return name.left(40);
}

}  // namespace

SweepPanel::SweepPanel(const QString& storePath, QWidget* parent)
    : QWidget(parent),
      m_storePath(storePath),
      m_program(RunClient::defaultRunProgram()),
      m_outputRoot(workbenchRunsRoot()) {
  m_fields = new QTableWidget(0, 2, this);
  m_fields->setHorizontalHeaderLabels({tr("field"), tr("values")});
  m_fields->horizontalHeader()->setStretchLastSection(true);
  m_fields->verticalHeader()->hide();
  m_fields->setToolTip(
      tr("Each field as --set names it (algorithm.params.gamma) and its values: a list (0.1,0.2,0.4 or "
         "rennala,ringmaster), integers (2..8) or a spaced range (1e-4..1/log:5, 0..1/lin:5). The grid is "
         "every combination. \"Sweep this…\" on a field of the form adds it here."));
  m_fields->setMaximumHeight(110);
  auto* addRow = new QPushButton(tr("Add field"));
  auto* removeRow = new QPushButton(tr("Remove field"));
  connect(addRow, &QPushButton::clicked, this, [this] { addField(QString(), QString()); });
  connect(removeRow, &QPushButton::clicked, this, [this] {
    const int row = m_fields->currentRow();
    if (row >= 0) m_fields->removeRow(row);
    updateButtons();
  });

  m_seeds = new QLineEdit(QStringLiteral("1..3"));
  m_seeds->setToolTip(tr("Seeds, as --seeds: 1..3 or 1,2,7; each point runs once per seed"));
  m_jobs = new QSpinBox();
  m_jobs->setRange(1, kSweepMaxJobs);
  m_jobs->setValue(2);
  m_jobs->setToolTip(
      tr("Simulated runs at a time (live runs always run one at a time: they share the "
         "machine's workers)"));
  m_start = new QPushButton(tr("Start sweep"));
  m_stop = new QPushButton(tr("Stop"));
  m_stop->setToolTip(tr("Stop the runs cleanly (Ctrl-C to distopt-run); Start again resumes the sweep"));
  m_open = new QPushButton(tr("Open point"));
  m_open->setToolTip(tr("Open the selected point's first seed as a stored run (or double-click a row)"));
  connect(m_start, &QPushButton::clicked, this, &SweepPanel::onStart);
  connect(m_stop, &QPushButton::clicked, this, &SweepPanel::stop);
  connect(m_open, &QPushButton::clicked, this, [this] {
    const QModelIndex current = m_view->currentIndex();
    if (current.isValid()) openPoint(m_model->pointAt(m_proxy->mapToSource(current).row()));
  });

  m_bestBy = new QComboBox();
  m_bestBy->addItem(tr("median over seeds"), QStringLiteral("median"));
  m_bestBy->addItem(tr("mean over seeds"), QStringLiteral("mean"));
  m_bestBy->addItem(tr("worst seed"), QStringLiteral("max"));
  m_bestBy->setToolTip(
      tr("How the best point is chosen from the final metric of its seeds (a failed or "
         "diverged seed counts as the worst), as \"select\" in a comparison file"));
  connect(m_bestBy, &QComboBox::currentIndexChanged, this,
          [this] { setStatistic(m_bestBy->currentData().toString().toStdString()); });
  m_bandKind = new QComboBox();
  m_bandKind->addItem(tr("min–max"), static_cast<int>(BandKind::MinMax));
  m_bandKind->addItem(tr("± sd"), static_cast<int>(BandKind::StdDev));
  m_bandKind->setToolTip(tr("The band drawn around the chosen point's mean curve"));
  connect(m_bandKind, &QComboBox::currentIndexChanged, this,
          [this] { setBandKind(static_cast<BandKind>(m_bandKind->currentData().toInt())); });
  auto* settings = new QFormLayout();
  settings->addRow(tr("Seeds"), m_seeds);
  settings->addRow(tr("Jobs"), m_jobs);
  settings->addRow(tr("Best by"), m_bestBy);
  settings->addRow(tr("Band"), m_bandKind);
  auto* buttons = new QHBoxLayout();
  for (QPushButton* b : {addRow, removeRow, m_start, m_stop, m_open}) buttons->addWidget(b);
  buttons->addStretch(1);
  m_status = new QLabel(tr("No sweep yet"));
  m_status->setWordWrap(true);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

  m_model = new SweepResultsModel(this);
  m_view = makeSortableTable(m_model, &m_proxy);
  m_view->setSelectionMode(QAbstractItemView::SingleSelection);
  connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
    openPoint(m_model->pointAt(m_proxy->mapToSource(index).row()));
  });
  connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& index) {
            if (index.isValid()) showPointCurves(m_model->pointAt(m_proxy->mapToSource(index).row()));
          });
  connect(this, &SweepPanel::curvesShown, this, [this](int, const QString& error) {
    if (!error.isEmpty()) m_status->setText(error);
  });

  m_metricChart = new QChart();
  m_metricChart->legend()->setAlignment(Qt::AlignBottom);
  m_metricView = new QChartView(m_metricChart);
  m_metricView->setRenderHint(QPainter::Antialiasing, true);
  m_curves = new LiveChart();
  m_curves->setTitle(tr("Chosen point: mean and band over seeds"));
  m_curves->setLogY(true);
  auto* charts = new QTabWidget();
  charts->addTab(m_metricView, tr("Final metric"));
  charts->addTab(m_curves, tr("Chosen point"));

  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(m_view);
  splitter->addWidget(charts);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_fields);
  layout->addLayout(settings);
  layout->addLayout(buttons);
  layout->addWidget(m_status);
  layout->addWidget(splitter, 1);

  m_pool.setMaxThreadCount(1);  // one store connection at a time; requests queue in order
  m_poll = new QTimer(this);
  m_poll->setInterval(kPollMs);
  connect(m_poll, &QTimer::timeout, this, &SweepPanel::refreshResults);
  updateButtons();
}

SweepPanel::~SweepPanel() {
  // A sweep outlives its panel only as far as its runs do: stop them cleanly rather than orphan them.
  if (isRunning()) {
    disconnect(m_process, nullptr, this, nullptr);
    ::kill(static_cast<pid_t>(m_process->processId()), SIGINT);
    m_process->waitForFinished(10'000);
  }
}

void SweepPanel::setExperimentSource(std::function<nlohmann::json()> document,
                                     std::function<QString()> baseDirectory) {
  m_document = std::move(document);
  m_baseDirectory = std::move(baseDirectory);
}

void SweepPanel::addField(const QString& path, const QString& values) {
  int row = -1;
  for (int r = 0; r < m_fields->rowCount() && !path.isEmpty(); ++r)
    if (m_fields->item(r, 0) && m_fields->item(r, 0)->text() == path) row = r;
  if (row < 0) {
    row = m_fields->rowCount();
    m_fields->insertRow(row);
    m_fields->setItem(row, 0, new QTableWidgetItem(path));
  }
  m_fields->setItem(row, 1, new QTableWidgetItem(values));
  m_fields->setCurrentCell(row, 1);
  updateButtons();
}

int SweepPanel::fieldCount() const { return m_fields->rowCount(); }
void SweepPanel::setSeeds(const QString& seeds) { m_seeds->setText(seeds); }
void SweepPanel::setJobs(int jobs) { m_jobs->setValue(jobs); }
bool SweepPanel::isRunning() const { return m_process && m_process->state() != QProcess::NotRunning; }
QString SweepPanel::statusText() const { return m_status->text(); }

bool SweepPanel::fail(const QString& text, QString* why) {
  m_status->setText(text);
  if (why) *why = text;
  emit message(text);
  return false;
}

QStringList SweepPanel::sweepArguments(QString* why) const {
  QStringList arguments;
  // The same checks as distopt-run's, here so a typo is named before anything starts.
  try {
    for (int r = 0; r < m_fields->rowCount(); ++r) {
      const QString path = m_fields->item(r, 0) ? m_fields->item(r, 0)->text().trimmed() : QString();
      const QString values = m_fields->item(r, 1) ? m_fields->item(r, 1)->text().trimmed() : QString();
      if (path.isEmpty() && values.isEmpty()) continue;
      const QString axis = path + QLatin1Char('=') + values;
      parseSweepAxis(axis.toStdString());
      arguments << QStringLiteral("--sweep") << axis;
    }
    if (arguments.isEmpty())
      throw InputError("--sweep", "choose a field to sweep (\"Sweep this…\" on the form)");
    parseSeedList(m_seeds->text().trimmed().toStdString());
  } catch (const InputError& e) {
    if (why) *why = QString::fromUtf8(e.what());
    return {};
  }
  arguments << QStringLiteral("--seeds") << m_seeds->text().trimmed();
  return arguments;
}

bool SweepPanel::start(const nlohmann::json& experiment, const QString& baseDirectory, QString* why) {
  if (isRunning()) return fail(tr("A sweep is running: stop it first"), why);
  QString refusal;
  QStringList plan = sweepArguments(&refusal);
  if (plan.isEmpty()) return fail(refusal, why);
  const bool live = experiment.is_object() && experiment.value("engine", std::string("live")) == "live";
  plan << QStringLiteral("--jobs") << QString::number(live ? 1 : m_jobs->value());
  const QString base = baseDirectory.isEmpty() ? QDir::currentPath() : baseDirectory;
  const QString experimentText = QString::fromStdString(experiment.dump());
  // The same experiment and fields again (after Stop) resume in the same folder; anything else is a new
  // sweep in a new folder.
  const QStringList identity = QStringList(plan) << experimentText << base;
  if (identity != m_lastPlan || m_folder.isEmpty()) {
    const QString name =
        experiment.is_object() && experiment.contains("name") && experiment["name"].is_string()
            ? QString::fromStdString(experiment["name"].get<std::string>())
            : QStringLiteral("experiment");
    m_folder =
        QDir(m_outputRoot)
            .filePath(QStringLiteral("sweep-%1-%2")
                          .arg(folderSafe(name),
                               QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz"))));
  }
  if (!QDir().mkpath(m_folder)) return fail(tr("cannot create %1").arg(m_folder), why);
  // The sweep's own copy of the experiment, beside its runs; data paths stay relative to `base`.
  const QString experimentPath = QDir(m_folder).filePath(QStringLiteral("experiment.json"));
  {
    QFile file(experimentPath);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(QByteArray::fromStdString(experiment.dump(2))) < 0)
      return fail(tr("%1: cannot write the file").arg(experimentPath), why);
  }
  m_lastPlan = identity;
  m_command = QStringList{m_program, experimentPath} << plan << QStringLiteral("--out") << m_folder
                                                     << QStringLiteral("--store") << m_storePath
                                                     << QStringLiteral("--base-dir=%1").arg(base);
  delete m_process;
  m_process = new QProcess(this);
  m_process->setProcessChannelMode(QProcess::MergedChannels);
  connect(m_process, &QProcess::readyRead, this, &SweepPanel::onOutput);
  connect(m_process, &QProcess::finished, this, &SweepPanel::onFinished);
  m_output.clear();
  m_lastLine.clear();
  m_tableStamp = -1;
  m_model->setResults({});
  m_process->start(m_program, m_command.mid(1));
  if (!m_process->waitForStarted(10'000))
    return fail(tr("%1 did not start: %2").arg(m_program, m_process->errorString()), why);
  m_status->setText(tr("Sweep started in %1").arg(m_folder));
  m_poll->start();
  updateButtons();
  return true;
}

void SweepPanel::onStart() {
  if (!m_document) {
    fail(tr("No experiment to sweep"), nullptr);
    return;
  }
  start(m_document(), m_baseDirectory ? m_baseDirectory() : QString(), nullptr);
}

void SweepPanel::stop() {
  if (!isRunning()) return;
  // distopt-run passes one SIGINT to its runs, which end "stopped" with their results written.
  ::kill(static_cast<pid_t>(m_process->processId()), SIGINT);
  m_status->setText(tr("Stopping: the runs end cleanly…"));
}

void SweepPanel::onOutput() {
  m_output += m_process->readAll();
  // The progress line is redrawn with carriage returns: the last non-empty piece is the latest.
  const QList<QByteArray> pieces = m_output.split('\n');
  for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
    const QList<QByteArray> parts = it->split('\r');
    for (auto p = parts.rbegin(); p != parts.rend(); ++p)
      if (!p->trimmed().isEmpty()) {
        m_lastLine = QString::fromUtf8(p->trimmed());
        m_status->setText(m_lastLine);
        if (m_output.size() > 64 * 1024) m_output = m_output.right(4 * 1024);
        return;
      }
  }
}

void SweepPanel::onFinished(int exitCode, QProcess::ExitStatus status) {
  onOutput();
  m_poll->stop();
  refreshResults();
  const int code = status == QProcess::NormalExit ? exitCode : -1;
  QString text = code == 0     ? tr("Sweep finished")
                 : code == 130 ? tr("Sweep stopped: Start with the same fields resumes it")
                 : code == 1   ? tr("Sweep ended; some runs failed (Start again runs them again)")
                               : tr("Sweep refused or crashed (exit %1)").arg(code);
  if (!m_lastLine.isEmpty()) text += QStringLiteral(" — ") + m_lastLine;
  // distopt-run writes the figure as SVG only (it links no Qt): PNG and PDF beside it, for the folder to
  // hold the figures in every format.
  if (QFileInfo::exists(QDir(m_folder).filePath(QStringLiteral("sweep.svg")))) {
    QString why;
    if (!renderFigures(m_folder, nullptr, &why)) text += QStringLiteral("\n") + why;
  }
  m_status->setText(text + QStringLiteral("\n") + m_folder);
  showBest();
  updateButtons();
  emit finished(code);
}

void SweepPanel::refreshResults() {
  if (m_folder.isEmpty()) return;
  const QFileInfo info(QDir(m_folder).filePath(QStringLiteral("sweep.csv")));
  if (!info.exists()) return;
  const qint64 stamp = info.lastModified().toMSecsSinceEpoch() ^ info.size();
  if (stamp == m_tableStamp) return;
  QFile file(info.filePath());
  if (!file.open(QIODevice::ReadOnly)) return;
  SweepResults results;
  QString why;
  // sweep.csv is replaced atomically, so a read sees a whole table; one that does not parse is left for
  // the next poll rather than shown half.
  if (!parseSweepResults(QString::fromUtf8(file.read(16 * 1024 * 1024)), &results, &why, QString(),
                         m_bestBy->currentData().toString().toStdString()))
    return;
  m_tableStamp = stamp;
  m_model->setResults(std::move(results));
  m_view->resizeColumnsToContents();
  redrawMetricChart();
  updateButtons();
  emit resultsChanged();
}

void SweepPanel::redrawMetricChart() {
  const SweepResults& r = m_model->results();
  m_metricChart->removeAllSeries();
  // The wrappers go first: the axes they draw are the chart's, deleted with the rest below.
  for (TickLabelAxis* labels : m_metricAxes) delete labels;
  m_metricAxes.clear();
  for (QAbstractAxis* axis : m_metricChart->axes()) {
    m_metricChart->removeAxis(axis);
    delete axis;
  }
  if (r.points.empty() || r.axes.isEmpty()) return;
  // x: the first field whose values are all numbers; the other fields' values name the lines.
  int xAxis = -1;
  for (int a = 0; a < r.axes.size() && xAxis < 0; ++a)
    if (std::all_of(r.points.begin(), r.points.end(), [a](const SweepPointResult& p) {
          return std::isfinite(p.numbers[static_cast<std::size_t>(a)]);
        }))
      xAxis = a;
  std::map<QString, std::vector<std::pair<double, double>>> lines;
  double xMin = INFINITY, xMax = -INFINITY, yMin = INFINITY, yMax = -INFINITY;
  for (const SweepPointResult& p : r.points) {
    QStringList others;
    for (int a = 0; a < r.axes.size(); ++a)
      if (a != xAxis) others << r.axes[a].section(QLatin1Char('.'), -1) + QLatin1Char('=') + p.values[a];
    const double x = xAxis >= 0 ? p.numbers[static_cast<std::size_t>(xAxis)] : p.point;
    auto& line = lines[others.isEmpty() ? r.metricLabel() : others.join(QStringLiteral(", "))];
    if (!std::isfinite(p.metric.mean)) continue;
    line.emplace_back(x, p.metric.mean);
    xMin = std::min(xMin, x);
    xMax = std::max(xMax, x);
    yMin = std::min(yMin, p.metric.mean);
    yMax = std::max(yMax, p.metric.mean);
  }
  const bool logX = xMin > 0 && xMax / xMin >= 10;
  const bool logY = yMin > 0 && yMax / yMin >= 10;
  auto makeAxis = [](bool log) -> QAbstractAxis* {
    if (!log) return new QValueAxis();
    return new QLogValueAxis();
  };
  QAbstractAxis* ax = makeAxis(logX);
  QAbstractAxis* ay = makeAxis(logY);
  m_metricChart->addAxis(ax, Qt::AlignBottom);
  m_metricChart->addAxis(ay, Qt::AlignLeft);
  // Tick labels as in the dashboard's charts: "10⁻³" and "2 × 10⁻³" for a swept step size, not "0.001".
  for (const auto& [axis, alignment, title] :
       {std::tuple{ax, Qt::AlignBottom, xAxis >= 0 ? r.axes[xAxis] : tr("point")},
        std::tuple{ay, Qt::AlignLeft, tr("%1 (mean over seeds)").arg(r.metricLabel())}}) {
    auto* labels = new TickLabelAxis(m_metricChart, alignment, this);
    labels->setMaxLabels(alignment == Qt::AlignBottom ? 5 : kRoomyAxisTicks);  // "2 × 10⁻³" is wide
    labels->follow(axis);
    labels->setTitle(title);
    m_metricAxes.push_back(labels);
  }
  std::size_t index = 0;
  for (auto& [name, points] : lines) {
    std::sort(points.begin(), points.end());
    auto* series = new QLineSeries();
    series->setName(name);
    series->setPointsVisible(true);
    series->setColor(lineColor(index++));
    for (const auto& [x, y] : points)
      if ((!logX || x > 0) && (!logY || y > 0)) series->append(x, y);
    m_metricChart->addSeries(series);
    series->attachAxis(ax);
    series->attachAxis(ay);
  }
  if (std::isfinite(xMin)) {
    const double padX = logX ? 1.0 : (xMax > xMin ? 0.05 * (xMax - xMin) : 0.5);
    ax->setRange(logX ? xMin / 1.5 : xMin - padX, logX ? xMax * 1.5 : xMax + padX);
    const double padY = yMax > yMin ? 0.05 * (yMax - yMin) : std::max(0.5, 0.05 * std::abs(yMax));
    ay->setRange(logY ? yMin / 1.5 : yMin - padY, logY ? yMax * 1.5 : yMax + padY);
  }
  m_metricChart->setTitle(tr("%1 against %2").arg(r.metricLabel(), xAxis >= 0 ? r.axes[xAxis] : tr("point")));
}

void SweepPanel::updateButtons() {
  const bool running = isRunning();
  m_start->setEnabled(!running);
  m_stop->setEnabled(running);
  m_open->setEnabled(m_model->rowCount() > 0);
  m_fields->setEnabled(!running);
  m_seeds->setEnabled(!running);
  m_jobs->setEnabled(!running);
}

std::vector<std::int64_t> SweepPanel::runsOf(int point, QString* why) const {
  std::vector<std::pair<std::uint64_t, std::int64_t>> bySeed;
  try {
    auto store = RunStore::open(m_storePath.toStdString());
    const auto sweep = store->findSweep(QDir(m_folder).absolutePath().toStdString());
    if (!sweep) {
      if (why) *why = tr("the store has no sweep in %1 yet").arg(m_folder);
      return {};
    }
    for (const SweepRunRow& row : store->loadSweepRuns(*sweep))
      if (row.point == point) bySeed.emplace_back(row.seed.value_or(0), row.runId);
  } catch (const std::exception& e) {
    if (why) *why = QString::fromUtf8(e.what());
    return {};
  }
  if (bySeed.empty() && why) *why = tr("point %1 has no finished run in the store yet").arg(point);
  std::sort(bySeed.begin(), bySeed.end());
  std::vector<std::int64_t> ids;
  for (const auto& [seed, id] : bySeed) ids.push_back(id);
  return ids;
}

bool SweepPanel::openPoint(int point) {
  QString why;
  const auto ids = runsOf(point, &why);
  if (ids.empty()) return fail(why, nullptr);
  emit openRunRequested(ids.front());
  return true;
}

void SweepPanel::showBest() {
  const int best = bestPoint();
  if (best < 0) return;
  // Selecting the row draws its curves (currentRowChanged); select it even when it is selected already.
  const int row = m_proxy->mapFromSource(m_model->index(m_model->rowOf(best), 0)).row();
  if (row >= 0 && m_view->currentIndex().row() != row)
    m_view->selectRow(row);
  else
    showPointCurves(best);
}

void SweepPanel::setStatistic(const std::string& statistic) {
  if (const int index = m_bestBy->findData(QString::fromStdString(statistic));
      index >= 0 && index != m_bestBy->currentIndex()) {
    m_bestBy->setCurrentIndex(index);  // comes back here through currentIndexChanged
    return;
  }
  m_model->setStatistic(statistic);
  showBest();
}

void SweepPanel::setBandKind(BandKind kind) {
  if (const int index = m_bandKind->findData(static_cast<int>(kind));
      index >= 0 && index != m_bandKind->currentIndex()) {
    m_bandKind->setCurrentIndex(index);
    return;
  }
  if (m_shownPoint >= 0) showPointCurves(m_shownPoint);
}

void SweepPanel::showPointCurves(int point) {
  const std::uint64_t ticket = ++m_curveTicket;
  const std::string storePath = m_storePath.toStdString();
  const std::string folder = QDir(m_folder).absolutePath().toStdString();
  // The store is read on the pool's thread: a point of many seeds with long runs is many rows, and the
  // table must stay responsive while they load.
  m_pool.start([this, ticket, point, storePath, folder] {
    auto seeds = std::make_shared<std::vector<std::vector<EvaluationPoint>>>();
    auto why = std::make_shared<QString>();
    try {
      auto store = RunStore::open(storePath);
      std::vector<std::pair<std::uint64_t, std::int64_t>> bySeed;
      if (const auto sweep = store->findSweep(folder))
        for (const SweepRunRow& row : store->loadSweepRuns(*sweep))
          if (row.point == point) bySeed.emplace_back(row.seed.value_or(0), row.runId);
      std::sort(bySeed.begin(), bySeed.end());
      const StoredRunParts curveOnly{
          .events = false, .aggregates = false, .evaluations = true, .bandwidth = false, .workers = false};
      for (const auto& [seed, id] : bySeed)
        if (auto run = loadStoredRun(*store, id, curveOnly)) seeds->push_back(std::move(run->evaluations));
      if (seeds->empty()) *why = tr("point %1 has no finished run in the store yet").arg(point);
    } catch (const std::exception& e) {
      *why = QString::fromUtf8(e.what());
    }
    // m_pool's destructor waits for this task, so `this` is alive here; a queued call to an object
    // destroyed before it runs is discarded by Qt.
    QMetaObject::invokeMethod(
        this,
        [this, ticket, point, seeds, why] {
          if (ticket != m_curveTicket) return;  // superseded by a newer request
          if (why->isEmpty()) drawPointCurves(point, *seeds);
          emit curvesShown(point, *why);
        },
        Qt::QueuedConnection);
  });
}

void SweepPanel::drawPointCurves(int point, const std::vector<std::vector<EvaluationPoint>>& seeds) {
  const int row = m_model->rowOf(point);
  QStringList values;
  if (row >= 0) {
    const SweepPointResult& p = m_model->results().points[static_cast<std::size_t>(row)];
    for (int a = 0; a < p.values.size(); ++a)
      values << m_model->results().axes[a].section(QLatin1Char('.'), -1) + QLatin1Char('=') + p.values[a];
  }
  const auto kind = static_cast<BandKind>(m_bandKind->currentData().toInt());
  const OverlayBand band = overlayBand(
      QStringLiteral("p%1 %2").arg(point, 3, 10, QLatin1Char('0')).arg(values.join(QStringLiteral(", "))),
      seeds, kind);
  m_curves->removeSeriesFrom(0);
  const int series = m_curves->addSeries(
      band.label + QStringLiteral(" — ") + bandDescription(band.kind, band.seeds), lineColor(0));
  m_curves->append(series, band.mean);
  m_curves->setBand(series, band.low, band.high);
  m_curves->refreshNow();
  m_shownPoint = point;
}

}  // namespace distopt::ui
