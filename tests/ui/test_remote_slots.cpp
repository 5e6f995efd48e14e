// Remote slots from the form, end to end: Workers → Where reserves slots for other machines with an
// address and a fixed port; Start runs distopt-run with them; Run → Connect remote workers shows the
// exact distopt-worker command; that command, run as a person would paste it into a shell, joins the
// run; the same command with a wrong token is refused, and the window says so with the reason.
#include <QComboBox>
#include <QListWidget>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include "net/security/curve_keys.hpp"
#include "remote_test_support.hpp"
#include "ui/client/run_client.hpp"
#include "ui/editor/experiment_editor.hpp"
#include "ui/editor/worker_placement.hpp"
#include "ui/main_window/main_window.hpp"
#include "ui/remote/remote_workers_panel.hpp"
#include "window_test_support.hpp"

using distopt::ui::MainWindow;
using distopt::ui::RemoteWorkersPanel;
using distopt::ui::RunClient;
using distopt::ui::WorkerPlacement;
using remote_test::cell;

namespace {

/// A port nobody listens on right now, for the form's fixed port.
int freePort() {
  QTcpServer server;
  return server.listen(QHostAddress::LocalHost, 0) ? server.serverPort() : 0;
}

/// Runs `command` through the shell, as a person pasting it would, with this build's programs first on
/// PATH (the command names distopt-worker by its name).
void startInShell(QProcess& process, const QString& command) {
  QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
  environment.insert("PATH", QStringLiteral(DISTOPT_BIN_DIR ":") + environment.value("PATH"));
  process.setProcessEnvironment(environment);
  process.setProcessChannelMode(QProcess::MergedChannels);
  process.start("/bin/sh", {"-c", command});
}

nlohmann::json liveExperiment(int workers) {
  return remote_test::remoteExperiment("remote-slots", workers, 100000, 100);
}

}  // namespace

class TestRemoteSlots : public QObject {
  Q_OBJECT

  QTemporaryDir m_home;

 private slots:
  void initTestCase() { QVERIFY(window_test::useOwnHome(m_home)); }

  // The choice is offered, checked and turned into distopt-run's arguments.
  void theFormReservesRemoteSlots() {
    MainWindow window;
    auto* editor = window.editor();
    QVERIFY(editor->setDocument(liveExperiment(3)));
    WorkerPlacement* placement = editor->workerPlacement();
    auto* model = qobject_cast<QStandardItemModel*>(placement->whereCombo()->model());
    QVERIFY(model);
    for (int row = 0; row < model->rowCount(); ++row) QVERIFY(model->item(row)->isEnabled());
    placement->setWhere(WorkerPlacement::Where::LocalAndRemote);
    placement->localWorkersBox()->setValue(3);
    QVERIFY2(editor->validationError().startsWith("workers.where: 3 worker(s) here leave no slot"),
             qPrintable(editor->validationError()));
    placement->localWorkersBox()->setValue(2);
    placement->addressCombo()->setCurrentText("10.1.2");
    QVERIFY2(editor->validationError().startsWith("workers.where: address: '10.1.2'"),
             qPrintable(editor->validationError()));
    placement->addressCombo()->setCurrentText("0.0.0.0");
    placement->portBox()->setValue(6123);
    QVERIFY2(editor->isValid(), qPrintable(editor->validationError()));
    QCOMPARE(editor->runArguments(), QStringList({"--local-workers", "2", "--bind", "tcp://0.0.0.0:6123",
                                                  "--secure", "--setup-timeout", "600"}));
    // A simulated run has no processes to place.
    auto document = editor->document();
    document["engine"] = "sim";
    QVERIFY(editor->setDocument(document));
    QVERIFY2(editor->validationError().startsWith("workers.where: a simulated run"),
             qPrintable(editor->validationError()));
    placement->setWhere(WorkerPlacement::Where::Local);
    QVERIFY(editor->runArguments().isEmpty());
  }

