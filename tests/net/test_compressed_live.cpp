// Compressed SGD on real worker processes (PROTOCOL.md §10): a live run computes exactly the iterates
// of the simulator for the same seed (uplinks are aggregated in worker order), its uplinks cost at the
// socket what their encodings say, a killed worker fails the run with its name, and bad parameters are
// refused before any worker starts.
#include "live_test_support.hpp"

using namespace live_test;

namespace {

json compressedExperiment(const std::string& algorithm, const json& params, int workers, std::uint64_t rounds,
                          const std::string& engine, double unitMs = 1.0) {
  return json{{"name", "compressed-live-test"},
              {"seed", 3},
              {"engine", engine},
              {"problem",
               {{"name", "quadratic"}, {"params", {{"d", 300}, {"noise", "scalar"}, {"noise_std", 0.05}}}}},
              {"algorithm", {{"name", algorithm}, {"params", params}}},
              {"workers",
               {{"count", workers},
                {"time_model", {{"name", "fixed"}, {"params", {{"h", "linear"}}}}},
                {"unit_ms", unitMs}}},
              {"stop", {{"updates", rounds}}},
              {"eval", {{"every_updates", 5}, {"grad_norm", false}}}};
}

struct Finished {
  int exitCode = -1;
  json summary;
  QString out;
  std::string log;
};

Finished run(const QTemporaryDir& dir, const QString& name, const json& document) {
  Finished finished;
  finished.out = dir.filePath(name);
  Coordinator coordinator;
  if (!coordinator.start(QStringList{writeJson(dir, name + ".json", document), "--out", finished.out,
                                     "--quiet", "--no-store"}))
    return finished;
  finished.exitCode = coordinator.waitForExit(60'000);
  finished.log = coordinator.describe();
  finished.summary = readJsonFile(finished.out + "/summary.json");
  return finished;
}

/// (updates, loss) of evaluations.csv, as text so the comparison is exact.
std::vector<std::pair<std::string, std::string>> lossCurve(const QString& out) {
  std::ifstream in((out + "/evaluations.csv").toStdString());
  std::vector<std::pair<std::string, std::string>> curve;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) f.push_back(field);
    if (f.size() >= 3) curve.emplace_back(f[1], f[2]);
  }
  return curve;
}

/// The last value of metric `name` in metrics.csv (long format: time,updates,name,value).
std::optional<double> lastMetric(const QString& out, const std::string& name) {
  std::ifstream in((out + "/metrics.csv").toStdString());
  std::optional<double> value;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) f.push_back(field);
    if (f.size() == 4 && f[2] == name) value = std::stod(f[3]);
  }
  return value;
}

}  // namespace

