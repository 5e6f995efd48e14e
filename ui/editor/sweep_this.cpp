#include "ui/editor/sweep_this.hpp"

#include <QLineEdit>
#include <QMenu>
#include <QObject>
#include <QWidget>

namespace distopt::ui {

void offerSweepThis(QWidget* field, std::function<void()> onSweep) {
  if (!field) return;
  field->setContextMenuPolicy(Qt::CustomContextMenu);
  QObject::connect(field, &QWidget::customContextMenuRequested, field, [field, onSweep](const QPoint& at) {
    // A line edit keeps its own menu (undo, copy, paste); the action comes after it.
    auto* line = qobject_cast<QLineEdit*>(field);
    QMenu* menu = line ? line->createStandardContextMenu() : new QMenu(field);
    if (line) menu->addSeparator();
    QAction* sweep = menu->addAction(QObject::tr("Sweep this…"));
    sweep->setObjectName(QStringLiteral("sweepThis"));
    sweep->setToolTip(QObject::tr("Run this experiment over several values of this field (and seeds)"));
    QObject::connect(sweep, &QAction::triggered, field, onSweep);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(field->mapToGlobal(at));
  });
}

}  // namespace distopt::ui
