#include "ui/history/prune_runs.hpp"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSpinBox>
#include <QStringList>

#include "ui/charts/units.hpp"

namespace distopt::ui {

PrunePlan planPrune(RunStore& store, const PruneRule& rule) {
  PrunePlan plan;
  plan.runs = runsToPrune(store.listRuns(), rule);
  std::vector<std::int64_t> ids;
  for (const RunInfo& info : plan.runs) ids.push_back(info.id);
  if (!ids.empty()) plan.bytes = store.bytesFreedByDeleting(ids);
  return plan;
}

QString pruneQuestion(const PrunePlan& plan) {
  if (plan.runs.empty()) return QObject::tr("No finished run matches: nothing to delete.");
  QStringList names;
  constexpr std::size_t kListed = 5;
  for (std::size_t i = 0; i < plan.runs.size() && i < kListed; ++i)
    names << QStringLiteral("%1 (%2)").arg(
        QString::fromStdString(plan.runs[i].label()),
        QString::fromStdString(plan.runs[i].record.startedAt.substr(0, 10)));
  if (plan.runs.size() > kListed)
    names << QObject::tr("and %n more", nullptr, static_cast<int>(plan.runs.size() - kListed));
  return QObject::
      tr("Delete %n run(s) and all their data, giving back %1 of disk space?\n\n%2\n\nThis cannot be undone.",
         nullptr, static_cast<int>(plan.runs.size()))
          .arg(formatBytes(static_cast<double>(plan.bytes)), names.join(QStringLiteral("\n")));
}

std::optional<PruneRule> askPruneRule(QWidget* parent) {
  QDialog dialog(parent);
  dialog.setWindowTitle(QObject::tr("Prune runs"));
  auto* form = new QFormLayout(&dialog);
  auto* how = new QComboBox(&dialog);
  how->addItem(QObject::tr("Keep the newest runs"));
  how->addItem(QObject::tr("Delete runs older than"));
  auto* keep = new QSpinBox(&dialog);
  keep->setRange(0, 1'000'000);
  keep->setValue(20);
  keep->setSuffix(QObject::tr(" runs"));
  auto* days = new QDoubleSpinBox(&dialog);
  days->setRange(0.0, 36'500.0);
  days->setValue(30.0);
  days->setSuffix(QObject::tr(" days"));
  days->setEnabled(false);
  QObject::connect(how, &QComboBox::currentIndexChanged, &dialog, [keep, days](int index) {
    keep->setEnabled(index == 0);
    days->setEnabled(index == 1);
  });
  form->addRow(QObject::tr("Rule"), how);
  form->addRow(QObject::tr("Keep"), keep);
  form->addRow(QObject::tr("Older than"), days);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
  QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  form->addRow(buttons);
  if (dialog.exec() != QDialog::Accepted) return std::nullopt;
  PruneRule rule;
  if (how->currentIndex() == 0)
    rule.keep = static_cast<std::uint64_t>(keep->value());
  else
    rule.olderThanDays = days->value();
  return rule;
}

}  // namespace distopt::ui
