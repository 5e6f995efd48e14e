// distopt-run's sweeps on real processes: a grid over seeds run two at a time into one folder and one
// store, a diverged point kept as a result, resuming (only what is missing runs again), Ctrl-C (130,
// the running runs end "stopped" and run again on resume), sweep files, and bad input refused before
// anything starts.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>
#include <set>
#include <string>

#include <signal.h>

#include <nlohmann/json.hpp>

#include "core/store/run_store.hpp"
#include "program_run.hpp"

using nlohmann::json;

namespace {

const QString kProgram = QStringLiteral(DISTOPT_BIN_DIR "/distopt-run");
const QString kQuickstart = QStringLiteral(DISTOPT_SOURCE_DIR "/resources/experiments/quickstart.json");

using Result = ProgramResult;

Result run(const QStringList& arguments) { return runProgram(kProgram, arguments, 240'000); }

std::string describe(const Result& r) { return r.describe(); }

json readJson(const QString& path) {
  std::ifstream in(path.toStdString());
  return json::parse(in, nullptr, false);
}

// sweep.csv as rows of cells (the values written by the sweep hold no quotes or commas here).
QList<QStringList> readTable(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  QList<QStringList> rows;
  for (const QByteArray& line : file.readAll().split('\n'))
    if (!line.isEmpty()) rows.append(QString::fromUtf8(line).split(','));
  return rows;
}

int column(const QList<QStringList>& rows, const QString& name) {
  return rows.isEmpty() ? -1 : rows[0].indexOf(name);
}

}  // namespace

class TestSweepCommand : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  QString store() const { return m_dir.filePath("runs.sqlite"); }
  QStringList quickSim(const QString& out) const {
    return {kQuickstart, "--engine", "sim",     "--set", "stop.time=60",
            "--out",     out,        "--store", store(), "--quiet"};
  }

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kProgram).isExecutable(), qPrintable(kProgram + " is not built"));
  }

  void gridOverSeedsTwoAtATime() {
    const QString out = m_dir.filePath("grid");
    const Result r =
        run(quickSim(out) + QStringList{"--sweep", "algorithm.params.gamma=0.1,0.5",
                                        "--sweep=algorithm.params.R=2..3", "--seeds", "1..2", "--jobs", "2"});
    QVERIFY2(r.exitCode == 0, describe(r).c_str());
    QVERIFY2(r.out.contains("8 of 8 runs done"), describe(r).c_str());

    const auto rows = readTable(out + "/sweep.csv");
    QCOMPARE(rows.size(), 9);
    const int gamma = column(rows, "algorithm.params.gamma"), seed = column(rows, "seed"),
              state = column(rows, "state"), termination = column(rows, "termination");
    QVERIFY(gamma > 0 && seed > 0 && state > 0 && termination > 0);
    for (int i = 1; i < rows.size(); ++i) {
      QCOMPARE(rows[i][state], QString("done"));
      QCOMPARE(rows[i][termination], QString("time_limit"));
      // Each run's own summary says it ran with its point's values and seed.
      const json summary = readJson(out + "/" + rows[i][0] + "/summary.json");
      QCOMPARE(summary.at("experiment").at("algorithm").at("params").at("gamma").get<double>(),
               rows[i][gamma].toDouble());
      QCOMPARE(QString::number(summary.at("experiment").at("seed").get<std::uint64_t>()), rows[i][seed]);
    }
    QCOMPARE(rows[1][0], QString("p000-s1"));
    QCOMPARE(rows[8][0], QString("p003-s2"));
    // Different seeds of one point give different runs; the same seed again would give the same.
    QVERIFY(readJson(out + "/p000-s1/summary.json").at("final_loss") !=
            readJson(out + "/p000-s2/summary.json").at("final_loss"));

    // The report: a row per point with mean ± sd over the seeds, and final f - f* against the step size,
    // a line per R.
    QFile md(out + "/sweep.md");
    QVERIFY(md.open(QIODevice::ReadOnly));
    const QString table = QString::fromUtf8(md.readAll());
    QVERIFY2(table.count("| 2/2 | 0 |") == 4 && table.contains(" ± "), qPrintable(table));
    QFile svg(out + "/sweep.svg");
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray figure = svg.readAll();
    QVERIFY2(
        figure.contains(">R=2<") && figure.contains(">R=3<") && figure.contains("algorithm.params.gamma"),
        figure.constData());

    auto db = distopt::RunStore::open(store().toStdString());
    const auto sweeps = db->listSweeps();
    QCOMPARE(sweeps.size(), std::size_t(1));
    QCOMPARE(sweeps[0].runCount, std::int64_t(8));
    QCOMPARE(sweeps[0].state, std::string("finished"));
    QCOMPARE(sweeps[0].record.outDirectory, QDir(out).absolutePath().toStdString());
    const auto members = db->loadSweepRuns(sweeps[0].id);
    QCOMPARE(members.size(), std::size_t(8));
    for (const auto& member : members) {
      const auto stored = db->loadRun(member.runId);
      QVERIFY(stored && stored->finished());
      QCOMPARE(json::parse(stored->record.experimentJson).at("seed").get<std::uint64_t>(), *member.seed);
    }

    // `runs list --sweep ID` lists the sweep's runs only (not a run of the same store outside it), each
    // with its point, seed and values.
    const Result single = run(quickSim(m_dir.filePath("single")));
    QVERIFY2(single.exitCode == 0, describe(single).c_str());
    const QString id = QString::number(sweeps[0].id);
    const Result listed = run({"runs", "list", "--store", store(), "--sweep", id, "--json"});
    QVERIFY2(listed.exitCode == 0, describe(listed).c_str());
    const json runs = json::parse(listed.out.toStdString(), nullptr, false);
    QVERIFY2(runs.is_array() && runs.size() == 8, describe(listed).c_str());
    std::set<std::pair<int, std::uint64_t>> seen;
    for (const json& listedRun : runs) {
      const json& sweep = listedRun.at("sweep");
      QCOMPARE(sweep.at("id").get<std::int64_t>(), sweeps[0].id);
      QCOMPARE(listedRun.at("seed").get<std::uint64_t>(), sweep.at("seed").get<std::uint64_t>());
      QVERIFY(sweep.at("values").contains("algorithm.params.gamma"));
      seen.emplace(sweep.at("point").get<int>(), sweep.at("seed").get<std::uint64_t>());
    }
    QCOMPARE(seen.size(), std::size_t(8));
    const Result all = run({"runs", "list", "--store", store(), "--json"});
    QCOMPARE(json::parse(all.out.toStdString(), nullptr, false).size(), std::size_t(9));
    const Result text = run({"runs", "list", "--store", store(), "--sweep", id});
    QVERIFY2(text.exitCode == 0 && text.out.contains("8 run(s)"), describe(text).c_str());
    const Result unknown = run({"runs", "list", "--store", store(), "--sweep", "999"});
    QVERIFY2(unknown.exitCode == 1 && unknown.err.contains("no sweep 999"), describe(unknown).c_str());
    const Result bad = run({"runs", "list", "--store", store(), "--sweep", "first"});
    QVERIFY2(bad.exitCode == 2 && bad.err.contains("--sweep needs a whole number"), describe(bad).c_str());
  }

  void divergedPointIsAResultAndResumeRunsOnlyWhatIsMissing() {
    const QString out = m_dir.filePath("resume");
    const QStringList args = quickSim(out) + QStringList{"--sweep", "algorithm.params.gamma=0.5,1e6"};
    Result r = run(args);
    QVERIFY2(r.exitCode == 0, describe(r).c_str());
    auto rows = readTable(out + "/sweep.csv");
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows[2][column(rows, "termination")], QString("diverged"));
    QCOMPARE(rows[2][column(rows, "state")], QString("done"));

    // One run lost its result (as a killed run would): the same command runs that one only.
    const QDateTime before = QFileInfo(out + "/p000/summary.json").lastModified();
    QVERIFY(QFile::remove(out + "/p001/summary.json"));
    r = run(args);
    QVERIFY2(r.exitCode == 0, describe(r).c_str());
    QVERIFY2(r.out.contains("resumed, 1 already done before"), describe(r).c_str());
    QCOMPARE(QFileInfo(out + "/p000/summary.json").lastModified(), before);
    QVERIFY(QFileInfo::exists(out + "/p001/summary.json"));
    auto db = distopt::RunStore::open(store().toStdString());
    for (const auto& sweep : db->listSweeps())
      if (sweep.record.outDirectory == QDir(out).absolutePath().toStdString())
        QCOMPARE(sweep.runCount, std::int64_t(2));  // the new attempt replaced the lost one

    // Another sweep in the same folder is refused, before anything runs.
    r = run(quickSim(out) + QStringList{"--sweep", "algorithm.params.gamma=0.25"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("holds another sweep"), describe(r).c_str());
  }

  void ctrlCStopsTheRunsAndResumeFinishesThem() {
    const QString out = m_dir.filePath("stopped");
    const QStringList args = {
        kQuickstart, "--engine", "sim",     "--set", "stop.time=1e7", "--set",   "eval.interval=1000",
        "--out",     out,        "--store", store(), "--quiet",       "--seeds", "1..3",
        "--jobs",    "2"};
    QProcess first;
    first.start(kProgram, args);
    QVERIFY(first.waitForStarted(10'000));
    // Both first runs have started once their folders hold a result file being written.
    QElapsedTimer waited;
    waited.start();
    while (!(QFileInfo::exists(out + "/p000-s1/evaluations.csv") &&
             QFileInfo::exists(out + "/p000-s2/evaluations.csv")) &&
           waited.elapsed() < 60'000)
      QTest::qWait(50);
    QTest::qWait(300);
    ::kill(static_cast<pid_t>(first.processId()), SIGINT);
    QVERIFY(first.waitForFinished(60'000));
    QCOMPARE(first.exitCode(), 130);
    for (const char* run : {"p000-s1", "p000-s2"})
      QCOMPARE(readJson(out + "/" + run + "/summary.json").at("termination"), json("stopped"));
    QVERIFY(!QFileInfo::exists(out + "/p000-s3"));  // never started
    auto rows = readTable(out + "/sweep.csv");
    QCOMPARE(rows.size(), 4);
    for (int i = 1; i < rows.size(); ++i) QVERIFY(rows[i][column(rows, "state")] != "done");

    // The same sweep again (more jobs at a time is the same sweep) restarts the stopped runs and the one
    // never started; stopped again, all three say so.
    QProcess again;
    again.start(kProgram, QStringList(args).replaceInStrings(QRegularExpression("^2$"), "3"));
    QVERIFY(again.waitForStarted(10'000));
    waited.restart();
    while (!(QFileInfo::exists(out + "/p000-s3/evaluations.csv") &&
             QFileInfo::exists(out + "/p000-s1/evaluations.csv")) &&
           waited.elapsed() < 60'000)
      QTest::qWait(50);
    QTest::qWait(300);
    ::kill(static_cast<pid_t>(again.processId()), SIGINT);
    QVERIFY(again.waitForFinished(60'000));
    QCOMPARE(again.exitCode(), 130);
    const QString said = QString::fromUtf8(again.readAllStandardError());
    QVERIFY2(!said.contains("another sweep"), qPrintable(said));
    for (const char* run : {"p000-s1", "p000-s2", "p000-s3"})
      QCOMPARE(readJson(out + "/" + run + "/summary.json").at("termination"), json("stopped"));
    auto db = distopt::RunStore::open(store().toStdString());
    for (const auto& sweep : db->listSweeps())
      if (sweep.record.outDirectory == QDir(out).absolutePath().toStdString())
        QCOMPARE(sweep.state, std::string("stopped"));
  }

  void sweepFiles() {
    const QString folder = m_dir.filePath("files");
    QDir().mkpath(folder);
    {
      std::ofstream file((folder + "/by-path.json").toStdString());
      file << json{
          {"name", "qs-gamma"},
          {"experiment", QDir(folder).relativeFilePath(kQuickstart).toStdString()},
          {"set", {"engine=sim", "stop.time=60"}},
          {"sweep",
           {{"axes", {{{"path", "algorithm.params.gamma"}, {"values", "0.1..0.5/lin:3"}}}},
            {"jobs",
             2}}}}.dump();
    }
    json inlineExperiment = readJson(kQuickstart);
    inlineExperiment["engine"] = "sim";
    inlineExperiment["stop"] = {{"time", 60}};
    {
      std::ofstream file((folder + "/inline.json").toStdString());
      file << json{{"experiment", inlineExperiment}, {"sweep", {{"seeds", {4, 5}}}}}.dump();
    }
    Result r = run({folder + "/by-path.json", "--out", folder + "/out-path", "--store", store(), "--quiet"});
    QVERIFY2(r.exitCode == 0, describe(r).c_str());
    auto rows = readTable(folder + "/out-path/sweep.csv");
    QCOMPARE(rows.size(), 4);
    QCOMPARE(rows[2][column(rows, "algorithm.params.gamma")].toDouble(), 0.3);
    // A command-line option still reaches every run, after the file's.
    r = run({folder + "/inline.json", "--out", folder + "/out-inline", "--no-store", "--quiet", "--set",
             "stop.time=30"});
    QVERIFY2(r.exitCode == 0, describe(r).c_str());
    rows = readTable(folder + "/out-inline/sweep.csv");
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows[2][column(rows, "seed")], QString("5"));
    QCOMPARE(readJson(folder + "/out-inline/p000-s5/summary.json").at("time").get<double>(), 30.0);
    QVERIFY(QFileInfo::exists(folder + "/out-inline/experiment.json"));
  }

  void comparisonChoosesEachMethodsBestPoint() {
    const QString folder = m_dir.filePath("comparison");
    QDir().mkpath(folder);
    // Ringmaster with a step that diverges, one that is too small and a good one; ASGD fixed. The
    // choice must be the good step for Ringmaster, whatever its position in the grid.
    {
      std::ofstream file((folder + "/c.json").toStdString());
      file << json::parse(
                  R"({"name": "qs", "set": {"engine": "sim", "stop.time": 80}, "seeds": "1..2", "jobs": 2,
                 "checkpoints": [40, 80],
                 "methods": [{"name": "Ringmaster", "set": {"algorithm": {"name": "ringmaster", "params": {"R": 4}}},
                              "axes": [{"path": "algorithm.params.gamma", "values": [1e6, 0.5, 0.001]}]},
                             {"name": "ASGD", "set": {"algorithm": {"name": "asgd", "params": {"gamma": 0.1}}}}]})")
                  .dump();
    }
    json document = readJson(folder + "/c.json");
    document["experiment"] = kQuickstart.toStdString();
    std::ofstream((folder + "/c.json").toStdString()) << document.dump();

    Result r = run({folder + "/c.json", "--dry-run", "--out", folder + "/out", "--no-store"});
    QVERIFY2(r.exitCode == 0 && r.out.contains("method Ringmaster: 6 run(s)"), describe(r).c_str());
    QVERIFY(!QFileInfo::exists(folder + "/out"));

    r = run({folder + "/c.json", "--out", folder + "/out", "--store", store(), "--quiet"});
    QVERIFY2(r.exitCode == 0, describe(r).c_str());
    const json result = readJson(folder + "/out/comparison.json");
    QCOMPARE(result.at("methods").size(), std::size_t(2));
    const json& ringmaster = result.at("methods")[0];
    QCOMPARE(ringmaster.at("values").at("algorithm.params.gamma").get<double>(), 0.5);
    QCOMPARE(ringmaster.at("seeds_with_result"), json(2));
    // Its score is the median over seeds of the final f - f* of the chosen point's runs.
    const double a = readJson(folder + "/out/ringmaster/p001-s1/summary.json").at("final_gap").get<double>();
    const double b = readJson(folder + "/out/ringmaster/p001-s2/summary.json").at("final_gap").get<double>();
    QVERIFY(std::abs(ringmaster.at("score").get<double>() - 0.5 * (a + b)) < 1e-12);
    QCOMPARE(result.at("methods")[1].at("point"), json(0));
    // Checkpoint values lie within the seeds' band, and the files a person opens are there.
    const json& at80 = ringmaster.at("checkpoints")[1];
    QVERIFY(at80.at("min").get<double>() <= at80.at("mean").get<double>());
    QVERIFY(at80.at("mean").get<double>() <= at80.at("max").get<double>());
    QVERIFY(std::abs(at80.at("min").get<double>() - std::min(a, b)) < 1e-9);
    for (const char* name : {"comparison.md", "comparison.csv", "curves.csv", "comparison.svg"})
      QVERIFY2(QFileInfo(folder + "/out/" + name).size() > 100, name);
    QVERIFY(r.out.contains("| Ringmaster | gamma=0.5 |"));
    QFile svg(folder + "/out/comparison.svg");
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray figure = svg.readAll();
    QVERIFY(figure.contains("<polygon") && figure.contains("Ringmaster (gamma=0.5)") &&
            figure.contains(">ASGD<"));
  }

  void shippedSweepFilesAreValid() {
    const QDir sweeps(QStringLiteral(DISTOPT_SOURCE_DIR "/resources/sweeps"));
    const QStringList files = sweeps.entryList({"*.json"}, QDir::Files);
    QVERIFY(files.size() >= 4);
    for (const QString& name : files) {
      const Result r =
          run({sweeps.filePath(name), "--dry-run", "--no-store", "--out", m_dir.filePath("dry")});
      QVERIFY2(r.exitCode == 0, (name.toStdString() + "\n" + describe(r)).c_str());
    }
  }

  void badInputIsRefusedBeforeAnythingStarts() {
    const QString out = m_dir.filePath("refused");
    struct Case {
      QStringList args;
      QString says;
    };
    const QList<Case> cases = {
        {{"--sweep", "algorithm.params.gamma=0.1,-1"}, "run p001 (algorithm.params.gamma=-1)"},
        {{"--sweep", "algorithm.params.gama=0.1"}, "gama"},
        {{"--sweep", "algorithm.params.gamma=0.1..1"}, "--sample"},
        {{"--sweep", "algorithm.params.gamma=0.1", "--jobs", "0"}, "--jobs"},
        {{"--seeds", "3..1"}, "--seeds"},
        {{"--seeds", "1,2", "--telemetry", "tcp://127.0.0.1:*"}, "--telemetry"},
        {{"--seeds", "1,2", "--no-such-option"}, "unknown option"},
        {{"--seeds", "1,2", "--engine", "live", "--jobs", "2"}, "one at a time"},
        {{"--sweep", "algorithm.params.R=1..100000", "--sweep", "algorithm.params.gamma=0.1,0.2"}, "10000"},
    };
    for (const auto& c : cases) {
      const Result r = run(quickSim(out) + c.args);
      QVERIFY2(r.exitCode == 2, describe(r).c_str());
      QVERIFY2(r.err.contains(c.says), describe(r).c_str());
      QVERIFY2(!QFileInfo::exists(out), describe(r).c_str());
    }
    const Result r = run({"--seeds", "1..2", kQuickstart});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("starts with its file"), describe(r).c_str());
  }
};

QTEST_GUILESS_MAIN(TestSweepCommand)
#include "test_sweep_command.moc"
