#include "ui/remote/remote_workers_panel.hpp"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace distopt::ui {

RemoteWorkersPanel::RemoteWorkersPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);

  auto* joinBox = new QGroupBox(tr("Run this on the remote machine"), this);
  auto* joinLayout = new QVBoxLayout(joinBox);
  auto* commandRow = new QHBoxLayout;
  m_command = new QLineEdit(joinBox);
  m_command->setReadOnly(true);
  m_command->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  m_command->setPlaceholderText(tr("Start a live run to get its join command"));
  m_copy = new QPushButton(tr("Copy"), joinBox);
  m_copy->setEnabled(false);
  connect(m_copy, &QPushButton::clicked, this,
          [this] { QApplication::clipboard()->setText(m_command->text()); });
  commandRow->addWidget(m_command, 1);
  commandRow->addWidget(m_copy);
  joinLayout->addLayout(commandRow);
  m_security = new QLabel(joinBox);
  m_security->setWordWrap(true);
  joinLayout->addWidget(m_security);
  layout->addWidget(joinBox);

  auto* workersBox = new QGroupBox(tr("Workers"), this);
  auto* workersLayout = new QVBoxLayout(workersBox);
  m_table = new QTableWidget(0, ColumnCount, workersBox);
  m_table->setHorizontalHeaderLabels({tr("Worker"), tr("Host"), tr("Cores"), tr("Version"), tr("State"),
                                      tr("s / job"), tr("Clock offset (RTT)"), tr("Started by")});
  m_table->horizontalHeaderItem(ClockOffset)
      ->setToolTip(tr("The worker's clock minus the coordinator's, estimated from heartbeats, and the round "
                      "trip it was measured with. Charts use the coordinator's clock."));
  m_table->horizontalHeader()->setStretchLastSection(true);
  // One line per worker, columns as wide as their text: the table is what this window is for.
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_table->setWordWrap(false);
  m_table->verticalHeader()->hide();
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  workersLayout->addWidget(m_table);
  auto* actions = new QHBoxLayout;
  m_exclude = new QPushButton(tr("Exclude selected"), workersBox);
  m_exclude->setToolTip(tr("Stop the selected workers and take them out of the run"));
  connect(m_exclude, &QPushButton::clicked, this, &RemoteWorkersPanel::excludeSelected);
  m_key = new QLineEdit(workersBox);
  m_key->setPlaceholderText(tr("A worker's CURVE public key (40 characters) to let in"));
  m_allow = new QPushButton(tr("Allow key"), workersBox);
  connect(m_allow, &QPushButton::clicked, this, [this] { allowKeyFrom(m_key, QStringLiteral("allow_key")); });
  actions->addWidget(m_exclude);
  actions->addStretch(1);
  actions->addWidget(m_key, 2);
  actions->addWidget(m_allow);
  workersLayout->addLayout(actions);
  layout->addWidget(workersBox, 1);

  auto* dashboardBox = new QGroupBox(tr("Dashboards on other machines (read-only)"), this);
  auto* dashboardLayout = new QVBoxLayout(dashboardBox);
  auto* attachRow = new QHBoxLayout;
  m_attach = new QLineEdit(dashboardBox);
  m_attach->setReadOnly(true);
  m_attach->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  m_attach->setPlaceholderText(tr("The run has no dashboard feed"));
  m_copyAttach = new QPushButton(tr("Copy"), dashboardBox);
  connect(m_copyAttach, &QPushButton::clicked, this,
          [this] { QApplication::clipboard()->setText(m_attach->text()); });
  attachRow->addWidget(m_attach, 1);
  attachRow->addWidget(m_copyAttach);
  dashboardLayout->addLayout(attachRow);
  m_dashboards = new QLabel(dashboardBox);
  m_dashboards->setWordWrap(true);
  dashboardLayout->addWidget(m_dashboards);
  auto* dashboardKeyRow = new QHBoxLayout;
  m_dashboardKey = new QLineEdit(dashboardBox);
  m_dashboardKey->setPlaceholderText(
      tr("A dashboard's public key (File → Attach to a remote run… shows it there)"));
  m_allowDashboard = new QPushButton(tr("Allow dashboard"), dashboardBox);
  connect(m_allowDashboard, &QPushButton::clicked, this,
          [this] { allowKeyFrom(m_dashboardKey, QStringLiteral("allow_dashboard_key")); });
  dashboardKeyRow->addWidget(m_dashboardKey, 1);
  dashboardKeyRow->addWidget(m_allowDashboard);
  dashboardLayout->addLayout(dashboardKeyRow);
  layout->addWidget(dashboardBox);

  auto* refusedBox = new QGroupBox(tr("Refused connections"), this);
  auto* refusedLayout = new QVBoxLayout(refusedBox);
  m_refused = new QListWidget(refusedBox);
  m_refused->setMaximumHeight(90);  // the workers table gets the room
  refusedLayout->addWidget(m_refused);
  layout->addWidget(refusedBox);
  m_reply = new QLabel(this);
  layout->addWidget(m_reply);
  clear();
}

