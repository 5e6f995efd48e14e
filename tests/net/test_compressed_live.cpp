// Compressed SGD on real worker processes (PROTOCOL.md §10): its uplinks cost at the socket what their
// encodings say, and bad parameters are refused before any worker starts. Live = simulator (every
// compressed method, bits up and down), the frames and a killed worker are
// test_net_family_live_conformance's.
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
