// CURVE on the worker socket (issue: remote workers and security), on loopback: a secured run prints a
// join command that works; a worker with a key the coordinator does not allow is refused, says so, and
// the attempt is logged and counted; an allowed key file gets in; binding beyond loopback without
// security is refused before anything starts.
#include <unistd.h>

#include "live_test_support.hpp"
#include "net/security/curve_keys.hpp"

using namespace live_test;

namespace {

json secureExperiment(int workers) {
  return json{
      {"name", "secure-test"},
      {"seed", 1},
      {"engine", "live"},
      {"problem", {{"name", "quadratic"}, {"params", {{"d", 40}, {"noise", "scalar"}, {"noise_std", 0.01}}}}},
      {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 0.1}}}}},
      {"workers",
       {{"count", workers},
        {"time_model", {{"name", "fixed"}, {"params", {{"h", "one"}}}}},
        {"unit_ms", 5.0}}},
      {"stop", {{"updates", 200}}},
      {"eval", {{"every_updates", 100}}}};
}

/// The words of the join command the coordinator printed (quotes removed).
std::optional<QStringList> joinCommandOf(const std::string& stderrText) {
  static const QRegularExpression pattern(
      "(distopt-worker --connect \\S+ --server-key '([^']+)' --join-token '([^']+)')");
  const auto match = pattern.match(QString::fromStdString(stderrText));
  if (!match.hasMatch()) return std::nullopt;
  return QStringList{match.captured(2), match.captured(3)};
}

struct WorkerRun {
  int exitCode = -1;
  QString err;
};

WorkerRun runWorker(const QStringList& arguments, int timeoutMs = 20'000) {
  QProcess worker;
  worker.start(kWorkerProgram, arguments);
  WorkerRun result;
  if (!worker.waitForFinished(timeoutMs)) {
    worker.kill();
    worker.waitForFinished(2000);
  }
  result.err = QString::fromUtf8(worker.readAllStandardError());
  result.exitCode = worker.exitStatus() == QProcess::NormalExit ? worker.exitCode() : -1;
  return result;
}

}  // namespace

