// Run store (core/store): schema and round trips of every table, run listing and editing, refusal of
// files that are not run stores, the background writer's commit interval, and crash safety under SIGKILL.

#include <QElapsedTimer>
#include <QtTest>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/store/run_store.hpp"
#include "core/store/store_writer.hpp"
#include "core/util/input_error.hpp"

using distopt::BandwidthSample;
using distopt::EvaluationPoint;
using distopt::InputError;
using distopt::Outcome;
using distopt::RunRecord;
using distopt::RunStore;
using distopt::RunSummary;
using distopt::StoreWriter;
using distopt::Termination;
using distopt::UpdateEvent;
using distopt::WorkCounters;
using distopt::WorkerStatus;

namespace {

using Clock = std::chrono::steady_clock;

RunRecord sampleRecord(const std::string& name, const std::string& startedAt = {}) {
  return RunRecord{.name = name,
                   .experimentJson = R"({"algorithm":{"name":"ringmaster"}})",
                   .programVersion = "0.1.0",
                   .seed = 0xFFFF'FFFF'FFFF'FFF0ULL,
                   .algorithm = "ringmaster",
                   .problem = "quadratic",
                   .engine = "sim",
                   .workers = 8,
                   .startedAt = startedAt,
                   .tags = {"baseline", "E1"}};
}

UpdateEvent makeEvent(std::uint64_t i) {
  return UpdateEvent{.time = static_cast<double>(i) * 0.5,
                     .worker = static_cast<int>(i % 7),
                     .jobId = i,
                     .jobVersion = i / 2,
                     .delay = static_cast<std::int64_t>(i % 5) - 1,
                     .outcome = static_cast<Outcome>(i % 4),
                     .versionAfter = i / 2 + 1,
                     .age = 0.25 * static_cast<double>(i % 3),
                     .bytes = 4096 + i};
}

bool sameEvent(const UpdateEvent& a, const UpdateEvent& b) {
  return a.time == b.time && a.worker == b.worker && a.jobId == b.jobId && a.jobVersion == b.jobVersion &&
         a.delay == b.delay && a.outcome == b.outcome && a.versionAfter == b.versionAfter && a.age == b.age &&
         a.bytes == b.bytes;
}

/// "WHERE|MESSAGE" of the InputError that opening throws, or "no error".
std::string openError(const std::string& path) {
  try {
    RunStore::open(path);
  } catch (const InputError& error) {
    return error.where() + "|" + error.what();
  }
  return "no error";
}

void rawExec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  QCOMPARE(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  const std::string text = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  QVERIFY2(rc == SQLITE_OK, text.c_str());
}

}  // namespace

