// Live runs on real processes (distopt-run --engine live with its local distopt-worker children, over
// tcp://127.0.0.1 on wildcard ports): docs/papers.md, async-sgd E3 scaled to CI time — problem Q, 16 workers
// with TM-2 times, a few-millisecond unit and a horizon of a few seconds of wall clock.
//   (a) Ringmaster B reaches a target gap that the simulator reaches comfortably, and never applies a
//       gradient with delay >= R (every accepted row of events.csv);
//   (b) vanilla ASGD's mean accepted delay is within 10 % of n - 1 (Little's law: n jobs always in
//       flight), over >= 20 n updates;
//   (c) the live and simulated runs of the same experiment write summaries of the same shape;
//   (d) an update limit stops the run at exactly that many updates, however fast gradients arrive.
#include <QtTest>

#include <cmath>
#include <set>

#include "live_test_support.hpp"

using namespace live_test;

namespace {

constexpr int kWorkers = 16;

struct Finished {
  int exitCode = -1;
  json summary;
  std::vector<EventRow> events;
  std::string log;
};

/// Runs `document` with distopt-run (extra arguments appended) and reads its results.
Finished runExperiment(const QTemporaryDir& dir, const QString& name, const json& document,
                       const QStringList& extra = {}) {
  const QString path = writeJson(dir, name + ".json", document);
  const QString out = dir.filePath(name);
  Coordinator coordinator;
  Finished finished;
  if (!coordinator.start(QStringList{path, "--out", out, "--quiet"} + storeArguments(dir) + extra)) return finished;
  finished.exitCode = coordinator.waitForExit(90'000);
  finished.log = coordinator.describe();
  finished.summary = readJsonFile(out + "/summary.json");
  if (auto events = readEvents(out)) finished.events = std::move(*events);
  return finished;
}

/// Key set of a JSON object.
std::set<std::string> keysOf(const json& object) {
  std::set<std::string> keys;
  if (!object.is_object()) return keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.insert(it.key());
  return keys;
}

std::string joined(const std::set<std::string>& keys) {
  std::string text;
  for (const auto& key : keys) text += key + " ";
  return text;
}

}  // namespace

class TestLiveRuns : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kRunProgram).isExecutable(), qPrintable(kRunProgram + " is not built"));
    QVERIFY2(QFileInfo(kWorkerProgram).isExecutable(), qPrintable(kWorkerProgram + " is not built"));
  }

  void ringmasterReachesTargetWithBoundedDelays() {
    // E3's problem Q (d = 1729), 16 TM-2 workers, Ringmaster B with R = 2. The simulator reaches the
    // target gap TARGET well before the horizon (checked first, in this test, so the threshold is
    // the engine's, not a guess).
    constexpr int R = 2;
    constexpr double kTarget = 0.01;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    json document = quadraticExperiment(kWorkers, 1729, 4.0, 1000.0);
    document["algorithm"]["params"] = {{"gamma", 1.0}, {"R", R}, {"variant", "B"}};
    document["stop"]["target_gap"] = kTarget;
    document["eval"]["interval"] = 5.0;

    json simDocument = document;
    simDocument["engine"] = "sim";
    const Finished sim = runExperiment(dir, "sim", simDocument);
    QVERIFY2(sim.exitCode == 0, sim.log.c_str());
    QCOMPARE(sim.summary.at("termination"), json("target_reached"));
    const double simTime = sim.summary.at("time_to_target").get<double>();
    QVERIFY2(simTime < 0.3 * 1000.0, std::to_string(simTime).c_str());  // comfortably: sim 190 units of 1000

    const Finished live = runExperiment(dir, "live", document);
    QVERIFY2(live.exitCode == 0, live.log.c_str());
    const json& s = live.summary;
    QCOMPARE(s.at("engine"), json("live"));
    QVERIFY2(s.at("termination") == json("target_reached"), s.dump(1).c_str());
    QVERIFY(s.at("time_to_target").is_number());
    QVERIFY(s.at("time_to_target").get<double>() <= 1000.0);
    QCOMPARE(s.at("malformed_dropped"), json(0));
    qInfo("Ringmaster B: target %.3g reached at %.1f units live, %.1f units in the simulator; %llu updates",
          kTarget, s.at("time_to_target").get<double>(), simTime,
          static_cast<unsigned long long>(s.at("updates_applied").get<std::uint64_t>()));

    // Every accepted delay is below R, in the summary and row by row.
    QVERIFY2(s.at("delay_max").get<long long>() < R, s.dump(1).c_str());
    std::uint64_t accepted = 0;
    std::uint64_t cancelled = 0;
    for (const auto& row : live.events) {
      if (row.outcome == "accepted") {
        ++accepted;
        QVERIFY2(row.delay >= 0 && row.delay < R, ("accepted delay " + std::to_string(row.delay)).c_str());
      } else if (row.outcome == "cancelled") {
        ++cancelled;
        QCOMPARE(row.delay, static_cast<long long>(R));  // variant B cancels exactly at R
      }
    }
    QVERIFY(accepted > 0);
    QCOMPARE(accepted, s.at("gradients_accepted").get<std::uint64_t>());
    QCOMPARE(accepted, s.at("updates_applied").get<std::uint64_t>());
    QCOMPARE(cancelled, s.at("jobs_cancelled").get<std::uint64_t>());
    QVERIFY(cancelled > 0);  // with R = 2 and 16 workers, variant B must have stopped stale work
    QCOMPARE(static_cast<std::uint64_t>(live.events.size()),
             s.at("gradients_accepted").get<std::uint64_t>() + s.at("gradients_discarded").get<std::uint64_t>() +
                 s.at("jobs_cancelled").get<std::uint64_t>() + s.at("late_cancelled").get<std::uint64_t>());
    // Every worker took part and none was lost.
    QCOMPARE(s.at("worker_status").size(), std::size_t{kWorkers});
    for (const auto& worker : s.at("worker_status")) QVERIFY2(worker.at("state") != json("dead"), worker.dump().c_str());

    // The run store holds both runs, the live one finished with every event and each worker.
    const auto runs = storedRuns(storePath(dir));
    QCOMPARE(runs.size(), std::size_t{2});
    const distopt::RunInfo& stored = runs.front().record.engine == "live" ? runs.front() : runs.back();
    QCOMPARE(stored.record.engine, std::string("live"));
    QCOMPARE(stored.record.workers, kWorkers);
    QCOMPARE(stored.record.algorithm, std::string("ringmaster"));
    QVERIFY(stored.finished());
    QVERIFY(stored.termination == distopt::Termination::TargetReached);
    QCOMPARE(stored.eventCount, static_cast<std::uint64_t>(live.events.size()));
    auto store = distopt::RunStore::open(storePath(dir).toStdString());
    QCOMPARE(store->loadEvents(stored.id).size(), live.events.size());
    QCOMPARE(store->loadWorkers(stored.id).size(), std::size_t{kWorkers});
  }

  void asgdMeanDelayIsNMinusOne() {
    // Vanilla ASGD applies everything; with n jobs always in flight the long-run mean delay is n - 1.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    json document = quadraticExperiment(kWorkers, 1729, 2.0, 1200.0);
    document["algorithm"] = {{"name", "asgd"}, {"params", {{"gamma", 0.04}}}};
    document["eval"]["interval"] = 50.0;
    const Finished live = runExperiment(dir, "asgd", document);
    QVERIFY2(live.exitCode == 0, live.log.c_str());
    const json& s = live.summary;
    QCOMPARE(s.at("termination"), json("time_limit"));
    const auto updates = s.at("updates_applied").get<std::uint64_t>();
    QVERIFY2(updates >= 20u * kWorkers, std::to_string(updates).c_str());
    QCOMPARE(s.at("gradients_discarded"), json(0));
    QCOMPARE(s.at("jobs_cancelled"), json(0));

    double sum = 0.0;
    std::uint64_t count = 0;
    for (const auto& row : live.events) {
      if (row.outcome != "accepted") continue;
      sum += static_cast<double>(row.delay);
      ++count;
    }
    QCOMPARE(count, updates);
    const double mean = sum / static_cast<double>(count);
    QVERIFY(std::abs(mean - s.at("delay_mean").get<double>()) < 1e-9 * std::max(1.0, mean));
    const double expected = kWorkers - 1;
    qInfo("ASGD: %llu updates, mean accepted delay %.3f (n - 1 = %.0f), max %lld",
          static_cast<unsigned long long>(updates), mean, expected, s.at("delay_max").get<long long>());
    QVERIFY2(std::abs(mean - expected) <= 0.1 * expected, std::to_string(mean).c_str());
  }

  void updateLimitIsExact() {
    // No injected delay and big messages: gradients queue up at the coordinator faster than it applies
    // them. The run must still stop at exactly the update limit, as the simulator does.
    constexpr int kLimit = 200;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const json document = {
        {"name", "update-limit"},
        {"seed", 1},
        {"engine", "live"},
        {"problem", {{"name", "diagonal-quadratic"}, {"params", {{"d", 100000}, {"noise_std", 0.0}}}}},
        {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 0.001}}}}},
        {"workers", {{"count", 8}, {"time_model", {{"name", "natural"}, {"params", json::object()}}}, {"unit_ms", 1}}},
        {"stop", {{"updates", kLimit}}},
        {"eval", {{"every_updates", kLimit}, {"grad_norm", false}}}};
    const Finished live = runExperiment(dir, "limit", document);
    QVERIFY2(live.exitCode == 0, live.log.c_str());
    QVERIFY2(live.summary.at("termination") == json("update_limit"), live.summary.dump(1).c_str());
    QCOMPARE(live.summary.at("updates_applied").get<int>(), kLimit);
    std::size_t accepted = 0;
    for (const auto& row : live.events) accepted += row.outcome == "accepted" ? 1 : 0;
    QCOMPARE(accepted, std::size_t{kLimit});
  }

  // (e) A loss grown to huge finite values ends the run as diverged, by the same rule in both engines
  // (core/sim/divergence.hpp); it used to run out its time and be recorded as a time limit.
  void hugeFiniteLossIsDivergedInBothEngines() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const json document = {
        {"name", "diverging"},
        {"seed", 1},
        {"engine", "live"},
        {"problem", {{"name", "quadratic"}, {"params", {{"d", 32}, {"noise_std", 0.0}}}}},
        {"algorithm", {{"name", "asgd"}, {"params", {{"gamma", 4.0}}}}},
        {"workers",
         {{"count", 1}, {"time_model", {{"name", "fixed"}, {"params", {{"h", "one"}}}}}, {"unit_ms", 5}}},
        {"stop", {{"time", 150}}},
        {"eval", {{"interval", 10}}}};
    for (const char* engine : {"sim", "live"}) {
      const Finished run =
          runExperiment(dir, QStringLiteral("diverging-%1").arg(engine), document, {"--engine", engine});
      QVERIFY2(run.summary.is_object() && run.summary.value("termination", std::string()) == "diverged",
               (std::string(engine) + ": " + run.summary.dump(1) + "\n" + run.log).c_str());
      QVERIFY2(run.summary.value("termination_detail", std::string()).find("beyond") != std::string::npos,
               run.summary.dump(1).c_str());
      QVERIFY2(run.summary.at("final_loss").is_number(),
               run.summary.dump(1).c_str());  // finite: JSON has no inf
    }
  }

  void liveAndSimSummariesHaveTheSameShape() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    json document = quadraticExperiment(8, 256, 5.0, 300.0);
    json simDocument = document;
    simDocument["engine"] = "sim";
    const Finished live = runExperiment(dir, "live", document);
    const Finished sim = runExperiment(dir, "sim", simDocument);
    QVERIFY2(live.exitCode == 0, live.log.c_str());
    QVERIFY2(sim.exitCode == 0, sim.log.c_str());
    QCOMPARE(live.summary.at("engine"), json("live"));
    QCOMPARE(sim.summary.at("engine"), json("sim"));

    const auto liveKeys = keysOf(live.summary);
    const auto simKeys = keysOf(sim.summary);
    QVERIFY2(liveKeys == simKeys, (joined(liveKeys) + "\n" + joined(simKeys)).c_str());
    for (const char* key : {"jobs_sent", "arrivals", "gradients_accepted", "gradients_discarded", "jobs_cancelled",
                            "late_cancelled", "jobs_lost", "updates_applied", "malformed_dropped"}) {
      QVERIFY2(live.summary.at(key).is_number_unsigned(), key);
      QVERIFY2(sim.summary.at(key).is_number_unsigned(), key);
    }
    for (const auto* s : {&live.summary, &sim.summary}) {
      QCOMPARE(s->at("termination"), json("time_limit"));
      QCOMPARE(s->at("time").get<double>(), 300.0);
      QCOMPARE(s->at("workers"), json(8));
      QCOMPARE(s->at("algorithm"), json("ringmaster"));
      QVERIFY(s->at("final_gap").is_number());
      QVERIFY(s->at("updates_applied").get<std::uint64_t>() > 0);
      QVERIFY(s->at("delay_max").get<long long>() < 4);
    }
    // The recorded experiment differs only in the engine.
    json liveExperiment = live.summary.at("experiment");
    json simExperiment = sim.summary.at("experiment");
    liveExperiment.erase("engine");
    simExperiment.erase("engine");
    QVERIFY2(liveExperiment == simExperiment, (liveExperiment.dump() + "\n" + simExperiment.dump()).c_str());
    // Live runs describe each worker, with the same fields whatever the worker.
    QCOMPARE(live.summary.at("worker_status").size(), std::size_t{8});
    const auto workerKeys = keysOf(live.summary.at("worker_status").at(0));
    for (const char* key : {"worker", "pid", "state", "reason", "accepted", "bytes_up", "bytes_down"})
      QVERIFY2(workerKeys.count(key), key);
    for (const auto& worker : live.summary.at("worker_status")) QCOMPARE(keysOf(worker), workerKeys);
    // Same events.csv columns (checked by readEvents) and plausible counts on both sides.
    QVERIFY(!live.events.empty());
    QVERIFY(!sim.events.empty());
  }
};

QTEST_GUILESS_MAIN(TestLiveRuns)
#include "test_live_runs.moc"
