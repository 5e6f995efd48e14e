// A stored run read back whole (StoredRun), its exports (CSV folder, JSON document), family metrics
// through the store, and the results folder's pointer to its stored run.
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <sstream>

#include "core/store/run_export.hpp"
#include "core/store/run_store.hpp"
#include "core/store/stored_run.hpp"
#include "core/telemetry/evaluation.hpp"
#include "core/telemetry/event_log_reader.hpp"
#include "core/telemetry/telemetry_json.hpp"
#include "core/util/input_error.hpp"
#include "gzip_text.hpp"

using namespace distopt;

namespace {

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int lineCount(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

EvaluationPoint point(double time, double gap, std::uint64_t bytes) {
  EvaluationPoint p;
  p.time = time;
  p.updates = static_cast<std::uint64_t>(time);
  p.loss = gap + 1.0;
  p.gap = gap;
  p.bytesUp = bytes;
  p.bytesDown = bytes / 2;
  return p;
}

}  // namespace

class TestRunExport : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  std::string storePath() const { return m_dir.filePath("runs.sqlite").toStdString(); }

  std::int64_t makeRun(RunStore& store) {
    RunRecord record{.name = "e3", .experimentJson = R"({"name":"e3","seed":7})", .algorithm = "ringmaster",
                     .problem = "quadratic", .engine = "sim", .workers = 2, .tags = {"a, b", "c"},
                     .eventLog = distopt::EventLog::Full};  // every event is written below
    const auto id = store.createRun(record);
    std::vector<UpdateEvent> events(3);
    for (int i = 0; i < 3; ++i) {
      events[static_cast<std::size_t>(i)].time = i;
      events[static_cast<std::size_t>(i)].worker = i % 2;
      events[static_cast<std::size_t>(i)].delay = i;
    }
    std::vector<EvaluationPoint> points = {point(0, 1.0, 0), point(10, 0.1, 1000), point(20, 0.01, 2000)};
    points[1].metrics = {{"consensus_error", 0.5}, {"fired_fraction", 0.25}};
    std::vector<BandwidthSample> bandwidth = {{.time = 1, .worker = 0, .uplink = true, .kind = "GRAD", .bytes = 64, .messages = 1}};
    WorkerStatus worker;
    worker.worker = 1;
    worker.host = "host,with \"comma\"";
    worker.state = "dead";
    worker.reason = "killed by signal 9";
    store.appendBatch(id, StoreBatch{.events = events, .evaluations = points, .bandwidth = bandwidth,
                                     .workers = std::span<const WorkerStatus>(&worker, 1)});
    RunSummary summary;
    summary.algorithm = "ringmaster";
    summary.timeToTarget = 20.0;
    summary.bytesUplink = 2000;
    summary.bytesDownlink = 1000;
    store.finishRun(id, summary, R"({"time_to_target": 20.0, "bytes_uplink": 2000, "bytes_downlink": 1000})");
    return id;
  }

 private slots:
  void initTestCase() { QVERIFY(m_dir.isValid()); }

  void metricsRoundTripThroughTheStore() {
    auto store = RunStore::open(m_dir.filePath("metrics.sqlite").toStdString());
    const auto id = makeRun(*store);
    const auto points = store->loadEvaluations(id);
    QCOMPARE(points.size(), std::size_t{3});
    QVERIFY(points[0].metrics.empty());
    QCOMPARE(points[1].metrics.size(), std::size_t{2});
    QCOMPARE(points[1].metrics.at("consensus_error"), 0.5);
    QCOMPARE(points[1].metrics.at("fired_fraction"), 0.25);
  }

  void metricsRoundTripThroughTelemetryJson() {
    EvaluationPoint p = point(3, 0.5, 10);
    p.metrics["vote_agreement"] = 0.75;
    EvaluationPoint back;
    QVERIFY(fromJson(toJson(p), &back));
    QCOMPARE(back.metrics.at("vote_agreement"), 0.75);
    // A diverged measurement (NaN is written as null) loses that metric, not the evaluation point.
    p.metrics["consensus_error"] = std::numeric_limits<double>::quiet_NaN();
    EvaluationPoint diverged;
    QVERIFY(fromJson(nlohmann::json::parse(toJson(p).dump()), &diverged));
    QCOMPARE(diverged.metrics.count("consensus_error"), std::size_t{0});
    QCOMPARE(diverged.metrics.at("vote_agreement"), 0.75);
    auto broken = toJson(p);
    broken["metrics"] = "high";
    QVERIFY(!fromJson(broken, &back));
  }

  void storedRunHasEverything() {
    auto store = RunStore::open(storePath());
    const auto id = makeRun(*store);
    const auto run = loadStoredRun(*store, id);
    QVERIFY(run.has_value());
    QCOMPARE(run->experiment.value("seed", 0), 7);
    QCOMPARE(run->events.size(), std::size_t{3});
    QCOMPARE(run->evaluations.size(), std::size_t{3});
    QCOMPARE(run->bandwidth.size(), std::size_t{1});
    QCOMPARE(run->workers.size(), std::size_t{1});
    QCOMPARE(run->timeToTarget().value(), 20.0);
    QCOMPARE(run->totalBytes(), std::uint64_t{3000});
    QVERIFY(!loadStoredRun(*store, id + 1000).has_value());
    const auto curveOnly = loadStoredRun(*store, id, {.events = false, .evaluations = true, .bandwidth = false, .workers = false});
    QVERIFY(curveOnly->events.empty());
    QCOMPARE(curveOnly->evaluations.size(), std::size_t{3});
  }

