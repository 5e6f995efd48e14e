#include "ui/main_window/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScreen>
#include <QSettings>
#include <QShortcut>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "core/store/run_store.hpp"
#include "core/util/input_error.hpp"
#include "distopt_version.hpp"
#include "ui/charts/bandwidth_chart.hpp"
#include "ui/charts/delay_histogram.hpp"
#include "ui/charts/live_chart.hpp"
#include "ui/client/remote_attach.hpp"
#include "ui/dashboard/dashboard.hpp"
#include "ui/editor/experiment_editor.hpp"
#include "ui/export/chart_export.hpp"
#include "ui/export/export_names.hpp"
#include "ui/export/figure_options_dialog.hpp"
#include "ui/export/report_export.hpp"
#include "ui/family/family_view.hpp"
#include "ui/history/run_history_panel.hpp"
#include "ui/history/stored_run_view.hpp"
#include "ui/main_window/form_width_keeper.hpp"
#include "ui/main_window/screen_fit.hpp"
#include "ui/remote/attach_dialog.hpp"
#include "ui/remote/remote_workers_panel.hpp"
#include "ui/session/notice_bar.hpp"

namespace distopt::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(QStringLiteral("DistOpt Workbench %1").arg(QString::fromLatin1(kVersionString)));
  setObjectName(QStringLiteral("MainWindow"));
  // Not larger than the screen it opens on (a 1024×700 display would cut the status bar off).
  resize(screen() ? QSize(1280, 800).boundedTo(screen()->availableGeometry().size()) : QSize(1280, 800));

  m_client = new RunClient(this);
  // Notices sit above the panel they are about: runs still active above the dashboard, "this form shows
  // the run on the right, read-only" above the form.
  auto* centre = new QWidget(this);
  auto* centreLayout = new QVBoxLayout(centre);
  centreLayout->setContentsMargins(0, 0, 0, 0);
  m_activeRunsBar = new NoticeBar(centre);
  m_activeRunsBar->hide();
  m_dashboard = new Dashboard(centre);
  centreLayout->addWidget(m_activeRunsBar);
  centreLayout->addWidget(m_dashboard, 1);
  setCentralWidget(centre);

  auto* formPane = new QWidget(this);
  auto* formLayout = new QVBoxLayout(formPane);
  formLayout->setContentsMargins(0, 0, 0, 0);
  m_formBanner = new NoticeBar(formPane);
  m_formBanner->hide();
  m_editor = new ExperimentEditor(QString(), formPane);
  formLayout->addWidget(m_formBanner);
  formLayout->addWidget(m_editor, 1);
  auto* dock = new QDockWidget(tr("Experiment"), this);
  dock->setObjectName(QStringLiteral("ExperimentDock"));
  dock->setWidget(formPane);
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
  addDockWidget(Qt::LeftDockWidgetArea, dock);
  constexpr int kFormWidth = 430;
  resizeDocks({dock}, {kFormWidth}, Qt::Horizontal);
  new FormWidthKeeper(this, dock, kFormWidth);

  m_runState = new QLabel(tr("No run"), this);
  m_workerCounts = new QLabel(this);
  m_progress = new QProgressBar(this);
  m_progress->setRange(0, 1000);
  m_progress->setMaximumWidth(220);
  m_progress->setTextVisible(true);
  m_progress->setFormat(QStringLiteral("%p%"));
  m_networkBadge = new QLabel(tr("open to other machines"), this);
  m_networkBadge->setToolTip(
      tr("Live runs started now listen on every interface, secured (Run → Open to other "
         "machines)"));
  m_networkBadge->setStyleSheet(QStringLiteral("color: #1565c0;"));
  m_networkBadge->hide();
  statusBar()->addPermanentWidget(m_networkBadge);
  statusBar()->addPermanentWidget(m_workerCounts);
  statusBar()->addPermanentWidget(m_progress);
  statusBar()->addPermanentWidget(m_runState);

  m_history = new RunHistoryPanel(QString::fromStdString(defaultStorePath()), this);
  m_dashboard->tabs()->addTab(m_history, tr("Run history"));
  connect(m_dashboard->tabs(), &QTabWidget::currentChanged, this, [this](int index) {
    if (m_dashboard->tabs()->widget(index) == m_history) m_history->refresh();
  });
  connect(m_history, &RunHistoryPanel::openRequested, this, [this](const StoredRun& run) {
    QString why;
    if (!showStoredRun(run, &why)) QMessageBox::warning(this, tr("Open run"), why);
  });
  connect(m_history, &RunHistoryPanel::overlayRequested, this,
          [this](const QStringList& labels, const std::vector<std::vector<EvaluationPoint>>& curves,
                 const QStringList& keys) {
            for (std::size_t i = 0; i < curves.size(); ++i)
              m_dashboard->addOverlay(labels[static_cast<qsizetype>(i)], curves[i],
                                      keys.value(static_cast<qsizetype>(i)));
            m_dashboard->tabs()->setCurrentIndex(0);
          });
  connect(m_history, &RunHistoryPanel::baselineChosen, this,
          [this](const QString& label, const std::vector<EvaluationPoint>& curve) {
            m_dashboard->setBaseline(Dashboard::Baseline{label, curve});
          });
  connect(m_history, &RunHistoryPanel::message, this, [this](const QString& text) { statusBar()->showMessage(text, 10000); });

  buildActions();
  buildSweepWorkbench();

  connect(m_editor, &ExperimentEditor::validityChanged, this, &MainWindow::onValidity);
  // The remote-workers panel lives in its own window, fed like the dashboard.
  m_remoteWorkers = new RemoteWorkersPanel(this);
  m_remoteWorkers->setWindowFlag(Qt::Window);
  m_remoteWorkers->setWindowTitle(tr("Connect remote workers — DistOpt Workbench"));
  m_remoteWorkers->resize(960, 720);
  connectClient();

  onValidity(m_editor->isValid(), m_editor->validationError());
  restoreSettings();
  // The size above, or the one restored, is the client's: the window manager's frame comes on top.
  new ScreenFit(this);
  // After the window is up: a run left going by an earlier session is a click away.
  QTimer::singleShot(0, this, [this] { checkActiveRuns(); });
}

