// A worker's connection handed over while the old one still had messages unread (net/PROTOCOL.md §1, §4.4):
// once its assignment is built a worker closes its connection and makes a new one with the run's frame
// limit and the same routing id; ZMQ_ROUTER_HANDOVER gives the routing id to the new connection and
// renames the old one to an id of libzmq's own. What the old connection delivered but the coordinator had
// not read yet (the answer to the clock probe that follows ASSIGN) then comes out under that name, and
// was refused as "HEARTBEAT from a peer that sent no HELLO": a false alarm in the hostile-input count of
// every busy set-up. Real distopt-worker processes against the coordinator's WorkerPool in this process,
// on loopback; the pool stays busy (does not read) while the workers build and reconnect, as a
// coordinator starting many workers on two cores does.
#include "core/config/experiment.hpp"
#include "core/telemetry/telemetry.hpp"
#include "live_test_support.hpp"
#include "net/coordinator/worker_pool.hpp"

using namespace live_test;
using namespace distopt;
using namespace distopt::net;

class TestSessionHandover : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kWorkerProgram).isExecutable(), qPrintable(kWorkerProgram + " is not built"));
  }

  void whatTheOldConnectionLeftIsTheWorkers() {
    // Each worker leaves its probe answer unread on the old connection; libzmq delivers it under the
    // renamed pipe or drops it with the connection (about half and half on loopback), so several workers
    // make sure the renamed case happens.
    constexpr int kWorkers = 8;
    json document = threeWorkerAsgdExperiment("handover", 0.02, 10.0);
    document["workers"]["count"] = kWorkers;
    const Experiment experiment = parseExperiment(document, ".");
    TelemetrySink sink;
    LiveOptions options;
    options.localWorkers = 0;  // started below, not by the pool: the test decides when the pool reads
    WorkerPool pool(experiment, 30, options, sink);
    std::string why;
    QVERIFY2(pool.bind(&why), why.c_str());

    std::vector<std::unique_ptr<QProcess>> workers;
    for (int id = 0; id < kWorkers; ++id) {
      auto& worker = workers.emplace_back(std::make_unique<QProcess>());
      worker->setProcessChannelMode(QProcess::ForwardedErrorChannel);
      worker->start(kWorkerProgram, {"--connect", QString::fromStdString(pool.workerEndpoint()), "--id",
                                     QString::number(id), "--wait", "60"});
      QVERIFY(worker->waitForStarted());
    }
    const auto describe = [&pool] { return pool.statusJson(false).dump(1); };
    // Every worker joined: WELCOME, ASSIGN and a clock probe went out to it.
    const auto joined = [&pool] {
      int count = 0;
      for (int id = 0; id < pool.numWorkers(); ++id) count += pool.statusOf(id).pid != 0 ? 1 : 0;
      return count;
    };
    QElapsedTimer timer;
    timer.start();
    while (joined() < kWorkers && timer.elapsed() < 60'000) pool.turn(20);
    QVERIFY2(joined() == kWorkers, describe().c_str());
    // Busy elsewhere: meanwhile every worker answers the probe, builds its assignment, reconnects and
    // sends READY on the new connection.
    QThread::msleep(1500);
    timer.restart();
    while (pool.aliveCount() < kWorkers && timer.elapsed() < 60'000) pool.turn(20);
    QVERIFY2(pool.aliveCount() == kWorkers, describe().c_str());
    // Nothing a worker sent was a stranger's.
    QVERIFY2(pool.malformed() == 0, describe().c_str());

    pool.stopWorkers("test over");
    for (auto& worker : workers) {
      QVERIFY(worker->waitForFinished(10'000));
      QCOMPARE(worker->exitCode(), 0);
    }
  }
};

QTEST_GUILESS_MAIN(TestSessionHandover)
#include "test_session_handover.moc"
