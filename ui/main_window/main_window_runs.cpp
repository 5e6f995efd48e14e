// MainWindow, the part about which run is shown: starting, reattaching, attaching, reopening, and
// keeping the dashboard, the status bar, the Connect window and the form on that one run.
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QStatusBar>
#include <QTabWidget>

#include "core/store/run_store.hpp"
#include "core/util/input_error.hpp"
#include "distopt_version.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/editor/experiment_editor.hpp"
#include "ui/main_window/main_window.hpp"
#include "ui/remote/remote_workers_panel.hpp"
#include "ui/session/active_runs.hpp"
#include "ui/session/notice_bar.hpp"
#include "ui/session/reattach_dialog.hpp"

namespace distopt::ui {
namespace {

nlohmann::json toNlohmann(const QJsonObject& object) {
  auto json = nlohmann::json::parse(QJsonDocument(object).toJson(QJsonDocument::Compact).toStdString(),
                                    nullptr, false);
  return json.is_object() ? json : nlohmann::json::object();
}

/// `text` with its first letter in upper case: a label such as "the run “x”" opening a sentence.
QString sentenceStart(QString text) {
  if (!text.isEmpty()) text[0] = text[0].toUpper();
  return text;
}

QJsonObject toQt(const nlohmann::json& json) {
  return json.is_object() ? QJsonDocument::fromJson(QByteArray::fromStdString(json.dump())).object()
                          : QJsonObject();
}

// Records at or before `until` were already shown from the store; pass only newer ones.
template <typename Record>
std::vector<Record> newerThan(const std::vector<Record>& records, double until) {
  if (until < 0) return records;
  std::vector<Record> newer;
  for (const auto& record : records)
    if (record.time > until) newer.push_back(record);
  return newer;
}

// A folder name from the experiment's name (typed by a person, or from a file): no separators, no
// "..", bounded; and one not taken yet, as two runs may start within the same second.
QString newRunDirectory(const QString& root, const QString& name) {
  QString safe = name;
  safe.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
  safe = safe.left(64);
  while (safe.startsWith(QLatin1Char('.'))) safe.remove(0, 1);
  if (safe.isEmpty()) safe = QStringLiteral("experiment");
  const QString stem = QDir(root).filePath(QStringLiteral("%1-%2").arg(
      safe, QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
  QString directory = stem;
  for (int n = 2; QFileInfo::exists(directory); ++n) directory = QStringLiteral("%1-%2").arg(stem).arg(n);
  return directory;
}

QString experimentName(const nlohmann::json& experiment) {
  const std::string name = experiment.is_object() ? experiment.value("name", std::string()) : std::string();
  return name.empty() ? QObject::tr("experiment") : QString::fromStdString(name);
}

}  // namespace

void MainWindow::connectClient() {
  connect(m_client, &RunClient::stateChanged, this, &MainWindow::onState);
  connect(m_client, &RunClient::statusReceived, this, &MainWindow::onStatus);
  connect(m_client, &RunClient::statusReceived, m_remoteWorkers, &RemoteWorkersPanel::showStatus);
  connect(m_client, &RunClient::workersReceived, m_remoteWorkers, &RemoteWorkersPanel::showWorkers);
  connect(m_client, &RunClient::controlReplied, m_remoteWorkers, &RemoteWorkersPanel::showReply);
  connect(m_remoteWorkers, &RemoteWorkersPanel::controlRequested, m_client, &RunClient::sendControl);
  connect(m_client, &RunClient::finished, this, &MainWindow::onFinished);
  connect(m_client, &RunClient::experimentReceived, this, [this](const QJsonObject& experiment) {
    // A remote run's layout (worker count, algorithm, family tabs) arrives with the feed's history,
    // ahead of its records.
    if (!m_awaitingRemoteExperiment) return;
    m_awaitingRemoteExperiment = false;
    m_shown.experiment = toNlohmann(experiment);
    m_shown.label = tr("the remote run “%1”").arg(experimentName(m_shown.experiment));
    m_dashboard->beginRun(m_shown.experiment);
    m_dashboard->manager()->setRunState(runStateText(), watching());
    // Its data paths are the remote machine's: it may not validate here, which only keeps Start disabled.
    m_editor->setDocument(m_shown.experiment);
    lockForm();
  });
  connect(m_client, &RunClient::message, this,
          [this](const QString& text) { statusBar()->showMessage(text, 10000); });
  const auto heard = [this] {
    if (m_shown.heardFromRun) return;
    m_shown.heardFromRun = true;
    onState(m_client->state());
  };
  connect(m_client, &RunClient::updatesReceived, this, [this, heard](const std::vector<UpdateEvent>& events) {
    heard();
    const auto fresh = newerThan(events, m_shown.backfilledEvents);
    m_shown.events += fresh.size();
    m_dashboard->addUpdates(fresh);
  });
  connect(m_client, &RunClient::evaluationsReceived, this,
          [this, heard](const std::vector<EvaluationPoint>& points) {
            heard();
            const auto fresh = newerThan(points, m_shown.backfilledEvaluations);
            m_shown.evaluations += fresh.size();
            m_dashboard->addEvaluations(fresh);
          });
  connect(m_client, &RunClient::statusReceived, this, heard);
  connect(m_client, &RunClient::bandwidthReceived, m_dashboard, &Dashboard::addBandwidth);
  connect(m_client, &RunClient::workersReceived, m_dashboard, &Dashboard::updateWorkers);
  connect(m_client, &RunClient::workersReceived, this, [this] { updateWorkerCounts(); });
}

void MainWindow::beginShowing(ShownRun::Source source, const nlohmann::json& experiment,
                              const QString& label) {
  m_shown = ShownRun{};
  m_shown.source = source;
  m_shown.label = label;
  m_shown.experiment = experiment.is_object() ? experiment : nlohmann::json::object();
  m_awaitingRemoteExperiment = false;
  m_dashboard->beginRun(m_shown.experiment);
  m_remoteWorkers->clear();
  m_workerCounts->clear();
  m_progress->setValue(0);
  // The form shows what is shown; a run started from it already has its experiment there.
  if (source != ShownRun::Source::Started && !m_shown.experiment.empty())
    m_editor->setDocument(m_shown.experiment);
  lockForm();
}

void MainWindow::lockForm() {
  m_editor->setReadOnly(true);
  m_formBanner->setText(tr("This form shows the experiment of %1, read-only. Start runs it again as it is.")
                            .arg(m_shown.label));
  m_formBanner->clearActions();
  connect(m_formBanner->addAction(tr("Edit a copy"), true), &QPushButton::clicked, this,
          &MainWindow::editCopy);
  m_formBanner->show();
}

void MainWindow::editCopy() {
  m_editor->setReadOnly(false);
  m_formBanner->hide();
  if (m_shown.source != ShownRun::Source::None)
    statusBar()->showMessage(
        tr("Editing a copy: Start runs it as a new run; the dashboard still shows %1.").arg(m_shown.label),
        8000);
}

bool MainWindow::formReadOnly() const { return m_editor->isReadOnly(); }

bool MainWindow::showStoredRun(const StoredRun& run, QString* why) {
  if (watching()) {
    if (why) *why = tr("A run is being watched; stop it or wait for it to end before opening another.");
    return false;
  }
  const QString label = QString::fromStdString(run.info.label());
  beginShowing(ShownRun::Source::Stored, run.experiment, tr("the stored run “%1”").arg(label));
  showStoredRunIn(*m_dashboard, run);
  m_dashboard->finishRun(toQt(run.summary));
  m_dashboard->markWorkersEnded();
  updateWorkerCounts();
  m_dashboard->tabs()->setCurrentIndex(0);
  m_shown.summary = run.summary;
  m_shown.storedRunId = run.info.id;
  if (const auto fraction = progressFraction(toQt(run.summary), toQt(run.experiment)))
    m_progress->setValue(static_cast<int>(*fraction * 1000));
  setRunState(run.summary.is_object() ? endedStateText(toQt(run.summary)) : tr("Ended without a summary"));
  setWindowTitle(QStringLiteral("DistOpt Workbench — %1").arg(label));
  // Not the previous run's "Run ended: …": the bar speaks of what the window shows.
  statusBar()->showMessage(tr("Showing the stored run “%1”").arg(label), 10000);
  return true;
}

bool MainWindow::startRun(QString* why) {
  if (!m_editor->isValid()) {
    if (why) *why = m_editor->validationError();
    return false;
  }
  const auto document = m_editor->document();
  const QString name = experimentName(document);
  const QString directory = newRunDirectory(workbenchRunsRoot(), name);
  if (!QDir().mkpath(directory)) {
    if (why) *why = tr("cannot create %1").arg(directory);
    return false;
  }
  // The run's own copy of the experiment, with data paths still relative to where it was edited.
  const QString experimentPath = QDir(directory).filePath(QStringLiteral("experiment.json"));
  if (!m_editor->saveFile(experimentPath, why)) return false;
  QStringList extra;
  const QString base = m_editor->baseDirectory().isEmpty() ? QDir::currentPath() : m_editor->baseDirectory();
  extra << QStringLiteral("--base-dir") << base;
  // Remote slots chosen in the form bring their own address, port and security.
  const QStringList placement = m_editor->runArguments();
  extra << placement;
  if (m_openToNetwork->isChecked() && document.value("engine", std::string("live")) == "live") {
    if (placement.isEmpty()) extra << QStringLiteral("--bind") << QStringLiteral("tcp://0.0.0.0:*");
    extra << QStringLiteral("--secure") << QStringLiteral("--dashboard") << QStringLiteral("tcp://0.0.0.0:*");
  }
  beginShowing(ShownRun::Source::Started, document, tr("the run “%1”").arg(name));
  m_dashboard->manager()->setStartedAt(QDateTime::currentDateTimeUtc());
  m_shown.runDirectory = directory;
  setWindowTitle(QStringLiteral("DistOpt Workbench — %1").arg(QDir(directory).dirName()));
  if (!m_client->start(RunClient::defaultRunProgram(), experimentPath, directory, extra, why)) {
    // Nothing ran: the form stays the person's to edit, and no run folder is left to look like a run.
    QDir(directory).removeRecursively();
    m_shown = ShownRun{};
    m_editor->setReadOnly(false);
    m_formBanner->hide();
    setWindowTitle(QStringLiteral("DistOpt Workbench %1").arg(QString::fromLatin1(kVersionString)));
    setRunState(tr("Not started"));
    return false;
  }
  statusBar()->showMessage(tr("Run started; results in %1").arg(directory), 8000);
  return true;
}

bool MainWindow::attachRemote(const RunEndpoints& endpoints, QString* why) {
  if (!endpoints.readOnly()) {
    if (why) *why = tr("a remote run is attached through its dashboard feed only");
    return false;
  }
  beginShowing(ShownRun::Source::Remote, nlohmann::json::object(),
               tr("the remote run at %1").arg(endpoints.telemetry));
  if (!m_client->attach(endpoints, why)) {
    setRunState(tr("Not attached"));
    return false;
  }
  m_awaitingRemoteExperiment = true;
  statusBar()->showMessage(
      tr("Attached read-only to %1; waiting for the run's feed").arg(endpoints.telemetry), 8000);
  return true;
}

bool MainWindow::reattach(const QString& runDirectory, QString* why) {
  const RunFolderStatus folder = runFolderStatus(runDirectory);
  RunEndpoints endpoints;
  if (folder.state == RunFolderState::NotARun || !RunClient::readEndpoints(runDirectory, &endpoints, why)) {
    if (why && folder.state == RunFolderState::NotARun) *why = folder.detail;
    return false;
  }
  if (watching()) m_client->detach();
  // What the store already holds first (the run may be hours old), then live telemetry from there on.
  std::optional<StoredRun> stored;
  if (const auto location = readStoreLocation(runDirectory.toStdString())) {
    try {
      auto store = RunStore::open(location->path);
      stored = loadStoredRun(*store, location->runId, StoredRunParts{.events = false});
    } catch (const InputError& e) {
      statusBar()->showMessage(
          tr("Run store not readable (%1); showing live data only").arg(QString::fromUtf8(e.what())), 10000);
    }
  }
  const nlohmann::json experiment = stored ? stored->experiment : nlohmann::json::object();
  beginShowing(ShownRun::Source::Reattached, experiment, tr("the run “%1”").arg(folder.name));
  m_shown.runDirectory = runDirectory;
  // Reattached from the menu: the notice must not go on offering this run as one still going elsewhere.
  if (!m_activeRunsBar->isHidden()) checkActiveRuns();
  if (stored) {
    showStoredRunIn(*m_dashboard, *stored);
    m_shown.events = stored->info.eventCount;
    m_shown.evaluations = stored->evaluations.size();
    if (stored->info.lastEventTime) m_shown.backfilledEvents = *stored->info.lastEventTime;
    if (!stored->evaluations.empty()) m_shown.backfilledEvaluations = stored->evaluations.back().time;
  }
  setWindowTitle(QStringLiteral("DistOpt Workbench — %1").arg(QDir(runDirectory).dirName()));
  if (folder.state != RunFolderState::Active) {
    // Nothing to listen to: show the run as it stands, and say how it ended (or that it did not).
    m_shown.summary = stored && stored->summary.is_object() ? stored->summary : nlohmann::json::object();
    m_dashboard->finishRun(toQt(m_shown.summary));
    m_dashboard->markWorkersEnded();
    updateWorkerCounts();
    if (const auto fraction = progressFraction(toQt(m_shown.summary), toQt(m_shown.experiment)))
      m_progress->setValue(static_cast<int>(*fraction * 1000));
    setRunState(folder.state == RunFolderState::Ended ? endedStateText(toQt(m_shown.summary))
                                                      : tr("Lost: the coordinator is gone"));
    statusBar()->showMessage(tr("Not attached: %1").arg(folder.detail), 15000);
    return true;
  }
  // Its wall clock counts from when it started, not from now.
  m_dashboard->manager()->setStartedAt(folder.started);
  if (!m_client->attach(endpoints, why)) {
    setRunState(tr("Not attached"));
    return false;
  }
  statusBar()->showMessage(tr("Reattached to %1").arg(runDirectory), 8000);
  return true;
}

void MainWindow::chooseRunToReattach() {
  ReattachDialog dialog(findActiveRuns(), this);
  if (dialog.exec() != QDialog::Accepted || dialog.chosenDirectory().isEmpty()) return;
  QString why;
  if (!reattach(dialog.chosenDirectory(), &why)) QMessageBox::warning(this, tr("Reattach"), why);
}

int MainWindow::checkActiveRuns() {
  std::vector<RunFolderStatus> active = findActiveRuns();
  // The run this window already shows (started with --run before this check ran) is not "still going"
  // elsewhere: offering to reattach to it would be noise.
  std::erase_if(active, [this](const RunFolderStatus& run) {
    return !m_shown.runDirectory.isEmpty() && QDir(run.directory) == QDir(m_shown.runDirectory);
  });
  m_activeRunsBar->clearActions();
  if (active.empty()) {
    m_activeRunsBar->hide();
    return 0;
  }
  const RunFolderStatus& newest = active.front();
  m_activeRunsBar->setText(active.size() == 1
                               ? tr("A run is still going: “%1”, started %2.")
                                     .arg(newest.name, newest.started.toString(QStringLiteral("HH:mm")))
                               : tr("%1 runs are still going; the newest is “%2”, started %3.")
                                     .arg(active.size())
                                     .arg(newest.name, newest.started.toString(QStringLiteral("HH:mm"))));
  const QString directory = newest.directory;
  connect(m_activeRunsBar->addAction(tr("Reattach"), true), &QPushButton::clicked, this, [this, directory] {
    QString why;
    if (!reattach(directory, &why)) QMessageBox::warning(this, tr("Reattach"), why);
  });
  if (active.size() > 1)
    connect(m_activeRunsBar->addAction(tr("Choose…"), true), &QPushButton::clicked, this,
            &MainWindow::chooseRunToReattach);
  m_activeRunsBar->show();
  return static_cast<int>(active.size());
}

void MainWindow::setRunState(const QString& text) {
  m_runState->setText(text);
  m_dashboard->manager()->setRunState(text, watching());
}

QString MainWindow::runStateText() const { return m_runState->text(); }

void MainWindow::onState(RunClient::State state) {
  const bool active = state == RunClient::State::Running || state == RunClient::State::Starting;
  m_stop->setEnabled(active && !m_client->endpoints().readOnly());
  m_start->setEnabled(!active && m_invalidReason.isEmpty());
  switch (state) {
    case RunClient::State::Idle:
      if (m_shown.source == ShownRun::Source::None) setRunState(tr("No run"));
      break;
    case RunClient::State::Starting:
      setRunState(tr("Starting"));
      break;
    case RunClient::State::Running:
      setRunState(m_shown.heardFromRun
                      ? runningText()
                      : (m_shown.source == ShownRun::Source::Started ? tr("Starting")
                                                                     : tr("Attached, waiting for the run")));
      break;
    case RunClient::State::Finished:
      // onFinished has the summary and says how it ended.
      if (m_shown.ended()) setRunState(endedStateText(toQt(m_shown.summary)));
      break;
    case RunClient::State::Failed:
      setRunState(m_shown.heardFromRun ? tr("Lost: the coordinator is gone") : tr("Not reachable"));
      m_dashboard->markWorkersEnded();
      updateWorkerCounts();
      break;
  }
}

void MainWindow::onStatus(const QJsonObject& status) {
  // A status sent before the end but delivered after it says nothing new: the summary has the last word.
  if (m_shown.ended()) return;
  m_shown.coordinatorState = status.value("state").toString();
  m_shown.workersJoined = status.value("workers_alive").toInt();
  m_shown.workersExpected = status.value("workers").toInt();
  if (m_shown.heardFromRun && m_client->state() == RunClient::State::Running) setRunState(runningText());
  m_dashboard->manager()->showStatus(status);
  if (const auto fraction = progressFraction(status))
    m_progress->setValue(static_cast<int>(*fraction * 1000));
  m_workerCounts->setText(tr("workers: %1 alive, %2 dead")
                              .arg(status.value("workers_alive").toInt())
                              .arg(status.value("workers_dead").toInt()));
}

QString MainWindow::runningText() const {
  // Remote slots keep a run waiting until every worker joined: that is not "Running" yet.
  if (m_shown.coordinatorState == QStringLiteral("starting") && m_shown.workersExpected > 0)
    return tr("Waiting for workers: %1 of %2 joined").arg(m_shown.workersJoined).arg(m_shown.workersExpected);
  return tr("Running");
}

void MainWindow::onFinished(const QJsonObject& summary) {
  // Telemetry is best effort (a dashboard that subscribed late, or a run faster than the subscription,
  // misses some, and a congested GUI drops batches); the store has every record, so the finished run is
  // shown from there when it differs.
  if (const auto location = readStoreLocation(m_shown.runDirectory.toStdString())) {
    try {
      auto store = RunStore::open(location->path);
      const auto info = store->loadRun(location->runId);
      if (info && (info->eventCount != m_shown.events || info->evaluationCount != m_shown.evaluations)) {
        if (auto stored = loadStoredRun(*store, location->runId, StoredRunParts{.events = false}))
          showStoredRunIn(*m_dashboard, *stored);
      }
    } catch (const InputError& e) {
      statusBar()->showMessage(tr("Run store not readable: %1").arg(QString::fromUtf8(e.what())), 10000);
    }
  }
  m_dashboard->finishRun(summary);
  m_dashboard->markWorkersEnded();
  updateWorkerCounts();
  m_shown.summary = toNlohmann(summary);
  // A stopped run stops where it was; only a run that used its whole budget is at 100 %.
  if (const auto fraction = progressFraction(summary, toQt(m_shown.experiment)))
    m_progress->setValue(static_cast<int>(*fraction * 1000));
  setRunState(endedStateText(summary));
  updateWorkerCounts();
  statusBar()->showMessage(tr("Run ended: %1, %2 updates. Results in %3")
                               .arg(terminationText(summary.value("termination").toString()))
                               .arg(summary.value("updates_applied").toInteger())
                               .arg(m_shown.runDirectory),
                           15000);
}

void MainWindow::updateWorkerCounts() {
  const auto& model = m_dashboard->workersModel();
  if (model.workers().empty()) {
    m_workerCounts->clear();
    return;
  }
  // Each state that has workers; after the run they are "ended", not "0 alive, 0 dead".
  const std::pair<QString, int> counts[] = {
      {tr("alive"), model.countInState("alive") + model.countInState("slow") + model.countInState("suspect")},
      {tr("dead"), model.countInState("dead")},
      {tr("ended"), model.countInState("ended")}};
  QStringList parts;
  for (const auto& [name, count] : counts)
    if (count > 0) parts << QStringLiteral("%1 %2").arg(count).arg(name);
  m_workerCounts->setText(parts.isEmpty() ? QString()
                                          : tr("workers: %1").arg(parts.join(QStringLiteral(", "))));
}

bool MainWindow::confirmClose() {
  const bool ours =
      m_shown.source == ShownRun::Source::Started || m_shown.source == ShownRun::Source::Reattached;
  if (!watching() || !ours) return true;
  QMessageBox box(
      QMessageBox::Information, tr("The run goes on"),
      tr("%1 goes on without this window; its results keep going to %2.\n\nWhen you open the workbench "
         "again it offers to reattach (File → Reattach to a run…).")
          .arg(sentenceStart(m_shown.label), m_shown.runDirectory),
      QMessageBox::NoButton, this);
  box.setObjectName(QStringLiteral("CloseDuringRun"));
  QPushButton* close = box.addButton(tr("Close, the run goes on"), QMessageBox::AcceptRole);
  box.addButton(QMessageBox::Cancel);
  box.setDefaultButton(close);
  box.exec();
  return box.clickedButton() == close;
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!confirmClose()) {
    event->ignore();
    return;
  }
  saveSettings();
  // The run goes on without us (it was started detached); only the dashboard stops listening.
  m_client->detach();
  event->accept();
}

}  // namespace distopt::ui
