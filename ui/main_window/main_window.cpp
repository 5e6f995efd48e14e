#include "ui/main_window/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QToolBar>

#include "distopt_version.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/editor/experiment_editor.hpp"

namespace distopt::ui {
namespace {

QString runsRoot() {
  return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
      .filePath(QStringLiteral("distopt-workbench/runs"));
}

QString stateText(RunClient::State state) {
  switch (state) {
    case RunClient::State::Idle: return QObject::tr("No run");
    case RunClient::State::Starting: return QObject::tr("Starting");
    case RunClient::State::Running: return QObject::tr("Running");
    case RunClient::State::Finished: return QObject::tr("Finished");
    case RunClient::State::Failed: return QObject::tr("Lost");
  }
  return {};
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(QStringLiteral("DistOpt Workbench %1").arg(QString::fromLatin1(kVersionString)));
  setObjectName(QStringLiteral("MainWindow"));
  resize(1280, 800);

  m_client = new RunClient(this);
  m_dashboard = new Dashboard(this);
  setCentralWidget(m_dashboard);

  m_editor = new ExperimentEditor(QString(), this);
  auto* dock = new QDockWidget(tr("Experiment"), this);
  dock->setObjectName(QStringLiteral("ExperimentDock"));
  dock->setWidget(m_editor);
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
  addDockWidget(Qt::LeftDockWidgetArea, dock);
  resizeDocks({dock}, {430}, Qt::Horizontal);

  m_runState = new QLabel(stateText(RunClient::State::Idle), this);
  m_workerCounts = new QLabel(this);
  m_progress = new QProgressBar(this);
  m_progress->setRange(0, 1000);
  m_progress->setMaximumWidth(220);
  m_progress->setTextVisible(true);
  m_progress->setFormat(QStringLiteral("%p%"));
  statusBar()->addPermanentWidget(m_workerCounts);
  statusBar()->addPermanentWidget(m_progress);
  statusBar()->addPermanentWidget(m_runState);

  buildActions();

  connect(m_editor, &ExperimentEditor::validityChanged, this, &MainWindow::onValidity);
  connect(m_client, &RunClient::stateChanged, this, &MainWindow::onState);
  connect(m_client, &RunClient::statusReceived, this, &MainWindow::onStatus);
  connect(m_client, &RunClient::finished, this, &MainWindow::onFinished);
  connect(m_client, &RunClient::message, this, [this](const QString& text) { statusBar()->showMessage(text, 10000); });
  connect(m_client, &RunClient::updatesReceived, m_dashboard, &Dashboard::addUpdates);
  connect(m_client, &RunClient::evaluationsReceived, m_dashboard, &Dashboard::addEvaluations);
  connect(m_client, &RunClient::bandwidthReceived, m_dashboard, &Dashboard::addBandwidth);
  connect(m_client, &RunClient::workersReceived, m_dashboard, &Dashboard::updateWorkers);
  connect(m_client, &RunClient::workersReceived, this, [this] { updateWorkerCounts(); });

  onValidity(m_editor->isValid(), m_editor->validationError());
  restoreSettings();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions() {
  auto* fileMenu = menuBar()->addMenu(tr("&File"));
  auto* open = fileMenu->addAction(tr("&Open experiment…"), QKeySequence::Open, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open experiment"), QString(), tr("Experiments (*.json)"));
    QString why;
    if (!path.isEmpty() && !openExperiment(path, &why)) QMessageBox::warning(this, tr("Open experiment"), why);
  });
  fileMenu->addAction(tr("&Save experiment as…"), QKeySequence::SaveAs, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save experiment"), QString(), tr("Experiments (*.json)"));
    QString why;
    if (!path.isEmpty() && !m_editor->saveFile(path, &why)) QMessageBox::warning(this, tr("Save experiment"), why);
  });
  fileMenu->addAction(tr("&Reattach to a run…"), this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Run folder"), runsRoot());
    QString why;
    if (!dir.isEmpty() && !reattach(dir, &why)) QMessageBox::warning(this, tr("Reattach"), why);
  });
  fileMenu->addSeparator();
  fileMenu->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  auto* runMenu = menuBar()->addMenu(tr("&Run"));
  m_start = runMenu->addAction(tr("&Start"), QKeySequence(Qt::CTRL | Qt::Key_R), this, [this] {
    QString why;
    if (!startRun(&why)) QMessageBox::warning(this, tr("Start"), why);
  });
  m_stop = runMenu->addAction(tr("S&top"), QKeySequence(Qt::CTRL | Qt::Key_Period), this,
                              [this] { m_client->requestStop(); });
  m_stop->setEnabled(false);

