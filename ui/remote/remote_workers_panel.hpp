#pragma once
// "Connect remote workers": what a researcher needs to add machines to a running experiment — the
// command line to run on a remote machine (with the run's server key and join token when it is
// secured), the workers as they join (host, cores, program version, state, measured seconds per job,
// who started them, clock offset and round trip), the connections the coordinator refused, controls to
// exclude a worker or to allow another worker's key, and the dashboards' side: the command that attaches
// a manager's workbench to the run's read-only dashboard feed, and a field to allow a dashboard's key. Fed
// from the coordinator's control status (RunClient::statusReceived) and the worker telemetry; acts through
// control requests (RunClient::sendControl), never a socket.

#include <QJsonObject>
#include <QWidget>
#include <map>
#include <vector>

#include "core/telemetry/telemetry.hpp"

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace distopt::ui {

class RemoteWorkersPanel : public QWidget {
  Q_OBJECT

 public:
  explicit RemoteWorkersPanel(QWidget* parent = nullptr);

  /// Column order of the workers table.
  enum Column { Worker, Host, Cores, Version, State, JobSeconds, ClockOffset, StartedBy, ColumnCount };

  QString joinCommand() const;
  QString attachCommand() const;
  QTableWidget* workersTable() const { return m_table; }
  QListWidget* refusedList() const { return m_refused; }
  /// The control status's refused_by_kind in words, one line per kind seen (the security line's tooltip).
  static QString refusalsByKind(const QJsonObject& kinds);

 public slots:
  /// The coordinator's status reply (join_command, worker_list, refused_connections, secure...).
  void showStatus(const QJsonObject& status);
  /// Worker telemetry: measured seconds per job.
  void showWorkers(const std::vector<distopt::WorkerStatus>& workers);
  /// A reply to one of this panel's requests.
  void showReply(const QJsonObject& reply);
  /// Forgets the run shown (a new run starts).
  void clear();

 signals:
  /// A control request for the coordinator, e.g. {"command": "exclude", "worker": 2}.
  void controlRequested(const QJsonObject& request);

 private:
  void excludeSelected();
  /// Asks the coordinator to let in the key typed in `field` (control `command`: allow_key for workers,
  /// allow_dashboard_key for dashboards).
  void allowKeyFrom(QLineEdit* field, const QString& command);

  QLineEdit* m_command = nullptr;
  QPushButton* m_copy = nullptr;
  QLabel* m_security = nullptr;
  QTableWidget* m_table = nullptr;
  QPushButton* m_exclude = nullptr;
  QLineEdit* m_key = nullptr;
  QPushButton* m_allow = nullptr;
  QListWidget* m_refused = nullptr;
  QLineEdit* m_attach = nullptr;
  QPushButton* m_copyAttach = nullptr;
  QLabel* m_dashboards = nullptr;
  QLineEdit* m_dashboardKey = nullptr;
  QPushButton* m_allowDashboard = nullptr;
  QLabel* m_reply = nullptr;
  std::map<int, double> m_jobSeconds;
  bool m_secure = false;
};

}  // namespace distopt::ui
