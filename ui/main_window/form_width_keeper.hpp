#pragma once
// Keeps the form panel (a dock) at the width the person wants. A window made narrow takes its width
// from the dock as well as from the dashboard; QMainWindow gives all of it back to the dashboard when
// the window grows again, so after one trip to 1024 px the form would stay squeezed. This puts it back
// to its preferred width whenever there is room: the default, or the last width the person dragged it
// to. Thread: GUI thread only.

#include <QObject>

class QDockWidget;
class QMainWindow;

namespace distopt::ui {

class FormWidthKeeper : public QObject {
  Q_OBJECT

 public:
  /// Watches `window` and its `dock`; `preferredWidth` until the person drags the dock's edge.
  FormWidthKeeper(QMainWindow* window, QDockWidget* dock, int preferredWidth);

  int preferredWidth() const { return m_preferred; }

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void restore();

  QMainWindow* m_window;
  QDockWidget* m_dock;
  int m_preferred;
};

}  // namespace distopt::ui
