#include "ui/charts/short_text_combo.hpp"

#include <QStyleOptionComboBox>
#include <QStylePainter>

namespace distopt::ui {

ShortTextComboBox::ShortTextComboBox(QWidget* parent) : QComboBox(parent) {
  connect(this, &QComboBox::currentIndexChanged, this, &ShortTextComboBox::fitToCurrent);
}

void ShortTextComboBox::selectQuietly(int index) {
  {
    const QSignalBlocker block(this);
    setCurrentIndex(index);
  }
  fitToCurrent();
}

void ShortTextComboBox::fitToCurrent() {
  setToolTip(currentText());
  updateGeometry();
}

void ShortTextComboBox::addItem(const QString& text, const QString& shortText, const QVariant& data) {
  QComboBox::addItem(text, data);
  setItemData(count() - 1, shortText, kShortTextRole);
  setItemData(count() - 1, text, Qt::ToolTipRole);
  updateGeometry();
}

QString ShortTextComboBox::shownText() const {
  const QString shortText = currentData(kShortTextRole).toString();
  return shortText.isEmpty() ? currentText() : shortText;
}

int ShortTextComboBox::textRoom() const {
  QStyleOptionComboBox option;
  initStyleOption(&option);
  return style()->subControlRect(QStyle::CC_ComboBox, &option, QStyle::SC_ComboBoxEditField, this).width();
}

QSize ShortTextComboBox::sizeHint() const {
  QStyleOptionComboBox option;
  initStyleOption(&option);
  // A little more than the text's advance: the style's label drawing keeps a margin of its own.
  const QSize text(fontMetrics().horizontalAdvance(shownText()) + fontMetrics().averageCharWidth(),
                   fontMetrics().height());
  // At least a few letters wide, the width an empty or one-letter choice still needs to read as one.
  const QSize least(fontMetrics().horizontalAdvance(QStringLiteral("xxxxxx")), fontMetrics().height());
  return style()->sizeFromContents(QStyle::CT_ComboBox, &option, text.expandedTo(least), this);
}

QSize ShortTextComboBox::minimumSizeHint() const {
  // The short name whole: squeezed to a few letters' width the closed box showed "f(x) −…". (Below the
  // 1024-px window the row is narrower than its parts' minimum and paintEvent elides instead.)
  return sizeHint();
}

void ShortTextComboBox::paintEvent(QPaintEvent*) {
  QStylePainter painter(this);
  painter.setPen(palette().color(QPalette::Text));
  QStyleOptionComboBox option;
  initStyleOption(&option);
  // Squeezed below its size hint (a window narrower than 1024 px), the short name is elided, not cut.
  option.currentText = fontMetrics().elidedText(shownText(), Qt::ElideRight, textRoom());
  painter.drawComplexControl(QStyle::CC_ComboBox, option);
  painter.drawControl(QStyle::CE_ComboBoxLabel, option);
}

}  // namespace distopt::ui
