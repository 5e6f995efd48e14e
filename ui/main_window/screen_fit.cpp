#include "ui/main_window/screen_fit.hpp"

#include <QEvent>
#include <QScreen>
#include <QTimer>
#include <QWidget>
#include <QWindowStateChangeEvent>
#include <algorithm>

namespace distopt::ui {
namespace {

// The start of a span `length` long inside [low, low + room): moved in as little as it takes, at `low`
// when it does not fit.
int clampStart(int start, int length, int low, int room) {
  return std::max(low, std::min(start, low + room - length));
}

}  // namespace

QRect fitFrame(const QRect& frame, const QMargins& margins, const QRect& available,
               const QSize& minimumClient) {
  const QSize frameExtra(margins.left() + margins.right(), margins.top() + margins.bottom());
  const QSize client = (frame.size() - frameExtra)
                           .boundedTo(available.size() - frameExtra)
                           .expandedTo(minimumClient)
                           .expandedTo(QSize(1, 1));
  const QSize size = client + frameExtra;
  return {QPoint(clampStart(frame.x(), size.width(), available.x(), available.width()),
                 clampStart(frame.y(), size.height(), available.y(), available.height())),
          size};
}

ScreenFit::ScreenFit(QWidget* window) : QObject(window), m_window(window) {
  window->installEventFilter(this);
}

bool ScreenFit::eventFilter(QObject* watched, QEvent* event) {
  if (watched != m_window) return false;
  switch (event->type()) {
    case QEvent::Show:
      queueFit();
      break;
    case QEvent::WindowStateChange:
      // Back to the normal state from maximized or full screen: the normal geometry may be one made
      // for another screen, or never fitted.
      // The platform may apply the normal geometry after the state: fit again when it does.
      if (static_cast<QWindowStateChangeEvent*>(event)->oldState() &
          (Qt::WindowMaximized | Qt::WindowFullScreen)) {
        m_restoring = true;
        queueFit();
      }
      break;
    case QEvent::Move:
    case QEvent::Resize:
      // The window manager framed the window after the show (or changed its frame): fit with the frame
      // it has now. A size the program or the person gives the window later is kept.
      if (m_restoring || frameMargins() != m_fittedMargins) queueFit();
      if (event->type() == QEvent::Resize) m_restoring = false;
      break;
    default:
      break;
  }
  return false;
}

QMargins ScreenFit::frameMargins() const {
  const QRect client = m_window->geometry();
  const QRect frame = m_window->frameGeometry();
  return {client.left() - frame.left(), client.top() - frame.top(), frame.right() - client.right(),
          frame.bottom() - client.bottom()};
}

void ScreenFit::queueFit() {
  if (m_fitQueued) return;
  m_fitQueued = true;
  QTimer::singleShot(0, this, [this] {
    m_fitQueued = false;
    fit();
  });
}

void ScreenFit::fit() {
  if (!m_window->isVisible() ||
      (m_window->windowState() & (Qt::WindowMinimized | Qt::WindowMaximized | Qt::WindowFullScreen)))
    return;
  const QScreen* screen = m_window->screen();
  if (!screen) return;
  const QRect client = m_window->geometry();
  const QRect frame = m_window->frameGeometry();
  const QMargins margins = frameMargins();
  m_fittedMargins = margins;
  const QRect fitted = fitFrame(frame, margins, screen->availableGeometry(),
                                m_window->minimumSizeHint().expandedTo(m_window->minimumSize()));
  if (fitted == frame) return;
  const QSize clientSize =
      fitted.size() - QSize(margins.left() + margins.right(), margins.top() + margins.bottom());
  if (clientSize != client.size()) m_window->resize(clientSize);
  // A top-level widget's position is its frame's.
  if (fitted.topLeft() != frame.topLeft()) m_window->move(fitted.topLeft());
}

}  // namespace distopt::ui
