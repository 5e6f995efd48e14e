// A remote worker on a slow link (issue: remote workers and security): a relay holds every byte between
// one worker and the coordinator 40 ms each way (tests/net/link_relay.hpp; the namespace test does the
// same with tc netem where the kernel has it). The run completes; the slow worker's gradients arrive
// staler, which the delay histogram (events.csv) shows; the heartbeat clock sees its 80 ms round trip,
// yet puts its clock offset at ~0 (the path is symmetric and the clock the same); its gradients' transit
// on the coordinator's clock is ~40 ms. A stall (lost packets being retransmitted) does not kill it.
#include "relayed_run.hpp"

using namespace live_test;

class TestLinkLatency : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kRunProgram).isExecutable(), qPrintable(kRunProgram + " is not built"));
    QVERIFY2(QFileInfo(kWorkerProgram).isExecutable(), qPrintable(kWorkerProgram + " is not built"));
  }

  void aSlowLinkShowsInDelaysAndClocks() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const json document = threeWorkerAsgdExperiment("slow-link", 0.02, 10.0);
    const QString experiment = writeJson(dir, "slow.json", document);
    const QString out = dir.filePath("out");
    RelayedRun run;
    std::string why;
    QVERIFY2(run.start(experiment, out, 2, std::chrono::milliseconds(40), 0, &why), why.c_str());
    Coordinator& coordinator = run.coordinator;
    LinkRelay& relay = *run.relay;
    QProcess& worker = run.worker;
    QThread::msleep(2500);
    relay.stall(std::chrono::milliseconds(600));  // under the 3 s liveness window: slow, not dead
    QCOMPARE(coordinator.waitForExit(), 0);
    QVERIFY(worker.waitForFinished(10'000));
    QCOMPARE(worker.exitCode(), 0);

    const json summary = readJsonFile(out + "/summary.json");
    QCOMPARE(summary.at("termination"), json("time_limit"));
    const json& slow = summary.at("worker_status").at(2);
    QCOMPARE(slow.at("state"), json("alive"));
    QVERIFY2(slow.contains("rtt") && slow.contains("clock_offset") && slow.contains("uplink_transit"),
             slow.dump().c_str());
    QVERIFY2(slow.at("rtt").get<double>() >= 0.079 && slow.at("rtt").get<double>() < 0.3,
             slow.dump().c_str());
    QVERIFY2(std::abs(slow.at("clock_offset").get<double>()) < 0.015, slow.dump().c_str());
    QVERIFY2(slow.at("uplink_transit").get<double>() >= 0.035, slow.dump().c_str());
    for (int fast : {0, 1}) {
      const json& w = summary.at("worker_status").at(fast);
      QVERIFY2(w.at("rtt").get<double>() < 0.05, w.dump().c_str());
      QVERIFY2(w.at("uplink_transit").get<double>() < 0.03, w.dump().c_str());
      // The status row's own figures (the coordinator role's): the slow link shows in the delays, not in
      // the job time, which every worker measures from its JOB's arrival (one unit: 10 ms).
      QVERIFY2(slow.at("mean_delay").get<double>() > 4.0 * w.at("mean_delay").get<double>(), w.dump().c_str());
    }
    for (const json& w : summary.at("worker_status"))
      QVERIFY2(w.at("mean_job_seconds").get<double>() >= 0.0095 && w.at("mean_job_seconds").get<double>() < 0.05,
               w.dump().c_str());

    // The delay histogram: the slow worker's accepted gradients are far staler than the others'.
    const auto events = readEvents(out);
    QVERIFY(events.has_value());
    const auto delays = acceptedDelays(*events, 3);
    QVERIFY(delays[2].accepted >= 5 && delays[0].accepted >= 50 && delays[1].accepted >= 50);
    const double slowMean = delays[2].meanDelay;
    const double fastMean =
        (delays[0].meanDelay * delays[0].accepted + delays[1].meanDelay * delays[1].accepted) /
        (delays[0].accepted + delays[1].accepted);
    QVERIFY2(slowMean > 4.0 * fastMean && slowMean > 4.0,
             qPrintable(QStringLiteral("mean delay slow %1, fast %2").arg(slowMean).arg(fastMean)));
  }
};

QTEST_GUILESS_MAIN(TestLinkLatency)
#include "test_link_latency.moc"
