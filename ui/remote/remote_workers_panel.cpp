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
  m_table->setHorizontalHeaderLabels(
      {tr("Worker"), tr("Host"), tr("Cores"), tr("Version"), tr("State"), tr("s / job"), tr("Started by")});
  m_table->horizontalHeader()->setStretchLastSection(true);
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
  connect(m_allow, &QPushButton::clicked, this, &RemoteWorkersPanel::allowKey);
  actions->addWidget(m_exclude);
  actions->addStretch(1);
  actions->addWidget(m_key, 2);
  actions->addWidget(m_allow);
  workersLayout->addLayout(actions);
  layout->addWidget(workersBox, 1);

  auto* refusedBox = new QGroupBox(tr("Refused connections"), this);
  auto* refusedLayout = new QVBoxLayout(refusedBox);
  m_refused = new QListWidget(refusedBox);
  m_refused->setMaximumHeight(130);  // the workers table gets the room
  refusedLayout->addWidget(m_refused);
  layout->addWidget(refusedBox);
  m_reply = new QLabel(this);
  layout->addWidget(m_reply);
  clear();
}

QString RemoteWorkersPanel::joinCommand() const { return m_command->text(); }

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
                    "in. %1 connection(s) refused so far.")
                     .arg(status.value("refused_total").toInt())
               : tr("Not secured: the coordinator listens on loopback, so only this machine can join. "
                    "Start it with --bind tcp://ADDRESS:PORT --secure to let other machines in."));

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
  for (const auto& value : status.value("refused_connections").toArray()) {
    const QJsonObject attempt = value.toObject();
    m_refused->addItem(
        tr("%1  from %2  key %3: %4")
            .arg(attempt.value("time").toString(), attempt.value("address").toString(),
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

void RemoteWorkersPanel::allowKey() {
  const QString key = m_key->text().trimmed();
  if (key.size() != 40) {
    m_reply->setText(tr("A CURVE public key is 40 characters long (Z85)."));
    return;
  }
  emit controlRequested(QJsonObject{{"command", "allow_key"}, {"key", key}});
  m_key->clear();
}

}  // namespace distopt::ui