MainWindow::~MainWindow() = default;

void MainWindow::showRemoteWorkers() {
  m_remoteWorkers->show();
  m_remoteWorkers->raise();
  m_remoteWorkers->activateWindow();
}

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
  fileMenu->addAction(tr("&Reattach to a run…"), this, &MainWindow::chooseRunToReattach);
  fileMenu->addAction(tr("&Attach to a remote run…"), this, [this] {
    QString identityError;
    auto identity = loadDashboardIdentity(&identityError);
    AttachDialog dialog(std::move(identity), identityError, this);
    if (dialog.exec() != QDialog::Accepted) return;
    QString why;
    if (!attachRemote(dialog.endpoints(), &why)) QMessageBox::warning(this, tr("Attach"), why);
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
  runMenu->addAction(tr("&Connect remote workers…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W), this,
                     [this] { showRemoteWorkers(); });
  m_openToNetwork = runMenu->addAction(tr("&Open to other machines (secured)"));
  m_openToNetwork->setCheckable(true);
  m_openToNetwork->setToolTip(tr("Live runs listen on every network interface with CURVE security: remote "
                                 "workers join with the run's join command, managers' dashboards attach with "
                                 "its attach command (Run → Connect remote workers shows both)."));
  connect(m_openToNetwork, &QAction::toggled, this, [this](bool opened) {
    // Nothing changes until the next live run starts: say so, and keep saying it in the status bar.
    m_networkBadge->setVisible(opened);
    statusBar()->showMessage(
        opened
            ? tr("Open to other machines: the next live run listens on every interface, secured with CURVE; "
                 "Run → Connect remote workers shows its join and attach commands.")
            : tr("Closed to other machines: the next live run listens on this machine only (unless the form "
                 "reserves remote slots)."),
        10000);
  });
  m_stop->setEnabled(false);

  auto* viewMenu = menuBar()->addMenu(tr("&View"));
  auto* fullScreen =
      viewMenu->addAction(tr("&Presentation mode (manager view, full screen)"), QKeySequence(Qt::Key_F11),
                          this, [this] { setPresentationMode(!presentationMode()); });
  fullScreen->setIconText(tr("Present"));
  fullScreen->setToolTip(
      tr("The manager view alone, large and full screen, for a wall screen (F11; Esc leaves)"));
  // The menu bar and tool bar are hidden while presenting: the window keeps the shortcut.
  addAction(fullScreen);
  // Esc leaves presentation mode or full screen (and does nothing otherwise).
  auto* leave = new QShortcut(QKeySequence(Qt::Key_Escape), this);
  connect(leave, &QShortcut::activated, this, [this] {
    if (presentationMode())
      setPresentationMode(false);
    else if (isFullScreen())
      showNormal();
  });
  viewMenu->addAction(tr("Clear overlaid runs"), this, [this] { m_dashboard->clearOverlays(); });
  viewMenu->addAction(tr("Clear baseline"), this, [this] { m_dashboard->clearBaseline(); });

  auto* exportMenu = menuBar()->addMenu(tr("E&xport"));
  auto* report =
      exportMenu->addAction(tr("Export &report…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] {
        // A new folder by default (the export creates it); an existing one is written into. The report
        // is written off the GUI thread (startReportExport).
        const QString dir = QFileDialog::getSaveFileName(
            this, tr("Export report to a folder"), suggestedExportPath(shownRunName(), tr("report")),
            tr("Report folder (*)"), nullptr, QFileDialog::DontConfirmOverwrite);
        if (dir.isEmpty()) return;
        rememberExportFolder(dir);
        startReportExport(dir);
      });
  exportMenu->addAction(tr("Export run &data…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D), this, [this] {
    QString why;
    const auto run = shownStoredRun(&why);
    if (!run) {
      QMessageBox::warning(this, tr("Export run data"), why);
      return;
    }
    const QString dir = QFileDialog::getSaveFileName(
        this, tr("Export run data to a folder"), suggestedExportPath(shownRunName(), tr("data")),
        tr("Data folder (*)"), nullptr, QFileDialog::DontConfirmOverwrite);
    if (!dir.isEmpty()) rememberExportFolder(dir);
    if (!dir.isEmpty() && !exportRunData(*run, dir, &why))
      QMessageBox::warning(this, tr("Export run data"), why);
  });
  exportMenu->addSeparator();
  const QString charts[] = {tr("&Convergence chart…"), tr("&Delay histogram…"), tr("&Bandwidth chart…"),
                            tr("&Metrics chart…"), tr("Manager &view…"), tr("&Family view…")};
  for (int i = 0; i < 6; ++i) {
    auto* action = exportMenu->addAction(charts[i], this, [this, i] { exportChartDialog(i); });
    if (i == 0) action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
  }

  auto* toolbar = addToolBar(tr("Run"));
  toolbar->setObjectName(QStringLiteral("RunToolBar"));
  toolbar->addAction(open);
  toolbar->addAction(m_start);
  toolbar->addAction(m_stop);
  toolbar->addSeparator();
  toolbar->addAction(report);
  toolbar->addAction(fullScreen);
}

bool MainWindow::watching() const {
  return m_client->state() == RunClient::State::Running || m_client->state() == RunClient::State::Starting;
}

void MainWindow::exportChartDialog(int chart) {
  if (chart == 5 && !m_dashboard->familyView()) {
    QMessageBox::information(this, tr("Export chart"), tr("The run shown has no family view."));
    return;
  }
  const QString filter = tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)");
  static const char* const kWhat[] = {"convergence", "delays", "bandwidth", "metrics", "manager", "family"};
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Export chart"),
      suggestedExportPath(shownRunName(), QLatin1String(kWhat[chart]), QStringLiteral("png")), filter);
  if (path.isEmpty()) return;
  rememberExportFolder(path);
  // Charts are figures for a paper: size, resolution and font size asked for (views are screenshots).
  FigureOptions figure;
  if (chart < 3 && !askFigureOptions(this, &figure)) return;
  QString why;
  bool ok = false;
  switch (chart) {
    case 0:
      ok = exportChart(m_dashboard->convergence(), path, figure, &why);
      break;
    case 1:
      ok = exportChart(m_dashboard->delays(), path, figure, &why);
      break;
    case 2:
      ok = exportChart(m_dashboard->bandwidth(), path, figure, &why);
      break;
    case 3:
      ok = exportWidget(m_dashboard->metrics()->figure(), path, &why);
      break;
    case 4: ok = exportWidget(m_dashboard->managerView(), path, &why); break;
    default: ok = exportWidget(m_dashboard->familyView(), path, &why); break;
  }
  if (!ok) QMessageBox::warning(this, tr("Export chart"), why);
  else statusBar()->showMessage(tr("Saved %1").arg(path), 8000);
}

