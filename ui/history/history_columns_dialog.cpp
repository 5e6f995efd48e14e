#include "ui/history/history_columns_dialog.hpp"

#include <QDialog>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace distopt::ui {

QStringList mergeHistoryColumns(const QStringList& chosen, const QStringList& checked,
                                const std::vector<HistoryColumn>& available) {
  QStringList offered;
  for (const HistoryColumn& column : available) offered << column.key;
  QStringList keys;
  for (const QString& key : chosen)
    if (checked.contains(key) || !offered.contains(key)) keys << key;
  for (const QString& key : offered)
    if (checked.contains(key) && !keys.contains(key)) keys << key;
  return keys;
}

std::optional<QStringList> askHistoryColumns(QWidget* parent, const std::vector<HistoryColumn>& available,
                                             const QStringList& chosen) {
  QDialog dialog(parent);
  dialog.setWindowTitle(QObject::tr("Run history columns"));
  auto* search = new QLineEdit();
  search->setPlaceholderText(QObject::tr("Find a column (name or field path)"));
  search->setClearButtonEnabled(true);
  auto* list = new QListWidget();
  const auto check = [list](const QStringList& keys) {
    for (int i = 0; i < list->count(); ++i) {
      QListWidgetItem* item = list->item(i);
      item->setCheckState(keys.contains(item->data(Qt::UserRole).toString()) ? Qt::Checked : Qt::Unchecked);
    }
  };
  for (const HistoryColumn& column : available) {
    // The path beside the name: "γ" alone does not say it is the algorithm's.
    auto* item = new QListWidgetItem(column.title == column.key
                                         ? column.title
                                         : QStringLiteral("%1    (%2)").arg(column.title, column.key),
                                     list);
    item->setData(Qt::UserRole, column.key);
    item->setToolTip(column.tip);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
    // The run's label names it in every action: not optional.
    if (column.key == QLatin1String("run")) item->setFlags(Qt::NoItemFlags);
  }
  check(chosen);
  QObject::connect(search, &QLineEdit::textChanged, list, [list](const QString& text) {
    for (int i = 0; i < list->count(); ++i)
      list->item(i)->setHidden(!list->item(i)->text().contains(text, Qt::CaseInsensitive));
  });
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  QPushButton* defaults = buttons->addButton(QObject::tr("Defaults"), QDialogButtonBox::ResetRole);
  QObject::connect(defaults, &QPushButton::clicked, list, [check] { check(defaultHistoryColumns()); });
  QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  auto* layout = new QVBoxLayout(&dialog);
  layout->addWidget(new QLabel(QObject::tr("Columns the listed runs have values for:")));
  layout->addWidget(search);
  layout->addWidget(list, 1);
  layout->addWidget(buttons);
  dialog.resize(460, 520);
  if (dialog.exec() != QDialog::Accepted) return std::nullopt;
  QStringList checked;
  for (int i = 0; i < list->count(); ++i)
    if (list->item(i)->checkState() == Qt::Checked) checked << list->item(i)->data(Qt::UserRole).toString();
  return mergeHistoryColumns(chosen, checked, available);
}

}  // namespace distopt::ui
