#include "ui/dashboard/big_number_label.hpp"

#include <QFontMetrics>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace distopt::ui {

BigNumberLabel::BigNumberLabel(double scale, QWidget* parent)
    : QLabel(parent), m_scale(std::max(1.0, scale)) {
  setTextFormat(Qt::PlainText);
  setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
}

QFont BigNumberLabel::fontAt(double pointSize) const {
  QFont shown = font();
  shown.setPointSizeF(pointSize);
  shown.setBold(true);
  return shown;
}

QSize BigNumberLabel::textSize(const QFont& shown) const {
  const QFontMetrics metrics(shown);
  const QMargins margins = contentsMargins();
  return {metrics.horizontalAdvance(text()) + margins.left() + margins.right(),
          metrics.height() + margins.top() + margins.bottom()};
}

QFont BigNumberLabel::shownFont() const {
  const double normal = font().pointSizeF();
  const QFont big = fontAt(normal * m_scale);
  const int room = contentsRect().width();
  const int needed = QFontMetrics(big).horizontalAdvance(text());
  if (needed <= room || needed <= 0) return big;
  // Text width grows about linearly with the point size; step down until it fits (font hinting can
  // round a size up by a pixel).
  double size = std::max(normal, normal * m_scale * room / needed);
  QFont shown = fontAt(size);
  while (size > normal && QFontMetrics(shown).horizontalAdvance(text()) > room) {
    size = std::max(normal, size - 0.5);
    shown = fontAt(size);
  }
  return shown;
}

QSize BigNumberLabel::sizeHint() const { return textSize(fontAt(font().pointSizeF() * m_scale)); }

QSize BigNumberLabel::minimumSizeHint() const {
  // As narrow as the text in the normal (bold) font, as high as at full size: the rows of the manager
  // view keep their height while a column narrows.
  return {textSize(fontAt(font().pointSizeF())).width(), sizeHint().height()};
}

void BigNumberLabel::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  painter.setFont(shownFont());
  painter.setPen(palette().color(foregroundRole()));
  painter.drawText(contentsRect(), static_cast<int>(alignment()), text());
}

}  // namespace distopt::ui
