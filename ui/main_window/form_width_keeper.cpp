#include "ui/main_window/form_width_keeper.hpp"

#include <QDockWidget>
#include <QEvent>
#include <QMainWindow>
#include <QMouseEvent>
#include <QTimer>
#include <algorithm>

namespace distopt::ui {

FormWidthKeeper::FormWidthKeeper(QMainWindow* window, QDockWidget* dock, int preferredWidth)
    : QObject(window), m_window(window), m_dock(dock), m_preferred(preferredWidth) {
  window->installEventFilter(this);
}

bool FormWidthKeeper::eventFilter(QObject* watched, QEvent* event) {
  if (watched != m_window) return false;
  if (event->type() == QEvent::Resize) {
    // After the layout has settled at the new size.
    QTimer::singleShot(0, this, &FormWidthKeeper::restore);
  } else if (event->type() == QEvent::MouseButtonRelease && m_dock->isVisible() && !m_dock->isFloating() &&
             !m_window->childAt(static_cast<QMouseEvent*>(event)->position().toPoint())) {
    // The main window itself gets the mouse only on its separators (a release over a child is one the
    // child passed on): the person dragged the form's edge, and this is the width they want from now on.
    m_preferred = m_dock->width();
  }
  return false;
}

void FormWidthKeeper::restore() {
  if (m_dock->isFloating() || !m_dock->isVisible() || m_dock->width() >= m_preferred) return;
  const QWidget* centre = m_window->centralWidget();
  const int centreMinimum = centre ? centre->minimumSizeHint().width() : 0;
  const int room = m_window->width() - centreMinimum - 8;  // the dock separator and margins
  const int width = std::min(m_preferred, room);
  if (width <= m_dock->width()) return;
  // resizeDocks() on a shown window keeps the area's old width; a minimum width the layout must honour
  // moves it, and once applied the minimum is given back (the person can narrow the form again).
  const int minimum = m_dock->minimumWidth();
  m_dock->setMinimumWidth(width);
  QTimer::singleShot(50, this, [this, minimum] { m_dock->setMinimumWidth(minimum); });
}

}  // namespace distopt::ui