  void curveQueries() {
    const std::vector<EvaluationPoint> points = {point(0, 1.0, 0), point(10, 0.1, 1000), point(20, 0.01, 2000)};
    QCOMPARE(firstPointAtGap(points, 0.1)->time, 10.0);
    QCOMPARE(firstPointAtGap(points, 0.05)->time, 20.0);
    QVERIFY(firstPointAtGap(points, 0.001) == nullptr);
    QCOMPARE(bestGap(points).value(), 0.01);
    QVERIFY(!bestGap({}).has_value());
  }

  void csvExport() {
    auto store = RunStore::open(storePath());
    const auto run = loadStoredRun(*store, makeRun(*store));
    const std::string dir = m_dir.filePath("csv").toStdString();
    exportRunCsv(*run, dir);
    // A full log is exported as distopt-run writes it, compressed, and reads back through the reader.
    QVERIFY(!QFileInfo::exists(QString::fromStdString(dir + "/events.csv")));
    const EventLogContents events = readEventLog(dir + "/events.csv.gz");
    QVERIFY(events.incomplete.empty());
    QCOMPARE(events.events.size(), run->events.size());
    for (std::size_t i = 0; i < events.events.size(); ++i) {
      QCOMPARE(events.events[i].time, run->events[i].time);
      QCOMPARE(events.events[i].worker, run->events[i].worker);
      QCOMPARE(events.events[i].delay, run->events[i].delay);
      QCOMPARE(events.events[i].outcome, run->events[i].outcome);
    }
    QVERIFY(lineCount(distopt::test::readMaybeGzip(dir + "/delays.csv.gz")) >= 2);  // the histogram derived from the events
    QCOMPARE(lineCount(readAll(dir + "/evaluations.csv")), 4);
    const std::string metrics = readAll(dir + "/metrics.csv");
    QCOMPARE(lineCount(metrics), 3);
    QVERIFY(metrics.find(",consensus_error,0.5") != std::string::npos);
    const std::string workers = readAll(dir + "/workers.csv");
    QVERIFY2(workers.find("\"host,with \"\"comma\"\"\"") != std::string::npos, workers.c_str());
    QVERIFY(readAll(dir + "/bandwidth.csv").find(",up,\"GRAD\",64,1") != std::string::npos);
    QVERIFY(readAll(dir + "/experiment.json").find("\"seed\": 7") != std::string::npos);
    QVERIFY(readAll(dir + "/summary.json").find("time_to_target") != std::string::npos);
  }

  void jsonExport() {
    auto store = RunStore::open(storePath());
    const auto id = makeRun(*store);
    const auto run = loadStoredRun(*store, id);
    const std::string path = m_dir.filePath("json/nested/run.json").toStdString();
    exportRunJson(*run, path);
    const auto json = nlohmann::json::parse(readAll(path));
    QCOMPARE(json["run"]["id"].get<std::int64_t>(), id);
    QCOMPARE(json["run"]["tags"].size(), std::size_t{2});
    QCOMPARE(json["events"].size(), std::size_t{3});
    QCOMPARE(json["evaluations"][1]["metrics"]["fired_fraction"].get<double>(), 0.25);
    QCOMPARE(json["workers"][0]["reason"].get<std::string>(), std::string("killed by signal 9"));
    QCOMPARE(json["experiment"]["seed"].get<int>(), 7);
  }

  void exportToAnUnwritablePlaceNamesIt() {
    auto store = RunStore::open(storePath());
    const auto run = loadStoredRun(*store, makeRun(*store));
    const std::string blocker = m_dir.filePath("a-file").toStdString();
    std::ofstream(blocker) << "x";
    try {
      exportRunCsv(*run, blocker + "/sub");
      QFAIL("expected InputError");
    } catch (const InputError& e) {
      QVERIFY2(std::string(e.what()).find(blocker) != std::string::npos, e.what());
    }
  }

  void storeLocation() {
    const std::string dir = m_dir.filePath("results").toStdString();
    QVERIFY(QDir().mkpath(QString::fromStdString(dir)));
    QVERIFY(!readStoreLocation(dir).has_value());
    writeStoreLocation(dir, {.path = "/x/runs.sqlite", .runId = 42});
    const auto location = readStoreLocation(dir);
    QCOMPARE(location->runId, std::int64_t{42});
    QCOMPARE(location->path, std::string("/x/runs.sqlite"));
    std::ofstream(dir + "/store.json") << "{\"path\": 3}";
    QVERIFY(!readStoreLocation(dir).has_value());
  }
};

QTEST_GUILESS_MAIN(TestRunExport)
#include "test_run_export.moc"
