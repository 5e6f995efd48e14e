// Provenance: SHA-256 against the FIPS 180-4 examples, shell quoting of the recorded command line, the
// data files a built run read, and distopt-run end to end: summary.json's "provenance" and the store's
// provenance_json name the version, commit, host, command line and each data file's hash; --version of
// the three programs names the version and the commit.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "program_run.hpp"

#include "core/config/experiment.hpp"
#include "core/problems/data_file_recorder.hpp"
#include "core/store/run_store.hpp"
#include "core/telemetry/provenance.hpp"
#include "core/util/build_info.hpp"
#include "core/util/input_error.hpp"
#include "core/util/sha256.hpp"

using nlohmann::json;

namespace {

std::string sha256Of(const std::string& text) {
  distopt::Sha256 hash;
  hash.update(text.data(), text.size());
  return hash.hexDigest();
}

using Result = ProgramResult;

const std::string kA9aTest = DISTOPT_TEST_DATA_DIR "/a9a.t.gz";

json logisticExperiment(const std::string& train) {
  return json{{"name", "provenance"},
              {"seed", 1},
              {"engine", "sim"},
              {"problem", {{"name", "logistic"}, {"params", {{"train", train}, {"features", 123}}}}},
              {"algorithm", {{"name", "ringmaster"}, {"params", {{"gamma", 0.1}, {"R", 2}}}}},
              {"workers", {{"count", 2}, {"time_model", {{"name", "fixed"}, {"params", json::object()}}}}},
              {"stop", {{"updates", 5}}},
              {"eval", {{"every_updates", 5}}}};
}

}  // namespace

class TestProvenance : public QObject {
  Q_OBJECT

 private slots:
  void sha256KnownAnswers() {
    QCOMPARE(sha256Of(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(sha256Of("abc"),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    // 56 bytes: the length no longer fits the first block's padding.
    QCOMPARE(sha256Of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
             std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    // Fed in pieces across block boundaries: the same digest as in one go.
    const std::string million(1'000'000, 'a');
    distopt::Sha256 pieces;
    for (std::size_t at = 0; at < million.size(); at += 997)
      pieces.update(million.data() + at, std::min<std::size_t>(997, million.size() - at));
    QCOMPARE(pieces.hexDigest(),
             std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
  }

  void fileDigestAndUnreadableFile() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("abc").toStdString();
    std::ofstream(path, std::ios::binary) << "abc";
    const auto digest = distopt::sha256OfFile(path);
    QCOMPARE(digest.sha256, sha256Of("abc"));
    QCOMPARE(digest.bytes, std::uint64_t{3});
    bool refused = false;
    try {
      distopt::sha256OfFile(dir.filePath("missing").toStdString());
    } catch (const distopt::InputError& error) {
      refused = std::string(error.where()).find("missing") != std::string::npos;
    }
    QVERIFY(refused);
  }

  void commandLineIsShellQuoted() {
    QCOMPARE(distopt::shellQuoted("--set"), std::string("--set"));
    QCOMPARE(distopt::shellQuoted("a=b,c/d.json"), std::string("a=b,c/d.json"));
    QCOMPARE(distopt::shellQuoted("two words"), std::string("'two words'"));
    QCOMPARE(distopt::shellQuoted("it's"), std::string("'it'\\''s'"));
    QCOMPARE(distopt::shellQuoted(""), std::string("''"));
    const auto provenance = distopt::currentProvenance({"distopt-run", "x.json", "--set", "name=my run"});
    QCOMPARE(provenance.commandLine, std::string("distopt-run x.json --set 'name=my run'"));
    QCOMPARE(provenance.programVersion, std::string(distopt::programVersion()));
    QCOMPARE(provenance.commit, std::string(distopt::programCommit()));
    QVERIFY(!provenance.host.empty());
  }

  void builtRunListsTheDataFilesItRead() {
    const auto experiment = distopt::parseExperiment(logisticExperiment("a9a.t.gz"), DISTOPT_TEST_DATA_DIR);
    std::vector<std::string> files;
    {
      const distopt::DataFileRecorder recorder;
      const auto run = distopt::buildRun(experiment);
      files = recorder.files();
    }
    QCOMPARE(files.size(), std::size_t{1});
    QCOMPARE(std::filesystem::path(files[0]), std::filesystem::path(kA9aTest).lexically_normal());
    distopt::RunProvenance provenance;
    distopt::addDataFiles(provenance, {files[0], files[0]});
    QCOMPARE(provenance.dataFiles.size(), std::size_t{1});
    QCOMPARE(provenance.dataFiles[0].sha256, distopt::sha256OfFile(kA9aTest).sha256);
  }

  void distoptRunRecordsProvenance() {
    QTemporaryDir dir;
    const QString experimentPath = dir.filePath("provenance.json");
    std::ofstream(experimentPath.toStdString()) << logisticExperiment(kA9aTest).dump();
    const QString out = dir.filePath("out");
    const QString store = dir.filePath("runs.sqlite");
    const QStringList arguments = {experimentPath, "--out",         out,      "--store", store,
                                   "--set",        "name=prov run", "--quiet"};
    const Result result = runProgram(DISTOPT_BIN_DIR "/distopt-run", arguments);
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));

    QFile file(out + "/summary.json");
    QVERIFY(file.open(QIODevice::ReadOnly));
    const json summary = json::parse(file.readAll().toStdString());
    QVERIFY(summary.contains("provenance"));
    const json& provenance = summary.at("provenance");
    QCOMPARE(provenance.at("program_version").get<std::string>(), std::string(distopt::programVersion()));
    QCOMPARE(provenance.at("commit").get<std::string>(), std::string(distopt::programCommit()));
    QVERIFY(!provenance.at("host").get<std::string>().empty());
    const std::string commandLine = provenance.at("command_line").get<std::string>();
    QVERIFY2(commandLine.find("--set 'name=prov run'") != std::string::npos, commandLine.c_str());
    QVERIFY2(commandLine.find(experimentPath.toStdString()) != std::string::npos, commandLine.c_str());
    QCOMPARE(provenance.at("data_files").size(), std::size_t{1});
    QCOMPARE(provenance.at("data_files")[0].at("sha256").get<std::string>(),
             distopt::sha256OfFile(kA9aTest).sha256);

    // The store holds the same object.
    auto runs = distopt::RunStore::open(store.toStdString())->listRuns();
    QCOMPARE(runs.size(), std::size_t{1});
    QCOMPARE(json::parse(runs[0].record.provenanceJson), provenance);
  }

  void versionNamesTheCommit() {
    QStringList programs = {"distopt-run", "distopt-worker"};
#ifdef DISTOPT_HAS_WORKBENCH
    programs << "distopt-workbench";
#endif
    for (const QString& program : programs) {
      const Result result = runProgram(DISTOPT_BIN_DIR "/" + program, {"--version"});
      QCOMPARE(result.exitCode, 0);
      QVERIFY2(result.out.contains(QString::fromLatin1(distopt::programVersion())), qPrintable(result.out));
      QVERIFY2(result.out.contains(QString::fromLatin1(distopt::programCommit())), qPrintable(result.out));
    }
  }
};

QTEST_GUILESS_MAIN(TestProvenance)
#include "test_provenance.moc"
