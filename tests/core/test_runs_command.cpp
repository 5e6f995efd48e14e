// distopt-run runs list|show|export|delete|prune on a store filled by real runs, a run whose
// coordinator died shown as interrupted, and runs whose result files or store sit on a full disk: exit
// 1 with the reason, whole files, no temporary left behind (a small tmpfs, mounted as root).

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <cerrno>
#include <cstring>
#include <string>

#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/store/run_store.hpp"
#include "gzip_text.hpp"

using nlohmann::json;

namespace {

const QString kProgram = QStringLiteral(DISTOPT_BIN_DIR "/distopt-run");
const QString kQuickstart = QStringLiteral(DISTOPT_SOURCE_DIR "/resources/experiments/quickstart.json");

struct Result {
  int exitCode = -1;
  QString out;
  QString err;
};

Result run(const QStringList& arguments) {
  QProcess process;
  process.start(kProgram, arguments);
  Result result;
  if (!process.waitForStarted(10'000) || !process.waitForFinished(120'000)) {
    process.kill();
    process.waitForFinished(5'000);
    return result;
  }
  result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
  result.out = QString::fromUtf8(process.readAllStandardOutput());
  result.err = QString::fromUtf8(process.readAllStandardError());
  return result;
}

std::string describe(const Result& r) {
  return "exit " + std::to_string(r.exitCode) + "\nstdout:\n" + r.out.toStdString() + "\nstderr:\n" +
         r.err.toStdString();
}

json parsed(const Result& r) { return json::parse(r.out.toStdString(), nullptr, false); }

class SmallDisk {
 public:
  SmallDisk(const QString& root, int kib) : m_path((root + "/disk").toStdString()) {
    QDir().mkpath(QString::fromStdString(m_path));
    const std::string options = "size=" + std::to_string(kib) + "k";
    m_mounted = mount("tmpfs", m_path.c_str(), "tmpfs", 0, options.c_str()) == 0;
    if (!m_mounted) m_why = std::string("cannot mount a tmpfs (") + std::strerror(errno) + "; needs root)";
  }
  ~SmallDisk() {
    if (m_mounted) umount2(m_path.c_str(), MNT_DETACH);
  }
  bool mounted() const { return m_mounted; }
  const std::string& why() const { return m_why; }
  QString path() const { return QString::fromStdString(m_path); }

 private:
  std::string m_path;
  bool m_mounted = false;
  std::string m_why;
};

}  // namespace

class TestRunsCommand : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;

