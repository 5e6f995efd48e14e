#pragma once
// A one-line notice with actions, shown above a panel and closed by the person (not a modal box that
// stops everything): "2 runs still active — Reattach", "Showing run X read-only — Edit a copy".
// Thread: GUI thread only.

#include <QFrame>
#include <QString>

class QHBoxLayout;
class QLabel;
class QPushButton;

namespace distopt::ui {

class NoticeBar : public QFrame {
  Q_OBJECT

 public:
  enum class Tone { Info, Warning };

  explicit NoticeBar(QWidget* parent = nullptr);

  void setText(const QString& text, Tone tone = Tone::Info);
  QString text() const;
  /// Adds an action button; `closes` hides the bar after the click.
  QPushButton* addAction(const QString& text, bool closes);
  /// Removes every action button.
  void clearActions();

 private:
  QLabel* m_text = nullptr;
  QHBoxLayout* m_layout = nullptr;
};

}  // namespace distopt::ui