class TestCompressedLive : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kRunProgram).isExecutable(), qPrintable(kRunProgram + " is not built"));
    QVERIFY2(QFileInfo(kWorkerProgram).isExecutable(), qPrintable(kWorkerProgram + " is not built"));
  }

  void liveIteratesEqualTheSimulators_data() {
    QTest::addColumn<QString>("algorithm");
    QTest::addColumn<QString>("params");
    QTest::newRow("sgd") << "sgd"
                         << R"({"gamma": 0.1})";
    QTest::newRow("signsgd-mv") << "signsgd-mv"
                                << R"({"gamma": 0.002})";
    QTest::newRow("sparse-signsgd-mv") << "sparse-signsgd-mv"
                                       << R"({"gamma": 0.002, "rho": 50000})";
    QTest::newRow("topk-ef") << "topk-ef"
                             << R"({"gamma": 0.1, "rho": 100000})";
    QTest::newRow("qsgd") << "qsgd"
                          << R"({"gamma": 0.1, "s": 4})";
  }
  void liveIteratesEqualTheSimulators() {
    QFETCH(QString, algorithm);
    QFETCH(QString, params);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const json p = json::parse(params.toStdString());
    const Finished live = run(dir, "live", compressedExperiment(algorithm.toStdString(), p, 3, 20, "live"));
    const Finished sim = run(dir, "sim", compressedExperiment(algorithm.toStdString(), p, 3, 20, "sim"));
    QVERIFY2(live.exitCode == 0, live.log.c_str());
    QVERIFY2(sim.exitCode == 0, sim.log.c_str());
    QCOMPARE(live.summary.at("termination"), json("update_limit"));
    QCOMPARE(live.summary.at("engine"), json("live"));
    QCOMPARE(live.summary.at("updates_applied"), json(20));
    const auto liveCurve = lossCurve(live.out);
    const auto simCurve = lossCurve(sim.out);
    QVERIFY(liveCurve.size() >= 4);
    // Same updates, same loss to the last printed digit: the same floating-point operations ran.
    QVERIFY2(liveCurve == simCurve, (live.out + " vs " + sim.out).toStdString().c_str());
    QCOMPARE(lastMetric(live.out, "cumulative_bits_up"), lastMetric(sim.out, "cumulative_bits_up"));
    QCOMPARE(lastMetric(live.out, "cumulative_bits_down"), lastMetric(sim.out, "cumulative_bits_down"));
    for (const auto& worker : live.summary.at("worker_status")) QCOMPARE(worker.at("state"), json("alive"));
  }

  void uplinksCostWhatTheirEncodingsSay() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Finished live =
        run(dir, "live",
            compressedExperiment("sparse-signsgd-mv", {{"gamma", 0.002}, {"rho", 20000}}, 4, 15, "live"));
    QVERIFY2(live.exitCode == 0, live.log.c_str());
    const auto events = readEvents(live.out);
    QVERIFY(events.has_value());
    QCOMPARE(events->size(), std::size_t{4 * 15});
    // Each uplink at the socket: ROUTER identity (the worker's 17-byte session routing id, PROTOCOL.md
    // §4.4), DOPT header (16), uplink meta (32), the 32-byte frame header of compressed-sgd §3.1, then
    // ceil(payload_bits / 8) bytes.
    constexpr std::uint64_t kOverhead = 17 + 16 + 32 + 32;
    std::uint64_t payloadBytes = 0;
    for (const auto& event : *events) {
      QVERIFY2(event.bytes > kOverhead, std::to_string(event.bytes).c_str());
      payloadBytes += event.bytes - kOverhead;
    }
    const auto bits = lastMetric(live.out, "cumulative_bits_up");
    QVERIFY(bits.has_value());
    // Every message pads fewer than 8 bits.
    QVERIFY2(payloadBytes * 8 >= *bits && payloadBytes * 8 < *bits + 8 * events->size(),
             (std::to_string(payloadBytes) + " bytes for " + std::to_string(*bits) + " bits").c_str());
    // 2% of N = 300 coordinates with signs: far below dense float32.
    QVERIFY(payloadBytes < 4 * 15 * 300 * 4 / 10);
  }

  void aKilledWorkerFailsTheRunWithItsName() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const json document = compressedExperiment("signsgd-mv", {{"gamma", 0.001}}, 3, 1'000'000, "live", 5.0);
    Coordinator coordinator;
    const QString out = dir.filePath("killed");
    QVERIFY(coordinator.start(
        QStringList{writeJson(dir, "killed.json", document), "--out", out, "--quiet", "--no-store"}));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    std::string last;
    QVERIFY2(waitUntilRunning(coordinator.controlEndpoint, 3, &last).has_value(), last.c_str());
    const pid_t victim = workerPid(coordinator.pid(), 1);
    QVERIFY(victim > 0);
    QCOMPARE(::kill(victim, SIGKILL), 0);
    QCOMPARE(coordinator.waitForExit(20'000), 1);
    const json summary = readJsonFile(out + "/summary.json");
    QCOMPARE(summary.at("termination"), json("failed"));
    const std::string detail = summary.at("termination_detail").get<std::string>();
    QVERIFY2(detail.find("worker 1") != std::string::npos, detail.c_str());
    QVERIFY(summary.at("updates_applied").get<std::uint64_t>() >= 3);
  }

  void badParametersAreRefusedBeforeAnyWorkerStarts() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // More Byzantine workers than workers: only the method's own check knows.
    const Finished refused =
        run(dir, "refused",
            compressedExperiment("signsgd-mv", {{"gamma", 0.001}, {"byzantine", 5}}, 3, 10, "live"));
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.log.find("algorithm.params.byzantine") != std::string::npos, refused.log.c_str());
    QVERIFY(!QFileInfo::exists(refused.out));
  }
};

QTEST_GUILESS_MAIN(TestCompressedLive)
#include "test_compressed_live.moc"
