#include "ui/session/reattach_dialog.hpp"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace distopt::ui {

ReattachDialog::ReattachDialog(std::vector<RunFolderStatus> runs, QWidget* parent)
    : QDialog(parent), m_runs(std::move(runs)) {
  setWindowTitle(tr("Reattach to a run"));
  auto* layout = new QVBoxLayout(this);
  auto* intro =
      new QLabel(m_runs.empty() ? tr("No run started from this workbench is still active. Pick a run "
                                     "folder by hand to look at how it stands.")
                                : tr("Runs still active (their coordinators are running):"),
                 this);
  intro->setWordWrap(true);
  layout->addWidget(intro);
  m_list = new QListWidget(this);
  for (const RunFolderStatus& run : m_runs) {
    auto* item = new QListWidgetItem(
        tr("%1 — started %2 — %3")
            .arg(run.name, run.started.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")), run.detail),
        m_list);
    item->setToolTip(run.directory);
  }
  m_list->setVisible(!m_runs.empty());
  layout->addWidget(m_list, 1);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
  m_reattach = buttons->addButton(tr("&Reattach"), QDialogButtonBox::AcceptRole);
  auto* other = buttons->addButton(tr("Other &folder…"), QDialogButtonBox::ActionRole);
  layout->addWidget(buttons);
  m_reattach->setEnabled(false);
  if (!m_runs.empty()) m_list->setCurrentRow(0);
  m_reattach->setEnabled(m_list->currentRow() >= 0);

  connect(m_list, &QListWidget::currentRowChanged, this,
          [this](int row) { m_reattach->setEnabled(row >= 0); });
  connect(m_list, &QListWidget::itemDoubleClicked, this,
          [this](QListWidgetItem* item) { chooseRow(m_list->row(item)); });
  connect(m_reattach, &QPushButton::clicked, this, [this] { chooseRow(m_list->currentRow()); });
  connect(other, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Run folder"), workbenchRunsRoot());
    if (dir.isEmpty()) return;
    m_chosen = dir;
    accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  resize(720, 320);
}

void ReattachDialog::chooseRow(int row) {
  if (row < 0 || row >= static_cast<int>(m_runs.size())) return;
  m_chosen = m_runs[static_cast<std::size_t>(row)].directory;
  accept();
}

}  // namespace distopt::ui
