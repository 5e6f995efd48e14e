// Live runs through a real Slurm (issue 24, items 2 and 5): the test starts its own single-node cluster
// once — munged, slurmctld and slurmd with a private configuration and spool under the build folder,
// 128 CPUs declared (config_overrides) and OverSubscribe=FORCE so a small machine takes the tasks — and
// runs 16 workers through it twice: from an experiment that says "launcher": "slurm" (distopt-run starts
// them in one srun step and reports each one's node and step), and from the script distopt-run --sbatch
// prints. A partition Slurm refuses fails the run at once with srun's reason; a run stopped with SIGTERM
// ends its step before it exits and Slurm gives the allocation back. The daemons are stopped at the end,
// and the test checks they are gone. Skipped, with the reason, only where they cannot start.
#include <QProcessEnvironment>

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include "cluster_test_support.hpp"
#include "live_test_support.hpp"

using namespace live_test;

namespace {

class LocalSlurm {
 public:
  explicit LocalSlurm(QString folder) : m_folder(std::move(folder)) {}
  ~LocalSlurm() { stop(); }

  /// Stops the daemons this test started, newest first; true when each of their processes is gone.
  bool stop(QString* left = nullptr) {
    bool gone = true;
    for (QProcess* daemon : {&m_slurmd, &m_slurmctld, &m_munged}) {
      const qint64 pid = daemon->processId();
      if (daemon->state() != QProcess::NotRunning) {
        daemon->terminate();
        if (!daemon->waitForFinished(10'000)) daemon->kill();
        daemon->waitForFinished(5000);
      }
      // Not only QProcess's view: no process with that id may be left (a daemon that forked away).
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0) {
        gone = false;
        if (left) *left += daemon->program() + " (pid " + QString::number(pid) + ") ";
      }
    }
    return gone;
  }

  /// False with *why when the cluster cannot be started here.
  bool start(QString* why) {
    for (const char* program : {"/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd",
                                "/usr/bin/sbatch", "/usr/bin/sinfo", "/usr/bin/srun", "/usr/bin/squeue"})
      if (!QFileInfo(program).isExecutable())
        return cluster_test::failWith(QString(program) + " is not installed (slurm-wlm, munge)", why);
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    node = QString(host).section('.', 0, 0);
    const passwd* user = ::getpwuid(::getuid());
    if (!user) return cluster_test::failWith("no user name for this uid", why);
    QDir dir(m_folder);
    for (const char* sub : {"state", "spool", "munge"})
      if (!dir.mkpath(sub)) return cluster_test::failWith("cannot make " + m_folder + "/" + sub, why);
    QFile::setPermissions(dir.filePath("munge"),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    {
      QFile key(dir.filePath("munge/munge.key"));
      QFile random("/dev/urandom");
      if (!key.open(QIODevice::WriteOnly) || !random.open(QIODevice::ReadOnly))
        return cluster_test::failWith("no munge key", why);
      key.write(random.read(1024));
      key.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    const QString socket = dir.filePath("munge/munge.sock");
    m_munged.setProcessChannelMode(QProcess::MergedChannels);
    m_munged.start(
        "/usr/sbin/munged",
        {"-F", "-f", "--key-file=" + dir.filePath("munge/munge.key"), "--socket=" + socket,
         "--log-file=" + dir.filePath("munge/munged.log"), "--pid-file=" + dir.filePath("munge/munged.pid"),
         "--seed-file=" + dir.filePath("munge/munged.seed")});
    for (int wait = 0; wait < 50 && !QFileInfo::exists(socket); ++wait) QTest::qWait(100);
    if (!QFileInfo::exists(socket))
      return cluster_test::failWith(
          "munged did not start: " + QString::fromUtf8(m_munged.readAll()).trimmed(), why);
    config = dir.filePath("slurm.conf");
    QFile file(config);
    file.open(QIODevice::WriteOnly);
    file.write(
        QString("ClusterName=distopt-test\nSlurmctldHost=%1\nSlurmUser=%2\nSlurmdUser=%2\n"
                "AuthType=auth/munge\nAuthInfo=socket=%3\nCredType=cred/munge\n"
                "StateSaveLocation=%4/state\nSlurmdSpoolDir=%4/spool\n"
                "SlurmctldPidFile=%4/slurmctld.pid\nSlurmdPidFile=%4/slurmd.pid\n"
                "SlurmctldPort=%5\nSlurmdPort=%6\nSlurmctldLogFile=%4/slurmctld.log\n"
                "SlurmdLogFile=%4/slurmd.log\nProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
                "SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\n"
                "SlurmdParameters=config_overrides\nReturnToService=2\nSchedulerType=sched/builtin\n"
                "JobCompType=jobcomp/none\nAccountingStorageType=accounting_storage/none\nMpiDefault=none\n"
                "NodeName=%1 CPUs=128 State=UNKNOWN\n"
                "PartitionName=test Nodes=%1 Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE\n")
            .arg(node, QString(user->pw_name), socket, m_folder)
            .arg(cluster_test::freeLoopbackPort())
            .arg(cluster_test::freeLoopbackPort())
            .toUtf8());
    file.close();
    environment = QProcessEnvironment::systemEnvironment();
    environment.insert("SLURM_CONF", config);
    for (QProcess* daemon : {&m_slurmctld, &m_slurmd}) {
      daemon->setProcessEnvironment(environment);
      daemon->setProcessChannelMode(QProcess::MergedChannels);
    }
    m_slurmctld.start("/usr/sbin/slurmctld", {"-D", "-i", "-f", config});
    QTest::qWait(1000);
    m_slurmd.start("/usr/sbin/slurmd", {"-D", "-f", config, "-N", node});
    // Up once the node is idle.
    for (int attempt = 0; attempt < 100; ++attempt) {
      QProcess sinfo;
      sinfo.setProcessEnvironment(environment);
      sinfo.start("/usr/bin/sinfo", {"-h", "-o", "%T"});
      sinfo.waitForFinished(10'000);
      if (QString::fromUtf8(sinfo.readAllStandardOutput()).trimmed() == "idle") return true;
      if (m_slurmctld.state() == QProcess::NotRunning || m_slurmd.state() == QProcess::NotRunning) break;
      QTest::qWait(200);
    }
    return cluster_test::failWith(
        "the node did not come up: slurmctld: " + QString::fromUtf8(m_slurmctld.readAll()).right(400) +
            " slurmd: " + QString::fromUtf8(m_slurmd.readAll()).right(400),
        why);
  }

  QString config;
  QString node;  ///< the cluster's one node: this machine's short host name
  QProcessEnvironment environment;

 private:
  QString m_folder;
  QProcess m_munged;
  QProcess m_slurmctld;
  QProcess m_slurmd;
};

}  // namespace

class TestSlurmRuns : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kRunProgram).isExecutable(), qPrintable(kRunProgram + " is not built"));
    QVERIFY2(QFileInfo(kWorkerProgram).isExecutable(), qPrintable(kWorkerProgram + " is not built"));
    // Under the build folder (the brief of the issue): a private cluster, removed afterwards.
    QVERIFY(m_dir.isValid());
    m_slurm = std::make_unique<LocalSlurm>(m_dir.path());
    m_started = m_slurm->start(&m_whyNot);
  }

