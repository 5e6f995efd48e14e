#pragma once
// "Attach to a remote run": how a manager's workbench joins a run on another machine as a read-only
// dashboard. The run's owner sends the attach command (Run → Connect remote workers shows it); pasting
// it here is all it takes. Runs that do not hand out a dashboard token let in allowed keys only: this
// workbench's own dashboard key is shown, to copy and send to the owner.

#include <QDialog>

#include "ui/client/remote_attach.hpp"
#include "ui/client/run_client.hpp"

class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace distopt::ui {

class AttachDialog : public QDialog {
  Q_OBJECT

 public:
  /// `identity`: this workbench's dashboard key (nullopt when it could not be made: `identityError`).
  AttachDialog(std::optional<DashboardIdentity> identity, const QString& identityError,
               QWidget* parent = nullptr);

  /// The endpoints once accepted.
  const RunEndpoints& endpoints() const { return m_endpoints; }
  QPlainTextEdit* commandEdit() const { return m_command; }

 public slots:
  void accept() override;

 private:
  std::optional<DashboardIdentity> m_identity;
  QPlainTextEdit* m_command = nullptr;
  QLabel* m_error = nullptr;
  RunEndpoints m_endpoints;
};

}  // namespace distopt::ui