QString RemoteWorkersPanel::joinCommand() const { return m_command->text(); }
QString RemoteWorkersPanel::attachCommand() const { return m_attach->text(); }

void RemoteWorkersPanel::clear() {
  m_command->clear();
  m_copy->setEnabled(false);
  m_security->setText(tr("No run."));
  m_table->setRowCount(0);
  m_refused->clear();
  m_jobSeconds.clear();
  m_reply->clear();
  m_secure = false;
  m_allow->setEnabled(false);
  m_key->setEnabled(false);
  m_attach->clear();
  m_copyAttach->setEnabled(false);
  m_dashboards->setText(
      tr("Start a run open to other machines (Run → Open to other machines) to give it a "
         "dashboard feed."));
  m_dashboardKey->setEnabled(false);
  m_allowDashboard->setEnabled(false);
}

QString RemoteWorkersPanel::refusalsByKind(const QJsonObject& kinds) {
  // The control status's refused_by_kind (net/PROTOCOL.md §4.1), in words a person acts on.
  static const std::pair<const char*, const char*> kWords[] = {
      {"key_not_allowed", QT_TR_NOOP("key not allowed (no join token, or a key nobody allowed)")},
      {"mechanism_mismatch", QT_TR_NOOP("without this run's keys (or with keys on an unsecured run)")},
      {"wrong_server_key", QT_TR_NOOP("with another run's server key")},
      {"broken_handshake", QT_TR_NOOP("broken handshake")},
      {"closed_during_handshake", QT_TR_NOOP("hung up during the handshake (a port scan, or not ZeroMQ)")},
      {"frame_over_limit", QT_TR_NOOP("sent a frame over the size limit")}};
  QStringList lines;
  for (const auto& [key, words] : kWords)
    if (const int count = kinds.value(QLatin1String(key)).toInt(); count > 0)
      lines << tr("%1 × %2").arg(count).arg(tr(words));
  if (lines.isEmpty()) return tr("No connection refused so far.");
  return tr("Refused connections:") + "\n" + lines.join("\n");
}