  QString store() const { return m_dir.filePath("runs.sqlite"); }

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kProgram).isExecutable(), qPrintable(kProgram + " is not built"));
  }

  void listShowExportDeletePrune() {
    for (const char* algorithm : {"ringmaster", "asgd", "ringmaster"}) {
      const Result r =
          run({kQuickstart, "--engine", "sim", "--set", QString("algorithm.name=%1").arg(algorithm), "--set",
               "algorithm.params={}", "--set", "stop.time=100", "--store", store(), "--out",
               m_dir.filePath(QString("out-%1").arg(algorithm)), "--quiet"});
      QVERIFY2(r.exitCode == 0, describe(r).c_str());
    }
    Result list = run({"runs", "list", "--store", store(), "--json"});
    QVERIFY2(list.exitCode == 0, describe(list).c_str());
    json runs = parsed(list);
    QVERIFY2(runs.is_array() && runs.size() == 3, describe(list).c_str());
    for (const auto& r : runs) {
      QCOMPARE(r.at("termination"), json("time_limit"));
      QCOMPARE(r.at("event_log"), json("aggregates"));
      QVERIFY(r.at("event_count").get<std::uint64_t>() > 0);
      QVERIFY(r.at("summary").at("updates_applied").get<std::uint64_t>() > 0);
    }
    const std::int64_t newest = runs[0].at("id").get<std::int64_t>();

    list = run({"runs", "list", "--store", store(), "--json", "--algorithm", "asgd"});
    QCOMPARE(parsed(list).size(), std::size_t(1));
    list = run({"runs", "list", "--store", store(), "--json", "--state", "finished", "--limit", "2"});
    QCOMPARE(parsed(list).size(), std::size_t(2));
    list = run({"runs", "list", "--store", store(), "--json", "--since", "2999-01-01"});
    QCOMPARE(parsed(list).size(), std::size_t(0));
    list = run({"runs", "list", "--store", store()});
    QVERIFY2(list.out.contains("3 run(s)") && list.out.contains("time_limit"), describe(list).c_str());

    const Result show = run({"runs", "show", QString::number(newest), "--store", store(), "--json"});
    QVERIFY2(show.exitCode == 0, describe(show).c_str());
    const json shown = parsed(show);
    const auto outcomes = shown.at("outcomes");
    const json summary = shown.at("summary");
    QCOMPARE(outcomes.at("accepted"), summary.at("gradients_accepted"));
    QCOMPARE(outcomes.at("cancelled"), summary.at("jobs_cancelled"));
    QCOMPARE(shown.at("experiment").at("name"), json("quickstart"));
    const Result showText = run({"runs", "show", QString::number(newest), "--store", store()});
    QVERIFY2(showText.out.contains("time_limit") && showText.out.contains("outcomes"),
             describe(showText).c_str());

    const QString exported = m_dir.filePath("exported");
    const Result exportCsv = run({"runs", "export", QString::number(newest), exported, "--store", store()});
    QVERIFY2(exportCsv.exitCode == 0, describe(exportCsv).c_str());
    for (const char* file :
         {"evaluations.csv", "delays.csv.gz", "events_sample.csv", "summary.json", "experiment.json"})
      QVERIFY2(QFileInfo::exists(exported + "/" + file), file);
    // The stored histogram is the one the run wrote to its results folder.
    const std::string fromStore = distopt::test::readMaybeGzip((exported + "/delays.csv.gz").toStdString());
    const std::string fromRun =
        distopt::test::readMaybeGzip(m_dir.filePath("out-ringmaster/delays.csv.gz").toStdString());
    QVERIFY(fromStore.starts_with("worker,outcome,delay,count\n"));
    QCOMPARE(fromStore, fromRun);
    const Result exportJson = run({"runs", "export", QString::number(newest), exported + ".json", "--format",
                                   "json", "--store", store()});
    QVERIFY2(exportJson.exitCode == 0, describe(exportJson).c_str());

    // Errors: exit 1 for a run that is not there, 2 for bad input.
    QCOMPARE(run({"runs", "show", "999", "--store", store()}).exitCode, 1);
    QCOMPARE(run({"runs", "show", "x", "--store", store()}).exitCode, 2);
    QCOMPARE(run({"runs", "frobnicate", "--store", store()}).exitCode, 2);
    QCOMPARE(run({"runs", "prune", "--store", store()}).exitCode, 2);
    QCOMPARE(run({"runs", "list", "--limit", "-1", "--store", store()}).exitCode, 2);
    // The --opt=value spelling: taken, and checked the same way.
    const Result equals = run({"runs", "list", "--limit=1", "--store=" + store(), "--json"});
    QVERIFY2(equals.exitCode == 0, describe(equals).c_str());
    QCOMPARE(parsed(equals).size(), std::size_t(1));
    for (const QStringList& bad :
         {QStringList{"runs", "list", "--limit=-1"}, QStringList{"runs", "list", "--store="},
          QStringList{"runs", "export", "1", "x", "--format=xml"},
          QStringList{"runs", "list", "--frobnicate=1"}}) {
      const Result refused = run(bad + QStringList{"--store", store()});
      QVERIFY2(refused.exitCode == 2 && refused.err.startsWith("distopt-run: runs: "),
               describe(refused).c_str());
    }

    // prune --keep 1 deletes the two older runs; delete removes the last.
    const Result dry = run({"runs", "prune", "--keep", "1", "--dry-run", "--json", "--store", store()});
    QCOMPARE(parsed(dry).at("deleted").size(), std::size_t(2));
    QCOMPARE(parsed(run({"runs", "list", "--store", store(), "--json"})).size(), std::size_t(3));
    const Result pruned = run({"runs", "prune", "--keep", "1", "--json", "--store", store()});
    QVERIFY2(pruned.exitCode == 0, describe(pruned).c_str());
    const json remaining = parsed(run({"runs", "list", "--store", store(), "--json"}));
    QCOMPARE(remaining.size(), std::size_t(1));
    QCOMPARE(remaining[0].at("id").get<std::int64_t>(), newest);
    QCOMPARE(run({"runs", "prune", "--older-than", "0", "--store", store()}).exitCode, 0);
    QCOMPARE(parsed(run({"runs", "list", "--store", store(), "--json"})).size(), std::size_t(0));
    QCOMPARE(run({"runs", "delete", QString::number(newest), "--store", store()}).exitCode, 1);
  }

  void deadCoordinatorShowsInterrupted() {
    const std::string path = m_dir.filePath("interrupted.sqlite").toStdString();
    const pid_t child = fork();
    if (child == 0) _exit(0);
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    {
      auto store = distopt::RunStore::open(path);
      distopt::RunRecord record;
      record.name = "killed";
      record.coordinator = {distopt::ProcessIdentity::localHost(), static_cast<int>(child), 0};
      store->createRun(record);
    }
    const Result list =
        run({"runs", "list", "--store", QString::fromStdString(path), "--json", "--state", "interrupted"});
    QVERIFY2(list.exitCode == 0, describe(list).c_str());
    const json runs = parsed(list);
    QCOMPARE(runs.size(), std::size_t(1));
    QCOMPARE(runs[0].at("termination"), json("interrupted"));
    QVERIFY(runs[0].at("ended_at").is_string());
  }

  // With the result files on a full disk the run fails (exit 1) naming the reason; the files it wrote
  // end in whole lines and no summary.json.tmp stays behind.
  void fullDiskForResultFiles() {
    SmallDisk disk(m_dir.path(), 48);
    if (!disk.mounted()) QSKIP(disk.why().c_str());
    const QString out = disk.path() + "/out";
    const Result r =
        run({kQuickstart, "--engine", "sim", "--events", "full", "--out", out, "--no-store", "--quiet"});
    QVERIFY2(r.exitCode == 1, describe(r).c_str());
    QVERIFY2(r.err.contains("No space left on device"), describe(r).c_str());
    QVERIFY(!QFileInfo::exists(out + "/summary.json.tmp"));
    for (const char* name : {"evaluations.csv", "metrics.csv"}) {
      QFile file(out + "/" + name);
      if (!file.open(QIODevice::ReadOnly)) continue;
      const QByteArray text = file.readAll();
      QVERIFY2(text.isEmpty() || text.endsWith('\n'), name);
    }
  }

  // With the store on a full disk: exit 1, the store named, "run store" not claimed; what it committed
  // is whole.
  void fullDiskForTheStore() {
    SmallDisk disk(m_dir.path(), 320);
    if (!disk.mounted()) QSKIP(disk.why().c_str());
    const QString path = disk.path() + "/runs.sqlite";
    const Result r = run({kQuickstart, "--engine", "sim", "--events", "full", "--set", "stop.time=2000",
                          "--store", path, "--out", m_dir.filePath("full-store-out"), "--quiet"});
    QVERIFY2(r.exitCode == 1, describe(r).c_str());
    QVERIFY2(r.err.contains("the run store lost data") && r.err.contains(path), describe(r).c_str());
    QVERIFY2(!r.out.contains("run store "), describe(r).c_str());
    auto store = distopt::RunStore::open(path.toStdString());
    QCOMPARE(store->checkIntegrity(), std::string("ok"));
    const auto runs = store->listRuns();
    QCOMPARE(runs.size(), std::size_t(1));
    QCOMPARE(static_cast<std::uint64_t>(store->loadEvents(runs[0].id).size()), runs[0].eventCount);
  }
};

QTEST_GUILESS_MAIN(TestRunsCommand)
#include "test_runs_command.moc"
