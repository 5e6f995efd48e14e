#pragma once
// Where a live run's workers run: all on this machine, or some (or all) of them on other machines that
// join the run themselves. Remote slots need an address and a fixed port another machine can reach,
// and are always secured (CURVE and a join token, as distopt-run requires beyond loopback); after Start,
// Run → Connect remote workers shows the command that joins. This is how the run is started, not part
// of the experiment, so it is not in the experiment file. Thread: GUI thread only.

#include <QString>
#include <QStringList>
#include <QWidget>
#include <string>

class QComboBox;
class QLabel;
class QSpinBox;

namespace distopt::ui {

/// The remote-slot choice as distopt-run takes it.
struct RemoteSlots {
  /// Workers started on this machine; the rest of workers.count wait for remote workers. 0 = every
  /// worker is remote.
  int localWorkers = 0;
  /// Interface the worker socket listens on: an IPv4 address, or 0.0.0.0 for every interface.
  QString address = QStringLiteral("0.0.0.0");
  /// Fixed port (1024-65535), so the command given to the remote machines stays the same.
  int port = 5570;
  /// How long the run waits for every worker to join before it is given up.
  int waitSeconds = 600;

  bool isValid(std::string* why) const;
  /// distopt-run's arguments for these slots.
  QStringList runArguments() const;
};

class WorkerPlacement : public QWidget {
  Q_OBJECT

 public:
  enum class Where { Local, LocalAndRemote, RemoteOnly };

  explicit WorkerPlacement(QWidget* parent = nullptr);

  Where where() const;
  void setWhere(Where where);
  /// The slots as chosen for a run of `workerCount` workers (RemoteOnly: no local worker).
  RemoteSlots remoteSlots(int workerCount) const;
  /// Empty when the choice can start a run of `workerCount` workers on `engine` ("live" or "sim");
  /// otherwise "workers.where: …" naming what to change.
  QString validationError(int workerCount, const QString& engine) const;
  /// distopt-run's arguments: none for local workers (or a simulated run), else the slots'.
  QStringList runArguments(int workerCount, const QString& engine) const;
  /// How many workers start on this machine.
  int localCount(int workerCount) const;

  QComboBox* whereCombo() const { return m_where; }
  QSpinBox* localWorkersBox() const { return m_local; }
  QComboBox* addressCombo() const { return m_address; }
  QSpinBox* portBox() const { return m_port; }

  /// Keeps the explanation in step with the count and engine shown in the form.
  void describeFor(int workerCount, const QString& engine);

 signals:
  void changed();

 private:
  QComboBox* m_where = nullptr;
  QWidget* m_details = nullptr;
  QSpinBox* m_local = nullptr;
  QComboBox* m_address = nullptr;
  QSpinBox* m_port = nullptr;
  QSpinBox* m_waitMinutes = nullptr;
  QLabel* m_note = nullptr;
};

}  // namespace distopt::ui