  auto* toolbar = addToolBar(tr("Run"));
  toolbar->setObjectName(QStringLiteral("RunToolBar"));
  toolbar->addAction(open);
  toolbar->addAction(m_start);
  toolbar->addAction(m_stop);
}

bool MainWindow::openExperiment(const QString& path, QString* why) {
  if (!m_editor->loadFile(path, why)) return false;
  QSettings().setValue(QStringLiteral("lastExperiment"), QFileInfo(path).absoluteFilePath());
  return true;
}

bool MainWindow::startRun(QString* why) {
  if (!m_editor->isValid()) {
    if (why) *why = m_editor->validationError();
    return false;
  }
  const auto document = m_editor->document();
  const QString name = QString::fromStdString(document.value("name", std::string("experiment")));
  const QString directory = QDir(runsRoot()).filePath(
      QStringLiteral("%1-%2").arg(name, QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
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
  m_dashboard->beginRun(document);
  if (!m_client->start(RunClient::defaultRunProgram(), experimentPath, directory, extra, why)) return false;
  m_runDirectory = directory;
  statusBar()->showMessage(tr("Run started; results in %1").arg(directory), 8000);
  return true;
}

bool MainWindow::reattach(const QString& runDirectory, QString* why) {
  RunEndpoints endpoints;
  if (!RunClient::readEndpoints(runDirectory, &endpoints, why)) return false;
  m_dashboard->beginRun(m_editor->document());
  if (!m_client->attach(endpoints, why)) return false;
  m_runDirectory = runDirectory;
  return true;
}

void MainWindow::onValidity(bool valid, const QString& reason) {
  m_invalidReason = reason;
  const bool idle = m_client->state() != RunClient::State::Running && m_client->state() != RunClient::State::Starting;
  m_start->setEnabled(valid && idle);
  m_start->setToolTip(valid ? tr("Start the experiment (Ctrl+R)") : tr("Cannot start: %1").arg(reason));
  if (!valid) statusBar()->showMessage(tr("Cannot start: %1").arg(reason));
  else statusBar()->clearMessage();
}

void MainWindow::onState(RunClient::State state) {
  m_runState->setText(stateText(state));
  const bool active = state == RunClient::State::Running || state == RunClient::State::Starting;
  m_stop->setEnabled(active);
  m_start->setEnabled(!active && m_invalidReason.isEmpty());
}

void MainWindow::onStatus(const QJsonObject& status) {
  double fraction = 0.0;
  const double time = status.value("time").toDouble();
  const double updates = status.value("updates").toDouble();
  if (status.value("time_limit").isDouble() && status.value("time_limit").toDouble() > 0)
    fraction = std::max(fraction, time / status.value("time_limit").toDouble());
  if (status.value("update_limit").toDouble() > 0) fraction = std::max(fraction, updates / status.value("update_limit").toDouble());
  m_progress->setValue(static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 1000));
  m_workerCounts->setText(tr("workers: %1 alive, %2 dead")
                              .arg(status.value("workers_alive").toInt())
                              .arg(status.value("workers_dead").toInt()));
}

void MainWindow::onFinished(const QJsonObject& summary) {
  m_progress->setValue(1000);
  m_dashboard->finishRun(summary);
  statusBar()->showMessage(tr("Run finished: %1, %2 updates. Results in %3")
                               .arg(summary.value("termination").toString())
                               .arg(summary.value("updates_applied").toInteger())
                               .arg(m_runDirectory),
                           15000);
}

void MainWindow::updateWorkerCounts() {
  const auto& model = m_dashboard->workersModel();
  m_workerCounts->setText(tr("workers: %1 alive, %2 dead")
                              .arg(model.countInState("alive") + model.countInState("slow") + model.countInState("suspect"))
                              .arg(model.countInState("dead")));
}

void MainWindow::restoreSettings() {
  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
  const QString last = settings.value(QStringLiteral("lastExperiment")).toString();
  if (!last.isEmpty() && QFileInfo::exists(last)) m_editor->loadFile(last, nullptr);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  QSettings settings;
  settings.setValue(QStringLiteral("geometry"), saveGeometry());
  settings.setValue(QStringLiteral("windowState"), saveState());
  // The run goes on without us (it was started detached); only the dashboard stops listening.
  m_client->detach();
  event->accept();
}

}  // namespace distopt::ui
