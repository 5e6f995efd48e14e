#include "ui/editor/worker_placement.hpp"

#include <QComboBox>
#include <QFormLayout>
#include <QHostAddress>
#include <QHostInfo>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkInterface>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>

namespace distopt::ui {
namespace {

constexpr int kDefaultPort = 5570;

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
  m_where->setToolTip(tr("Where the workers run (live runs)"));
  m_where->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_where->setMinimumContentsLength(12);
  layout->addWidget(m_where);

  m_details = new QWidget(this);
  auto* form = new QFormLayout(m_details);
  form->setContentsMargins(0, 0, 0, 0);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  form->setRowWrapPolicy(QFormLayout::WrapLongRows);
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
  m_waitMinutes = new QSpinBox(m_details);
  m_waitMinutes->setRange(1, 24 * 60);
  m_waitMinutes->setValue(10);
  m_waitMinutes->setSuffix(tr(" min"));
  m_waitMinutes->setToolTip(tr("How long the run waits for every slot to be taken before it gives up"));
  form->addRow(tr("Wait up to"), m_waitMinutes);
  m_note = new QLabel(m_details);
  m_note->setWordWrap(true);
  form->addRow(m_note);
  layout->addWidget(m_details);
  m_details->hide();

  connect(m_where, &QComboBox::currentIndexChanged, this, [this] {
    m_details->setVisible(where() != Where::Local);
    m_local->setEnabled(where() == Where::LocalAndRemote);
    emit changed();
  });
  connect(m_local, &QSpinBox::valueChanged, this, &WorkerPlacement::changed);
  connect(m_address, &QComboBox::currentTextChanged, this, &WorkerPlacement::changed);
  connect(m_port, &QSpinBox::valueChanged, this, &WorkerPlacement::changed);
  connect(m_waitMinutes, &QSpinBox::valueChanged, this, &WorkerPlacement::changed);
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
  return remoteSlots(workerCount).runArguments();
}

void WorkerPlacement::describeFor(int workerCount, const QString& engine) {
  if (where() == Where::Local) return;
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
