// MainWindow: several seeds overlaid as one band, and the sweep panel (ui/sweep) in a dock with its menu
// entry and the form's "Sweep this…".
#include <QDockWidget>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>

#include "ui/dashboard/dashboard.hpp"
#include "ui/editor/experiment_editor.hpp"
#include "ui/history/overlay_band.hpp"
#include "ui/history/run_history_panel.hpp"
#include "ui/main_window/main_window.hpp"
#include "ui/sweep/sweep_panel.hpp"

namespace distopt::ui {

void MainWindow::buildSweepWorkbench() {
  connect(m_history, &RunHistoryPanel::overlayBandRequested, this, [this](const OverlayBand& band) {
    m_dashboard->addOverlayBand(band);
    m_dashboard->tabs()->setCurrentIndex(0);
  });

  m_sweep = new SweepPanel(m_history->storePath(), this);
  m_sweep->setExperimentSource([this] { return m_editor->document(); },
                               [this] { return m_editor->baseDirectory(); });
  auto* dock = new QDockWidget(tr("Sweep"), this);
  dock->setObjectName(QStringLiteral("SweepDock"));
  dock->setWidget(m_sweep);
  addDockWidget(Qt::RightDockWidgetArea, dock);
  dock->hide();
  // The View menu exists by now (buildActions); the entry shows or hides the dock.
  for (QAction* action : menuBar()->actions())
    if (action->menu() && action->text() == tr("&View")) action->menu()->addAction(dock->toggleViewAction());
  dock->toggleViewAction()->setText(tr("&Sweep panel"));

  connect(m_editor, &ExperimentEditor::sweepRequested, this,
          [this, dock](const QString& path, const QString& current) {
            m_sweep->addField(path, current);
            dock->show();
            dock->raise();
          });
  // A point opens as any stored run does: through the history's loader and the same dashboard path.
  connect(m_sweep, &SweepPanel::openRunRequested, m_history, &RunHistoryPanel::openRun);
  connect(m_sweep, &SweepPanel::message, this,
          [this](const QString& text) { statusBar()->showMessage(text, 10000); });
}

}  // namespace distopt::ui
