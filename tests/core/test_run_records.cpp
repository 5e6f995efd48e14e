// What a run keeps (core/telemetry/run_digest, core/store): exact aggregates and a bounded sample by
// default, the full log on request; a run whose coordinator died is marked interrupted on the next open;
// deleting runs frees space; a full disk is reported and leaves whole lines and whole transactions.
// The full-disk cases mount a small tmpfs (root only; skipped with the reason otherwise).

#include <QtTest>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/data/gz_file.hpp"
#include "core/store/run_store.hpp"
#include "core/store/store_writer.hpp"
#include "core/store/stored_run.hpp"
#include "core/telemetry/event_log_reader.hpp"
#include "core/telemetry/line_file.hpp"
#include "core/telemetry/run_digest.hpp"
#include "core/telemetry/run_files.hpp"
#include "core/util/input_error.hpp"

using namespace distopt;

namespace {

// A stream shaped like E1: most outcomes are cancellations at a few delays, per worker.
UpdateEvent eventNumber(std::uint64_t i, int workers) {
  UpdateEvent e;
  e.time = static_cast<double>(i) * 0.001;
  e.worker = static_cast<int>((i * 2654435761ULL) % static_cast<std::uint64_t>(workers));
  e.jobId = i;
  e.outcome = i % 97 == 0 ? Outcome::Accepted : (i % 31 == 0 ? Outcome::Discarded : Outcome::Cancelled);
  e.delay = static_cast<std::int64_t>((i / 7) % 9);
  e.jobVersion = i / 97;
  e.versionAfter = i / 97 + 1;
  e.bytes = 24;
  return e;
}

using Key = std::tuple<int, int, std::int64_t>;
std::map<Key, std::uint64_t> countsOf(const std::vector<DelayCount>& rows) {
  std::map<Key, std::uint64_t> map;
  for (const auto& r : rows) map[{r.worker, static_cast<int>(r.outcome), r.delay}] += r.count;
  return map;
}

RunRecord recordFor(const std::string& name, EventLog log) {
  RunRecord record;
  record.name = name;
  record.algorithm = "ringmaster";
  record.engine = "sim";
  record.workers = 50;
  record.eventLog = log;
  return record;
}

std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// A tmpfs of `kib` KiB at a fresh folder; unmounted by the destructor.
class SmallDisk {
 public:
  SmallDisk(const QString& root, int kib) : m_path((root + "/disk").toStdString()) {
    std::filesystem::create_directories(m_path);
    const std::string options = "size=" + std::to_string(kib) + "k";
    m_mounted = mount("tmpfs", m_path.c_str(), "tmpfs", 0, options.c_str()) == 0;
    if (!m_mounted) m_why = std::string("cannot mount a tmpfs (") + std::strerror(errno) + "; needs root)";
  }
  ~SmallDisk() {
    if (m_mounted) umount2(m_path.c_str(), MNT_DETACH);
  }
  bool mounted() const { return m_mounted; }
  const std::string& why() const { return m_why; }
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  bool m_mounted = false;
  std::string m_why;
};

}  // namespace

