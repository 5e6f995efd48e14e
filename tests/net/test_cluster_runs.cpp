// Runs beyond one machine (issue 24), on loopback with real processes: workers started before their
// coordinator find it through a join file; a fixed coordinator identity and join token (a cluster's secret
// store); bad identities, tokens and join files refused before anything starts; one ssh connection per
// host starting all of that host's workers, with each worker's exit reported on its own.
#include <QProcessEnvironment>

#include <signal.h>
#include <sys/stat.h>

#include "cluster_test_support.hpp"
#include "live_test_support.hpp"
#include "net/security/curve_keys.hpp"
#include "net/security/join_file.hpp"

using namespace live_test;

namespace {

json smallExperiment(int workers, std::uint64_t updates) {
  return json{
      {"name", "cluster-test"},
      {"seed", 1},
      {"engine", "live"},
      {"problem", {{"name", "quadratic"}, {"params", {{"d", 20}, {"noise", "scalar"}, {"noise_std", 0.01}}}}},
      {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 0.1}}}}},
      {"workers",
       {{"count", workers},
        {"time_model", {{"name", "fixed"}, {"params", {{"h", "one"}}}}},
        {"unit_ms", 5.0}}},
      {"stop", {{"updates", updates}}},
      {"eval", {{"every_updates", 100}}}};
}

struct Finished {
  int exitCode = -1;
  QString err;
};

/// Starts distopt-worker with `arguments` and `environment` added to ours.
std::unique_ptr<QProcess> startWorker(const QStringList& arguments, const QStringList& environment = {}) {
  auto worker = std::make_unique<QProcess>();
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.remove("DISTOPT_JOIN_TOKEN");
  for (const QString& entry : environment) env.insert(entry.section('=', 0, 0), entry.section('=', 1));
  worker->setProcessEnvironment(env);
  worker->start(kWorkerProgram, arguments);
  worker->waitForStarted(10'000);
  return worker;
}

Finished finish(QProcess& process, int timeoutMs = 60'000) {
  if (!process.waitForFinished(timeoutMs)) {
    process.kill();
    process.waitForFinished(2000);
  }
  return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
          QString::fromUtf8(process.readAllStandardError())};
}

/// The coordinator's environment: ours, with DISTOPT_JOIN_TOKEN as given (none when empty).
void setToken(Coordinator& coordinator, const std::string& token) {
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.remove("DISTOPT_JOIN_TOKEN");
  if (!token.empty()) env.insert("DISTOPT_JOIN_TOKEN", QString::fromStdString(token));
  coordinator.process().setProcessEnvironment(env);
}

/// An ssh double: logs one line per connection, skips ssh's options and runs the remote command here.
QString writeFakeSsh(const QTemporaryDir& dir) {
  const QString path = dir.filePath("fake-ssh");
  QFile script(path);
  script.open(QIODevice::WriteOnly);
  script.write(QString("#!/bin/sh\n"
                       "echo \"$@\" >> '%1'\n"
                       "while [ \"$1\" != \"--\" ]; do shift; done; shift\n"
                       "host=\"$1\"; shift\n"
                       "exec sh -c \"$*\"\n")
                   .arg(dir.filePath("ssh-argv.log"))
                   .toUtf8());
  script.close();
  script.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
  return path;
}

/// The worker with id `id` under a host's supervisor started (through the ssh double, and whatever shells
/// it went through) by `coordinator`; -1 if there is none.
pid_t supervisedWorker(pid_t coordinator, int id) {
  std::vector<pid_t> level = childrenOf(coordinator);
  for (int depth = 0; depth < 4 && !level.empty(); ++depth) {
    std::vector<pid_t> next;
    for (const pid_t pid : level) {
      const std::string command = commandLineOf(pid);
      if (command.find("distopt-worker") != std::string::npos &&
          command.find("--count") == std::string::npos &&
          command.find("--id " + std::to_string(id) + " ") != std::string::npos && !processEnded(pid))
        return pid;
      for (const pid_t child : childrenOf(pid)) next.push_back(child);
    }
    level = std::move(next);
  }
  return -1;
}

