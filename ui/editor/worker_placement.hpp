#pragma once
// Where a live run's workers run: all on this machine, or some (or all) of them on other machines that
// join the run themselves, or all of them started by Slurm. Remote slots need an address and a fixed port
// another machine can reach, and are always secured (CURVE and a join token, as distopt-run requires
// beyond loopback); after Start, Run → Connect remote workers shows the command that joins. Remote slots
// are how the run is started, not part of the experiment, so they are not in the experiment file; Slurm
// is (`"launcher": "slurm"` and its fields, core/config/slurm_launch.hpp), so a saved experiment starts
// the same way from distopt-run. Thread: GUI thread only.

#include <QString>
#include <QStringList>
#include <QWidget>
#include <string>

#include <nlohmann/json.hpp>

#include "core/config/slurm_launch.hpp"

class QComboBox;
class QLabel;
class QLineEdit;
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
  enum class Where { Local, LocalAndRemote, RemoteOnly, Slurm };

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

  /// The Slurm fields as chosen (the srun arguments split at white space).
  SlurmLaunch slurmLaunch() const;
  /// Slurm chosen: writes "launcher": "slurm" and the "slurm" object into the experiment's `workers`.
  void writeLauncher(nlohmann::json& workers) const;
  /// Empty when the editor can show `workers`' launcher fields (what the parser refuses, with its reason,
  /// and srun arguments that would not survive being shown separated by spaces); else why not.
  static QString launcherProblem(const nlohmann::json& workers, int workerCount);
  /// Shows `workers`' launcher (checked with launcherProblem): Slurm and its fields, or back to this
  /// machine from Slurm for an experiment without one.
  void readLauncher(const nlohmann::json& workers);
  /// Empty when srun can be started ($DISTOPT_SRUN, else srun on PATH); else why not.
  static QString srunMissing();

  QComboBox* whereCombo() const { return m_where; }
  QSpinBox* localWorkersBox() const { return m_local; }
  QComboBox* addressCombo() const { return m_address; }
  QSpinBox* portBox() const { return m_port; }
  QLineEdit* partitionEdit() const { return m_partition; }
  QSpinBox* nodesBox() const { return m_nodes; }
  QSpinBox* tasksPerNodeBox() const { return m_tasksPerNode; }
  QLineEdit* timeEdit() const { return m_time; }
  QLineEdit* srunArgsEdit() const { return m_srunArgs; }

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
  // Slurm's fields (Where::Slurm).
  QWidget* m_slurmDetails = nullptr;
  QLineEdit* m_partition = nullptr;
  QSpinBox* m_nodes = nullptr;
  QSpinBox* m_tasksPerNode = nullptr;
  QLineEdit* m_time = nullptr;
  QLineEdit* m_srunArgs = nullptr;
  QSpinBox* m_slurmWaitMinutes = nullptr;
  QString m_srunMissing;  // why Slurm cannot be chosen here, empty when it can
};

}  // namespace distopt::ui