class TestRunRecords : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  int m_files = 0;
  std::string freshPath() {
    return (m_dir.path() + "/records" + QString::number(++m_files) + ".sqlite").toStdString();
  }

 private slots:
  void delayCountsEncodeExactly() {
    DelayCounts counts;
    for (std::uint64_t i = 0; i < 50'000; ++i) counts.add(eventNumber(i, 300));
    counts.add(7, Outcome::LateCancelled, -3, 5);
    counts.add(1'000'000, Outcome::Accepted, 1LL << 40, (1ULL << 63) + 11);
    const std::string block = counts.encode();
    DelayCounts decoded;
    QVERIFY(decoded.decodeAdd(block));
    QCOMPARE(decoded.sorted(), counts.sorted());
    // A few bytes per key, not the 50k events.
    QVERIFY2(block.size() < counts.size() * 6, qPrintable(QString::number(block.size())));
    // Damaged blocks add nothing.
    QVERIFY(!decoded.decodeAdd(block.substr(0, block.size() - 1)));
    QVERIFY(!decoded.decodeAdd(block + "x"));
    QVERIFY(!decoded.decodeAdd(""));
    QCOMPARE(decoded.sorted(), counts.sorted());
    decoded.merge(counts);
    QCOMPARE(decoded.total(Outcome::LateCancelled), std::uint64_t(10));
  }

  void sampleAndTimelineAreBounded() {
    EventSample sample(EventSample::Options{.first = 100, .reservoir = 50, .seed = 9});
    EventSample same(EventSample::Options{.first = 100, .reservoir = 50, .seed = 9});
    AcceptedTimeline timeline;
    std::uint64_t accepted = 0;
    for (std::uint64_t i = 0; i < 2'000'000; ++i) {
      UpdateEvent e = eventNumber(i, 10);
      e.outcome = Outcome::Accepted;
      QCOMPARE(sample.add(e), i < 100);
      same.add(e);
      timeline.add(e);
      ++accepted;
    }
    QCOMPARE(sample.seen(), std::uint64_t(2'000'000));
    const auto events = sample.events();
    QCOMPARE(events.size(), std::size_t(150));
    for (std::size_t i = 0; i < 100; ++i) QCOMPARE(events[i].jobId, std::uint64_t(i));
    // The reservoir spreads over the rest of the run (uniform: its mean ordinal is near the middle).
    double mean = 0;
    for (const auto& s : sample.reservoir()) mean += static_cast<double>(s.ordinal) / 50.0;
    QVERIFY2(mean > 600'000 && mean < 1'400'000, qPrintable(QString::number(mean)));
    QCOMPARE(sample.reservoir().front().ordinal, same.reservoir().front().ordinal);
    timeline.finish();
    QVERIFY2(timeline.points().size() < AcceptedTimeline::kPointsPerLevel * 11,
             qPrintable(QString::number(timeline.points().size())));
    QCOMPARE(timeline.points().back().count, accepted);
    for (std::size_t i = 1; i < timeline.points().size(); ++i)
      QVERIFY(timeline.points()[i].count > timeline.points()[i - 1].count);
  }

  void writerKeepsAggregatesAndASample() {
    const std::string path = freshPath();
    auto reader = RunStore::open(path);
    const auto id = reader->createRun(recordFor("aggregates", EventLog::Aggregates));
    DelayCounts expected;
    AcceptedTimeline expectedTimeline;
    constexpr std::uint64_t kEvents = 300'000;
    {
      StoreWriter writer(RunStore::open(path), id,
                         StoreWriter::Options{.flushIntervalMs = 20, .maxBatch = 5000});
      for (std::uint64_t i = 0; i < kEvents; ++i) {
        const UpdateEvent e = eventNumber(i, 50);
        writer.onUpdate(e);
        expected.add(e);
        expectedTimeline.add(e);
      }
      RunSummary summary;
      summary.termination = Termination::TimeLimit;
      writer.onFinish(summary);
      QVERIFY2(writer.error().empty(), writer.error().c_str());
    }
    expectedTimeline.finish();
    const auto run = loadStoredRun(*reader, id);
    QVERIFY(run);
    QCOMPARE(run->info.eventCount, kEvents);
    QCOMPARE(run->info.record.eventLog, EventLog::Aggregates);
    QCOMPARE(countsOf(run->delays), countsOf(expected.sorted()));  // exact, per worker, outcome, delay
    QCOMPARE(run->accepted, expectedTimeline.points());
    QVERIFY(run->info.lastEventTime);
    QCOMPARE(*run->info.lastEventTime, eventNumber(kEvents - 1, 50).time);
    // The first 1000 and a reservoir of 1000, in time order.
    QCOMPARE(run->events.size(), std::size_t(2000));
    for (std::size_t i = 0; i < 1000; ++i) QCOMPARE(run->events[i].jobId, std::uint64_t(i));
    QVERIFY(run->events.back().jobId > 1000);
    // One compacted histogram block once finished.
    QCOMPARE(reader->loadDelayCounts(id).sorted(), expected.sorted());

    // With the full log every event is a row, and the aggregates are the same.
    const auto fullId = reader->createRun(recordFor("full", EventLog::Full));
    {
      StoreWriter writer(RunStore::open(path), fullId, StoreWriter::Options{.eventLog = EventLog::Full});
      for (std::uint64_t i = 0; i < 20'000; ++i) writer.onUpdate(eventNumber(i, 50));
      writer.onFinish(RunSummary{});
    }
    const auto full = loadStoredRun(*reader, fullId);
    QCOMPARE(full->events.size(), std::size_t(20'000));
    DelayCounts fullExpected;
    for (std::uint64_t i = 0; i < 20'000; ++i) fullExpected.add(eventNumber(i, 50));
    QCOMPARE(countsOf(full->delays), countsOf(fullExpected.sorted()));
  }

  // Runs recorded before aggregates existed (schema 2, every event a row) read back with aggregates
  // derived from their events.
  void oldRunsDeriveTheirAggregates() {
    const std::string path = freshPath();
    std::int64_t id = 0;
    {
      auto store = RunStore::open(path);
      id = store->createRun(recordFor("old", EventLog::Full));
      std::vector<UpdateEvent> events;
      for (std::uint64_t i = 0; i < 5000; ++i) events.push_back(eventNumber(i, 20));
      store->appendEvents(id, events);
    }
    const auto run = [&] {
      auto store = RunStore::open(path);
      return loadStoredRun(*store, id, StoredRunParts{.events = false});
    }();
    DelayCounts expected;
    for (std::uint64_t i = 0; i < 5000; ++i) expected.add(eventNumber(i, 20));
    QVERIFY(run->events.empty());
    QCOMPARE(countsOf(run->delays), countsOf(expected.sorted()));
    QVERIFY(!run->accepted.empty());
  }

  void deadCoordinatorsRunIsInterrupted() {
    const std::string path = freshPath();
    // A coordinator that really existed and is gone: a child that exits at once.
    const pid_t child = fork();
    if (child == 0) _exit(0);
    QVERIFY(child > 0);
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);

    std::int64_t dead = 0, alive = 0, elsewhere = 0;
    std::string lastCommit;
    {
      auto store = RunStore::open(path);
      RunRecord record = recordFor("killed", EventLog::Aggregates);
      record.coordinator = ProcessIdentity{ProcessIdentity::localHost(), static_cast<int>(child), 0};
      dead = store->createRun(record);
      std::vector<UpdateEvent> events{eventNumber(0, 4), eventNumber(1, 4)};
      store->appendEvents(dead, events);
      lastCommit = store->loadRun(dead)->lastCommitAt;
      QVERIFY(!lastCommit.empty());
      alive = store->createRun(recordFor("running", EventLog::Aggregates));  // this process
      record.coordinator.host = "another-host.invalid";
      elsewhere = store->createRun(record);
    }
    auto store = RunStore::open(path);
    const auto run = store->loadRun(dead);
    QVERIFY(run->finished());
    QVERIFY(run->interrupted());
    QCOMPARE(run->state(), std::string("interrupted"));
    QCOMPARE(run->endedAt, lastCommit);
    QVERIFY2(run->terminationDetail.find("pid " + std::to_string(child)) != std::string::npos,
             run->terminationDetail.c_str());
    QCOMPARE(run->eventCount, std::uint64_t(2));
    // A live coordinator's run, and one on a host that cannot be checked, stay open.
    QVERIFY(!store->loadRun(alive)->finished());
    QCOMPARE(store->loadRun(alive)->state(), std::string("running"));
    QVERIFY(!store->loadRun(elsewhere)->finished());
    QCOMPARE(store->markInterruptedRuns(), 0);
  }

  void deletingRunsFreesTheirSpace() {
    const std::string path = freshPath();
    auto store = RunStore::open(path);
    const auto keep = store->createRun(recordFor("keep", EventLog::Full));
    const auto drop = store->createRun(recordFor("drop", EventLog::Full));
    std::vector<UpdateEvent> events;
    for (std::uint64_t i = 0; i < 100'000; ++i) events.push_back(eventNumber(i, 50));
    store->appendEvents(drop, events);
    store->appendEvents(keep, std::span<const UpdateEvent>(events).first(100));
    store->reclaimSpace();
    const auto full = store->fileBytes();
    QVERIFY(store->deleteRun(drop));
    const auto after = store->fileBytes();
    qInfo("store %llu bytes with the run, %llu after deleting it", static_cast<unsigned long long>(full),
          static_cast<unsigned long long>(after));
    QVERIFY2(after * 4 < full, "deleting a run did not give its space back");
    QCOMPARE(store->loadEvents(keep).size(), std::size_t(100));
    QCOMPARE(store->checkIntegrity(), std::string("ok"));
  }

  // The project's reader gives back exactly what the writers wrote: the full log (gzip), the sample
  // (plain), a log cut short (whole rows before the cut, said to be incomplete), and refuses what is
  // not an event log, naming the file and line.
  void eventLogReaderReadsWhatTheWritersWrote() {
    const std::string folder = (m_dir.path() + "/eventlogs").toStdString();
    std::vector<UpdateEvent> written;
    for (std::uint64_t i = 0; i < 60'000; ++i) {
      UpdateEvent e = eventNumber(i, 50);
      e.time = static_cast<double>(i) / 3.0;  // not exactly representable in few digits
      e.age = 1e-7 * static_cast<double>(i);
      e.delay = static_cast<std::int64_t>(i % 5) - 1;  // -1 happens (a late cancel before the update)
      written.push_back(e);
    }
    auto compare = [](const std::vector<UpdateEvent>& read, const std::vector<UpdateEvent>& expected,
                      std::size_t count) {
      QVERIFY(read.size() >= count);
      for (std::size_t i = 0; i < count; ++i) {
        const UpdateEvent& a = read[i];
        const UpdateEvent& b = expected[i];
        QVERIFY(a.time == b.time && a.worker == b.worker && a.jobId == b.jobId &&
                a.jobVersion == b.jobVersion && a.delay == b.delay && a.outcome == b.outcome &&
                a.versionAfter == b.versionAfter && a.age == b.age && a.bytes == b.bytes);
      }
    };
    for (const EventLog log : {EventLog::Full, EventLog::Aggregates}) {
      RunFileWriter::Options options;
      options.eventLog = log;
      RunFileWriter files(folder, options);
      for (const UpdateEvent& e : written) files.onUpdate(e);
      files.onFinish(RunSummary{});
      QVERIFY2(files.error().empty(), files.error().c_str());
    }
    const EventLogContents full = readEventLog(folder + "/events.csv.gz");
    QVERIFY(full.incomplete.empty());
    QCOMPARE(full.events.size(), written.size());
    compare(full.events, written, written.size());
    const EventLogContents sample = readEventLog(folder + "/events_sample.csv");
    QVERIFY(sample.incomplete.empty());
    compare(sample.events, written, 1000);  // the first thousand, then the reservoir
    QCOMPARE(sample.events.size(), std::size_t{2000});

    // Cut in the middle of the compressed stream (a coordinator killed mid-block): a prefix, whole.
    const std::string text = readText(folder + "/events.csv.gz");
    const std::string cut = folder + "/cut.csv.gz";
    std::ofstream(cut, std::ios::binary) << text.substr(0, text.size() / 2);
    const EventLogContents partial = readEventLog(cut);
    QVERIFY2(!partial.incomplete.empty(), "a cut stream must say so");
    QVERIFY(!partial.events.empty() && partial.events.size() < written.size());
    compare(partial.events, written, partial.events.size());

    // Hostile files: refused with the file and line.
    const std::string header = kEventsCsvHeader;
    const std::pair<std::string, std::string> bad[] = {
        {"time,worker\n1,2\n", ":1"},
        {header + "1,2,3,4,5,accepted,7,8,9\n1,2,3,4,5,accepted,7,8,9,10\n", ":3"},
        {header + "1,2,3,4,5,accepted,7,8\n", ":2"},
        {header + "1,2,3,4,5,maybe,7,8,9\n", ":2"},
        {header + "1,-2,3,4,5,accepted,7,8,9\n", ":2"},
        {header + "1,2,3,4,5x,accepted,7,8,9\n", ":2"},
        {header + "1,99999999999,3,4,5,accepted,7,8,9\n", ":2"},
        {header + ",2,3,4,5,accepted,7,8,9\n", ":2"},
        {header + std::string(100'000, '7'), ":2"},
        {"", ""},
    };
    int n = 0;
    for (const auto& [content, where] : bad) {
      const std::string path = folder + "/bad" + std::to_string(++n) + ".csv";
      std::ofstream(path, std::ios::binary) << content;
      try {
        readEventLog(path);
        QFAIL(("accepted bad file " + std::to_string(n)).c_str());
      } catch (const InputError& e) {
        QVERIFY2(e.where() == path + where, e.what());
      }
    }
    QVERIFY_THROWS_EXCEPTION(InputError, readEventLog(folder + "/missing.csv.gz"));
    QVERIFY_THROWS_EXCEPTION(InputError, readEventLog(folder));
  }

  void lineFileStaysWholeOnAFullDisk() {
    SmallDisk disk(m_dir.path(), 256);
    if (!disk.mounted()) QSKIP(disk.why().c_str());
    for (const bool gzip : {false, true}) {
      const std::string path = disk.path() + (gzip ? "/rows.csv.gz" : "/rows.csv");
      {
        LineFile file(path, gzip);
        // Incompressible enough that the gzip file fills the disk too.
        for (std::uint64_t i = 0; i < 200'000; ++i)
          file.print("%llu,%llu,some text to fill the disk\n", static_cast<unsigned long long>(i),
                     static_cast<unsigned long long>(i * 2654435761ULL));
        QVERIFY(!file.close());
        QVERIFY2(file.error().find("No space left") != std::string::npos, file.error().c_str());
        QVERIFY2(file.error().starts_with(path), file.error().c_str());
        QVERIFY(file.droppedLines() > 0);
      }
      std::string text;
      if (gzip) {
        GzFile in(path);
        std::vector<char> buffer(1 << 16);
        // A cut gzip stream: everything before the failure inflates, then the reader reports the cut.
        try {
          for (std::size_t got; (got = in.read(buffer.data(), buffer.size())) > 0;)
            text.append(buffer.data(), got);
        } catch (const InputError&) {
        }
      } else {
        text = readText(path);
      }
      QVERIFY2(!text.empty(), "nothing was kept");
      QCOMPARE(text.back(), '\n');
      // Every line whole and in order.
      std::uint64_t expected = 0;
      std::size_t start = 0;
      for (std::size_t end; (end = text.find('\n', start)) != std::string::npos;
           start = end + 1, ++expected) {
        const std::string line = text.substr(start, end - start);
        QCOMPARE(line, std::to_string(expected) + "," + std::to_string(expected * 2654435761ULL) +
                           ",some text to fill the disk");
      }
      std::filesystem::remove(path);
    }
  }

  void jsonFileLeavesNoTemporaryOnAFullDisk() {
    SmallDisk disk(m_dir.path(), 64);
    if (!disk.mounted()) QSKIP(disk.why().c_str());
    nlohmann::json big = nlohmann::json::array();
    for (int i = 0; i < 20'000; ++i) big.push_back("a string that takes room " + std::to_string(i));
    const std::string path = disk.path() + "/summary.json";
    bool threw = false;
    try {
      writeJsonFile(path, big);
    } catch (const InputError& e) {
      threw = true;
      QVERIFY2(std::string(e.what()).find("No space left") != std::string::npos, e.what());
    }
    QVERIFY(threw);
    QVERIFY(!std::filesystem::exists(path + ".tmp"));
    QVERIFY(!std::filesystem::exists(path));
  }

  void storeOnAFullDiskReportsAndStaysWhole() {
    SmallDisk disk(m_dir.path(), 1024);
    if (!disk.mounted()) QSKIP(disk.why().c_str());
    const std::string path = disk.path() + "/runs.sqlite";
    std::int64_t id = 0;
    {
      auto store = RunStore::open(path);
      id = store->createRun(recordFor("full disk", EventLog::Full));
    }
    std::string error;
    std::uint64_t committed = 0;
    {
      StoreWriter writer(
          RunStore::open(path), id,
          StoreWriter::Options{.flushIntervalMs = 10, .maxBatch = 2000, .eventLog = EventLog::Full});
      for (std::uint64_t i = 0; i < 200'000; ++i) writer.onUpdate(eventNumber(i, 50));
      RunSummary summary;
      summary.termination = Termination::TimeLimit;
      writer.onFinish(summary);
      error = writer.error();
      committed = writer.committedEvents();
      QVERIFY(writer.droppedItems() > 0);
    }
    QVERIFY2(error.find("full") != std::string::npos, error.c_str());
    QVERIFY2(error.starts_with(path), error.c_str());
    // What was committed is whole and readable; the counts match the rows.
    auto store = RunStore::open(path);
    QCOMPARE(store->checkIntegrity(), std::string("ok"));
    const auto run = store->loadRun(id);
    const auto events = store->loadEvents(id);
    QCOMPARE(run->eventCount, std::uint64_t(events.size()));
    QVERIFY(events.size() >= committed);
    QVERIFY(events.size() < 200'000);
  }
};

QTEST_APPLESS_MAIN(TestRunRecords)
#include "test_run_records.moc"