  void cleanupTestCase() {
    if (!m_slurm) return;
    QString left;
    QVERIFY2(m_slurm->stop(&left), qPrintable("daemons still running: " + left));
  }

  void sixteenWorkersThroughTheSlurmLauncher() {
    if (!m_started) QSKIP(qPrintable("no local Slurm: " + m_whyNot));
    const QString out = m_dir.filePath("launcher-out");
    json experiment = sixteenWorkers("slurm-launcher");
    experiment["workers"]["launcher"] = "slurm";
    experiment["workers"]["slurm"] = {
        {"partition", "test"}, {"nodes", 1}, {"tasks_per_node", 16}, {"time", "10"}};
    QProcess run;
    run.setProcessEnvironment(coordinatorEnvironment());
    run.start(kRunProgram, {writeJson(m_dir, "launcher.json", experiment), "--out", out, "--quiet",
                            "--no-store", "--bind", "tcp://0.0.0.0:*", "--secure", "--setup-timeout", "120"});
    QVERIFY(run.waitForFinished(240'000));
    const QString log = QString::fromUtf8(run.readAllStandardError());
    QVERIFY2(run.exitStatus() == QProcess::NormalExit && run.exitCode() == 0, qPrintable(log));
    const json summary = readJsonFile(out + "/summary.json");
    QCOMPARE(summary.at("termination"), json("update_limit"));
    QCOMPARE(summary.at("workers"), json(16));
    // Every worker says where Slurm ran it: the node and the step, one step for all of them.
    const json& workers = summary.at("worker_status");
    QCOMPARE(workers.size(), std::size_t{16});
    QString step;
    for (const auto& worker : workers) {
      const QString host = QString::fromStdString(worker.at("host").get<std::string>());
      QVERIFY2(host.startsWith(m_slurm->node + " (slurm step ") && host.endsWith(")"), qPrintable(host));
      const QString its = host.section("(slurm step ", 1).chopped(1);
      if (step.isEmpty()) step = its;
      QCOMPARE(its, step);
    }
    QVERIFY2(QRegularExpression("^\\d+\\.0$").match(step).hasMatch(), qPrintable(step));
    QVERIFY2(slurmdLog().contains("StepId=" + step), qPrintable("no step " + step + " in slurmd's log"));
    QVERIFY2(log.contains("[slurm workers 0-15]") || log.contains("16 workers ready after"), qPrintable(log));
  }

  void aPartitionSlurmRefusesFailsTheRunWithSrunsReason() {
    if (!m_started) QSKIP(qPrintable("no local Slurm: " + m_whyNot));
    json experiment = sixteenWorkers("slurm-refused");
    experiment["workers"]["launcher"] = "slurm";
    experiment["workers"]["slurm"] = {{"partition", "nosuch"}};
    QProcess run;
    run.setProcessEnvironment(coordinatorEnvironment());
    QElapsedTimer clock;
    clock.start();
    run.start(kRunProgram,
              {writeJson(m_dir, "refused.json", experiment), "--out", m_dir.filePath("refused-out"),
               "--quiet", "--no-store", "--bind", "tcp://0.0.0.0:*", "--secure", "--setup-timeout", "600"});
    QVERIFY(run.waitForFinished(120'000));
    const QString log = QString::fromUtf8(run.readAllStandardError());
    QVERIFY2(run.exitCode() != 0, qPrintable(log));
    // srun's own words are the run's reason, long before the set-up timeout.
    const json summary = readJsonFile(m_dir.filePath("refused-out") + "/summary.json");
    QCOMPARE(summary.at("termination"), json("failed"));
    const QString reason = QString::fromStdString(summary.at("termination_detail").get<std::string>());
    QVERIFY2(
        reason.contains("failed during set-up") && reason.contains("(slurm workers 0-15)") &&
            reason.contains("srun: error: Unable to allocate resources: Invalid partition name specified"),
        qPrintable(reason));
    QVERIFY2(clock.elapsed() < 300'000, qPrintable(log));
  }

  void stoppingTheRunEndsItsStep() {
    if (!m_started) QSKIP(qPrintable("no local Slurm: " + m_whyNot));
    json experiment = sixteenWorkers("slurm-stopped");
    experiment["workers"]["launcher"] = "slurm";
    experiment["stop"] = {{"time", 1e9}};
    QProcess run;
    run.setProcessEnvironment(coordinatorEnvironment());
    run.start(kRunProgram,
              {writeJson(m_dir, "stopped.json", experiment), "--out", m_dir.filePath("stopped-out"),
               "--quiet", "--no-store", "--bind", "tcp://0.0.0.0:*", "--secure", "--setup-timeout", "120"});
    QString log;
    for (int wait = 0; wait < 1200 && !log.contains("16 workers ready after"); ++wait) {
      run.waitForReadyRead(100);
      log += QString::fromUtf8(run.readAllStandardError());
    }
    QVERIFY2(log.contains("16 workers ready after"), qPrintable(log));
    QVERIFY2(!squeue().isEmpty(), "no job while the run is on");
    const QString port =
        QRegularExpression("workers connect to tcp://0\\.0\\.0\\.0:(\\d+)").match(log).captured(1);
    QVERIFY2(!port.isEmpty(), qPrintable(log));
    QCOMPARE(stepWorkers(port), 16);
    // Stopped as a user stops it: the workers stop, srun ends with them before the coordinator does
    // (no worker of the step is left behind to find out from the heartbeat), and the allocation srun
    // asked for is given back.
    ::kill(static_cast<pid_t>(run.processId()), SIGTERM);
    QVERIFY(run.waitForFinished(60'000));
    QCOMPARE(stepWorkers(port), 0);
    QString jobs = squeue();
    QElapsedTimer released;
    released.start();
    for (int wait = 0; wait < 100 && !jobs.isEmpty(); ++wait) {
      QTest::qWait(200);
      jobs = squeue();
    }
    qInfo("allocation released %lld ms after the run ended", static_cast<long long>(released.elapsed()));
    QVERIFY2(jobs.isEmpty(), qPrintable("still queued or running after the run stopped: " + jobs));
    const json summary = readJsonFile(m_dir.filePath("stopped-out") + "/summary.json");
    QCOMPARE(summary.at("termination"), json("stopped"));
  }

  void sixteenWorkersRunInOneSrunStepOfABatchJob() {
    if (!m_started) QSKIP(qPrintable("no local Slurm: " + m_whyNot));
    const json experiment = sixteenWorkers("slurm-test");
    const QString out = m_dir.filePath("out");
    QProcess print;
    print.start(kRunProgram, {writeJson(m_dir, "slurm.json", experiment), "--sbatch", "--out", out, "--quiet",
                              "--no-store"});
    QVERIFY(print.waitForFinished(30'000));
    QCOMPARE(print.exitCode(), 0);
    const QString scriptPath = m_dir.filePath("job.sbatch");
    {
      QFile script(scriptPath);
      QVERIFY(script.open(QIODevice::WriteOnly));
      script.write(print.readAllStandardOutput());
    }
    QProcess sbatch;
    QProcessEnvironment env = m_slurm->environment;
    env.insert("DISTOPT_JOIN_DIR", m_dir.filePath("joins"));
    env.remove("DISTOPT_JOIN_TOKEN");
    sbatch.setProcessEnvironment(env);
    sbatch.setWorkingDirectory(m_dir.path());
    sbatch.start("/usr/bin/sbatch", {"--parsable", "--wait", scriptPath});
    QVERIFY(sbatch.waitForFinished(240'000));
    const QString jobId = QString::fromUtf8(sbatch.readAllStandardOutput()).trimmed().section(';', 0, 0);
    QFile log(m_dir.filePath("distopt-" + jobId + ".log"));
    QVERIFY2(log.open(QIODevice::ReadOnly),
             qPrintable("no job log; sbatch: " + sbatch.readAllStandardError()));
    const QString text = QString::fromUtf8(log.readAll());
    QVERIFY2(sbatch.exitCode() == 0, qPrintable(text));
    // The run: all 16 workers, none of them local (--local-workers 0): each came from the job's srun step.
    const json summary = readJsonFile(out + "/summary.json");
    QCOMPARE(summary.at("termination"), json("update_limit"));
    QCOMPARE(summary.at("workers"), json(16));
    QVERIFY2(text.contains("16 workers ready after"), qPrintable(text));
    for (const auto& worker : summary.at("worker_status"))
      QCOMPARE(QString::fromStdString(worker.at("host").get<std::string>()),
               m_slurm->node + " (slurm step " + jobId + ".0)");
    QVERIFY2(slurmdLog().contains("StepId=" + jobId + ".0"), "no srun step in slurmd's log");
    QVERIFY2(!QFileInfo::exists(m_dir.filePath("joins/join-" + jobId + ".json")),
             "the join file outlived the job");
  }

 private:
  static json sixteenWorkers(const char* name) {
    return json{
        {"name", name},
        {"seed", 1},
        {"engine", "live"},
        {"problem",
         {{"name", "quadratic"}, {"params", {{"d", 20}, {"noise", "scalar"}, {"noise_std", 0.01}}}}},
        {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 0.02}}}}},
        {"workers",
         {{"count", 16}, {"time_model", {{"name", "fixed"}, {"params", {{"h", "one"}}}}}, {"unit_ms", 5.0}}},
        {"stop", {{"updates", 400}}}};
  }

  /// The test cluster's environment, outside any allocation: srun allocates by itself.
  QProcessEnvironment coordinatorEnvironment() const {
    QProcessEnvironment env = m_slurm->environment;
    for (const QString& name : env.keys())
      if (name.startsWith("SLURM_") && name != "SLURM_CONF") env.remove(name);
    env.remove("DISTOPT_JOIN_TOKEN");
    return env;
  }

  /// Worker processes on this machine started by an srun step for the coordinator on `port`.
  static int stepWorkers(const QString& port) {
    int count = 0;
    for (const QString& pid : QDir("/proc").entryList(QDir::Dirs)) {
      QFile file("/proc/" + pid + "/cmdline");
      if (!file.open(QIODevice::ReadOnly)) continue;
      const QByteArray words = file.readAll();
      const QByteArray line = QByteArray(words).replace('\0', ' ');
      // The workers themselves, not srun (whose command line names them too).
      count += QFileInfo(QString::fromUtf8(words.left(words.indexOf('\0')))).fileName() == "distopt-worker" &&
                       line.contains("--slurm-first-id") && line.contains(":" + port.toUtf8() + " ")
                   ? 1
                   : 0;
    }
    return count;
  }

  /// The jobs Slurm has (queued or running), one line each; empty when none.
  QString squeue() const {
    QProcess squeue;
    squeue.setProcessEnvironment(m_slurm->environment);
    squeue.start("/usr/bin/squeue", {"-h", "-o", "%i %T"});
    squeue.waitForFinished(10'000);
    return QString::fromUtf8(squeue.readAllStandardOutput()).trimmed();
  }

  QString slurmdLog() const {
    QFile file(m_dir.filePath("slurmd.log"));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
  }

  QTemporaryDir m_dir{QStringLiteral(DISTOPT_BIN_DIR "/../slurm-test-XXXXXX")};
  std::unique_ptr<LocalSlurm> m_slurm;
  bool m_started = false;
  QString m_whyNot;
};

QTEST_GUILESS_MAIN(TestSlurmRuns)
#include "test_slurm_runs.moc"