/// A real sshd on loopback, with host and user keys of its own in `dir`, letting in this user with the
/// user key only; `sshWrapper` is an ssh client command (for DISTOPT_SSH) that uses them.
class LocalSshd {
 public:
  ~LocalSshd() {
    if (m_process.state() != QProcess::NotRunning) {
      m_process.terminate();
      if (!m_process.waitForFinished(3000)) m_process.kill();
      m_process.waitForFinished(2000);
    }
  }

  /// False with *why when sshd cannot run here (not installed, no privilege separation folder, ...).
  bool start(const QTemporaryDir& dir, QString* why) {
    for (const QString& program :
         {QString("/usr/sbin/sshd"), QString("/usr/bin/ssh-keygen"), QString("/usr/bin/ssh")})
      if (!QFileInfo(program).isExecutable())
        return cluster_test::failWith(program + " is not installed (openssh-server)", why);
    for (const QString& key : {QString("host_key"), QString("user_key")}) {
      QProcess keygen;
      keygen.start("/usr/bin/ssh-keygen", {"-q", "-t", "ed25519", "-N", "", "-f", dir.filePath(key)});
      if (!keygen.waitForFinished(20'000) || keygen.exitCode() != 0)
        return cluster_test::failWith("ssh-keygen failed", why);
    }
    QFile::copy(dir.filePath("user_key.pub"), dir.filePath("authorized_keys"));
    m_port = cluster_test::freeLoopbackPort();
    const QString config = dir.filePath("sshd_config");
    QFile file(config);
    file.open(QIODevice::WriteOnly);
    file.write(QString("Port %1\nListenAddress 127.0.0.1\nHostKey %2\nAuthorizedKeysFile %3\nStrictModes no\n"
                       "UsePAM no\nPidFile none\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                       "PermitRootLogin prohibit-password\nLogLevel INFO\n")
                   .arg(m_port)
                   .arg(dir.filePath("host_key"), dir.filePath("authorized_keys"))
                   .toUtf8());
    file.close();
    QProcess check;
    check.start("/usr/sbin/sshd", {"-t", "-f", config});
    check.waitForFinished(10'000);
    if (check.exitCode() != 0)
      return cluster_test::failWith("sshd -t: " + QString::fromUtf8(check.readAllStandardError()).trimmed(),
                                    why);
    sshWrapper = dir.filePath("ssh-wrapper");
    QFile wrapper(sshWrapper);
    wrapper.open(QIODevice::WriteOnly);
    wrapper.write(
        QString("#!/bin/sh\nexec /usr/bin/ssh -F /dev/null -i '%1' -p %2 -o StrictHostKeyChecking=no "
                "-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \"$@\"\n")
            .arg(dir.filePath("user_key"))
            .arg(m_port)
            .toUtf8());
    wrapper.close();
    wrapper.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    m_process.start("/usr/sbin/sshd", {"-D", "-e", "-f", config});
    if (!m_process.waitForStarted(5000)) return cluster_test::failWith("sshd did not start", why);
    // Up once a login works (the port may also have been taken in between: then it never is).
    for (int attempt = 0; attempt < 50; ++attempt) {
      QProcess probe;
      probe.start(sshWrapper, {"-o", "BatchMode=yes", "-T", "127.0.0.1", "true"});
      if (probe.waitForFinished(10'000) && probe.exitCode() == 0) {
        // Its login in sshd's log, so that logins are counted from here.
        for (int wait = 0; wait < 50 && !log().contains("Accepted publickey"); ++wait)
          m_process.waitForReadyRead(100);
        return true;
      }
      if (m_process.state() == QProcess::NotRunning) break;
      QTest::qWait(100);
    }
    return cluster_test::failWith("no login through sshd: " + log(), why);
  }

  /// What sshd logged so far.
  QString log() {
    m_log += QString::fromUtf8(m_process.readAllStandardError());
    return m_log;
  }

  QString sshWrapper;

 private:
  QProcess m_process;
  QString m_log;
  int m_port = -1;
};

}  // namespace

class TestClusterRuns : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kRunProgram).isExecutable(), qPrintable(kRunProgram + " is not built"));
    QVERIFY2(QFileInfo(kWorkerProgram).isExecutable(), qPrintable(kWorkerProgram + " is not built"));
    if (!distopt::net::curveAvailable()) QSKIP("libzmq without CURVE");
  }

