#pragma once
// A figure of the manager view: drawn as large as its column allows, up to `scale` times the normal
// font, and never smaller than the normal font. A long value ("no baseline", "5.99e-03") in a large
// bold font would otherwise set the whole window's minimum width (1049 px with the default X11 font,
// more than a 1024-px screen), or be cut when squeezed. Thread: GUI thread only.

#include <QFont>
#include <QLabel>

namespace distopt::ui {

class BigNumberLabel : public QLabel {
  Q_OBJECT

 public:
  /// Bold, `scale` times the inherited font's size at full size.
  explicit BigNumberLabel(double scale, QWidget* parent = nullptr);

  /// The font the text is drawn in at the label's current width (its full size when it fits).
  QFont shownFont() const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  /// The font at `pointSize`, bold.
  QFont fontAt(double pointSize) const;
  QSize textSize(const QFont& font) const;

  double m_scale;
};

}  // namespace distopt::ui
