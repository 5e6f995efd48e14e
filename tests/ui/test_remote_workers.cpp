// The "Connect remote workers" window end to end: a secured live run started through the client
// object; the window shows the join command, which really lets a worker in from outside; the worker
// appears with its host and cores; a stranger's attempt shows up as refused; "Exclude selected" takes a
// worker out of the run through the control socket.
#include <QElapsedTimer>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "net/security/curve_keys.hpp"
#include "remote_test_support.hpp"
#include "ui/client/run_client.hpp"
#include "ui/remote/remote_workers_panel.hpp"

using distopt::ui::RemoteWorkersPanel;
using distopt::ui::RunClient;

using remote_test::cell;

class TestRemoteWorkers : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    if (!distopt::net::curveAvailable()) QSKIP("libzmq without CURVE");
  }

  // The security line's tooltip names each kind of refused connection the coordinator counted, in words,
  // and only those seen.
  void refusalsAreNamedByKind() {
    const QString none = RemoteWorkersPanel::refusalsByKind(QJsonObject{{"mechanism_mismatch", 0}});
    QCOMPARE(none, QString("No connection refused so far."));
    const QString some = RemoteWorkersPanel::refusalsByKind(
        QJsonObject{{"mechanism_mismatch", 250}, {"frame_over_limit", 3}, {"key_not_allowed", 0}});
    QVERIFY2(some.contains("250 × without this run's keys"), qPrintable(some));
    QVERIFY2(some.contains("3 × sent a frame over the size limit"), qPrintable(some));
    QVERIFY2(!some.contains("key not allowed"), qPrintable(some));
    QCOMPARE(some.count('\n'), 2);
  }

  void joinCommandLetsAWorkerInAndExcludeTakesItOut() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString experiment = remote_test::writeRemoteExperiment(dir, "remote-panel", 3, 4000, 100);
    QVERIFY(!experiment.isEmpty());
    RunClient client;
    RemoteWorkersPanel panel;
    remote_test::wirePanel(client, panel);
    connect(&client, &RunClient::workersReceived, &panel, &RemoteWorkersPanel::showWorkers);
    QString why;
    QVERIFY2(client.start(QStringLiteral(DISTOPT_BIN_DIR "/distopt-run"), experiment, dir.filePath("out"),
                          {"--secure", "--local-workers", "2", "--no-store"}, &why),
             qPrintable(why));

    // The join command as the window shows it.
    QVERIFY2(remote_test::waitFor([&] { return panel.joinCommand().contains("--join-token"); }, 30'000),
             qPrintable(panel.joinCommand()));
    static const QRegularExpression pattern("--connect (\\S+) --server-key '([^']+)' --join-token '([^']+)'");
    const auto match = pattern.match(panel.joinCommand());
    QVERIFY2(match.hasMatch(), qPrintable(panel.joinCommand()));

    // A stranger first: refused, and listed.
    const auto stranger = distopt::net::makeCurveKeyPair();
    QProcess refused;
    refused.start(QStringLiteral(DISTOPT_BIN_DIR "/distopt-worker"),
                  {"--connect", match.captured(1), "--server-key", match.captured(2), "--join-token",
                   QString::fromStdString(stranger.secretKey)});
    QVERIFY(refused.state() == QProcess::NotRunning || refused.waitForFinished(20'000));
    QCOMPARE(refused.exitCode(), 4);
    // Listed with its key. Not necessarily first: under load another connection (a local worker's
    // reconnection cut mid-handshake) may be refused before it, and the list shows every refusal.
    const QString strangerKey = QString::fromStdString(stranger.publicKey);
    auto listed = [&] {
      QStringList items;
      for (int i = 0; i < panel.refusedList()->count(); ++i) items << panel.refusedList()->item(i)->text();
      return items;
    };
    QVERIFY2(remote_test::waitFor([&] { return !listed().filter(strangerKey).isEmpty(); }, 10'000),
             qPrintable(listed().join('\n')));

    // The join command, run "on another machine".
    QProcess worker;
    worker.start(QStringLiteral(DISTOPT_BIN_DIR "/distopt-worker"),
                 {"--connect", match.captured(1), "--server-key", match.captured(2), "--join-token",
                  match.captured(3)});
    QVERIFY(worker.waitForStarted());
    QTableWidget* table = panel.workersTable();
    QVERIFY2(
        remote_test::waitFor(
            [&] { return table->rowCount() == 3 && cell(table, 2, RemoteWorkersPanel::State) == "alive"; },
            30'000),
        qPrintable(cell(table, 2, RemoteWorkersPanel::State)));
    QCOMPARE(cell(table, 2, RemoteWorkersPanel::StartedBy), QString("remote"));
    QCOMPARE(cell(table, 0, RemoteWorkersPanel::StartedBy), QString("local"));
    QVERIFY(!cell(table, 2, RemoteWorkersPanel::Host).isEmpty());
    QVERIFY(cell(table, 2, RemoteWorkersPanel::Cores).toInt() >= 1);

    // For a look at the window with real data: DISTOPT_SCREENSHOT_DIR=/tmp ./test_ui_remote_workers
    if (const QByteArray shots = qgetenv("DISTOPT_SCREENSHOT_DIR"); !shots.isEmpty()) {
      panel.resize(960, 720);
      panel.show();
      QTest::qWait(1500);
      panel.grab().save(QString::fromUtf8(shots) + "/remote-workers.png");
    }
    // Exclude it from the window.
    table->selectRow(2);
    QPushButton* excludeButton = nullptr;
    for (auto* button : panel.findChildren<QPushButton*>())
      if (button->text().startsWith("Exclude")) excludeButton = button;
    QVERIFY(excludeButton);
    excludeButton->click();
    QVERIFY2(remote_test::waitFor(
                 [&] { return cell(table, 2, RemoteWorkersPanel::State).contains("excluded by the user"); },
                 10'000),
             qPrintable(cell(table, 2, RemoteWorkersPanel::State)));
    QVERIFY(worker.state() == QProcess::NotRunning || worker.waitForFinished(10'000));
    QCOMPARE(worker.exitCode(), 0);  // told to stop, not lost
    QCOMPARE(cell(table, 0, RemoteWorkersPanel::State), QString("alive"));

    QSignalSpy finished(&client, &RunClient::finished);
    client.requestStop();
    QVERIFY(finished.wait(30'000));
  }
};

QTEST_MAIN(TestRemoteWorkers)
#include "test_remote_workers.moc"
