#include "ui/editor/worker_placement.hpp"

#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHostAddress>
#include <QHostInfo>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkInterface>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <algorithm>

#include "core/util/input_error.hpp"

namespace distopt::ui {
namespace {

constexpr int kDefaultPort = 5570;

QStringList splitArguments(const QString& text) {
  static const QRegularExpression space(QStringLiteral("\\s+"));
  return text.split(space, Qt::SkipEmptyParts);
}

/// A form of details under the choice, its rows wrapping in a narrow window.
QFormLayout* detailsForm(QWidget* details) {
  auto* form = new QFormLayout(details);
  form->setContentsMargins(0, 0, 0, 0);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  form->setRowWrapPolicy(QFormLayout::WrapLongRows);
  return form;
}

/// How long a run waits for its workers, in minutes (10 by default).
QSpinBox* waitMinutesBox(QWidget* parent, const QString& tip) {
  auto* box = new QSpinBox(parent);
  box->setRange(1, 24 * 60);
  box->setValue(10);
  box->setSuffix(QObject::tr(" min"));
  box->setToolTip(tip);
  return box;
}

/// 0 shown as "Slurm's choice".
QSpinBox* slurmCount(QWidget* parent, const char* name, const QString& tip) {
  auto* box = new QSpinBox(parent);
  box->setObjectName(QString::fromLatin1(name));
  box->setRange(0, 100'000);
  box->setSpecialValueText(QObject::tr("Slurm's choice"));
  box->setToolTip(tip);
  return box;
}

bool isIpv4(const QString& text) {
  // Four parts, as people write them: QHostAddress also takes inet_aton's "10.1.2" (= 10.1.0.2).
  static const QRegularExpression dotted(QStringLiteral("^\\d{1,3}(\\.\\d{1,3}){3}$"));
  if (!dotted.match(text).hasMatch()) return false;
  QHostAddress address;
  return address.setAddress(text) && address.protocol() == QAbstractSocket::IPv4Protocol;
}

}  // namespace

bool RemoteSlots::isValid(std::string* why) const {
  auto fail = [why](const std::string& text) {
    if (why) *why = text;
    return false;
  };
  if (localWorkers < 0) return fail("local workers: must be 0 or more");
  if (!isIpv4(address))
    return fail("address: '" + address.toStdString() +
                "' is not an IPv4 address (one of this machine's, or 0.0.0.0 for every interface)");
  if (port != 0 && (port < 1024 || port > 65535))
    return fail("port: must be from 1024 to 65535 (or 0: any free port)");
  if (waitSeconds < 1) return fail("wait: must be at least one second");
  return true;
}

QStringList RemoteSlots::runArguments() const {
  const QString portText = port == 0 ? QStringLiteral("*") : QString::number(port);
  // Always secured: beyond loopback distopt-run insists, and on loopback it costs nothing.
  return {QStringLiteral("--local-workers"), QString::number(localWorkers),
          QStringLiteral("--bind"),          QStringLiteral("tcp://%1:%2").arg(address, portText),
          QStringLiteral("--secure"),        QStringLiteral("--setup-timeout"),
          QString::number(waitSeconds)};
}

WorkerPlacement::WorkerPlacement(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  m_where = new QComboBox(this);
  m_where->setObjectName(QStringLiteral("workers_where"));
  m_where->addItem(tr("this machine"));
  m_where->addItem(tr("this machine + remote slots"));
  m_where->addItem(tr("remote machines only"));
  m_where->setItemData(0, tr("Every worker is a process on this machine"), Qt::ToolTipRole);
  m_where->setItemData(1, tr("Some workers start here; the other slots wait for workers from other machines"),
                       Qt::ToolTipRole);
  m_where->setItemData(2, tr("Every slot waits for a worker from another machine"), Qt::ToolTipRole);
  m_where->addItem(tr("Slurm (one srun step)"));
  m_srunMissing = srunMissing();
  if (!m_srunMissing.isEmpty()) {
    // Offered, but greyed out with the reason: the user learns the choice exists and what it needs.
    if (auto* model = qobject_cast<QStandardItemModel*>(m_where->model())) model->item(3)->setEnabled(false);
    m_where->setItemData(3, m_srunMissing, Qt::ToolTipRole);
  } else {
    m_where->setItemData(3,
                         tr("Slurm starts every worker in one srun step, inside this allocation or in one "
                            "it asks for; saved in the experiment as \"launcher\": \"slurm\""),
                         Qt::ToolTipRole);
  }
  m_where->setToolTip(tr("Where the workers run (live runs)"));
  m_where->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_where->setMinimumContentsLength(12);
  layout->addWidget(m_where);

  m_details = new QWidget(this);
  auto* form = detailsForm(m_details);
  m_local = new QSpinBox(m_details);
  m_local->setObjectName(QStringLiteral("workers_local"));
  m_local->setRange(1, 1'000'000);
  m_local->setValue(1);
  m_local->setToolTip(tr("Workers started on this machine; the rest of Count are remote slots"));
  form->addRow(tr("Here"), m_local);
  m_address = new QComboBox(m_details);
  m_address->setObjectName(QStringLiteral("workers_address"));
  m_address->setEditable(true);
  m_address->addItem(QStringLiteral("0.0.0.0"));
  m_address->setItemData(0, tr("every network interface"), Qt::ToolTipRole);
  for (const QHostAddress& address : QNetworkInterface::allAddresses())
    if (address.protocol() == QAbstractSocket::IPv4Protocol && !address.isLoopback())
      m_address->addItem(address.toString());
  m_address->addItem(QStringLiteral("127.0.0.1"));
  m_address->setItemData(m_address->count() - 1, tr("this machine only (to try it out)"), Qt::ToolTipRole);
  m_address->setToolTip(
      tr("The address of this machine the remote workers connect to: one of its own, or "
         "0.0.0.0 for every interface"));
  form->addRow(tr("Address"), m_address);
  m_port = new QSpinBox(m_details);
  m_port->setObjectName(QStringLiteral("workers_port"));
  m_port->setRange(0, 65535);
  m_port->setValue(kDefaultPort);
  m_port->setSpecialValueText(tr("any free port"));
  m_port->setToolTip(
      tr("A fixed port the remote machines can reach (open it in their way: firewall, "
         "router); the join command then stays the same from run to run"));
  form->addRow(tr("Port"), m_port);
  m_waitMinutes =
      waitMinutesBox(m_details, tr("How long the run waits for every slot to be taken before it gives up"));
  form->addRow(tr("Wait up to"), m_waitMinutes);
  m_note = new QLabel(m_details);
  m_note->setWordWrap(true);
  form->addRow(m_note);
  layout->addWidget(m_details);
  m_details->hide();

  m_slurmDetails = new QWidget(this);
  auto* slurmForm = detailsForm(m_slurmDetails);
  m_partition = new QLineEdit(m_slurmDetails);
  m_partition->setObjectName(QStringLiteral("slurm_partition"));
  m_partition->setPlaceholderText(tr("the cluster's default"));
  m_partition->setToolTip(tr("Partition to allocate in when the run is not inside an allocation already"));
  slurmForm->addRow(tr("Partition"), m_partition);
  m_nodes = slurmCount(m_slurmDetails, "slurm_nodes", tr("Nodes for the workers' step (srun --nodes)"));
  slurmForm->addRow(tr("Nodes"), m_nodes);
  m_tasksPerNode = slurmCount(m_slurmDetails, "slurm_tasks_per_node",
                              tr("Workers per node (srun --ntasks-per-node); with Nodes, their product "
                                 "must be Count"));
  slurmForm->addRow(tr("Tasks per node"), m_tasksPerNode);
  m_time = new QLineEdit(m_slurmDetails);
  m_time->setObjectName(QStringLiteral("slurm_time"));
  m_time->setPlaceholderText(tr("none, or e.g. 30, 01:00:00, 1-00:00:00"));
  m_time->setToolTip(tr("Time limit (srun --time): MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS"));
  slurmForm->addRow(tr("Time limit"), m_time);
  m_srunArgs = new QLineEdit(m_slurmDetails);
  m_srunArgs->setObjectName(QStringLiteral("slurm_srun_args"));
  m_srunArgs->setPlaceholderText(tr("e.g. --mem-per-cpu=1G --exclusive"));
  m_srunArgs->setToolTip(
      tr("More srun options, separated by spaces: long options only (--name or "
         "--name=value), not the ones the fields above set"));
  slurmForm->addRow(tr("srun arguments"), m_srunArgs);
  m_slurmWaitMinutes = waitMinutesBox(
      m_slurmDetails,
      tr("How long the run waits for Slurm to start every worker (the queue included) before it gives up"));
  slurmForm->addRow(tr("Wait up to"), m_slurmWaitMinutes);
  layout->addWidget(m_slurmDetails);
  m_slurmDetails->hide();

  connect(m_where, &QComboBox::currentIndexChanged, this, [this] {
    m_details->setVisible(where() == Where::LocalAndRemote || where() == Where::RemoteOnly);
    m_slurmDetails->setVisible(where() == Where::Slurm);
    m_local->setEnabled(where() == Where::LocalAndRemote);
    emit changed();
  });
  connect(m_local, &QSpinBox::valueChanged, this, &WorkerPlacement::changed);
  connect(m_address, &QComboBox::currentTextChanged, this, &WorkerPlacement::changed);
  connect(m_port, &QSpinBox::valueChanged, this, &WorkerPlacement::changed);
  connect(m_waitMinutes, &QSpinBox::valueChanged, this, &WorkerPlacement::changed);
  for (QLineEdit* edit : {m_partition, m_time, m_srunArgs})
    connect(edit, &QLineEdit::textChanged, this, &WorkerPlacement::changed);
  for (QSpinBox* box : {m_nodes, m_tasksPerNode, m_slurmWaitMinutes})
    connect(box, &QSpinBox::valueChanged, this, &WorkerPlacement::changed);
}

QString WorkerPlacement::srunMissing() {
  const QString program = qEnvironmentVariable("DISTOPT_SRUN", QStringLiteral("srun"));
  const QString found = program.contains(QLatin1Char('/'))
                            ? (QFileInfo(program).isExecutable() ? program : QString())
                            : QStandardPaths::findExecutable(program);
  if (!found.isEmpty()) return {};
  return tr("Slurm: %1 is not found (not on PATH here): run the workbench on a Slurm login node, or set "
            "DISTOPT_SRUN")
      .arg(program);
}

SlurmLaunch WorkerPlacement::slurmLaunch() const {
  SlurmLaunch launch;
  launch.partition = m_partition->text().trimmed().toStdString();
  launch.nodes = m_nodes->value();
  launch.tasksPerNode = m_tasksPerNode->value();
  launch.time = m_time->text().trimmed().toStdString();
  for (const QString& argument : splitArguments(m_srunArgs->text()))
    launch.srunArgs.push_back(argument.toStdString());
  return launch;
}

void WorkerPlacement::writeLauncher(nlohmann::json& workers) const {
  if (where() != Where::Slurm) return;
  workers["launcher"] = kSlurmLauncher;
  workers["slurm"] = slurmLaunchJson(slurmLaunch());
}

QString WorkerPlacement::launcherProblem(const nlohmann::json& workers, int workerCount) {
  const nlohmann::json launcher = workers.value("launcher", nlohmann::json(kLocalLauncher));
  if (launcher == nlohmann::json(kLocalLauncher)) {
    if (workers.contains("slurm")) return tr("workers.slurm: is read only with \"launcher\": \"slurm\"");
    return {};
  }
  if (launcher != nlohmann::json(kSlurmLauncher))
    return tr("workers.launcher: must be \"local\" or \"slurm\"");
  try {
    const SlurmLaunch launch =
        parseSlurmLaunch(workers.value("slurm", nlohmann::json()), "workers.slurm", workerCount);
    for (std::size_t i = 0; i < launch.srunArgs.size(); ++i)
      if (splitArguments(QString::fromStdString(launch.srunArgs[i])).size() != 1)
        return tr("workers.slurm.srun_args[%1]: has white space, which the editor cannot show (edit the "
                  "file)")
            .arg(i);
  } catch (const InputError& error) {
    return QString::fromStdString(error.what());
  }
  return {};
}

void WorkerPlacement::readLauncher(const nlohmann::json& workers) {
  if (workers.value("launcher", nlohmann::json()) != nlohmann::json(kSlurmLauncher)) {
    if (where() == Where::Slurm) setWhere(Where::Local);
    return;
  }
  SlurmLaunch launch;
  try {
    launch = parseSlurmLaunch(workers.value("slurm", nlohmann::json()), "workers.slurm", 0);
  } catch (const InputError&) {
    return;  // launcherProblem refused it before
  }
  m_partition->setText(QString::fromStdString(launch.partition));
  m_nodes->setValue(launch.nodes);
  m_tasksPerNode->setValue(launch.tasksPerNode);
  m_time->setText(QString::fromStdString(launch.time));
  QStringList arguments;
  for (const auto& argument : launch.srunArgs) arguments.push_back(QString::fromStdString(argument));
  m_srunArgs->setText(arguments.join(QLatin1Char(' ')));
  setWhere(Where::Slurm);
}

WorkerPlacement::Where WorkerPlacement::where() const { return static_cast<Where>(m_where->currentIndex()); }

void WorkerPlacement::setWhere(Where where) { m_where->setCurrentIndex(static_cast<int>(where)); }

int WorkerPlacement::localCount(int workerCount) const {
  switch (where()) {
    case Where::Local:
      return workerCount;
    case Where::LocalAndRemote:
      return m_local->value();
    case Where::RemoteOnly:
    case Where::Slurm:
      return 0;
  }
  return workerCount;
}

RemoteSlots WorkerPlacement::remoteSlots(int workerCount) const {
  RemoteSlots chosen;
  chosen.localWorkers = localCount(workerCount);
  chosen.address = m_address->currentText().trimmed();
  chosen.port = m_port->value();
  chosen.waitSeconds = m_waitMinutes->value() * 60;
  return chosen;
}

QString WorkerPlacement::validationError(int workerCount, const QString& engine) const {
  if (where() == Where::Local) return {};
  if (engine != QStringLiteral("live"))
    return tr("workers.where: a simulated run has no worker processes; remote slots need the live engine");
  if (where() == Where::Slurm) {
    if (!m_srunMissing.isEmpty()) return tr("workers.where: %1").arg(m_srunMissing);
    std::string why;
    if (!slurmLaunch().isValid(&why, workerCount))
      return tr("workers.where: %1").arg(QString::fromStdString(why));
    return {};
  }
  if (where() == Where::LocalAndRemote && m_local->value() >= workerCount)
    return tr("workers.where: %1 worker(s) here leave no slot for a remote worker (Count is %2): lower "
              "“Here” or raise Count")
        .arg(m_local->value())
        .arg(workerCount);
  std::string why;
  if (!remoteSlots(workerCount).isValid(&why))
    return tr("workers.where: %1").arg(QString::fromStdString(why));
  return {};
}

QStringList WorkerPlacement::runArguments(int workerCount, const QString& engine) const {
  if (where() == Where::Local || engine != QStringLiteral("live")) return {};
  // Slurm's nodes reach the coordinator on this machine's name, secured as beyond loopback it must be.
  if (where() == Where::Slurm)
    return {QStringLiteral("--bind"), QStringLiteral("tcp://0.0.0.0:*"), QStringLiteral("--secure"),
            QStringLiteral("--setup-timeout"), QString::number(m_slurmWaitMinutes->value() * 60)};
  return remoteSlots(workerCount).runArguments();
}

void WorkerPlacement::describeFor(int workerCount, const QString& engine) {
  if (where() == Where::Local || where() == Where::Slurm) return;
  if (engine != QStringLiteral("live")) {
    m_note->setText(tr("Simulated runs have no worker processes."));
    return;
  }
  const RemoteSlots chosen = remoteSlots(workerCount);
  const int remote = std::max(0, workerCount - chosen.localWorkers);
  const QString host =
      chosen.address == QStringLiteral("0.0.0.0") ? QHostInfo::localHostName() : chosen.address;
  m_note->setText(tr("%1 here, %2 remote slot(s) at %3:%4, secured (CURVE, join token). After Start, "
                     "Run → Connect remote workers shows the command to run on each remote machine.")
                      .arg(chosen.localWorkers)
                      .arg(remote)
                      .arg(host, chosen.port == 0 ? tr("(a free port)") : QString::number(chosen.port)));
}

}  // namespace distopt::ui
