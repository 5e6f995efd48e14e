#include "ui/session/notice_bar.hpp"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QToolButton>

namespace distopt::ui {

NoticeBar::NoticeBar(QWidget* parent) : QFrame(parent) {
  setFrameShape(QFrame::StyledPanel);
  m_layout = new QHBoxLayout(this);
  m_layout->setContentsMargins(6, 3, 3, 3);
  m_text = new QLabel(this);
  m_text->setWordWrap(true);
  m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_layout->addWidget(m_text, 1);
  auto* close = new QToolButton(this);
  close->setText(QStringLiteral("×"));
  close->setToolTip(tr("Hide this notice"));
  close->setAutoRaise(true);
  m_layout->addWidget(close);
  connect(close, &QToolButton::clicked, this, &QWidget::hide);
  setText(QString());
}

void NoticeBar::setText(const QString& text, Tone tone) {
  m_text->setText(text);
  setStyleSheet(tone == Tone::Warning ? QStringLiteral("distopt--ui--NoticeBar { background: #fdecc8; }")
                                      : QStringLiteral("distopt--ui--NoticeBar { background: #dbeafe; }"));
}

QString NoticeBar::text() const { return m_text->text(); }

QPushButton* NoticeBar::addAction(const QString& text, bool closes) {
  auto* button = new QPushButton(text, this);
  // Before the close button, after earlier actions.
  m_layout->insertWidget(m_layout->count() - 1, button);
  if (closes) connect(button, &QPushButton::clicked, this, &QWidget::hide);
  return button;
}

void NoticeBar::clearActions() {
  for (QPushButton* button : findChildren<QPushButton*>(Qt::FindDirectChildrenOnly)) {
    m_layout->removeWidget(button);
    button->deleteLater();
  }
}

}  // namespace distopt::ui
