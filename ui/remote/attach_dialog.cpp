#include "ui/remote/attach_dialog.hpp"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace distopt::ui {

AttachDialog::AttachDialog(std::optional<DashboardIdentity> identity, const QString& identityError,
                           QWidget* parent)
    : QDialog(parent), m_identity(std::move(identity)) {
  setWindowTitle(tr("Attach to a remote run"));
  auto* layout = new QVBoxLayout(this);
  auto* intro =
      new QLabel(tr("Paste the attach command the run's owner sent you (Run → Connect remote workers "
                    "shows it on their machine). The dashboard only watches: it cannot stop or "
                    "change the run."),
                 this);
  intro->setWordWrap(true);
  layout->addWidget(intro);
  m_command = new QPlainTextEdit(this);
  m_command->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  m_command->setPlaceholderText(
      QStringLiteral("distopt-workbench --attach tcp://HOST:PORT --server-key '…' --dashboard-token '…'"));
  m_command->setMaximumHeight(90);
  layout->addWidget(m_command);

  auto* keyLabel = new QLabel(this);
  keyLabel->setWordWrap(true);
  auto* keyRow = new QHBoxLayout;
  if (m_identity) {
    keyLabel->setText(
        tr("No dashboard token in the command? Send the owner this workbench's public key; once they "
           "allow it, the command without a token works:"));
    auto* key = new QLineEdit(m_identity->publicKey, this);
    key->setReadOnly(true);
    key->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto* copy = new QPushButton(tr("Copy"), this);
    connect(copy, &QPushButton::clicked, this,
            [value = m_identity->publicKey] { QApplication::clipboard()->setText(value); });
    keyRow->addWidget(key, 1);
    keyRow->addWidget(copy);
  } else {
    keyLabel->setText(
        tr("This workbench has no dashboard key (%1); only commands with a dashboard token work.")
            .arg(identityError));
  }
  layout->addWidget(keyLabel);
  layout->addLayout(keyRow);

  m_error = new QLabel(this);
  m_error->setWordWrap(true);
  m_error->setStyleSheet(QStringLiteral("color: #b00020"));
  layout->addWidget(m_error);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Attach"));
  connect(buttons, &QDialogButtonBox::accepted, this, &AttachDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &AttachDialog::reject);
  layout->addWidget(buttons);
  resize(720, 300);
}

void AttachDialog::accept() {
  QString why;
  if (!parseAttachCommand(m_command->toPlainText(), m_identity ? &*m_identity : nullptr, &m_endpoints,
                          &why)) {
    m_error->setText(why);
    return;
  }
  QDialog::accept();
}

}  // namespace distopt::ui
