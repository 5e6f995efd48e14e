// A manager's dashboard attached to a run on "another machine" (issue: remote workers and security),
// end to end on loopback: a secured live run with a dashboard feed, started through the client object;
// the "Connect remote workers" window shows the attach command; a second workbench attaches read-only
// with it (history first, then live points, the experiment's layout, the status), cannot stop the run,
// and a workbench presenting its own dashboard key is refused until the owner allows that key in the
// window. Plus the attach command parser and the dashboard key file.
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "net/security/curve_keys.hpp"
#include "ui/client/remote_attach.hpp"
#include "ui/client/run_client.hpp"
#include "ui/remote/remote_workers_panel.hpp"
#include "remote_test_support.hpp"

using namespace distopt::ui;

namespace {

}  // namespace

class TestRemoteAttach : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    if (!distopt::net::curveAvailable()) QSKIP("libzmq without CURVE");
  }

  void attachCommandsParseOrSayWhatIsWrong() {
    const auto server = distopt::net::makeCurveKeyPair();
    const auto token = distopt::net::makeCurveKeyPair();
    const DashboardIdentity identity{QString::fromStdString(distopt::net::makeCurveKeyPair().publicKey),
                                     QString::fromStdString(distopt::net::makeCurveKeyPair().secretKey), "x"};
    RunEndpoints endpoints;
    QString why;
    const QString command =
        QStringLiteral("distopt-workbench --attach tcp://host:5601 --server-key '%1' --dashboard-token '%2'")
            .arg(QString::fromStdString(server.publicKey), QString::fromStdString(token.secretKey));
    QVERIFY2(parseAttachCommand(command, &identity, &endpoints, &why), qPrintable(why));
    QCOMPARE(endpoints.telemetry, QStringLiteral("tcp://host:5601"));
    QCOMPARE(endpoints.serverKey, QString::fromStdString(server.publicKey));
    QCOMPARE(endpoints.clientSecretKey, QString::fromStdString(token.secretKey));
    QVERIFY(endpoints.readOnly());
    // Without a token: this workbench's own key.
    QVERIFY(parseAttachCommand(
        QStringLiteral("--attach tcp://h:1 --server-key '%1'").arg(QString::fromStdString(server.publicKey)),
        &identity, &endpoints, &why));
    QCOMPARE(endpoints.clientSecretKey, identity.secretKey);
    struct Bad {
      QString command;
      QString mentions;
    };
    const std::vector<Bad> bad = {
        {"distopt-workbench", "--attach"},
        {"distopt-workbench --attach host:5601", "not an endpoint"},
        {"distopt-workbench --attach tcp://h:1 --server-key short", "--server-key"},
        {QStringLiteral("distopt-workbench --attach tcp://h:1 --server-key '%1' --dashboard-token nope")
             .arg(QString::fromStdString(server.publicKey)),
         "--dashboard-token"},
        {"distopt-workbench --attach tcp://h:1 --stop", "--stop"},
        {"distopt-workbench --attach tcp://h:1 --bogus value", "--bogus"}};
    for (const auto& b : bad) {
      QVERIFY2(!parseAttachCommand(b.command, &identity, &endpoints, &why), qPrintable(b.command));
      QVERIFY2(why.contains(b.mentions), qPrintable(why));
    }
    // A secured run and neither a token nor a key of one's own.
    QVERIFY(!parseAttachCommand(
        QStringLiteral("--attach tcp://h:1 --server-key '%1'").arg(QString::fromStdString(server.publicKey)),
        nullptr, &endpoints, &why));
  }

  void theDashboardKeyIsMadeOnceAndKeptPrivate() {
    QTemporaryDir dir;
    const QString path = dir.filePath("config/dashboard-key.json");
    QString why;
    const auto first = loadDashboardIdentity(&why, path);
    QVERIFY2(first, qPrintable(why));
    QVERIFY(distopt::net::isCurveKey(first->publicKey.toStdString()));
    QCOMPARE(QFile(path).permissions() & (QFile::ReadGroup | QFile::ReadOther), QFileDevice::Permissions());
    const auto again = loadDashboardIdentity(&why, path);
    QVERIFY(again);
    QCOMPARE(again->publicKey, first->publicKey);
    QCOMPARE(again->secretKey, first->secretKey);
    QFile garbage(dir.filePath("bad.json"));
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write("{\"public\": 1}");
    garbage.close();
    QVERIFY(!loadDashboardIdentity(&why, garbage.fileName()));
    QVERIFY2(why.contains("bad.json"), qPrintable(why));
  }

  void aManagersDashboardWatchesReadOnly() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString experiment = remote_test::writeRemoteExperiment(dir, "remote-dashboard", 2, 3000, 25);
    QVERIFY(!experiment.isEmpty());
    RunClient owner;
    RemoteWorkersPanel panel;
    remote_test::wirePanel(owner, panel);
    QString why;
    QVERIFY2(owner.start(QStringLiteral(DISTOPT_BIN_DIR "/distopt-run"), experiment, dir.filePath("out"),
                         {"--secure", "--dashboard", "tcp://127.0.0.1:*", "--no-store"}, &why),
             qPrintable(why));
    QVERIFY2(remote_test::waitFor([&] { return panel.attachCommand().contains("--dashboard-token"); }, 30'000),
             qPrintable(panel.attachCommand()));

    // The manager pastes the attach command; evaluations published before they came arrive as history.
    QTest::qWait(1500);
    RunEndpoints endpoints;
    QVERIFY2(parseAttachCommand(panel.attachCommand(), nullptr, &endpoints, &why), qPrintable(why));
    RunClient manager;
    QSignalSpy experimentSpy(&manager, &RunClient::experimentReceived);
    QSignalSpy statusSpy(&manager, &RunClient::statusReceived);
    std::vector<double> times;
    connect(&manager, &RunClient::evaluationsReceived, this,
            [&](const std::vector<distopt::EvaluationPoint>& points) {
              for (const auto& point : points) times.push_back(point.time);
            });
    QVERIFY2(manager.attach(endpoints, &why), qPrintable(why));
    QVERIFY(remote_test::waitFor([&] { return experimentSpy.count() >= 1 && times.size() >= 6 && statusSpy.count() >= 1; },
                    20'000));
    QCOMPARE(experimentSpy.front().front().toJsonObject().value("name").toString(),
             QStringLiteral("remote-dashboard"));
    QVERIFY2(times.front() < 1500.0 / 20.0, "the history's first point is from before the dashboard came");
    for (std::size_t i = 1; i < times.size(); ++i)
      QVERIFY2(times[i] > times[i - 1], "a point shown twice or out of order");
    QVERIFY(!statusSpy.back().front().toJsonObject().contains("join_command"));

    // Read-only: its stop request goes nowhere.
    manager.requestStop();
    QTest::qWait(1500);
    QCOMPARE(owner.state(), RunClient::State::Running);

    // A workbench with its own key: refused until the owner allows that key in the window.
    const auto identity = loadDashboardIdentity(&why, dir.filePath("manager-key.json"));
    QVERIFY2(identity, qPrintable(why));
    const QString withoutToken =
        panel.attachCommand().left(panel.attachCommand().indexOf(" --dashboard-token"));
    RunEndpoints own;
    QVERIFY2(parseAttachCommand(withoutToken, &*identity, &own, &why), qPrintable(why));
    RunClient refused;
    QSignalSpy refusedMessages(&refused, &RunClient::message);
    QVERIFY(refused.attach(own, &why));
    QVERIFY(refusedMessages.wait(10'000));
    QVERIFY2(refusedMessages.front().front().toString().contains("refused"),
             qPrintable(refusedMessages.front().front().toString()));
    auto* keyField = panel.findChildren<QLineEdit*>().at(0);
    for (auto* field : panel.findChildren<QLineEdit*>())
      if (field->placeholderText().contains("dashboard")) keyField = field;
    keyField->setText(identity->publicKey);
    QPushButton* allow = nullptr;
    for (auto* button : panel.findChildren<QPushButton*>())
      if (button->text() == "Allow dashboard") allow = button;
    QVERIFY(allow && allow->isEnabled());
    allow->click();
    QTest::qWait(1500);  // the control request's round trip
    RunClient allowed;
    QSignalSpy allowedPoints(&allowed, &RunClient::evaluationsReceived);
    QVERIFY(allowed.attach(own, &why));
    QVERIFY(allowedPoints.wait(15'000));

    QSignalSpy finished(&owner, &RunClient::finished);
    owner.requestStop();
    QVERIFY(finished.wait(30'000));
  }
};

QTEST_MAIN(TestRemoteAttach)
#include "test_remote_attach.moc"