class TestRunStore : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  int m_files = 0;

  std::string freshPath() {
    return (m_dir.path() + "/store" + QString::number(++m_files) + ".sqlite").toStdString();
  }

 private slots:
  void initTestCase() { QVERIFY(m_dir.isValid()); }

  void roundTripEveryTable() {
    const std::string path = freshPath();
    std::int64_t id = 0;
    std::vector<UpdateEvent> events;
    for (std::uint64_t i = 0; i < 1000; ++i) events.push_back(makeEvent(i));
    events[3].jobId = std::numeric_limits<std::uint64_t>::max();  // unsigned 64-bit survives bit for bit
    events[4].delay = std::numeric_limits<std::int64_t>::min();
    const std::vector<EvaluationPoint> points = {
        {.time = 0,
         .updates = 0,
         .loss = 3.5,
         .gap = 1.25,
         .gradNormSq = 9.0,
         .testAccuracy = 0.5,
         .bytesUp = 0,
         .bytesDown = 10},
        {.time = 1, .updates = 17, .loss = 2.0, .bytesUp = 1ULL << 40, .bytesDown = 20},
        {.time = 2,
         .updates = 18,
         .loss = std::numeric_limits<double>::quiet_NaN(),
         .gap = std::numeric_limits<double>::infinity()},
    };
    const std::vector<BandwidthSample> samples = {
        {.time = 0.5, .worker = 1, .uplink = false, .kind = "JOB", .bytes = 8008, .messages = 1},
        {.time = 0.75, .worker = 1, .uplink = true, .kind = "GRAD", .bytes = 8056, .messages = 1},
    };
    WorkerStatus worker{.time = 3.0,
                        .worker = 2,
                        .host = "node-a",
                        .pid = 4242,
                        .state = "alive",
                        .reason = "",
                        .counters = WorkCounters{.jobsSent = 10,
                                                 .arrivals = 9,
                                                 .accepted = 7,
                                                 .discarded = 1,
                                                 .cancelled = 1,
                                                 .lateCancelled = 1,
                                                 .lost = 0},
                        .bytesUp = 123,
                        .bytesDown = 456,
                        .meanDelay = 2.5,
                        .meanJobSeconds = 0.025};
    {
      auto store = RunStore::open(path);
      QCOMPARE(store->schemaVersion(), RunStore::kSchemaVersion);
      id = store->createRun(sampleRecord("e1"));
      QVERIFY(id > 0);
      store->appendEvents(id, std::vector<UpdateEvent>(events.begin(), events.begin() + 400));
      store->appendEvents(id, std::vector<UpdateEvent>(events.begin() + 400, events.end()));
      store->appendEvaluations(id, points);
      store->appendBandwidth(id, samples);
      store->upsertWorker(id, worker);
      worker.state = "suspect";
      worker.counters.jobsSent = 11;
      store->upsertWorker(id, worker);  // replaces, not adds
      store->upsertWorker(id, WorkerStatus{.worker = 0, .host = "node-b"});
      RunSummary summary;
      summary.termination = Termination::TargetReached;
      summary.terminationDetail = "gap below 1e-6";
      worker.time = 4.0;
      worker.state = "dead";
      worker.reason = "heartbeat_timeout";
      worker.counters.lost = 1;
      summary.workerStatus = {worker};  // final statuses are stored with the end of the run
      QVERIFY(store->finishRun(id, summary, R"({"final_loss":0.5})"));
    }
    // Everything again from a new connection, after the first one closed.
    auto store = RunStore::open(path);
    const auto run = store->loadRun(id);
    QVERIFY(run);
    const RunRecord expected = sampleRecord("e1");
    QCOMPARE(run->record.name, expected.name);
    QCOMPARE(run->record.experimentJson, expected.experimentJson);
    QCOMPARE(run->record.programVersion, expected.programVersion);
    QCOMPARE(run->record.seed, expected.seed);
    QCOMPARE(run->record.algorithm, expected.algorithm);
    QCOMPARE(run->record.problem, expected.problem);
    QCOMPARE(run->record.engine, expected.engine);
    QCOMPARE(run->record.workers, expected.workers);
    QCOMPARE(run->record.tags, expected.tags);
    QVERIFY(run->record.displayName.empty());
    QCOMPARE(run->label(), std::string("e1"));
    // ISO-8601 UTC with milliseconds, filled in by the store.
    QCOMPARE(run->record.startedAt.size(), std::size_t(24));
    QCOMPARE(run->record.startedAt[10], 'T');
    QCOMPARE(run->record.startedAt.back(), 'Z');
    QVERIFY(run->finished());
    QVERIFY(run->endedAt >= run->record.startedAt);
    QCOMPARE(run->termination, std::optional<Termination>(Termination::TargetReached));
    QCOMPARE(run->terminationDetail, std::string("gap below 1e-6"));
    QCOMPARE(run->summaryJson, std::string(R"({"final_loss":0.5})"));
    QCOMPARE(run->eventCount, std::uint64_t(1000));
    QCOMPARE(run->evaluationCount, std::uint64_t(3));

    const auto loadedEvents = store->loadEvents(id);
    QCOMPARE(loadedEvents.size(), events.size());
    for (std::size_t i = 0; i < events.size(); ++i)
      QVERIFY2(sameEvent(loadedEvents[i], events[i]), qPrintable(QString::number(i)));

    const auto loadedPoints = store->loadEvaluations(id);
    QCOMPARE(loadedPoints.size(), points.size());
    QCOMPARE(loadedPoints[0].loss, 3.5);
    QCOMPARE(loadedPoints[0].gap, std::optional<double>(1.25));
    QCOMPARE(loadedPoints[0].gradNormSq, std::optional<double>(9.0));
    QCOMPARE(loadedPoints[0].testAccuracy, std::optional<double>(0.5));
    QCOMPARE(loadedPoints[0].bytesDown, std::uint64_t(10));
    QCOMPARE(loadedPoints[1].updates, std::uint64_t(17));
    QVERIFY(!loadedPoints[1].gap && !loadedPoints[1].gradNormSq && !loadedPoints[1].testAccuracy);
    QCOMPARE(loadedPoints[1].bytesUp, std::uint64_t(1) << 40);
    QVERIFY(std::isnan(loadedPoints[2].loss));  // a diverged run's NaN loss comes back as NaN
    QCOMPARE(loadedPoints[2].gap, std::optional<double>(std::numeric_limits<double>::infinity()));

    const auto loadedSamples = store->loadBandwidth(id);
    QCOMPARE(loadedSamples.size(), samples.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
      QCOMPARE(loadedSamples[i].time, samples[i].time);
      QCOMPARE(loadedSamples[i].worker, samples[i].worker);
      QCOMPARE(loadedSamples[i].uplink, samples[i].uplink);
      QCOMPARE(loadedSamples[i].kind, samples[i].kind);
      QCOMPARE(loadedSamples[i].bytes, samples[i].bytes);
      QCOMPARE(loadedSamples[i].messages, samples[i].messages);
    }

    const auto workers = store->loadWorkers(id);
    QCOMPARE(workers.size(), std::size_t(2));
    QCOMPARE(workers[0].worker, 0);
    QCOMPARE(workers[0].host, std::string("node-b"));
    const WorkerStatus& w = workers[1];
    QCOMPARE(w.worker, 2);
    QCOMPARE(w.time, 4.0);
    QCOMPARE(w.host, std::string("node-a"));
    QCOMPARE(w.pid, 4242);
    QCOMPARE(w.state, std::string("dead"));
    QCOMPARE(w.reason, std::string("heartbeat_timeout"));
    QCOMPARE(w.counters.jobsSent, std::uint64_t(11));
    QCOMPARE(w.counters.arrivals, std::uint64_t(9));
    QCOMPARE(w.counters.accepted, std::uint64_t(7));
    QCOMPARE(w.counters.discarded, std::uint64_t(1));
    QCOMPARE(w.counters.cancelled, std::uint64_t(1));
    QCOMPARE(w.counters.lateCancelled, std::uint64_t(1));
    QCOMPARE(w.counters.lost, std::uint64_t(1));
    QCOMPARE(w.bytesUp, std::uint64_t(123));
    QCOMPARE(w.bytesDown, std::uint64_t(456));
    QCOMPARE(w.meanDelay, 2.5);
    QCOMPARE(w.meanJobSeconds, 0.025);
    // The derived speed column, for readers that use SQL directly.
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* speed = nullptr;
    QCOMPARE(sqlite3_prepare_v2(db, "SELECT speed FROM workers WHERE worker = 2", -1, &speed, nullptr),
             SQLITE_OK);
    QCOMPARE(sqlite3_step(speed), SQLITE_ROW);
    QCOMPARE(sqlite3_column_double(speed, 0), 40.0);
    sqlite3_finalize(speed);
    sqlite3_close(db);

    QCOMPARE(store->checkIntegrity(), std::string("ok"));
    QVERIFY(std::filesystem::exists(path + "-wal"));  // WAL mode while a connection is open
  }

  void rowsComeBackInTimeOrder() {
    auto store = RunStore::open(freshPath());
    const auto id = store->createRun(sampleRecord("order"));
    std::vector<UpdateEvent> events = {makeEvent(0), makeEvent(1), makeEvent(2), makeEvent(3)};
    events[0].time = 3.0;
    events[1].time = 1.0;
    events[2].time = 2.0;
    events[3].time = 1.0;  // tie with events[1]: insertion order
    store->appendEvents(id, events);
    const auto loaded = store->loadEvents(id);
    QCOMPARE(loaded.size(), std::size_t(4));
    QCOMPARE(loaded[0].jobId, std::uint64_t(1));
    QCOMPARE(loaded[1].jobId, std::uint64_t(3));
    QCOMPARE(loaded[2].jobId, std::uint64_t(2));
    QCOMPARE(loaded[3].jobId, std::uint64_t(0));
    store->appendEvaluations(id, std::vector<EvaluationPoint>{{.time = 5}, {.time = 4}});
    const auto points = store->loadEvaluations(id);
    QCOMPARE(points[0].time, 4.0);
    QCOMPARE(points[1].time, 5.0);
  }

  // The history's final figures: the latest point by time (not the last appended; ties: the last
  // appended, as loadEvaluations orders them), with its family metrics; none for a run without points.
  void lastEvaluationIsTheLatestPoint() {
    auto store = RunStore::open(freshPath());
    const auto id = store->createRun(sampleRecord("last"));
    QVERIFY(!store->lastEvaluation(id).has_value());
    QVERIFY(!store->lastEvaluation(id + 100).has_value());
    EvaluationPoint late{.time = 7, .loss = 0.5, .testAccuracy = 0.75};
    late.metrics["consensus_error"] = 0.25;
    EvaluationPoint tie{.time = 7, .loss = 0.4};
    store->appendEvaluations(id, std::vector<EvaluationPoint>{late, tie, {.time = 3, .loss = 2.0}});
    const auto last = store->lastEvaluation(id);
    QVERIFY(last.has_value());
    QCOMPARE(last->loss, store->loadEvaluations(id).back().loss);
    QCOMPARE(last->loss, 0.4);
    store->appendEvaluations(id, std::vector<EvaluationPoint>{late});
    QCOMPARE(store->lastEvaluation(id)->metrics.at("consensus_error"), 0.25);
    QCOMPARE(store->lastEvaluation(id)->testAccuracy, std::optional<double>(0.75));
  }

  void listRunsNewestFirst() {
    auto store = RunStore::open(freshPath());
    QVERIFY(store->listRuns().empty());
    const auto b = store->createRun(sampleRecord("b", "2025-02-01T10:00:00.000Z"));
    const auto a = store->createRun(sampleRecord("a", "2025-01-01T10:00:00.000Z"));
    const auto c = store->createRun(sampleRecord("c", "2025-03-01T10:00:00.000Z"));
    const auto c2 =
        store->createRun(sampleRecord("c2", "2025-03-01T10:00:00.000Z"));  // same start: later id first
    const auto runs = store->listRuns();
    QCOMPARE(runs.size(), std::size_t(4));
    QCOMPARE(runs[0].id, c2);
    QCOMPARE(runs[1].id, c);
    QCOMPARE(runs[2].id, b);
    QCOMPARE(runs[3].id, a);
    QVERIFY(!runs[0].finished());
    QVERIFY(!runs[0].termination);
    QCOMPARE(runs[3].record.name, std::string("a"));
  }

  void renameTagsAndDeleteCascade() {
    auto store = RunStore::open(freshPath());
    const auto keep = store->createRun(sampleRecord("keep"));
    const auto drop = store->createRun(sampleRecord("drop"));
    for (auto id : {keep, drop}) {
      store->appendEvents(id, std::vector<UpdateEvent>{makeEvent(1), makeEvent(2)});
      store->appendEvaluations(id, std::vector<EvaluationPoint>{{.time = 1}});
      store->appendBandwidth(id, std::vector<BandwidthSample>{{.kind = "GRAD", .bytes = 1}});
      store->upsertWorker(id, WorkerStatus{.worker = 0});
    }

    QVERIFY(store->renameRun(keep, "Ringmaster, tuned"));
    QCOMPARE(store->loadRun(keep)->label(), std::string("Ringmaster, tuned"));
    QCOMPARE(store->loadRun(keep)->record.name, std::string("keep"));
    QVERIFY(store->renameRun(keep, ""));
    QCOMPARE(store->loadRun(keep)->label(), std::string("keep"));
    QVERIFY(store->setTags(keep, {"paper", "fig 3", "\"quoted\""}));
    QCOMPARE(store->loadRun(keep)->record.tags, (std::vector<std::string>{"paper", "fig 3", "\"quoted\""}));
    QVERIFY(store->setTags(keep, {}));
    QVERIFY(store->loadRun(keep)->record.tags.empty());

    QVERIFY(store->deleteRun(drop));
    QVERIFY(!store->loadRun(drop));
    QVERIFY(store->loadEvents(drop).empty());
    QVERIFY(store->loadEvaluations(drop).empty());
    QVERIFY(store->loadBandwidth(drop).empty());
    QVERIFY(store->loadWorkers(drop).empty());
    QCOMPARE(store->loadEvents(keep).size(), std::size_t(2));
    QCOMPARE(store->loadEvaluations(keep).size(), std::size_t(1));
    QCOMPARE(store->loadBandwidth(keep).size(), std::size_t(1));
    QCOMPARE(store->loadWorkers(keep).size(), std::size_t(1));
    QCOMPARE(store->listRuns().size(), std::size_t(1));

    // Unknown runs: edits say no, loads are empty, appends are refused whole.
    QVERIFY(!store->deleteRun(drop));
    QVERIFY(!store->renameRun(drop, "x"));
    QVERIFY(!store->setTags(drop, {"x"}));
    QVERIFY(!store->finishRun(drop, RunSummary{}, "{}"));
    QVERIFY_THROWS_EXCEPTION(InputError, store->appendEvents(drop, std::vector<UpdateEvent>{makeEvent(1)}));
    QVERIFY_THROWS_EXCEPTION(InputError, store->upsertWorker(drop, WorkerStatus{}));
    QCOMPARE(store->checkIntegrity(), std::string("ok"));
  }

  void refusesFilesThatAreNotRunStores() {
    // Random bytes.
    const std::string garbage = freshPath();
    {
      std::mt19937 random(7);
      std::ofstream out(garbage, std::ios::binary);
      for (int i = 0; i < 64 * 1024; ++i) out.put(static_cast<char>(random() & 0xff));
    }
    const auto before = std::filesystem::file_size(garbage);
    const std::string error = openError(garbage);
    QVERIFY2(error.starts_with(garbage + "|" + garbage + ": not a run store"), error.c_str());
    QCOMPARE(std::filesystem::file_size(garbage), before);  // untouched

    // A text file.
    const std::string text = freshPath();
    std::ofstream(text) << "time,worker\n1,2\n";
    QVERIFY2(openError(text).starts_with(text + "|" + text + ": not a run store"), openError(text).c_str());

    // Another program's SQLite database.
    const std::string foreign = freshPath();
    rawExec(foreign, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hello');");
    QVERIFY2(openError(foreign).find("not a run store") != std::string::npos, openError(foreign).c_str());
    const std::string otherApp = freshPath();
    rawExec(otherApp, "PRAGMA application_id = 1234;");
    QVERIFY2(openError(otherApp).find("another program") != std::string::npos, openError(otherApp).c_str());

    // A run store from a newer version.
    const std::string newer = freshPath();
    RunStore::open(newer);
    rawExec(newer, "PRAGMA user_version = 99;");
    QVERIFY2(openError(newer).find("newer") != std::string::npos, openError(newer).c_str());

    // A folder where the file should be.
    QVERIFY2(openError(m_dir.path().toStdString()).find("folder") != std::string::npos,
             openError(m_dir.path().toStdString()).c_str());

    // An empty file is a new, empty store.
    const std::string empty = freshPath();
    std::ofstream(empty).close();
    QCOMPARE(RunStore::open(empty)->listRuns().size(), std::size_t(0));
  }

  void createsParentFolders() {
    const std::string path = (m_dir.path() + "/a/b/c/runs.sqlite").toStdString();
    auto store = RunStore::open(path);
    QVERIFY(std::filesystem::exists(path));
    QVERIFY(store->createRun(sampleRecord("x")) > 0);
  }

  void optionsAreValidated() {
    std::string why;
    RunStore::Options store;
    QVERIFY(store.isValid(&why));
    store.busyTimeoutMs = -1;
    QVERIFY(!store.isValid(&why));
    QVERIFY(why.starts_with("busyTimeoutMs"));
    StoreWriter::Options writer;
    QVERIFY(writer.isValid(&why));
    writer.flushIntervalMs = 0;
    QVERIFY(!writer.isValid(&why));
    writer.flushIntervalMs = 5000;  // data could be more than a second old
    QVERIFY(!writer.isValid(&why));
    writer = {};
    writer.maxBatch = 0;
    QVERIFY(!writer.isValid(&why));
    writer = {};
    writer.maxBatch = 100;
    writer.maxPending = 10;
    QVERIFY(!writer.isValid(&why));
    try {
      StoreWriter bad(RunStore::open(freshPath()), 1, StoreWriter::Options{.maxBatch = 0});
      QFAIL("invalid options accepted");
    } catch (const InputError& error) {
      QCOMPARE(error.where(), std::string("store_writer.maxBatch"));
    }
  }

  void defaultPathFollowsXdg() {
    const QByteArray oldXdg = qgetenv("XDG_DATA_HOME");
    const QByteArray oldHome = qgetenv("HOME");
    qputenv("XDG_DATA_HOME", "/data/xdg");
    QCOMPARE(distopt::defaultStorePath(), std::string("/data/xdg/distopt-workbench/runs.sqlite"));
    qputenv("XDG_DATA_HOME", "relative/ignored");
    qputenv("HOME", "/home/someone");
    QCOMPARE(distopt::defaultStorePath(),
             std::string("/home/someone/.local/share/distopt-workbench/runs.sqlite"));
    qunsetenv("XDG_DATA_HOME");
    QCOMPARE(distopt::defaultStorePath(),
             std::string("/home/someone/.local/share/distopt-workbench/runs.sqlite"));
    if (oldXdg.isNull())
      qunsetenv("XDG_DATA_HOME");
    else
      qputenv("XDG_DATA_HOME", oldXdg);
    qputenv("HOME", oldHome);
  }

  void writerCommitsWithinItsInterval() {
    const std::string path = freshPath();
    auto reader = RunStore::open(path);
    const auto id = reader->createRun(sampleRecord("live"));
    StoreWriter writer(RunStore::open(path), id,
                       StoreWriter::Options{.flushIntervalMs = 100, .eventLog = distopt::EventLog::Full});
    const auto start = Clock::now();
    for (std::uint64_t i = 0; i < 25; ++i) writer.onUpdate(makeEvent(i));
    writer.onEvaluation(EvaluationPoint{.time = 1.0, .loss = 0.5});
    writer.onWorkerStatus(WorkerStatus{.worker = 3, .state = "starting"});
    writer.onWorkerStatus(WorkerStatus{.worker = 3, .state = "alive"});
    writer.onBandwidth(
        BandwidthSample{.worker = 3, .uplink = false, .kind = "JOB", .bytes = 9, .messages = 1});

    // A second connection sees the data without any flush or finish.
    std::size_t seen = 0;
    while (Clock::now() - start < std::chrono::seconds(3)) {
      seen = reader->loadEvents(id).size();
      if (seen == 25) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const auto waited = std::chrono::duration<double>(Clock::now() - start).count();
    QCOMPARE(seen, std::size_t(25));
    QVERIFY2(waited < 1.0, qPrintable(QString("data took %1 s to appear").arg(waited)));
    QCOMPARE(writer.committedEvents(), std::uint64_t(25));
    QCOMPARE(reader->loadEvaluations(id).size(), std::size_t(1));
    const auto workers = reader->loadWorkers(id);
    QCOMPARE(workers.size(), std::size_t(1));
    QCOMPARE(workers[0].state, std::string("alive"));
    QCOMPARE(reader->loadBandwidth(id).size(), std::size_t(1));
    QVERIFY(!reader->loadRun(id)->finished());

    // maxBatch is reached long before the interval: committed in batches, all of it in the end.
    for (std::uint64_t i = 25; i < 25'000; ++i) writer.onUpdate(makeEvent(i));
    RunSummary summary;
    summary.termination = Termination::UpdateLimit;
    summary.finalLoss = 0.125;
    writer.onFinish(summary);
    QVERIFY(writer.error().empty());
    QCOMPARE(writer.committedEvents(), std::uint64_t(25'000));
    const auto run = reader->loadRun(id);
    QVERIFY(run->finished());
    QCOMPARE(run->termination, std::optional<Termination>(Termination::UpdateLimit));
    QCOMPARE(run->eventCount, std::uint64_t(25'000));
    QVERIFY2(run->summaryJson.find("\"final_loss\":0.125") != std::string::npos, run->summaryJson.c_str());
    QVERIFY(run->summaryJson.find("experiment") == std::string::npos);
    QCOMPARE(reader->loadEvents(id).size(), std::size_t(25'000));
  }

  // A slow stream (a live run's few events a second, nothing else called in between) is committed within
  // about one interval, not held back until a block of events fills: that is what a killed coordinator
  // would otherwise lose.
  void aFewEventsAreCommittedWithinTheInterval() {
    const std::string path = freshPath();
    auto reader = RunStore::open(path);
    const auto id = reader->createRun(sampleRecord("slow"));
    StoreWriter writer(RunStore::open(path), id, StoreWriter::Options{.flushIntervalMs = 20});
    for (std::uint64_t i = 0; i < 5; ++i) writer.onUpdate(makeEvent(i));
    QTRY_COMPARE_WITH_TIMEOUT(writer.committedEvents(), std::uint64_t(5), 5000);
    QCOMPARE(reader->loadEvents(id).size(), std::size_t(5));
  }

  // The writer copies the published part of the producer's block while the producer goes on writing the
  // next slots, and the producer then hands over only the rest: with takes at every offset (bursts
  // shorter than a block, the writer's interval between them), every event is stored exactly once, in
  // order, and counted once in the histogram.
  void partialTakesAndHandOversKeepEveryEventOnce() {
    const std::string path = freshPath();
    auto reader = RunStore::open(path);
    const auto id = reader->createRun(sampleRecord("bursts"));
    constexpr std::uint64_t kEvents = 5000;
    {
      StoreWriter writer(RunStore::open(path), id,
                         StoreWriter::Options{.flushIntervalMs = 1, .eventLog = distopt::EventLog::Full});
      std::uint64_t i = 0;
      for (std::uint64_t burst = 1; i < kEvents; burst = burst % 700 + 97) {
        for (std::uint64_t k = 0; k < burst && i < kEvents; ++k) writer.onUpdate(makeEvent(i++));
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      writer.onFinish(RunSummary{});
      const distopt::DelayCounts& totals = writer.delayTotals();
      QCOMPARE(totals.total(Outcome::Accepted) + totals.total(Outcome::Discarded) +
                   totals.total(Outcome::Cancelled) + totals.total(Outcome::LateCancelled),
               kEvents);
    }
    const auto events = reader->loadEvents(id);
    QCOMPARE(events.size(), std::size_t(kEvents));
    for (std::uint64_t i = 0; i < kEvents; ++i)
      QVERIFY2(sameEvent(events[i], makeEvent(i)), qPrintable(QString::number(i)));
  }

  // The aggregates are digested by two threads: the producer digests each full block, the writer the
  // published part of a partial one before its swap. Bursts of every length, with the writer's interval
  // between them, must still give the exact histogram, the first events as rows in order, and every
  // accepted update in the timeline; and a burst longer than a block is committed within the interval
  // although it never reaches the writer's wake threshold.
  void aggregatesDigestedByBothThreadsAreExact() {
    const std::string path = freshPath();
    auto reader = RunStore::open(path);
    const auto id = reader->createRun(sampleRecord("bursts-aggregates"));
    constexpr std::uint64_t kEvents = 20'000;
    distopt::DelayCounts expected;
    std::uint64_t accepted = 0;
    {
      StoreWriter writer(RunStore::open(path), id, StoreWriter::Options{.flushIntervalMs = 1});
      std::uint64_t i = 0;
      for (std::uint64_t burst = 1; i < kEvents; burst = burst % 1900 + 131) {
        for (std::uint64_t k = 0; k < burst && i < kEvents; ++k) {
          const UpdateEvent event = makeEvent(i++);
          expected.add(event);
          if (event.outcome == Outcome::Accepted) ++accepted;
          writer.onUpdate(event);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      // 2500 events in one go (more than a block), then nothing: committed within about the interval.
      for (std::uint64_t k = 0; k < 2500; ++k, ++i) {
        const UpdateEvent event = makeEvent(i);
        expected.add(event);
        if (event.outcome == Outcome::Accepted) ++accepted;
        writer.onUpdate(event);
      }
      QTRY_COMPARE_WITH_TIMEOUT(writer.committedEvents(), kEvents + 2500, 5000);
      writer.onFinish(RunSummary{});
      QCOMPARE(writer.delayTotals().sorted(), expected.sorted());
    }
    QCOMPARE(reader->loadDelayCounts(id).sorted(), expected.sorted());
    const auto rows = reader->loadEvents(id);
    QVERIFY(rows.size() >= 1000);
    for (std::uint64_t k = 0; k < 1000; ++k)
      QVERIFY2(sameEvent(rows[k], makeEvent(k)), qPrintable(QString::number(k)));
    const auto timeline = reader->loadAcceptedTimeline(id);
    QVERIFY(!timeline.empty());
    QCOMPARE(timeline.back().count, accepted);
    for (std::size_t k = 1; k < timeline.size(); ++k) QVERIFY(timeline[k].count > timeline[k - 1].count);
  }

  // A producer that fills maxPending wakes the writer instead of waiting for its interval: with a small
  // bound and a long interval, ten blocks of events would otherwise hold the engine about ten intervals.
  void aFullQueueWakesTheWriter() {
    const std::string path = freshPath();
    auto reader = RunStore::open(path);
    const auto id = reader->createRun(sampleRecord("bounded"));
    StoreWriter writer(RunStore::open(path), id,
                       StoreWriter::Options{.flushIntervalMs = 1000, .maxBatch = 1000, .maxPending = 1024});
    QElapsedTimer timer;
    timer.start();
    for (std::uint64_t i = 0; i < 10 * 1024 + 1; ++i) writer.onUpdate(makeEvent(i));
    const qint64 held = timer.elapsed();
    QVERIFY2(held < 4000, qPrintable(QString("the producer was held %1 ms").arg(held)));
    writer.onFinish(RunSummary{});
    QCOMPARE(writer.committedEvents(), std::uint64_t(10 * 1024 + 1));
  }

  void writerFlushesOnDestructionAndReportsErrors() {
    const std::string path = freshPath();
    auto reader = RunStore::open(path);
    const auto id = reader->createRun(sampleRecord("short"));
    {
      StoreWriter writer(RunStore::open(path), id, StoreWriter::Options{.flushIntervalMs = 1000});
      for (std::uint64_t i = 0; i < 10; ++i) writer.onUpdate(makeEvent(i));
    }
    QCOMPARE(reader->loadEvents(id).size(), std::size_t(10));

    // A run deleted under a live writer: the writer reports it and drops data instead of failing the run.
    const auto gone = reader->createRun(sampleRecord("gone"));
    QVERIFY(reader->deleteRun(gone));
    StoreWriter writer(RunStore::open(path), gone, StoreWriter::Options{.flushIntervalMs = 10});
    writer.onUpdate(makeEvent(1));
    QVERIFY(!writer.flush());
    QVERIFY2(writer.error().find("no run") != std::string::npos, writer.error().c_str());
    QVERIFY2(writer.error().starts_with(path), writer.error().c_str());
    writer.onUpdate(makeEvent(2));
    QVERIFY(!writer.flush());  // events reach the writer by the block: counted once it has them
    QCOMPARE(writer.droppedItems(), std::uint64_t(2));
    writer.onFinish(RunSummary{});  // returns, does not hang
    // The store lost them, the digest did not: the result files still get the whole histogram.
    QCOMPARE(writer.delayTotals().total(Outcome::Accepted) + writer.delayTotals().total(Outcome::Discarded) +
                 writer.delayTotals().total(Outcome::Cancelled) +
                 writer.delayTotals().total(Outcome::LateCancelled),
             std::uint64_t(2));
  }

  // A coordinator killed with SIGKILL while streaming: the store must open, pass integrity_check and
  // hold every event the writer had reported committed, as a whole prefix with no partial batch.
  void sigkillLeavesAReadableStore() {
    const std::string path = freshPath();
    std::int64_t id = 0;
    {
      auto store = RunStore::open(path);
      id = store->createRun(sampleRecord("killed"));
    }
    int fds[2];
    QCOMPARE(pipe(fds), 0);
    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
      // Child: stream events at about 200k/s and report the committed count whenever it grows.
      close(fds[0]);
      try {
        StoreWriter writer(RunStore::open(path), id,
                           StoreWriter::Options{
                               .flushIntervalMs = 50, .maxBatch = 5000, .eventLog = distopt::EventLog::Full});
        std::uint64_t next = 0;
        std::uint64_t reported = 0;
        for (;;) {
          for (int i = 0; i < 200; ++i, ++next) writer.onUpdate(makeEvent(next));
          const std::uint64_t committed = writer.committedEvents();
          if (committed != reported) {
            if (write(fds[1], &committed, sizeof committed) != sizeof committed) _exit(4);
            reported = committed;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      } catch (...) {
        _exit(3);
      }
    }
    close(fds[1]);

    // Parent: collect (time, committed) reports; kill after 1.5 s once enough has been committed.
    std::vector<std::pair<Clock::time_point, std::uint64_t>> reports;
    const auto start = Clock::now();
    bool childDied = false;
    while (Clock::now() - start < std::chrono::seconds(20)) {
      pollfd item{.fd = fds[0], .events = POLLIN, .revents = 0};
      if (poll(&item, 1, 20) > 0) {
        std::uint64_t value = 0;
        const ssize_t got = read(fds[0], &value, sizeof value);
        if (got == 0) {
          childDied = true;
          break;
        }
        if (got == sizeof value) reports.emplace_back(Clock::now(), value);
      }
      if (Clock::now() - start >= std::chrono::milliseconds(1500) && !reports.empty() &&
          reports.back().second >= 20'000)
        break;
    }
    const auto killTime = Clock::now();
    kill(child, SIGKILL);
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    close(fds[0]);
    QVERIFY2(!childDied, "the streaming child exited by itself");
    QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    QVERIFY(!reports.empty());

    std::uint64_t committedLongBefore = 0;  // committed more than 1 s before the kill
    for (const auto& [when, count] : reports)
      if (killTime - when > std::chrono::seconds(1)) committedLongBefore = count;
    const std::uint64_t lastReported = reports.back().second;
    QVERIFY2(lastReported >= 20'000, qPrintable(QString::number(lastReported)));

    auto store = RunStore::open(path);
    QCOMPARE(store->checkIntegrity(), std::string("ok"));
    const auto run = store->loadRun(id);
    QVERIFY(run);
    QVERIFY(!run->finished());
    const auto events = store->loadEvents(id);
    qInfo("committed >1 s before the kill: %llu, last reported: %llu, in the store: %zu",
          static_cast<unsigned long long>(committedLongBefore), static_cast<unsigned long long>(lastReported),
          events.size());
    QVERIFY(events.size() >= committedLongBefore);
    QVERIFY(events.size() >= lastReported);  // every reported commit survived, not just the old ones
    // No partial batch: the run's count moves in the same transactions as the rows, and the rows are
    // a gap-free prefix of what the child sent.
    QCOMPARE(run->eventCount, std::uint64_t(events.size()));
    for (std::size_t i = 0; i < events.size(); ++i)
      if (events[i].jobId != i) QFAIL(qPrintable(QString("gap at event %1").arg(i)));
  }
};

QTEST_APPLESS_MAIN(TestRunStore)
#include "test_run_store.moc"