QString MainWindow::shownRunName() const {
  if (!m_shown.runDirectory.isEmpty()) return QDir(m_shown.runDirectory).dirName();
  const std::string name =
      m_shown.experiment.is_object() ? m_shown.experiment.value("name", std::string()) : "";
  return QString::fromStdString(name);
}

bool MainWindow::openExperiment(const QString& path, QString* why) {
  if (!m_editor->loadFile(path, why)) return false;
  // Another experiment in the form: it no longer shows the shown run's.
  editCopy();
  QSettings().setValue(QStringLiteral("lastExperiment"), QFileInfo(path).absoluteFilePath());
  return true;
}

void MainWindow::onValidity(bool valid, const QString& reason) {
  m_invalidReason = reason;
  const bool idle = m_client->state() != RunClient::State::Running && m_client->state() != RunClient::State::Starting;
  m_start->setEnabled(valid && idle);
  // Every problem is named: the first in the status bar, all of them in the tool tips (and the form).
  const QStringList all = valid ? QStringList() : m_editor->validationErrors();
  const QString list = all.size() > 1 ? tr("Cannot start:\n• %1").arg(all.join(QStringLiteral("\n• ")))
                                      : tr("Cannot start: %1").arg(reason);
  m_start->setToolTip(valid ? tr("Start the experiment (Ctrl+R)") : list);
  statusBar()->setToolTip(valid ? QString() : list);
  if (!valid)
    statusBar()->showMessage(
        all.size() > 1
            ? tr("Cannot start: %1 (and %2 more problem(s): see the form)").arg(reason).arg(all.size() - 1)
            : tr("Cannot start: %1").arg(reason));
  else statusBar()->clearMessage();
}