class TestSecureRuns : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kRunProgram).isExecutable(), qPrintable(kRunProgram + " is not built"));
    QVERIFY2(QFileInfo(kWorkerProgram).isExecutable(), qPrintable(kWorkerProgram + " is not built"));
    if (!distopt::net::curveAvailable()) QSKIP("libzmq without CURVE");
  }

  void wrongKeyIsRefusedAndTheJoinCommandWorks() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString experiment = writeJson(dir, "secure.json", secureExperiment(3));
    Coordinator coordinator;
    // Two local workers (they get the join token from their environment), one from "elsewhere".
    QVERIFY(coordinator.start(QStringList{experiment, "--secure", "--local-workers", "2", "--out",
                                          dir.filePath("out"), "--quiet", "--no-store"}));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    std::string log;
    std::optional<QStringList> keys;
    QElapsedTimer timer;
    timer.start();
    while (!keys && timer.elapsed() < 10'000) {
      QThread::msleep(50);
      log = coordinator.describe();
      keys = joinCommandOf(log);
    }
    QVERIFY2(keys.has_value(), log.c_str());
    const QString endpoint = QString::fromStdString(coordinator.workerEndpoint);
    const QString serverKey = (*keys)[0];
    const QString token = (*keys)[1];

    // A worker with a key pair of its own that nobody allowed.
    const auto stranger = distopt::net::makeCurveKeyPair();
    std::string why;
    QVERIFY2(distopt::net::writeKeyFile(dir.filePath("stranger.json").toStdString(), stranger, &why),
             why.c_str());
    const WorkerRun refused = runWorker(
        {"--connect", endpoint, "--server-key", serverKey, "--key-file", dir.filePath("stranger.json")});
    QCOMPARE(refused.exitCode, 4);
    QVERIFY2(refused.err.contains("refused this worker's key"), qPrintable(refused.err));
    // The coordinator logged the attempt with the stranger's key and counts it.
    auto status = controlRequest(coordinator.controlEndpoint, "status");
    QVERIFY(status.has_value());
    QVERIFY2(status->value("refused_total", 0) >= 1, status->dump().c_str());
    QCOMPARE(status->at("refused_connections").back().at("key").get<std::string>(), stranger.publicKey);
    QVERIFY(status->at("state") == json("starting"));  // the run still waits for its third worker

    // A wrong server key: the handshake cannot even start.
    const auto other = distopt::net::makeCurveKeyPair();
    const WorkerRun wrongServer = runWorker({"--connect", endpoint, "--server-key",
                                             QString::fromStdString(other.publicKey), "--join-token", token},
                                            10'000);
    QVERIFY2(wrongServer.exitCode != 0, qPrintable(wrongServer.err));

    // The join command as printed.
    const WorkerRun joined =
        runWorker({"--connect", endpoint, "--server-key", serverKey, "--join-token", token}, 30'000);
    QVERIFY2(joined.exitCode == 0, qPrintable(joined.err));
    QCOMPARE(coordinator.waitForExit(30'000), 0);
    const json summary = readJsonFile(dir.filePath("out/summary.json"));
    QCOMPARE(summary.at("termination"), json("update_limit"));
    QVERIFY(coordinator.describe().find("refused a worker connection from") != std::string::npos);
  }

  void anAllowedKeyFileGetsIn() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto keys = distopt::net::makeCurveKeyPair();
    std::string why;
    QVERIFY2(distopt::net::writeKeyFile(dir.filePath("worker.json").toStdString(), keys, &why), why.c_str());
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{writeJson(dir, "secure.json", secureExperiment(1)),
                                          "--allow-key-file", dir.filePath("worker.json"), "--local-workers",
                                          "0", "--out", dir.filePath("out"), "--quiet", "--no-store"}));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    auto status = controlRequest(coordinator.controlEndpoint, "status");
    QVERIFY(status.has_value());
    const QString serverKey = QString::fromStdString(status->at("server_key").get<std::string>());
    const WorkerRun joined = runWorker({"--connect", QString::fromStdString(coordinator.workerEndpoint),
                                        "--server-key", serverKey, "--key-file", dir.filePath("worker.json")},
                                       30'000);
    QVERIFY2(joined.exitCode == 0, qPrintable(joined.err));
    QCOMPARE(coordinator.waitForExit(30'000), 0);
  }

  void workersOnOtherHostsStartThroughSsh() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // An ssh double: skips ssh's options, logs its argv and runs the remote command here. Host "down"
    // fails the way ssh does when a machine cannot be reached.
    const QString fakeSsh = dir.filePath("fake-ssh");
    {
      QFile script(fakeSsh);
      QVERIFY(script.open(QIODevice::WriteOnly));
      script.write(QString("#!/bin/sh\n"
                           "echo \"$@\" >> '%1'\n"
                           "while [ \"$1\" != \"--\" ]; do shift; done; shift\n"
                           "host=\"$1\"; shift\n"
                           "if [ \"$host\" = down ]; then echo \"ssh: connect to host down port 22: No route "
                           "to host\" >&2; exit 255; fi\n"
                           "echo \"connected to $host\" >&2\n"
                           "exec sh -c \"$*\"\n")
                       .arg(dir.filePath("ssh-argv.log"))
                       .toUtf8());
      script.close();
      QVERIFY(
          script.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
    }
    qputenv("DISTOPT_SSH", fakeSsh.toUtf8());
    json document = secureExperiment(3);
    document["workers"]["hosts"] =
        json::array({{{"host", "alpha"}, {"count", 1}, {"program", kWorkerProgram.toStdString()}},
                     {{"host", "beta"}, {"count", 1}, {"program", kWorkerProgram.toStdString()}}});
    {
      Coordinator coordinator;
      QVERIFY(
          coordinator.start(QStringList{writeJson(dir, "hosts.json", document), "--bind", "tcp://0.0.0.0:*",
                                        "--secure", "--out", dir.filePath("out"), "--quiet", "--no-store"}));
      QCOMPARE(coordinator.waitForExit(60'000), 0);
      const std::string log = coordinator.describe();
      QVERIFY2(log.find("[alpha worker 1] connected to alpha") != std::string::npos, log.c_str());
      QVERIFY2(log.find("[beta worker 2] connected to beta") != std::string::npos, log.c_str());
      const json summary = readJsonFile(dir.filePath("out/summary.json"));
      QCOMPARE(summary.at("termination"), json("update_limit"));
      // The join token never appears on a command line: it went through ssh's standard input.
      const auto keys = joinCommandOf(log);
      QVERIFY2(keys.has_value(), log.c_str());
      QFile argvLog(dir.filePath("ssh-argv.log"));
      QVERIFY(argvLog.open(QIODevice::ReadOnly));
      const QString argv = QString::fromUtf8(argvLog.readAll());
      QVERIFY2(argv.contains("BatchMode=yes") && argv.contains("--join-token -"), qPrintable(argv));
      QVERIFY(!argv.contains((*keys)[1]));
    }
    // A host that cannot be reached fails the set-up with ssh's own words in the log.
    document["workers"]["hosts"][1]["host"] = "down";
    Coordinator coordinator;
    QVERIFY(
        coordinator.start(QStringList{writeJson(dir, "down.json", document), "--bind", "tcp://0.0.0.0:*",
                                      "--secure", "--out", dir.filePath("down"), "--quiet", "--no-store"}));
    QCOMPARE(coordinator.waitForExit(60'000), 1);
    const json summary = readJsonFile(dir.filePath("down/summary.json"));
    QCOMPARE(summary.at("termination"), json("failed"));
    const std::string detail = summary.at("termination_detail").get<std::string>();
    QVERIFY2(detail.find("worker 2") != std::string::npos && detail.find("255") != std::string::npos,
             detail.c_str());
    QVERIFY(coordinator.describe().find("[down worker 2] ssh: connect to host down") != std::string::npos);
    qunsetenv("DISTOPT_SSH");
  }

  void theControlSocketListsAndExcludesWorkers() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    json document = secureExperiment(3);
    document["stop"] = {{"updates", 1500}};
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{writeJson(dir, "exclude.json", document), "--out",
                                          dir.filePath("out"), "--quiet", "--no-store"}));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    std::string last;
    const auto running = waitUntilRunning(coordinator.controlEndpoint, 10, &last);
    QVERIFY2(running.has_value(), last.c_str());
    const json& list = running->at("worker_list");
    QCOMPARE(list.size(), std::size_t{3});
    QVERIFY(list[1].at("cores").get<int>() >= 1);
    QVERIFY(!list[1].at("version").get<std::string>().empty());
    QCOMPARE(list[1].at("started_by"), json("local"));
    // Exclude worker 1; a malformed request is answered with an error, not obeyed.
    zmq::context_t context(1);
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::rcvtimeo, 3000);
    socket.connect(coordinator.controlEndpoint);
    auto ask = [&](const json& request) {
      socket.send(zmq::buffer(request.dump()));
      zmq::message_t reply;
      return socket.recv(reply) ? json::parse(reply.to_string(), nullptr, false) : json();
    };
    QVERIFY(ask({{"command", "exclude"}, {"worker", "one"}}).contains("error"));
    QVERIFY(ask({{"command", "exclude"}, {"worker", 7}}).contains("error"));
    QCOMPARE(ask({{"command", "exclude"}, {"worker", 1}}).value("ok", false), true);
    QVERIFY(ask({{"command", "allow_key"}, {"key", "x"}}).contains("error"));  // not a secured run
    QCOMPARE(coordinator.waitForExit(60'000), 0);
    const json summary = readJsonFile(dir.filePath("out/summary.json"));
    QCOMPARE(summary.at("termination"), json("update_limit"));  // the others finished the run
    const json& excluded = summary.at("worker_status").at(1);
    QCOMPARE(excluded.at("state"), json("dead"));
    QVERIFY2(excluded.at("reason").get<std::string>().find("excluded by the user") != std::string::npos,
             excluded.dump().c_str());
  }

  void bindingBeyondLoopbackNeedsSecurity() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{writeJson(dir, "open.json", secureExperiment(1)), "--bind",
                                          "tcp://0.0.0.0:*", "--out", dir.filePath("out"), "--no-store"}));
    QCOMPARE(coordinator.waitForExit(20'000), 2);
    QVERIFY2(coordinator.describe().find("--secure") != std::string::npos, coordinator.describe().c_str());
    QVERIFY(!QFileInfo::exists(dir.filePath("out")));
    // And a worker refuses half a security configuration.
    const WorkerRun half = runWorker({"--connect", "tcp://127.0.0.1:1", "--server-key",
                                      QString::fromStdString(distopt::net::makeCurveKeyPair().publicKey)});
    QCOMPARE(half.exitCode, 2);
    QVERIFY2(half.err.contains("--key-file") || half.err.contains("join-token"), qPrintable(half.err));
  }

  // ZeroMQ binds the part after the last ';' of "tcp://SRC;DST": a guard that read only the start of the
  // text let 'tcp://127.0.0.1:0;0.0.0.0:PORT' listen on every interface without --secure (issue "Hostile
  // input and faults", item 4). Each socket option is refused before anything starts, with a reason.
  void sourcePartsDoNotSmuggleAnEndpointPastTheLoopbackGuard() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString experiment = writeJson(dir, "open.json", secureExperiment(1));
    const QString control = QStringLiteral("ipc://%1/control").arg(dir.path());
    for (const auto& [option, endpoint] :
         std::vector<std::pair<QString, QString>>{{"--bind", "tcp://127.0.0.1:0;0.0.0.0:*"},
                                                  {"--bind", "tcp://127.0.0.1:0;*:*"},
                                                  {"--bind", "tcp://127.0.0.1.nip.io:*"},
                                                  {"--dashboard", "tcp://127.0.0.1:0;0.0.0.0:*"},
                                                  {"--telemetry", "tcp://127.0.0.1:0;0.0.0.0:*"},
                                                  {"--control", "tcp://127.0.0.1:0;0.0.0.0:*"}}) {
      Coordinator coordinator;
      QVERIFY(coordinator.start(
          QStringList{experiment, option, endpoint, "--out", dir.filePath("out"), "--no-store"}));
      QCOMPARE(coordinator.waitForExit(20'000), 2);
      const std::string text = coordinator.describe();
      QVERIFY2(text.find("not a loopback address") != std::string::npos ||
                   text.find("every interface") != std::string::npos,
               (option + " " + endpoint).toStdString().append("\n").append(text).c_str());
      QVERIFY(!QFileInfo::exists(dir.filePath("out")));
    }
    // And a simulated run's sockets too.
    Coordinator sim;
    QVERIFY(sim.start(QStringList{experiment, "--engine", "sim", "--telemetry", "tcp://127.0.0.1:0;0.0.0.0:*",
                                  "--control", control, "--out", dir.filePath("out"), "--no-store"}));
    QCOMPARE(sim.waitForExit(20'000), 2);
    QVERIFY2(sim.describe().find("not a loopback address") != std::string::npos, sim.describe().c_str());
  }

  // The control socket answers "status" with the join token and obeys "stop": it lives in a folder only
  // this user can enter, made for the run and removed when it ends; loopback TCP (any local user) is
  // refused (issue "Hostile input and faults", item 5).
  void theControlSocketIsPrivateToItsUser() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString experiment = writeJson(dir, "private.json", secureExperiment(2));
    {
      Coordinator open;
      QVERIFY(open.start(QStringList{experiment, "--control", "tcp://127.0.0.1:*", "--out",
                                     dir.filePath("out"), "--no-store"}));
      QCOMPARE(open.waitForExit(20'000), 2);
      QVERIFY2(open.describe().find("ipc://") != std::string::npos, open.describe().c_str());
      QVERIFY(!QFileInfo::exists(dir.filePath("out")));
    }
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{experiment, "--secure", "--set", "stop.updates=100000", "--set",
                                          "stop.time=100000", "--out", dir.filePath("out"), "--quiet",
                                          "--no-store"}));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    const std::string& control = coordinator.controlEndpoint;
    QVERIFY2(control.rfind("ipc:///", 0) == 0, control.c_str());
    const QString folder = QFileInfo(QString::fromStdString(control.substr(6))).path();
    QFileInfo info(folder);
    QVERIFY(info.isDir() && !info.isSymLink());
    QCOMPARE(info.ownerId(), static_cast<uint>(geteuid()));
    const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                        QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    QCOMPARE((info.permissions() & others).toInt(), 0);
    std::string last;
    const auto status = waitUntilRunning(control, 1, &last);
    QVERIFY2(status, last.c_str());
    QVERIFY(status->value("join_command", std::string()).find("--join-token") != std::string::npos);
    QCOMPARE(controlRequest(control, "stop")->value("ok", false), true);
    QCOMPARE(coordinator.waitForExit(), 0);
    QVERIFY2(!QFileInfo::exists(folder), qPrintable(folder + " is still there after the run"));
  }
};

QTEST_GUILESS_MAIN(TestSecureRuns)
#include "test_secure_runs.moc"
