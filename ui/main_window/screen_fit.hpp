#pragma once
// Keeps a top-level window, frame included, on the screen's available area when it opens, when it is
// restored from maximized or full screen, and after a saved geometry is restored. A window manager
// adds its frame (title bar, borders) around the size the program asks for, and says how thick it is
// only after the window is mapped: a window made as large as the screen would have its bottom (status
// and progress bars) below the screen's edge. Thread: GUI thread only.

#include <QMargins>
#include <QObject>
#include <QRect>
#include <QSize>

class QWidget;

namespace distopt::ui {

/// The frame rectangle a window with frame `frame` (its client area inset by `margins`) should have to
/// lie inside `available`: its client size bounded by what the area leaves after the frame, but never
/// below `minimumClient` (then it starts at the area's top-left corner and goes past the far edge, as
/// little as it must), and moved, not shrunk, when it only lies partly outside.
QRect fitFrame(const QRect& frame, const QMargins& margins, const QRect& available,
               const QSize& minimumClient);

class ScreenFit : public QObject {
  Q_OBJECT

 public:
  /// Watches `window` (a top-level widget), which owns this object.
  explicit ScreenFit(QWidget* window);

  /// Moves and shrinks the window into its screen's available area now, if it is shown in its normal
  /// state and does not fit.
  void fit();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  /// Fits once the event being handled is done (the state change applied, the frame known).
  void queueFit();
  /// The window manager's frame around the window (none before it is framed).
  QMargins frameMargins() const;

  QWidget* m_window;
  QMargins m_fittedMargins;  ///< the frame the last fit saw
  bool m_restoring = false;  ///< back from maximized or full screen, the normal size not applied yet
  bool m_fitQueued = false;
};

}  // namespace distopt::ui