namespace {

// The dashboard's chart choices a user expects to find again: x axes, log axes, the bandwidth view.
struct ChartChoice {
  const char* key;
  LiveChart* (Dashboard::*chart)() const;
};
constexpr ChartChoice kLineCharts[] = {{"convergence", &Dashboard::convergence}};

// An x-axis choice as saved, nullopt when it is none.
std::optional<XAxis> savedXAxis(const QVariant& value) {
  if (!value.isValid() || value.toInt() < 0 || value.toInt() > static_cast<int>(XAxis::Bytes))
    return std::nullopt;
  return static_cast<XAxis>(value.toInt());
}

void saveChartChoices(QSettings& settings, const Dashboard& dashboard) {
  settings.beginGroup(QStringLiteral("charts"));
  for (const auto& choice : kLineCharts) {
    const LiveChart* chart = (dashboard.*choice.chart)();
    settings.setValue(QStringLiteral("%1/x").arg(QLatin1String(choice.key)), static_cast<int>(chart->xAxis()));
    settings.setValue(QStringLiteral("%1/logY").arg(QLatin1String(choice.key)), chart->logY());
  }
  // The Metrics tab's charts and the manager view's two share one x choice each.
  settings.setValue(QStringLiteral("metrics/x"), static_cast<int>(dashboard.metrics()->xAxis()));
  settings.setValue(QStringLiteral("manager/x"), static_cast<int>(dashboard.manager()->xAxis()));
  settings.setValue(QStringLiteral("manager/logY"), dashboard.manager()->logY());
  settings.setValue(QStringLiteral("delays/logY"), dashboard.delays()->logY());
  settings.setValue(QStringLiteral("bandwidth/logY"), dashboard.bandwidth()->logY());
  settings.setValue(QStringLiteral("bandwidth/mode"), static_cast<int>(dashboard.bandwidth()->mode()));
  // As an index among the tabs that are always there: the family tab comes and goes with the run.
  int tab = dashboard.tabs()->currentIndex();
  if (const int family = dashboard.familyTabIndex(); family >= 0) {
    if (tab == family) tab = 0;
    else if (tab > family) --tab;
  }
  settings.setValue(QStringLiteral("tab"), tab);
  settings.endGroup();
}

void restoreChartChoices(QSettings& settings, Dashboard& dashboard) {
  settings.beginGroup(QStringLiteral("charts"));
  for (const auto& choice : kLineCharts) {
    LiveChart* chart = (dashboard.*choice.chart)();
    if (const auto x = savedXAxis(settings.value(QStringLiteral("%1/x").arg(QLatin1String(choice.key)))))
      chart->setXAxis(*x);
    const QVariant log = settings.value(QStringLiteral("%1/logY").arg(QLatin1String(choice.key)));
    if (log.isValid()) chart->setLogY(log.toBool());
  }
  if (const auto x = savedXAxis(settings.value(QStringLiteral("metrics/x"))))
    dashboard.metrics()->setXAxis(*x);
  if (const auto x = savedXAxis(settings.value(QStringLiteral("manager/x"))))
    dashboard.manager()->setXAxis(*x);
  if (const QVariant log = settings.value(QStringLiteral("manager/logY")); log.isValid())
    dashboard.manager()->setLogY(log.toBool());
  if (const QVariant log = settings.value(QStringLiteral("delays/logY")); log.isValid())
    dashboard.delays()->setLogY(log.toBool());
  if (const QVariant log = settings.value(QStringLiteral("bandwidth/logY")); log.isValid())
    dashboard.bandwidth()->setLogY(log.toBool());
  const QVariant mode = settings.value(QStringLiteral("bandwidth/mode"));
  if (mode.isValid() && mode.toInt() >= 0 && mode.toInt() <= static_cast<int>(BandwidthChart::Mode::ByKind))
    dashboard.bandwidth()->setMode(static_cast<BandwidthChart::Mode>(mode.toInt()));
  const int tab = settings.value(QStringLiteral("tab"), 0).toInt();
  if (tab >= 0 && tab < dashboard.tabs()->count()) dashboard.tabs()->setCurrentIndex(tab);
  settings.endGroup();
}

}  // namespace

void MainWindow::saveSettings() {
  QSettings settings;
  settings.setValue(QStringLiteral("geometry"), saveGeometry());
  settings.setValue(QStringLiteral("windowState"), saveState());
  saveChartChoices(settings, *m_dashboard);
}

void MainWindow::restoreSettings() {
  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
  restoreChartChoices(settings, *m_dashboard);
  const QString last = settings.value(QStringLiteral("lastExperiment")).toString();
  if (!last.isEmpty() && QFileInfo::exists(last)) m_editor->loadFile(last, nullptr);
}

}  // namespace distopt::ui
