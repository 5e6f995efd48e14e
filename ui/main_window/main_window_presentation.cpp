// MainWindow, the part about presentation mode: the manager view alone, full screen and large, for an
// attached dashboard on a wall screen. No form, tool bar, menu, status bar or tabs; Esc (or F11) leaves
// and brings the window back as it was.
#include <QDockWidget>
#include <QMenuBar>
#include <QScreen>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QToolBar>
#include <algorithm>

#include "ui/dashboard/dashboard.hpp"
#include "ui/main_window/main_window.hpp"
#include "ui/session/notice_bar.hpp"

namespace distopt::ui {
namespace {

// Type grows with the screen: the manager view's sizes are made for about 768 px of height.
constexpr double kDesignHeight = 768.0;
constexpr double kMaxPresentationScale = 2.5;

}  // namespace

void MainWindow::setPresentationMode(bool on) {
  if (on == presentationMode()) return;
  QTabWidget* tabs = m_dashboard->tabs();
  ManagerView* manager = m_dashboard->manager();
  if (on) {
    Presentation saved;
    saved.windowState = saveState();
    saved.tab = tabs->currentIndex();
    saved.windowStates = windowState();
    saved.noticeShown = !m_activeRunsBar->isHidden();
    m_presentation = saved;
    for (auto* dock : findChildren<QDockWidget*>()) dock->hide();
    for (auto* toolbar : findChildren<QToolBar*>()) toolbar->hide();
    menuBar()->hide();
    statusBar()->hide();
    m_activeRunsBar->hide();
    tabs->setCurrentWidget(manager);
    tabs->tabBar()->hide();
    const double height = screen() ? screen()->geometry().height() : kDesignHeight;
    manager->setPresentation(true, std::clamp(height / kDesignHeight, 1.0, kMaxPresentationScale));
    showFullScreen();
    return;
  }
  const Presentation saved = *m_presentation;
  m_presentation.reset();
  manager->setPresentation(false);
  tabs->tabBar()->show();
  menuBar()->show();
  statusBar()->show();
  restoreState(saved.windowState);  // the docks and tool bars as they were
  m_activeRunsBar->setVisible(saved.noticeShown);
  if (saved.tab >= 0 && saved.tab < tabs->count()) tabs->setCurrentIndex(saved.tab);
  if (saved.windowStates & Qt::WindowFullScreen)
    showFullScreen();
  else if (saved.windowStates & Qt::WindowMaximized)
    showMaximized();
  else
    showNormal();
}

}  // namespace distopt::ui
