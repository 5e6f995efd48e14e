// A remote worker in another network namespace (a second "machine" on a veth link, made by the test
// itself in a user namespace; skipped where the kernel does not allow that): it joins a secured run with
// the printed join command, and when its link goes down it is reported dead (heartbeat timeout) while
// the run goes on with the others. With tc netem (where the kernel has it) latency and loss on that link
// show in the delays and the clock's round trip, and the run completes.
#include "live_test_support.hpp"

using namespace live_test;

namespace {

/// True when this machine lets an unprivileged user make network namespaces and veth links.
bool namespacesWork() {
  QProcess probe;
  probe.start("unshare", {"-rnm", "sh", "-c",
                          "mount -t tmpfs tmpfs /run && mkdir -p /run/netns && ip netns add probe && "
                          "ip link add p0 type veth peer name p1 netns probe"});
  return probe.waitForFinished(10'000) && probe.exitStatus() == QProcess::NormalExit && probe.exitCode() == 0;
}

/// True when this kernel has the netem queueing discipline (sch_netem) for a namespace's own links.
bool netemWorks() {
  QProcess probe;
  probe.start("unshare",
              {"-rn", "sh", "-c", "ip link set lo up && tc qdisc add dev lo root netem delay 1ms"});
  return probe.waitForFinished(10'000) && probe.exitStatus() == QProcess::NormalExit && probe.exitCode() == 0;
}

/// "Machine" A (this namespace, 10.9.0.1 on veth0) and "machine" B (namespace w1, 10.9.0.2 on veth1).
const QString kTwoMachines = QStringLiteral(R"SH(
set -e
mount -t tmpfs tmpfs /run && mkdir -p /run/netns
ip netns add w1
ip link add veth0 type veth peer name veth1 netns w1
ip addr add 10.9.0.1/24 dev veth0 && ip link set veth0 up && ip link set lo up
ip -n w1 addr add 10.9.0.2/24 dev veth1 && ip -n w1 link set veth1 up && ip -n w1 link set lo up
)SH");

/// Runs the secured experiment with two local workers on machine A and the printed join command on B,
/// inside a fresh user+network namespace: `linkSetup` shapes the link first, `meanwhile` runs while the
/// run goes on. The shell's output, ending with "run exit CODE".
QString runWithRemoteWorker(const QTemporaryDir& dir, const QString& experiment, const QString& out,
                            const QString& linkSetup, const QString& meanwhile) {
  const QString launch = QString(R"SH(
'%1' '%2' --bind tcp://10.9.0.1:* --secure --local-workers 2 --out '%3' --events full --quiet --no-store 2> '%4/run.err' &
run=$!
for i in $(seq 100); do grep -q "joins with: distopt-worker" '%4/run.err' && break; sleep 0.1; done
join=$(grep -o "distopt-worker --connect .*" '%4/run.err' | head -1 | sed "s|^distopt-worker|'%5'|")
ip netns exec w1 sh -c "$join" 2> '%4/worker.err' &
)SH")
                             .arg(kRunProgram, experiment, out, dir.path(), kWorkerProgram);
  QProcess shell;
  shell.start("unshare",
              {"-rnm", "sh", "-c",
               kTwoMachines + linkSetup + launch + meanwhile + "\nwait $run\necho \"run exit $?\"\n"});
  if (!shell.waitForFinished(90'000)) return QStringLiteral("the namespace run did not end in 90 s");
  return QString::fromUtf8(shell.readAllStandardOutput() + shell.readAllStandardError());
}

}  // namespace

class TestNamespaces : public QObject {
  Q_OBJECT

 private slots:
  void aCutOffRemoteWorkerIsReportedDeadAndTheRunGoesOn() {
    if (!namespacesWork())
      QSKIP("no user and network namespaces with veth links here (unshare -rnm / ip link)");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const json document = threeWorkerAsgdExperiment("netns", 0.05, 20.0);
    const QString experiment = writeJson(dir, "netns.json", document);
    const QString out = dir.filePath("out");
    // "Machine" A runs the coordinator with two local workers on 10.9.0.1; "machine" B (namespace w1,
    // 10.9.0.2) runs the join command; after 3 s the link goes down.
    const QString output =
        runWithRemoteWorker(dir, experiment, out, QString(), "sleep 3\nip link set veth0 down\n");
    QVERIFY2(output.contains("run exit 0"), qPrintable(output));
    const json summary = readJsonFile(out + "/summary.json");
    QCOMPARE(summary.at("termination"), json("time_limit"));
    const json& remote = summary.at("worker_status").at(2);
    QCOMPARE(remote.at("state"), json("dead"));
    QVERIFY2(remote.at("reason").get<std::string>().find("heartbeat_timeout") != std::string::npos,
             remote.dump().c_str());
    QCOMPARE(remote.at("host"),
             summary.at("worker_status").at(0).at("host"));  // same machine, other namespace
    // It worked before the cut, and the others went on after it.
    const auto events = readEvents(out);
    QVERIFY(events.has_value());
    double lastRemote = 0.0;
    double lastLocal = 0.0;
    for (const auto& event : *events) {
      if (event.outcome != "accepted") continue;
      (event.worker == 2 ? lastRemote : lastLocal) =
          std::max(event.worker == 2 ? lastRemote : lastLocal, event.time);
    }
    QVERIFY2(lastRemote > 0.0, "the remote worker never contributed");
    QVERIFY2(lastLocal > lastRemote + 100.0,
             (std::to_string(lastLocal) + " vs " + std::to_string(lastRemote)).c_str());
  }

  void latencyAndLossOnTheLinkShowInDelaysAndClocks() {
    if (!namespacesWork())
      QSKIP("no user and network namespaces with veth links here (unshare -rnm / ip link)");
    if (!netemWorks())
      QSKIP("this kernel has no tc netem (sch_netem); test_net_link_latency covers a slow link with a relay");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const json document = threeWorkerAsgdExperiment("netem", 0.02, 10.0);
    const QString experiment = writeJson(dir, "netem.json", document);
    const QString out = dir.filePath("out");
    // 30 ms each way and 2 % loss on the link to "machine" B.
    const QString output =
        runWithRemoteWorker(dir, experiment, out,
                            "tc qdisc add dev veth0 root netem delay 30ms loss 2%\n"
                            "ip netns exec w1 tc qdisc add dev veth1 root netem delay 30ms loss 2%\n",
                            QString());
    QVERIFY2(output.contains("run exit 0"), qPrintable(output));
    const json summary = readJsonFile(out + "/summary.json");
    QCOMPARE(summary.at("termination"), json("time_limit"));
    const json& remote = summary.at("worker_status").at(2);
    QCOMPARE(remote.at("state"), json("alive"));
    QVERIFY2(remote.value("rtt", 0.0) >= 0.059, remote.dump().c_str());
    QVERIFY2(std::abs(remote.value("clock_offset", 1.0)) < 0.02, remote.dump().c_str());
    const auto events = readEvents(out);
    QVERIFY(events.has_value());
    const auto delays = acceptedDelays(*events, 3);
    QVERIFY(delays[2].accepted > 0 && delays[0].accepted > 0);
    QVERIFY2(delays[2].meanDelay > 3.0 * std::max(delays[0].meanDelay, delays[1].meanDelay),
             "the remote worker's gradients are not staler");
  }
};

QTEST_GUILESS_MAIN(TestNamespaces)
#include "test_namespaces.moc"