void RemoteWorkersPanel::showStatus(const QJsonObject& status) {
  const QString command = status.value("join_command").toString();
  if (command.isEmpty()) {
    // A simulated run has no workers to join.
    m_security->setText(tr("This run has no worker processes (simulated run)."));
    return;
  }
  if (m_command->text() != command) {
    m_command->setText(command);
    m_command->setCursorPosition(0);  // show where the command starts; Copy takes all of it
  }
  m_copy->setEnabled(true);
  m_secure = status.value("secure").toBool();
  m_allow->setEnabled(m_secure);
  m_key->setEnabled(m_secure);
  m_security->setText(
      m_secure ? tr("Secured with CURVE: only workers with this run's join token or an allowed key get "
                    "in. %1 connection(s) and %2 message(s) refused so far.")
                     .arg(status.value("refused_total").toInt())
                     .arg(status.value("malformed_total").toInt())
               : tr("Not secured: the coordinator listens on loopback, so only this machine can join. To let "
                    "other machines in, reserve remote slots in the form (Workers → Where) or check Run → "
                    "Open to other machines, and start a new run."));

  m_security->setToolTip(refusalsByKind(status.value("refused_by_kind").toObject()));

  const QString attach = status.value("attach_command").toString();
  if (m_attach->text() != attach) {
    m_attach->setText(attach);
    m_attach->setCursorPosition(0);
  }
  m_copyAttach->setEnabled(!attach.isEmpty());
  m_dashboardKey->setEnabled(!attach.isEmpty() && m_secure);
  m_allowDashboard->setEnabled(!attach.isEmpty() && m_secure);
  if (!attach.isEmpty())
    m_dashboards->setText(m_secure
                              ? tr("A manager runs this command (it carries this run's dashboard token), or "
                                   "sends you the public key of their workbench to allow below. "
                                   "Dashboards only watch: they cannot stop or change the run.")
                              : tr("The feed listens on loopback only: dashboards on this machine attach "
                                   "with this command."));

  const QJsonArray list = status.value("worker_list").toArray();
  m_table->setRowCount(static_cast<int>(list.size()));
  for (int row = 0; row < list.size(); ++row) {
    const QJsonObject worker = list[row].toObject();
    const int id = worker.value("worker").toInt();
    const auto jobSeconds = m_jobSeconds.find(id);
    const QString state = worker.value("state").toString();
    const QString reason = worker.value("reason").toString();
    const QStringList cells = {
        QString::number(id),
        worker.value("host").toString(),
        worker.value("cores").toInt() > 0 ? QString::number(worker.value("cores").toInt()) : "",
        worker.value("version").toString(),
        reason.isEmpty() ? state : state + " — " + reason,
        jobSeconds != m_jobSeconds.end() && jobSeconds->second > 0
            ? QString::number(jobSeconds->second, 'g', 3)
            : QString(),
        worker.contains("clock_offset_ms") ? tr("%1 ms (%2 ms)")
                                                 .arg(worker.value("clock_offset_ms").toDouble(), 0, 'f', 1)
                                                 .arg(worker.value("rtt_ms").toDouble(), 0, 'f', 1)
                                           : QString(),
        worker.value("started_by").toString()};
    for (int column = 0; column < ColumnCount; ++column) {
      auto* item = m_table->item(row, column);
      if (!item) {
        item = new QTableWidgetItem;
        m_table->setItem(row, column, item);
      }
      item->setText(cells[column]);
      if (column == Worker) item->setData(Qt::UserRole, id);
    }
  }

  m_refused->clear();
  // Refused messages too: a worker that got in but asked for a slot the run does not have ("no free worker
  // slot"), or sent what the protocol does not allow.
  for (const auto& value : status.value("malformed_recent").toArray()) {
    const QJsonObject refusal = value.toObject();
    const QJsonValue worker = refusal.value("worker");
    m_refused->addItem(
        tr("message from %1: %2")
            .arg(worker.isDouble() ? tr("worker %1").arg(worker.toInt()) : tr("a worker not in the run"),
                 refusal.value("reason").toString()));
  }
  for (const auto& value : status.value("refused_connections").toArray()) {
    const QJsonObject attempt = value.toObject();
    m_refused->addItem(
        tr("%1  %2 from %3  key %4: %5")
            .arg(attempt.value("time").toString(), attempt.value("role").toString(tr("worker")),
                 attempt.value("address").toString(),
                 attempt.value("key").toString().isEmpty() ? tr("none") : attempt.value("key").toString(),
                 attempt.value("reason").toString()));
  }
}

void RemoteWorkersPanel::showWorkers(const std::vector<WorkerStatus>& workers) {
  for (const auto& worker : workers) m_jobSeconds[worker.worker] = worker.meanJobSeconds;
}

void RemoteWorkersPanel::showReply(const QJsonObject& reply) {
  m_reply->setText(reply.contains("error") ? tr("Coordinator: %1").arg(reply.value("error").toString())
                                           : tr("Done."));
}

void RemoteWorkersPanel::excludeSelected() {
  const auto rows = m_table->selectionModel()->selectedRows(Worker);
  for (const auto& index : rows) {
    const int worker = m_table->item(index.row(), Worker)->data(Qt::UserRole).toInt();
    emit controlRequested(QJsonObject{{"command", "exclude"}, {"worker", worker}});
  }
}

void RemoteWorkersPanel::allowKeyFrom(QLineEdit* field, const QString& command) {
  const QString key = field->text().trimmed();
  if (key.size() != 40) {
    m_reply->setText(tr("A CURVE public key is 40 characters long (Z85)."));
    return;
  }
  emit controlRequested(QJsonObject{{"command", command}, {"key", key}});
  field->clear();
}

}  // namespace distopt::ui
