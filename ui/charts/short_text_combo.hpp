#pragma once
// A combo box whose closed box shows a short name of its choice ("f(x) − f*") while its list shows the
// long ones ("f(x) − f*: distance to the optimum"). A control row at 1024 px cannot give the long names
// their width: squeezed, Qt cut them ("f(x) − f*: dis"). Thread: GUI thread only.

#include <QComboBox>

namespace distopt::ui {

class ShortTextComboBox : public QComboBox {
  Q_OBJECT

 public:
  /// The item data role holding an item's short name.
  static constexpr int kShortTextRole = Qt::UserRole + 100;

  explicit ShortTextComboBox(QWidget* parent = nullptr);

  /// Adds an item: `text` in the list, `shortText` in the closed box, `data` as its user data.
  void addItem(const QString& text, const QString& shortText, const QVariant& data);
  /// Makes `index` current without a signal (the program's choice, not the person's); fits the box to
  /// its short name and names it in the tooltip as a person's choice does.
  void selectQuietly(int index);
  /// What the closed box shows: the current item's short name (its text when it has none).
  QString shownText() const;
  /// The width the closed box gives its text now.
  int textRoom() const;

  /// Wide enough for the current item's short name.
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  void fitToCurrent();
};

}  // namespace distopt::ui
