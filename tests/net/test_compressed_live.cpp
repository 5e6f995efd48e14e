// Compressed SGD on real worker processes (PROTOCOL.md §10): its uplinks cost at the socket what their
// encodings say, and bad parameters are refused before any worker starts. Live = simulator (every
// compressed method, bits up and down), the frames and a killed worker are
// test_net_family_live_conformance's.
#include "family_documents.hpp"
#include "live_test_support.hpp"

using namespace live_test;
using family_documents::compressedExperiment;

namespace {




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
    const FinishedRun live =
        runToEnd(dir, "live",
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
    const FinishedRun refused =
        runToEnd(dir, "refused",
            compressedExperiment("signsgd-mv", {{"gamma", 0.001}, {"byzantine", 5}}, 3, 10, "live"));
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.log.find("algorithm.params.byzantine") != std::string::npos, refused.log.c_str());
    QVERIFY(!QFileInfo::exists(refused.out));
  }
};

QTEST_GUILESS_MAIN(TestCompressedLive)
#include "test_compressed_live.moc"
