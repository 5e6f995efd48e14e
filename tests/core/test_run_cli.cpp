// distopt-run end to end (runs the real program): results files and their content, --set overrides,
// determinism, and the exit codes of docs/architecture.md, rule 7 — 0 done, 1 diverged, 2 bad input with the
// field named on stderr and nothing started (no output folder).

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include <sys/types.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "gzip_text.hpp"
#include "program_run.hpp"

using nlohmann::json;

namespace {

const QString kProgram = QStringLiteral(DISTOPT_BIN_DIR "/distopt-run");
const QString kQuickstart = QStringLiteral(DISTOPT_SOURCE_DIR "/resources/experiments/quickstart.json");

using Result = ProgramResult;

Result runProgram(const QStringList& arguments, const QString& workingDirectory = QString()) {
  return ::runProgram(kProgram, arguments, 60'000, workingDirectory);
}

// Gzipped result files (delays.csv.gz) read as their text.
QByteArray readAll(const QString& path) {
  return QByteArray::fromStdString(distopt::test::readMaybeGzip(path.toStdString()));
}

json readSummary(const QString& directory) {
  const QByteArray bytes = readAll(directory + "/summary.json");
  return json::parse(bytes.toStdString(), nullptr, /*allow_exceptions=*/false);
}

QString writeText(const QTemporaryDir& dir, const QString& name, const std::string& text) {
  const QString path = dir.filePath(name);
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) return {};
  file.write(QByteArray::fromStdString(text));
  return path;
}

/// The quickstart preset, smaller and shorter, as a document to edit and write.
json smallExperiment() {
  return json::parse(R"({
    "name": "cli-small",
    "seed": 1,
    "engine": "sim",
    "problem": {"name": "quadratic", "params": {"d": 32, "noise_std": 0.01}},
    "algorithm": {"name": "ringmaster", "params": {"gamma": 0.5, "R": 4, "variant": "B"}},
    "workers": {"count": 8, "time_model": {"name": "ringmaster", "params": {}}},
    "stop": {"time": 100},
    "eval": {"interval": 5}
  })");
}

QStringList csvLines(const QString& path) {
  QString text = QString::fromUtf8(readAll(path));
  QStringList lines = text.split('\n');
  if (!lines.isEmpty() && lines.last().isEmpty()) lines.removeLast();
  return lines;
}

std::string describe(const Result& r) { return r.describe(); }

}  // namespace

/// expectBadInput, stopping the test function at its first failure.
#define EXPECT_BAD_INPUT(...)               \
  do {                                      \
    expectBadInput(__VA_ARGS__);            \
    if (QTest::currentTestFailed()) return; \
  } while (false)

class TestRunCli : public QObject {
  Q_OBJECT