  void aWorkerStartedFromTheShownCommandJoins() {
    if (!distopt::net::curveAvailable()) QSKIP("libzmq without CURVE");
    MainWindow window;
    auto* editor = window.editor();
    QVERIFY(editor->setDocument(liveExperiment(3)));
    WorkerPlacement* placement = editor->workerPlacement();
    placement->setWhere(WorkerPlacement::Where::LocalAndRemote);
    placement->localWorkersBox()->setValue(2);
    placement->addressCombo()->setCurrentText("127.0.0.1");
    const int port = freePort();
    QVERIFY(port > 0);
    placement->portBox()->setValue(port);
    QVERIFY2(editor->isValid(), qPrintable(editor->validationError()));
    QString why;
    QVERIFY2(window.startRun(&why), qPrintable(why));
    // A run goes on when its window closes (by design): a check that fails below must not leave this one
    // and its workers running after the test.
    const auto stopOnFailure = qScopeGuard([&] {
      if (window.client()->state() != RunClient::State::Running &&
          window.client()->state() != RunClient::State::Starting)
        return;
      QSignalSpy ended(window.client(), &RunClient::finished);
      window.client()->requestStop();
      ended.wait(20'000);
    });
    window.showRemoteWorkers();
    RemoteWorkersPanel* panel = window.remoteWorkers();

    // The exact command, on the address and port chosen in the form.
    QVERIFY2(remote_test::waitFor([&] { return panel->joinCommand().contains("--join-token"); }, 30'000),
             qPrintable(panel->joinCommand()));
    const QString command = panel->joinCommand();
    QVERIFY2(command.startsWith(QStringLiteral("distopt-worker --connect tcp://127.0.0.1:%1 ").arg(port)),
             qPrintable(command));

    // The same command with another token: refused, and the window lists the attempt with its reason.
    static const QRegularExpression token("--join-token '([^']+)'");
    const auto stranger = distopt::net::makeCurveKeyPair();
    QString wrong = command;
    wrong.replace(token, QStringLiteral("--join-token '%1'").arg(QString::fromStdString(stranger.secretKey)));
    QProcess refused;
    startInShell(refused, wrong);
    QVERIFY(refused.waitForFinished(30'000));
    QCOMPARE(refused.exitCode(), 4);
    QVERIFY2(remote_test::waitFor(
                 [&] {
                   for (int i = 0; i < panel->refusedList()->count(); ++i)
                     if (panel->refusedList()->item(i)->text().contains(
                             QString::fromStdString(stranger.publicKey)))
                       return true;
                   return false;
                 },
                 10'000),
             "the refused worker is not listed");

    // The command as shown joins the run in the remote slot.
    QProcess worker;
    startInShell(worker, command);
    QVERIFY(worker.waitForStarted());
    QTableWidget* table = panel->workersTable();
    QVERIFY2(
        remote_test::waitFor(
            [&] { return table->rowCount() == 3 && cell(table, 2, RemoteWorkersPanel::State) == "alive"; },
            30'000),
        qPrintable(cell(table, 2, RemoteWorkersPanel::State) + " / " + worker.readAll()));
    QCOMPARE(cell(table, 2, RemoteWorkersPanel::StartedBy), QString("remote"));
    QCOMPARE(cell(table, 0, RemoteWorkersPanel::StartedBy), QString("local"));
    // With every slot taken the run runs.
    QVERIFY2(remote_test::waitFor([&] { return window.runStateText() == "Running"; }, 30'000),
             qPrintable(window.runStateText()));

    QSignalSpy finished(window.client(), &RunClient::finished);
    window.client()->requestStop();
    QVERIFY(finished.wait(30'000));
    QVERIFY(worker.state() == QProcess::NotRunning || worker.waitForFinished(10'000));
    QCOMPARE(worker.exitCode(), 0);
  }
};

QTEST_MAIN(TestRemoteSlots)
#include "test_remote_slots.moc"