  void workersStartedFirstJoinThroughTheJoinFileWithAFixedIdentity() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString keyFile = dir.filePath("server.key");
    const auto serverKeys = distopt::net::makeCurveKeyPair();
    const auto token = distopt::net::makeCurveKeyPair();
    std::string why;
    QVERIFY2(distopt::net::writeKeyFile(keyFile.toStdString(), serverKeys, &why), why.c_str());
    const QString joinPath = dir.filePath("join.json");
    // The workers start first: the join file is not there yet.
    std::vector<std::unique_ptr<QProcess>> workers;
    for (int k = 0; k < 2; ++k) workers.push_back(startWorker({"--join-file", joinPath, "--wait", "60"}));
    QTest::qWait(300);
    for (const auto& worker : workers) QCOMPARE(worker->state(), QProcess::Running);

    Coordinator coordinator;
    setToken(coordinator, token.secretKey);
    QVERIFY(coordinator.start(QStringList{writeJson(dir, "run.json", smallExperiment(2, 3000)),
                                          "--local-workers", "0", "--server-key-file", keyFile, "--join-file",
                                          joinPath, "--out", dir.filePath("out"), "--quiet", "--no-store"}));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    // While it runs: the join file is the coordinator's, 0600, with the fixed key and token.
    const auto join = distopt::net::readJoinFile(joinPath.toStdString(), &why);
    QVERIFY2(join.has_value(), why.c_str());
    QCOMPARE(join->endpoint, coordinator.workerEndpoint);
    QCOMPARE(join->serverKey, serverKeys.publicKey);
    QCOMPARE(join->joinToken, token.secretKey);
    struct stat info {};
    QCOMPARE(::stat(joinPath.toLocal8Bit().constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, mode_t{0600});

    QCOMPARE(coordinator.waitForExit(60'000), 0);
    for (const auto& worker : workers) {
      const Finished done = finish(*worker);
      QVERIFY2(done.exitCode == 0, qPrintable(done.err));
      QVERIFY(!done.err.contains(QString::fromStdString(token.secretKey)));  // never in a log
    }
    QCOMPARE(readJsonFile(dir.filePath("out/summary.json")).at("termination"), json("update_limit"));
    const std::string log = coordinator.describe();
    // A fixed token is a long-lived secret: the join command names the variable instead.
    QVERIFY2(log.find(token.secretKey) == std::string::npos, log.c_str());
    QVERIFY2(log.find("--join-token \"$DISTOPT_JOIN_TOKEN\"") != std::string::npos, log.c_str());
    QVERIFY2(!QFile::exists(joinPath), "the join file outlived its run");
  }

  void badIdentitiesAndJoinFilesAreRefusedBeforeAnythingStarts() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString experiment = writeJson(dir, "run.json", smallExperiment(1, 100));
    const QString keyFile = dir.filePath("server.key");
    std::string why;
    QVERIFY(distopt::net::writeKeyFile(keyFile.toStdString(), distopt::net::makeCurveKeyPair(), &why));
    const QString out = dir.filePath("out");
    const QString joinPath = dir.filePath("join.json");
    auto refused = [&](const QStringList& extra, const std::string& token, const char* reason) {
      Coordinator coordinator;
      setToken(coordinator, token);
      coordinator.start(
          QStringList{experiment, "--out", out, "--quiet", "--no-store", "--join-file", joinPath} + extra);
      const int code = coordinator.waitForExit(30'000);
      const std::string log = coordinator.describe();
      QVERIFY2(code == 2, log.c_str());
      QVERIFY2(log.find(reason) != std::string::npos, log.c_str());
      if (!token.empty()) QVERIFY2(log.find(token) == std::string::npos, log.c_str());
      QVERIFY2(!QFileInfo::exists(out), "a refused run left its results folder");
      QVERIFY2(!QFileInfo::exists(joinPath), "a refused run left a join file");
    };
    QFile::setPermissions(keyFile, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
    refused({"--server-key-file", keyFile}, {}, "others may read or change it");
    QFile::setPermissions(keyFile, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    refused({"--server-key-file", dir.filePath("missing.key")}, {}, "cannot be read");
    const QString notAKey = dir.filePath("not-a-key.json");
    QVERIFY(QFile::copy(experiment, notAKey));
    QFile::setPermissions(notAKey, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    refused({"--server-key-file", notAKey}, {}, "has no secret key");
    refused({"--secure"}, "not-a-token-but-a-secret-nonetheless", "DISTOPT_JOIN_TOKEN is not a join token");
    refused({"--server-key-file", keyFile, "--engine", "sim"}, {}, "is for live runs");

    // Workers: a join file others may read, one that is not a join file, and none at all.
    const distopt::net::JoinInfo info{.endpoint = "tcp://127.0.0.1:9", .serverKey = {}, .joinToken = {}};
    QVERIFY(distopt::net::writeJoinFile(joinPath.toStdString(), info, &why));
    QFile::setPermissions(joinPath,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
    auto worker = startWorker({"--join-file", joinPath, "--wait", "30"});
    Finished done = finish(*worker);
    QCOMPARE(done.exitCode, 2);
    QVERIFY2(done.err.contains("others may read or change it"), qPrintable(done.err));
    QFile::setPermissions(joinPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    worker = startWorker({"--join-file", joinPath, "--connect", "tcp://127.0.0.1:9"});
    done = finish(*worker);
    QCOMPARE(done.exitCode, 2);
    QVERIFY2(done.err.contains("not with --connect"), qPrintable(done.err));
    worker = startWorker({"--join-file", experiment, "--wait", "30"});
    done = finish(*worker);
    QCOMPARE(done.exitCode, 2);
    worker = startWorker({"--join-file", dir.filePath("never.json"), "--wait", "0.3"});
    done = finish(*worker);
    QCOMPARE(done.exitCode, 3);
    QVERIFY2(done.err.contains("no join file after 0.3 s"), qPrintable(done.err));
  }

  void oneSshConnectionPerHostAndEachWorkersExitReported() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    qputenv("DISTOPT_SSH", writeFakeSsh(dir).toUtf8());
    json document = smallExperiment(7, 100000);
    document["stop"] = {{"time", 600.0}};
    document["workers"]["hosts"] =
        json::array({{{"host", "alpha"}, {"count", 3}, {"program", kWorkerProgram.toStdString()}},
                     {{"host", "beta"}, {"count", 3}, {"program", kWorkerProgram.toStdString()}}});
    Coordinator coordinator;
    QVERIFY(
        coordinator.start(QStringList{writeJson(dir, "hosts.json", document), "--bind", "tcp://0.0.0.0:*",
                                      "--secure", "--out", dir.filePath("out"), "--quiet", "--no-store"}));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    std::string lastStatus;
    QVERIFY2(waitUntilRunning(coordinator.controlEndpoint, 50, &lastStatus),
             (lastStatus + "\n" + coordinator.describe()).c_str());
    // Worker 4 runs on beta, under beta's supervisor (a grandchild of the coordinator): kill it.
    const pid_t victim = supervisedWorker(coordinator.pid(), 4);
    QVERIFY2(victim > 0, "worker 4 is not under a host's supervisor");
    QCOMPARE(::kill(victim, SIGKILL), 0);
    QCOMPARE(coordinator.waitForExit(60'000), 0);
    qunsetenv("DISTOPT_SSH");
    const std::string log = coordinator.describe();

    // Two ssh connections, for six workers.
    QFile argvLog(dir.filePath("ssh-argv.log"));
    QVERIFY(argvLog.open(QIODevice::ReadOnly));
    const QStringList connections = QString::fromUtf8(argvLog.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(connections.size(), 2);
    QVERIFY2(connections[0].contains("--id 1 --count 3") || connections[1].contains("--id 1 --count 3"),
             qPrintable(connections.join('\n')));
    QVERIFY2(connections[0].contains("--id 4 --count 3") || connections[1].contains("--id 4 --count 3"),
             qPrintable(connections.join('\n')));

    // Worker 4 died alone, its own exit named with its host; the others ran to the end and stopped.
    const json summary = readJsonFile(dir.filePath("out/summary.json"));
    QCOMPARE(summary.at("termination"), json("time_limit"));
    for (const auto& worker : summary.at("worker_status")) {
      const int id = worker.at("worker").get<int>();
      if (id == 4) {
        QVERIFY2(worker.at("state") == json("dead"), worker.dump().c_str());
        const std::string reason = worker.at("reason").get<std::string>();
        QVERIFY2(
            reason.find("process " + std::to_string(victim) + " killed by signal 9") != std::string::npos &&
                reason.find("on beta workers 4-6") != std::string::npos,
            reason.c_str());
      } else {
        QVERIFY2(worker.at("state") != json("dead"), worker.dump().c_str());
      }
    }
    for (int id = 1; id <= 6; ++id) {
      const std::string report = "distopt-worker-exit worker=" + std::to_string(id) + " pid=";
      QVERIFY2(log.find(report) != std::string::npos, (report + "\n" + log).c_str());
    }
  }

  void aRealSshdStartsAHostsWorkersOverOneLogin() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    LocalSshd sshd;
    QString why;
    if (!sshd.start(dir, &why)) QSKIP(qPrintable("no local sshd: " + why));
    const int logins = static_cast<int>(sshd.log().count("Accepted publickey"));  // the start-up probe
    qputenv("DISTOPT_SSH", sshd.sshWrapper.toUtf8());
    json document = smallExperiment(12, 300);
    document["workers"]["hosts"] =
        json::array({{{"host", "127.0.0.1"}, {"count", 12}, {"program", kWorkerProgram.toStdString()}}});
    Coordinator coordinator;
    QVERIFY(
        coordinator.start(QStringList{writeJson(dir, "sshd.json", document), "--bind", "tcp://0.0.0.0:*",
                                      "--secure", "--out", dir.filePath("out"), "--quiet", "--no-store"}));
    const int code = coordinator.waitForExit(120'000);
    qunsetenv("DISTOPT_SSH");
    const std::string log = coordinator.describe();
    QVERIFY2(code == 0, log.c_str());
    QCOMPARE(readJsonFile(dir.filePath("out/summary.json")).at("termination"), json("update_limit"));
    // Twelve workers, more than sshd's default MaxStartups of 10, through one login.
    QTest::qWait(200);
    QCOMPARE(static_cast<int>(sshd.log().count("Accepted publickey")) - logins, 1);
    for (int id = 0; id < 12; ++id) {
      const std::string report = "distopt-worker-exit worker=" + std::to_string(id) + " pid=";
      QVERIFY2(log.find(report) != std::string::npos, (report + "\n" + log).c_str());
    }
  }

  void theSbatchScriptRunsTheRunInOneAllocation() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString experiment = writeJson(dir, "batch.json", smallExperiment(2, 300));
    const QString out = dir.filePath("out");
    QProcess print;
    print.start(kRunProgram,
                {experiment, "--workers", "3", "--sbatch", "--out", out, "--quiet", "--no-store"});
    QVERIFY(print.waitForFinished(30'000));
    const QString script = QString::fromUtf8(print.readAllStandardOutput());
    QVERIFY2(print.exitCode() == 0, qPrintable(QString::fromUtf8(print.readAllStandardError())));
    QVERIFY2(script.contains("#SBATCH --ntasks=3\n") &&
                 script.contains("#SBATCH --job-name=cluster-test\n") && script.contains("srun --ntasks=3 "),
             qPrintable(script));
    QVERIFY2(!QFileInfo::exists(out), "--sbatch started the run");
    const QString scriptPath = dir.filePath("job.sbatch");
    {
      QFile file(scriptPath);
      QVERIFY(file.open(QIODevice::WriteOnly));
      file.write(script.toUtf8());
    }
    // An srun double: every task of the step, here, at once (SLURM_PROCID set), its status the first
    // failure's.
    const QString srun = dir.filePath("bin/srun");
    QVERIFY(QDir(dir.path()).mkpath("bin"));
    {
      QFile file(srun);
      QVERIFY(file.open(QIODevice::WriteOnly));
      file.write(
          QString("#!/bin/sh\nn=1\n"
                  "while [ $# -gt 0 ]; do case \"$1\" in --ntasks=*) n=\"${1#--ntasks=}\"; shift;; --*) "
                  "shift;; *) break;; esac; done\n"
                  "echo \"$n\" >> '%1'\n"
                  "i=0; pids=\"\"\n"
                  "while [ $i -lt $n ]; do SLURM_PROCID=$i \"$@\" & pids=\"$pids $!\"; i=$((i+1)); done\n"
                  "status=0; for p in $pids; do wait $p || status=$?; done; exit $status\n")
              .arg(dir.filePath("srun.log"))
              .toUtf8());
      file.close();
      QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
    }
    QProcess job;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("PATH", dir.filePath("bin") + ":" + env.value("PATH"));
    env.insert("SLURM_JOB_ID", "4242");
    env.insert("DISTOPT_JOIN_DIR", dir.filePath("joins"));
    env.remove("DISTOPT_JOIN_TOKEN");
    job.setProcessEnvironment(env);
    job.setWorkingDirectory(dir.path());
    job.start("/bin/bash", {scriptPath});
    QVERIFY(job.waitForFinished(120'000));
    const QString log = QString::fromUtf8(job.readAllStandardError() + job.readAllStandardOutput());
    QVERIFY2(job.exitCode() == 0, qPrintable(log));
    QCOMPARE(readJsonFile(out + "/summary.json").at("termination"), json("update_limit"));
    QCOMPARE(readJsonFile(out + "/summary.json").at("workers"), json(3));
    QFile srunLog(dir.filePath("srun.log"));
    QVERIFY(srunLog.open(QIODevice::ReadOnly));
    QCOMPARE(srunLog.readAll(), QByteArray("3\n"));  // one step for every worker
    QVERIFY2(!QFileInfo::exists(dir.filePath("joins/join-4242.json")), "the join file outlived the job");

    // What a batch script cannot carry is refused, with the reason.
    for (const QStringList& extra :
         {QStringList{"--engine", "sim"}, QStringList{"--secure"}, QStringList{"--local-workers", "1"}}) {
      QProcess refused;
      refused.start(kRunProgram, QStringList{experiment, "--sbatch", "--no-store"} + extra);
      QVERIFY(refused.waitForFinished(30'000));
      QCOMPARE(refused.exitCode(), 2);
      QVERIFY(QString::fromUtf8(refused.readAllStandardError()).contains("--sbatch"));
    }
  }
};

QTEST_GUILESS_MAIN(TestClusterRuns)
#include "test_cluster_runs.moc"