 private:
  /// Runs with `arguments` (plus --out DIR/out --quiet), expects exit 2, the field named on stderr, and
  /// nothing created: no output folder and no default results folder in the working directory.
  void expectBadInput(const QStringList& arguments, const QString& expectedOnStderr) {
    QTemporaryDir work;
    QVERIFY(work.isValid());
    const QString out = work.filePath("out");
    const QStringList before = QDir(work.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
    const Result r = runProgram(QStringList{"--out", out, "--quiet"} + arguments, work.path());
    QVERIFY2(r.finished, describe(r).c_str());
    QVERIFY2(r.exitCode == 2, describe(r).c_str());
    QVERIFY2(r.err.contains(expectedOnStderr), describe(r).c_str());
    QVERIFY2(r.err.startsWith("distopt-run: "), describe(r).c_str());
    QVERIFY2(!QFileInfo::exists(out), "an output folder was created for bad input");
    QCOMPARE(QDir(work.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), before);

    // Without --out the default results folder must not appear either.
    const Result noOut = runProgram(QStringList{"--quiet"} + arguments, work.path());
    QVERIFY2(noOut.exitCode == 2, describe(noOut).c_str());
    QCOMPARE(QDir(work.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), before);
  }

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kProgram).isExecutable(), qPrintable(kProgram + " is not built"));
  }

  void quickstartWritesResults() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString out = dir.filePath("results");
    const Result r = runProgram({kQuickstart, "--engine", "sim", "--out", out});
    QVERIFY2(r.exitCode == 0, describe(r).c_str());

    const json summary = readSummary(out);
    QVERIFY2(summary.is_object(), "summary.json is missing or not JSON");
    for (const char* key : {"algorithm",
                            "engine",
                            "workers",
                            "termination",
                            "updates_applied",
                            "gradients_accepted",
                            "gradients_discarded",
                            "jobs_cancelled",
                            "late_cancelled",
                            "final_loss",
                            "final_gap",
                            "final_grad_norm_sq",
                            "time",
                            "time_to_target",
                            "delay_mean",
                            "delay_max",
                            "bytes_uplink",
                            "bytes_downlink",
                            "wall_seconds",
                            "experiment"})
      QVERIFY2(summary.contains(key), key);
    QCOMPARE(summary.at("algorithm"), json("ringmaster"));
    QCOMPARE(summary.at("engine"), json("sim"));
    QCOMPARE(summary.at("workers"), json(16));
    QCOMPARE(summary.at("termination"), json("time_limit"));
    QCOMPARE(summary.at("time").get<double>(), 500.0);
    QVERIFY(summary.at("updates_applied").get<std::uint64_t>() > 0);
    QCOMPARE(summary.at("updates_applied"), summary.at("gradients_accepted"));
    // One gradient per Ringmaster job: every answered job's gradient is counted, applied or not.
    QCOMPARE(summary.at("gradient_evaluations"), summary.at("arrivals"));
    QVERIFY(summary.at("final_gap").is_number());  // the quadratic knows f*
    QVERIFY(summary.at("final_gap").get<double>() >= 0.0);
    QVERIFY(summary.at("final_grad_norm_sq").is_number());
    QVERIFY(summary.at("delay_max").get<std::int64_t>() < 4);  // Ringmaster never applies delay >= R = 4
    QVERIFY(summary.at("bytes_uplink").get<std::uint64_t>() > 0);
    QVERIFY(summary.at("bytes_downlink").get<std::uint64_t>() > 0);
    // The normalised experiment is recorded with defaults filled.
    QCOMPARE(summary.at("experiment").at("name"), json("quickstart"));
    QCOMPARE(summary.at("experiment").at("engine"), json("sim"));
    QCOMPARE(summary.at("experiment").at("algorithm").at("params").at("variant"), json("B"));

    const auto outcomes = summary.at("gradients_accepted").get<std::uint64_t>() +
                          summary.at("gradients_discarded").get<std::uint64_t>() +
                          summary.at("jobs_cancelled").get<std::uint64_t>() +
                          summary.at("late_cancelled").get<std::uint64_t>();
    // By default no per-event log: the exact delay histogram and a bounded sample of the events.
    QVERIFY(!QFileInfo::exists(out + "/events.csv"));
    QVERIFY(!QFileInfo::exists(out + "/events.csv.gz"));
    const QStringList delays = csvLines(out + "/delays.csv.gz");
    QCOMPARE(delays.value(0), QString("worker,outcome,delay,count"));
    std::uint64_t counted = 0, acceptedCounted = 0;
    for (qsizetype i = 1; i < delays.size(); ++i) {
      const QStringList fields = delays[i].split(',');
      QCOMPARE(fields.size(), qsizetype{4});
      counted += fields[3].toULongLong();
      if (fields[1] == "accepted") acceptedCounted += fields[3].toULongLong();
    }
    QCOMPARE(counted, outcomes);
    QCOMPARE(acceptedCounted, summary.at("gradients_accepted").get<std::uint64_t>());
    const QStringList sample = csvLines(out + "/events_sample.csv");
    QCOMPARE(sample.value(0), QString("time,worker,job,job_version,delay,outcome,version_after,age,bytes"));
    QCOMPARE(static_cast<std::uint64_t>(sample.size() - 1), std::min<std::uint64_t>(outcomes, 2000));

    // --events full: one row per outcome, compressed, with the same counts.
    const QString fullOut = dir.filePath("full");
    const Result full =
        runProgram({kQuickstart, "--engine", "sim", "--events", "full", "--out", fullOut, "--quiet"});
    QVERIFY2(full.exitCode == 0, describe(full).c_str());
    QVERIFY(!QFileInfo::exists(fullOut + "/events.csv"));
    QProcess gunzip;
    gunzip.start("gzip", {"-dc", fullOut + "/events.csv.gz"});
    QVERIFY(gunzip.waitForFinished(30'000));
    QCOMPARE(gunzip.exitCode(), 0);
    QStringList events = QString::fromUtf8(gunzip.readAllStandardOutput()).split('\n');
    if (!events.isEmpty() && events.last().isEmpty()) events.removeLast();
    QCOMPARE(events.first(), QString("time,worker,job,job_version,delay,outcome,version_after,age,bytes"));
    QCOMPARE(static_cast<std::uint64_t>(events.size() - 1), outcomes);
    qsizetype accepted = 0;
    for (qsizetype i = 1; i < events.size(); ++i) {
      const QStringList fields = events[i].split(',');
      QCOMPARE(fields.size(), qsizetype{9});
      if (fields[5] == "accepted") ++accepted;
    }
    QCOMPARE(static_cast<std::uint64_t>(accepted), summary.at("gradients_accepted").get<std::uint64_t>());
    QCOMPARE(readAll(fullOut + "/delays.csv.gz"), readAll(out + "/delays.csv.gz"));
    QCOMPARE(readSummary(fullOut).at("experiment").at("events"), json("full"));
    QVERIFY(!summary.at("experiment").contains("events"));

    // evaluations.csv: header plus the curve (eval every 5 units over 500).
    const QStringList evaluations = csvLines(out + "/evaluations.csv");
    QVERIFY(!evaluations.isEmpty());
    QVERIFY(evaluations.first().startsWith("time,updates,loss,gap,grad_norm_sq"));
    QVERIFY2(evaluations.size() > 50, qPrintable(QString::number(evaluations.size())));

    // The human-readable table goes to stdout.
    QVERIFY2(r.out.contains("termination"), describe(r).c_str());
  }

  void overridesChangeTheRun() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString out = dir.filePath("asgd");
    const Result r = runProgram({kQuickstart, "--engine", "sim", "--set", "algorithm.name=asgd", "--set",
                                 "algorithm.params={}", "--set", "stop.time=100", "--workers", "6", "--out",
                                 out, "--quiet"});
    QVERIFY2(r.exitCode == 0, describe(r).c_str());
    const json summary = readSummary(out);
    QCOMPARE(summary.at("algorithm"), json("asgd"));
    QCOMPARE(summary.at("workers"), json(6));
    QCOMPARE(summary.at("time").get<double>(), 100.0);
    QCOMPARE(summary.at("experiment").at("algorithm").at("name"), json("asgd"));
    QCOMPARE(summary.at("experiment").at("workers").at("count"), json(6));
    // ASGD applies every gradient: nothing discarded or cancelled.
    QCOMPARE(summary.at("gradients_discarded"), json(0));
    QCOMPARE(summary.at("jobs_cancelled"), json(0));

    // R = inf through --set.
    const QString outInf = dir.filePath("inf");
    const Result inf = runProgram({kQuickstart, "--engine", "sim", "--set", "algorithm.params.R=inf", "--set",
                                   "stop.time=50", "--out", outInf, "--quiet"});
    QVERIFY2(inf.exitCode == 0, describe(inf).c_str());
    QCOMPARE(readSummary(outInf).at("experiment").at("algorithm").at("params").at("R"), json("inf"));
  }

  void sameSeedIsDeterministic() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeText(dir, "small.json", smallExperiment().dump(2));
    const Result first = runProgram({path, "--out", dir.filePath("a"), "--quiet"});
    const Result second = runProgram({path, "--out", dir.filePath("b"), "--quiet"});
    QVERIFY2(first.exitCode == 0, describe(first).c_str());
    QVERIFY2(second.exitCode == 0, describe(second).c_str());
    json a = readSummary(dir.filePath("a"));
    json b = readSummary(dir.filePath("b"));
    QVERIFY(a.contains("wall_seconds") && b.contains("wall_seconds"));
    a.erase("wall_seconds");
    b.erase("wall_seconds");
    // Provenance names the command line, whose --out differs; the rest of it is the same program.
    QVERIFY(a.contains("provenance") && b.contains("provenance"));
    QCOMPARE(a["provenance"].value("commit", std::string()), b["provenance"].value("commit", std::string()));
    a.erase("provenance");
    b.erase("provenance");
    QVERIFY2(a == b, (a.dump() + "\n" + b.dump()).c_str());
    QCOMPARE(readAll(dir.filePath("a/delays.csv.gz")), readAll(dir.filePath("b/delays.csv.gz")));
    QCOMPARE(readAll(dir.filePath("a/events_sample.csv")), readAll(dir.filePath("b/events_sample.csv")));
    QCOMPARE(readAll(dir.filePath("a/evaluations.csv")), readAll(dir.filePath("b/evaluations.csv")));

    const Result other = runProgram({path, "--set", "seed=2", "--out", dir.filePath("c"), "--quiet"});
    QVERIFY2(other.exitCode == 0, describe(other).c_str());
    const json c = readSummary(dir.filePath("c"));
    QVERIFY2(c.at("final_loss") != a.at("final_loss"), c.at("final_loss").dump().c_str());
    QCOMPARE(c.at("experiment").at("seed"), json(2));
  }

  void divergingRunExitsOne() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString out = dir.filePath("diverged");
    const Result r = runProgram(
        {kQuickstart, "--engine", "sim", "--set", "algorithm.params.gamma=100", "--out", out, "--quiet"});
    QVERIFY2(r.finished, describe(r).c_str());
    QVERIFY2(r.exitCode == 1, describe(r).c_str());
    const json summary = readSummary(out);
    QVERIFY2(summary.is_object(), "a diverged run still writes summary.json");
    QCOMPARE(summary.at("termination"), json("diverged"));
    QVERIFY(QFileInfo::exists(out + "/delays.csv.gz"));
  }

  // ---- bad input: exit 2, the field named, nothing created ----

  void malformedExperimentFile() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeText(dir, "broken.json", "{\n  \"name\": \"x\",\n  \"seed\": 1,,\n}\n");
    EXPECT_BAD_INPUT({path}, "broken.json:3:13");
  }

  void badFieldInExperimentFile() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    json document = smallExperiment();
    document["algorithm"]["params"]["R"] = 0;
    const QString path = writeText(dir, "r0.json", document.dump(2));
    EXPECT_BAD_INPUT({path}, "algorithm.params.R: must be an integer >= 1 or \"inf\"");

    document = smallExperiment();
    document["colour"] = "red";
    EXPECT_BAD_INPUT({writeText(dir, "colour.json", document.dump())}, "colour: unknown field");
  }

  // An algorithm with a problem it cannot run on is refused before anything starts, with the reason
  // (AlgorithmEntry::problemNeeds); so is a typo in an enum option, naming the value and the choices.
  void incompatibleProblemAndEnumTypo() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    json document = smallExperiment();
    document["engine"] = "sim";
    document["problem"] = {{"name", "least-squares"}};
    document["algorithm"] = {{"name", "kron-fast"}};
    EXPECT_BAD_INPUT(
        {writeText(dir, "kron.json", document.dump())},
        "problem.name: algorithm \"kron-fast\" needs a problem with the Kronecker two-layer network; "
        "\"least-squares\" has none (problems that have it: kron-two-layer)");
    document = smallExperiment();
    document["algorithm"]["params"]["variant"] = "b";
    EXPECT_BAD_INPUT({writeText(dir, "variant.json", document.dump())},
                     "algorithm.params.variant: is \"b\", not one of \"A\" or \"B\"");
  }

  void unknownAlgorithm() {
    EXPECT_BAD_INPUT({kQuickstart, "--engine", "sim", "--set", "algorithm.name=sgd-turbo"}, "algorithm.name");
    QTemporaryDir dir;
    json document = smallExperiment();
    document["algorithm"] = {{"name", "sgd-turbo"}};
    EXPECT_BAD_INPUT({writeText(dir, "algo.json", document.dump())}, "unknown name \"sgd-turbo\"");
  }

  void missingDataFile() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    json document = smallExperiment();
    document["problem"] = {{"name", "logistic"}, {"params", {{"train", "does-not-exist.libsvm"}}}};
    const QString path = writeText(dir, "logistic.json", document.dump(2));
    EXPECT_BAD_INPUT({path}, "problem.params.train");
    EXPECT_BAD_INPUT({path}, "does-not-exist.libsvm");
  }

  void missingExperimentFile() {
    QTemporaryDir dir;
    EXPECT_BAD_INPUT({dir.filePath("nowhere.json")}, "nowhere.json: cannot open");
  }

  void badSet() {
    EXPECT_BAD_INPUT({kQuickstart, "--set", "=3"}, "--set =3");
    EXPECT_BAD_INPUT({kQuickstart, "--set", "a..b=1"}, "--set a..b=1");
    EXPECT_BAD_INPUT({kQuickstart, "--set", "algorithm.params.gamma=-1"}, "algorithm.params.gamma");
    EXPECT_BAD_INPUT({kQuickstart, "--set", "algorithm.params.gamm=0.1"},
                     "algorithm.params.gamm: unknown option");
    EXPECT_BAD_INPUT({kQuickstart, "--set", "workers.count=0"}, "workers.count");
    EXPECT_BAD_INPUT({kQuickstart, "--set", "stop.time=-1"}, "stop.time");
    EXPECT_BAD_INPUT({kQuickstart, "--set"}, "--set needs PATH=VALUE");
    EXPECT_BAD_INPUT({kQuickstart, "--set="}, "--set= has no value after '='");
  }

  void badCommandLine() {
    EXPECT_BAD_INPUT({kQuickstart, "--frobnicate"}, "--frobnicate");
    EXPECT_BAD_INPUT({kQuickstart, "--workers", "0"}, "--workers");
    EXPECT_BAD_INPUT({kQuickstart, "--workers", "many"}, "--workers");
    EXPECT_BAD_INPUT({kQuickstart, "--engine", "gpu"}, "--engine");
    EXPECT_BAD_INPUT({kQuickstart, "--events", "some"}, "--events");
    EXPECT_BAD_INPUT({kQuickstart, "--set", "events=all"}, "events: is \"all\", not one of \"aggregates\" or \"full\"");
    EXPECT_BAD_INPUT({kQuickstart, kQuickstart}, "only one experiment file");
    EXPECT_BAD_INPUT({}, "no experiment file");
    // The --opt=value spelling is checked the same way.
    EXPECT_BAD_INPUT({kQuickstart, "--workers=0"}, "--workers: '0' is not an integer from 1 to 1000000");
    EXPECT_BAD_INPUT({kQuickstart, "--workers="}, "--workers= has no value after '='");
    EXPECT_BAD_INPUT({kQuickstart, "--engine=gpu"}, "--engine: 'gpu' is not sim or live");
    EXPECT_BAD_INPUT({kQuickstart, "--bind=nowhere"}, "--bind nowhere: ");
    EXPECT_BAD_INPUT({kQuickstart, "--frobnicate=1"}, "unknown option '--frobnicate=1'");
    EXPECT_BAD_INPUT({kQuickstart, "-x"}, "unknown option '-x'");
    EXPECT_BAD_INPUT({kQuickstart, "--quiet=maybe"}, "--quiet");
    EXPECT_BAD_INPUT({kQuickstart, "--setup-timeout", "nan"}, "--setup-timeout: 'nan'");
    EXPECT_BAD_INPUT({kQuickstart, "--malformed-limit", "99999999999999999999"}, "--malformed-limit: '9999");
  }

  void equalsFormAndDoubleDash() {
    // --opt=value as well as --opt value; `--` ends the options, so a file may start with a dash.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString out = dir.filePath("eq");
    const Result r = runProgram({"--engine=sim", "--set=algorithm.name=asgd", "--set=algorithm.params={}",
                                 "--set=stop.time=40", "--workers=5", "--out=" + out, "-q", "--", kQuickstart});
    QVERIFY2(r.exitCode == 0, describe(r).c_str());
    const json summary = readSummary(out);
    QCOMPARE(summary.at("algorithm"), json("asgd"));
    QCOMPARE(summary.at("workers"), json(5));
    QCOMPARE(summary.at("time").get<double>(), 40.0);
    QVERIFY2(r.err.isEmpty(), describe(r).c_str());  // -q: no progress
  }

  void outputFolderThatCannotBeCreated() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = writeText(dir, "a-file", "not a folder\n");
    const Result r = runProgram({kQuickstart, "--engine", "sim", "--out", file + "/sub", "--quiet"});
    QVERIFY2(r.exitCode == 2, describe(r).c_str());
    QVERIFY2(r.err.contains("a-file/sub: cannot create the output folder"), describe(r).c_str());
    QCOMPARE(readAll(file), QByteArray("not a folder\n"));
  }

  void liveEngineRunsQuickstart() {
    // The quickstart preset on real worker processes (tcp://127.0.0.1, wildcard ports): about 3 s.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString out = dir.filePath("live");
    const Result r = runProgram({kQuickstart, "--engine", "live", "--out", out, "--quiet"});
    QVERIFY2(r.finished, describe(r).c_str());
    QVERIFY2(r.exitCode == 0, describe(r).c_str());
    QVERIFY2(r.err.contains("workers connect to tcp://127.0.0.1:"), describe(r).c_str());
    const json summary = readSummary(out);
    QVERIFY2(summary.is_object(), "summary.json is missing or not JSON");
    QCOMPARE(summary.at("engine"), json("live"));
    QCOMPARE(summary.at("experiment").at("engine"), json("live"));
    QCOMPARE(summary.at("termination"), json("time_limit"));
    QCOMPARE(summary.at("workers"), json(16));
    QVERIFY(summary.at("updates_applied").get<std::uint64_t>() > 0);
    QVERIFY(summary.at("delay_max").get<std::int64_t>() < 4);
  }

  // ---- Ctrl-C ----

  /// Starts distopt-run in a process group of its own (as a shell's foreground job), waits until its
  /// progress shows the run going, then sends SIGINT to the whole group as a terminal's Ctrl-C does.
  /// Expects exit 130 and the run closed on record as interrupted by the user.
  void expectInterrupted(const QStringList& arguments) {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString out = dir.filePath("out");
    const QString store = dir.filePath("runs.sqlite");
    QProcess process;
    process.setChildProcessModifier([] { ::setpgid(0, 0); });
    process.start(kProgram, arguments + QStringList{"--out", out, "--store", store});
    QVERIFY(process.waitForStarted(10'000));
    QByteArray err;
    // The first progress line is printed at the run's first evaluation, once it runs.
    while (!err.contains("progress") && process.state() == QProcess::Running) {
      process.waitForReadyRead(1'000);
      err += process.readAllStandardError();
    }
    QVERIFY2(err.contains("progress"), err.constData());
    QCOMPARE(::kill(-static_cast<pid_t>(process.processId()), SIGINT), 0);
    QVERIFY(process.waitForFinished(60'000));
    err += process.readAllStandardError();
    const QString stdoutText = QString::fromUtf8(process.readAllStandardOutput());
    QVERIFY2(process.exitStatus() == QProcess::NormalExit, err.constData());
    QVERIFY2(process.exitCode() == 130, (err + stdoutText.toUtf8()).constData());
    QVERIFY2(err.contains("distopt-run: stopping"), err.constData());

    const json summary = readSummary(out);
    QVERIFY2(summary.is_object(), "summary.json is missing or not JSON");
    QCOMPARE(summary.at("termination"), json("stopped"));
    QCOMPARE(summary.at("termination_detail"), json("interrupted by the user (SIGINT, Ctrl-C)"));
    QVERIFY2(stdoutText.contains("stopped: interrupted by the user"), qPrintable(stdoutText));
    // The result files are whole (closed, not cut off) and the store row is ended, saying why.
    const QStringList evaluations = csvLines(out + "/evaluations.csv");
    QVERIFY(evaluations.size() >= 2);
    const Result shown = runProgram({"runs", "show", "1", "--store", store});
    QVERIFY2(shown.exitCode == 0, describe(shown).c_str());
    QVERIFY2(shown.out.contains("stopped: interrupted by the user (SIGINT, Ctrl-C)"),
             describe(shown).c_str());
  }

  void ctrlCStopsASimulatedRun() {
    expectInterrupted({kQuickstart, "--engine=sim", "--set", "stop.time=1e9"});
  }

  void ctrlCStopsALiveRun() {
    // The group's SIGINT reaches the local workers too, as on a terminal; the run still ends stopped.
    expectInterrupted({kQuickstart, "--engine=live", "--workers=4", "--set", "stop.time=1e9"});
  }

  // ---- informational ----
  // ---- informational ----

  void listNamesEverything() {
    const Result r = runProgram({"--list"});
    QVERIFY2(r.exitCode == 0, describe(r).c_str());
    for (const char* name : {"ringmaster", "asgd", "da-asgd", "rennala", "minibatch", "naive-optimal"})
      QVERIFY2(r.out.contains(QString("  ") + name + " [async] — "), name);
    for (const char* name : {"quadratic", "least-squares", "logistic", "fixed", "natural", "stragglers"})
      QVERIFY2(r.out.contains(QString("  ") + name + " — "), name);
    QVERIFY(r.out.contains("Algorithms (algorithm.name)"));
    QVERIFY(r.out.contains("Problems (problem.name)"));
    QVERIFY(r.out.contains("Time models (workers.time_model.name)"));
    QVERIFY(r.out.contains("valid: an integer >= 1 or \"inf\""));
  }

  void printConfigShowsTheExperimentAsItWouldRun() {
    QTemporaryDir work;
    QVERIFY(work.isValid());
    const QStringList choices = {kQuickstart,   "--engine=sim", "--set",       "algorithm.params.gamma=0.25",
                                 "--workers=3", "--set",        "stop.time=30"};
    const Result r = runProgram(choices + QStringList{"--print-config"}, work.path());
    QVERIFY2(r.exitCode == 0, describe(r).c_str());
    QVERIFY2(QDir(work.path()).isEmpty(), "--print-config wrote something");
    const json printed = json::parse(r.out.toStdString(), nullptr, /*allow_exceptions=*/false);
    QVERIFY2(printed.is_object(), describe(r).c_str());
    QCOMPARE(printed.at("engine"), json("sim"));
    QCOMPARE(printed.at("algorithm").at("params").at("gamma"), json(0.25));
    QCOMPARE(printed.at("workers").at("count"), json(3));
    QCOMPARE(printed.at("data").at("sharding"), json("iid"));  // a default the file leaves out
    // Exactly the experiment a run with the same choices records.
    const QString out = work.filePath("out");
    const Result run = runProgram(choices + QStringList{"--out", out, "--quiet", "--no-store"});
    QVERIFY2(run.exitCode == 0, describe(run).c_str());
    QCOMPARE(readSummary(out).at("experiment"), printed);
    // Invalid choices are refused as a run would refuse them.
    EXPECT_BAD_INPUT({kQuickstart, "--print-config", "--set", "workers.count=0"}, "workers.count");
    EXPECT_BAD_INPUT({"--list", "--print-config"}, "--print-config and --list exclude each other");
  }

  void listAsJson() {
    const Result r = runProgram({"--list", "--json"});
    QVERIFY2(r.exitCode == 0, describe(r).c_str());
    const json list = json::parse(r.out.toStdString(), nullptr, /*allow_exceptions=*/false);
    QVERIFY2(list.is_object(), describe(r).c_str());
    auto find = [&](const char* kind, const std::string& name) -> json {
      for (const auto& entry : list.at(kind))
        if (entry.at("name") == name) return entry;
      return nullptr;
    };
    // Every name the text list shows, with its options.
    const Result text = runProgram({"--list"});
    for (const char* kind : {"algorithms", "problems", "time_models"}) {
      QVERIFY(list.at(kind).is_array() && !list.at(kind).empty());
      for (const auto& entry : list.at(kind)) {
        QVERIFY2(text.out.contains(QString("  ") +
                                   QString::fromStdString(entry.at("name").get<std::string>()) + " "),
                 entry.dump().c_str());
        QVERIFY(entry.at("options").is_array());
      }
    }
    const json ringmaster = find("algorithms", "ringmaster");
    QVERIFY(ringmaster.is_object());
    QCOMPARE(ringmaster.at("family"), json("async"));
    QCOMPARE(ringmaster.at("live"), json(true));
    bool sawR = false;
    for (const auto& option : ringmaster.at("options")) {
      if (option.at("name") != "R") continue;
      sawR = true;
      QCOMPARE(option.at("valid"), json("an integer >= 1 or \"inf\""));
      QCOMPARE(option.at("required"), json(false));
    }
    QVERIFY(sawR);
    QVERIFY(find("problems", "quadratic").is_object());
    QVERIFY(find("time_models", "fixed").is_object());
    EXPECT_BAD_INPUT({kQuickstart, "--json"}, "--json goes with --list");
  }

  void progressShowsRateAndEta() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Result r = runProgram({kQuickstart, "--engine=sim", "--out", dir.filePath("out"), "--no-store"});
    QVERIFY2(r.exitCode == 0, describe(r).c_str());
    // Not a terminal: plain lines, the first at once, the last when the run ends.
    QStringList lines = r.err.split('\n', Qt::SkipEmptyParts);
    lines.removeIf([](const QString& line) { return !line.startsWith("progress "); });
    QVERIFY2(lines.size() >= 2, describe(r).c_str());
    QVERIFY2(lines.front().contains(" upd/s  ETA "), describe(r).c_str());
    static const QRegularExpression last(
        R"(^progress 100%  t=500  updates=\d+  [0-9.e+]+ upd/s  took \d+:\d\d  f-f\* )");
    QVERIFY2(last.match(lines.back()).hasMatch(), describe(r).c_str());
  }

  void helpAndVersion() {
    const Result help = runProgram({"--help"});
    QVERIFY2(help.exitCode == 0, describe(help).c_str());
    QVERIFY(help.out.contains("Usage: distopt-run EXPERIMENT.json"));
    QVERIFY(help.out.contains("--set PATH=VALUE"));
    QVERIFY(help.out.contains("Exit status"));
    const Result version = runProgram({"--version"});
    QVERIFY2(version.exitCode == 0, describe(version).c_str());
    QVERIFY(version.out.startsWith("distopt-run "));
  }
};

QTEST_GUILESS_MAIN(TestRunCli)
#include "test_run_cli.moc"
