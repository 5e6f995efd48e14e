// The hybrid-order family's live driver (net/PROTOCOL.md §12) on real worker processes:
//   (a) random or truncated frames are refused, never a crash;
//   (b) same seed, same iterates: DHO2 mode S, mode R and dist-adam on the quadratic with a known
//       spectrum, 2 live workers (in-process coordinator, distopt-worker processes), against
//       HybridSimRun: the final models agree to 1e-12;
//   (c) bandwidth at the socket per worker, direction and kind equals the simulator's charge plus the
//       routing identity frame per message, for every kind (the hybrid-order §4.7 message formulas);
//   (d) MR-DHO2 trains while its curvature worker runs, and survives losing it.
// The frames' round trips and sizes, live = simulator through distopt-run (loss, lambda_max, lambda_k,
// ese_count, curvature memory) and a killed worker are test_net_family_live_conformance's.
#include <QtTest>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <tuple>

#include <signal.h>

#include "core/config/experiment.hpp"
#include "core/hybrid/hybrid_sim_run.hpp"
#include "family_documents.hpp"
#include "live_test_support.hpp"
#include "net/coordinator/live_engine.hpp"
#include "net/families/hybrid/hybrid_live.hpp"
#include "net/families/hybrid/hybrid_messages.hpp"

using namespace live_test;
using namespace distopt::net;
using distopt::Vector;
using family_documents::dho2Params;
const auto quadraticDocument = family_documents::hybridQuadraticDocument;

namespace {

using BandwidthKey = std::tuple<int, bool, std::string>;

// Keeps the last (cumulative) bandwidth sample per key and every evaluation.
class CollectingSink final : public distopt::TelemetrySink {
 public:
  void onEvaluation(const distopt::EvaluationPoint& point) override { evaluations.push_back(point); }
  void onBandwidth(const distopt::BandwidthSample& sample) override {
    bandwidth[{sample.worker, sample.uplink, sample.kind}] = {sample.bytes, sample.messages};
  }
  void onFinish(const distopt::RunSummary& s) override { summary = s; }

  std::vector<distopt::EvaluationPoint> evaluations;
  std::map<BandwidthKey, std::pair<std::uint64_t, std::uint64_t>> bandwidth;
  distopt::RunSummary summary;
};



// Uncompressed IDX files (the readers take them as they are): `count` 4×4 images of 3 classes.
void writeTinyIdx(const std::string& images, const std::string& labels, std::uint32_t count) {
  auto bigEndian = [](std::string& bytes, std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((value >> shift) & 0xff));
  };
  std::string imageBytes{0, 0, 8, 3};
  bigEndian(imageBytes, count);
  bigEndian(imageBytes, 4);
  bigEndian(imageBytes, 4);
  std::string labelBytes{0, 0, 8, 1};
  bigEndian(labelBytes, count);
  for (std::uint32_t i = 0; i < count; ++i) {
    labelBytes.push_back(static_cast<char>(i % 3));
    for (std::uint32_t p = 0; p < 16; ++p)
      imageBytes.push_back(
          static_cast<char>(p % 3 == i % 3 ? 150 + (i * 11 + p) % 100 : (i * 7 + p * 13) % 90));
  }
  std::ofstream(images, std::ios::binary) << imageBytes;
  std::ofstream(labels, std::ios::binary) << labelBytes;
}

json mlpDocument(const std::string& directory, const json& params, int workers, int updates) {
  json document = quadraticDocument("dho2", params, workers, updates);
  document["problem"] = {{"name", "mlp"},
                         {"params",
                          {{"train_images", directory + "/images"},
                           {"train_labels", directory + "/labels"},
                           {"hidden", {5}},
                           {"activation", "tanh"},
                           {"l2", 1e-3},
                           {"batch", 4}}}};
  return document;
}

struct LiveResult {
  Vector model;
  CollectingSink sink;
};

// The live run in this process: the coordinator role and LiveEngine here, workers as processes.
bool runLive(const json& document, LiveResult* result, std::string* why) {
  const distopt::Experiment experiment = distopt::parseExperiment(document, ".");
  const distopt::BuiltRun built = distopt::buildRun(experiment);
  auto role = hybridLiveDriver().makeCoordinator(experiment, built);
  LiveOptions options;
  options.workerBinary = kWorkerProgram.toStdString();
  options.setupTimeoutSeconds = 30.0;
  LiveEngine engine(experiment, *built.problem, *role, built.rules, options, result->sink);
  if (!engine.bind(why)) return false;
  const distopt::RunSummary summary = engine.run();
  if (summary.termination != distopt::Termination::UpdateLimit) {
    *why = std::string("termination ") + distopt::terminationName(summary.termination) + ": " +
           summary.terminationDetail;
    return false;
  }
  result->model = *role->model();
  return true;
}

Vector runSim(json document, CollectingSink& sink) {
  document["engine"] = "sim";
  const distopt::Experiment experiment = distopt::parseExperiment(document, ".");
  distopt::BuiltRun built = distopt::buildRun(experiment);
  built.simRun->run(sink);
  return dynamic_cast<distopt::HybridSimRun&>(*built.simRun).model();
}

double lastMetric(const CollectingSink& sink, const std::string& name) {
  for (auto it = sink.evaluations.rbegin(); it != sink.evaluations.rend(); ++it)
    if (auto found = it->metrics.find(name); found != it->metrics.end()) return found->second;
  return std::nan("");
}

zmq::message_t frameOf(const std::string& bytes) { return zmq::message_t(bytes.data(), bytes.size()); }

}  // namespace

class TestHybridLive : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kRunProgram).isExecutable(), qPrintable(kRunProgram + " is not built"));
    QVERIFY2(QFileInfo(kWorkerProgram).isExecutable(), qPrintable(kWorkerProgram + " is not built"));
  }

  // (a)
  void randomAndTruncatedFramesAreRefused() {
    const Vector values = Vector::LinSpaced(17, -1.0, 3.0);
    HybridMeta meta;
    Vector out;
    std::string why;
    // Random and truncated frames: refused, never a crash.
    std::mt19937_64 random(42);
    const Message good = makeHybrid(MessageKind::LzCoef, HybridMeta{.step = 3}, values);
    const std::string metaBytes(static_cast<const char*>(good.payload[0].data()), good.payload[0].size());
    const std::string vectorBytes(static_cast<const char*>(good.payload[1].data()), good.payload[1].size());
    int refused = 0;
    for (int trial = 0; trial < 2000; ++trial) {
      Message message = Message::of(MessageKind::LzCoef);
      const int shape = trial % 4;
      auto randomBytes = [&](std::size_t size) {
        std::string bytes(size, '\0');
        for (auto& c : bytes) c = static_cast<char>(random() & 0xff);
        return bytes;
      };
      if (shape == 0) {  // truncated meta
        message.payload.push_back(frameOf(metaBytes.substr(0, random() % metaBytes.size())));
        message.payload.push_back(frameOf(vectorBytes));
      } else if (shape == 1) {  // truncated vector
        message.payload.push_back(frameOf(metaBytes));
        message.payload.push_back(frameOf(vectorBytes.substr(0, random() % vectorBytes.size())));
      } else if (shape == 2) {  // random frames, random count
        const std::size_t frames = random() % 4;
        for (std::size_t f = 0; f < frames; ++f)
          message.payload.push_back(frameOf(randomBytes(random() % 200)));
      } else {  // random vector frame of the right length
        message.payload.push_back(frameOf(metaBytes));
        std::string bytes = randomBytes(vectorBytes.size());
        if (random() % 2) bytes[0] = 1;  // a valid encoding, random count
        message.payload.push_back(frameOf(bytes));
      }
      if (!parseHybrid(message, values.size(), &meta, &out, &why)) ++refused;
    }
    QVERIFY2(refused >= 1500, std::to_string(refused).c_str());
    // A non-hybrid kind is never parsed as one.
    Message other = makeHybrid(MessageKind::LzCoef, HybridMeta{}, values);
    other.kind = MessageKind::Grad;
    QVERIFY(!parseHybridMeta(other, &meta, &why));
  }

  // (b) and (c)
  void liveModelAndSocketBytesEqualTheSimulators_data() {
    QTest::addColumn<QString>("algorithm");
    QTest::addColumn<QString>("mode");
    QTest::addColumn<int>("workers");
    QTest::newRow("dho2-S-P2") << "dho2"
                               << "S" << 2;
    QTest::newRow("dho2-R-P2") << "dho2"
                               << "R" << 2;
    QTest::newRow("dho2-S-P3") << "dho2"
                               << "S" << 3;
    QTest::newRow("dist-adam-P2") << "dist-adam"
                                  << "" << 2;
    QTest::newRow("dist-sgdm-P2") << "dist-sgdm"
                                  << "" << 2;
    QTest::newRow("fosi-P3") << "fosi"
                             << "" << 3;
  }

  void liveModelAndSocketBytesEqualTheSimulators() {
    QFETCH(QString, algorithm);
    QFETCH(QString, mode);
    QFETCH(int, workers);
    // Heavy-ball momentum at lr 0.05 grows this quadratic's loss a million-fold within the 18 steps,
    // which ends the run as diverged (core/sim/divergence); 0.005 moves it and stays bounded.
    json params = algorithm == "dist-sgdm"        ? json{{"lr", 0.005}}
                  : algorithm.startsWith("dist") ? json{{"lr", 0.05}}
                                                 : dho2Params(mode.toStdString());
    if (algorithm == "fosi") params.erase("update_mode");
    // 18 steps with T = 6, W = 1: estimates before steps 0, 6 and 12; the one due before step 18 must
    // not start, since the run stops there (as the simulator does).
    const json document = quadraticDocument(algorithm.toStdString(), params, workers, 18);
    LiveResult live;
    std::string why;
    QVERIFY2(runLive(document, &live, &why), why.c_str());
    CollectingSink simSink;
    const Vector sim = runSim(document, simSink);

    QCOMPARE(live.model.size(), sim.size());
    const double scale = std::max(1.0, sim.cwiseAbs().maxCoeff());
    const double diff = (live.model - sim).cwiseAbs().maxCoeff() / scale;
    QVERIFY2(diff <= 1e-12, std::to_string(diff).c_str());
    QVERIFY2((sim - quadraticStart(document)).norm() > 1e-3, "the run did not move");

    if (!algorithm.startsWith("dist")) {
      QCOMPARE(lastMetric(live.sink, "ese_count"), 3.0);
      for (int p = 0; p < workers; ++p)
        QVERIFY(lastMetric(live.sink, "curvature_memory_bytes." + std::to_string(p)) > 0.0);
    }

    // Bytes at the socket = the simulator's charge (hybridMessageBytes per message) + the routing
    // identity frame, per worker, direction and kind; the message counts agree.
    std::int64_t identity = -1;
    int kinds = 0;
    for (const auto& [key, simValue] : simSink.bandwidth) {
      const auto& [worker, upward, kind] = key;
      const std::string label = std::to_string(worker) + (upward ? " up " : " down ") + kind;
      const auto found = live.sink.bandwidth.find(key);
      QVERIFY2(found != live.sink.bandwidth.end(), ("live run has no " + label).c_str());
      auto [liveBytes, liveMessages] = found->second;
      auto [simBytes, simMessages] = simValue;
      if (kind == "HY_GRAD" && upward && liveMessages == simMessages + 1) {
        // The next step's gradient may reach the coordinator before it stops the workers.
        liveBytes -= liveBytes / liveMessages;
        liveMessages -= 1;
      }
      QVERIFY2(
          liveMessages == simMessages,
          (label + ": live " + std::to_string(liveMessages) + " sim " + std::to_string(simMessages)).c_str());
      const auto surplus = static_cast<std::int64_t>(liveBytes) - static_cast<std::int64_t>(simBytes);
      QVERIFY2(surplus % static_cast<std::int64_t>(simMessages) == 0, label.c_str());
      const std::int64_t perMessage = surplus / static_cast<std::int64_t>(simMessages);
      if (identity < 0) identity = perMessage;
      QVERIFY2(perMessage == identity && identity > 0 && identity <= 255,
               (label + ": " + std::to_string(perMessage) + " extra bytes per message").c_str());
      ++kinds;
    }
    QVERIFY(kinds >= 3);
    // And no hybrid kind went over the wire that the simulator did not charge.
    for (const auto& [key, value] : live.sink.bandwidth) {
      const auto& kind = std::get<2>(key);
      if (kind.rfind("HY_", 0) == 0 || kind.rfind("LZ_", 0) == 0)
        QVERIFY2(simSink.bandwidth.count(key) == 1 || (kind == "HY_GRAD" && std::get<1>(key)), kind.c_str());
    }
  }

  // The ESE batch (ese_batch: the first 24 of 48 samples) split over 4 live curvature devices, 6 samples
  // each, on an MLP: the same iterates as the simulator, whose HVP is the mean of the same four shares.
  // A curvature estimate larger than the worker socket's default frame limit (two model vectors, at
  // least 4 MiB): MR-DHO2's HY_ESTIMATE of k = 24 Ritz vectors of d = 30000 is 5.8 MB. The worker's limit
  // follows the family's largest downlink, so the trainers get it (the link was cut before, the run
  // failed with a lost worker and no estimate was ever installed).
  void anEstimateBeyondTheDefaultFrameLimitArrives() {
    json params = dho2Params("");
    params.erase("update_mode");
    params["k"] = 24;
    params["m"] = 30;
    params["T"] = 2;
    params["lr"] = 0.001;  // 0.005 diverges here once the estimates are installed
    params["hvp_cost"] = 0.01;
    // Long enough (about 0.9 s) for the estimates' real Lanczos traffic to complete a few times.
    json document = quadraticDocument("mr-dho2", params, 3, 150);
    document["problem"]["params"]["d"] = 30000;
    LiveResult live;
    std::string why;
    QVERIFY2(runLive(document, &live, &why), why.c_str());
    QVERIFY2(!std::isnan(lastMetric(live.sink, "lambda_max")), "no estimate was installed");
    QVERIFY(!std::isnan(lastMetric(live.sink, "staleness_last")));
  }

  void liveEqualsSimulatorWithAnEseBatch() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string directory = dir.path().toStdString();
    writeTinyIdx(directory + "/images", directory + "/labels", 48);
    json params = dho2Params("S");
    params["lr"] = 0.05;
    params["k"] = 3;
    params["m"] = 10;
    params["T"] = 4;
    params["c_max"] = 3;
    params["ese_batch"] = 24;
    const json document = mlpDocument(directory, params, 4, 12);
    LiveResult live;
    std::string why;
    QVERIFY2(runLive(document, &live, &why), why.c_str());
    CollectingSink simSink;
    const Vector sim = runSim(document, simSink);
    const double diff = (live.model - sim).cwiseAbs().maxCoeff() / std::max(1.0, sim.cwiseAbs().maxCoeff());
    QVERIFY2(diff <= 1e-12, std::to_string(diff).c_str());
    QCOMPARE(lastMetric(live.sink, "ese_count"), 3.0);
    QCOMPARE(lastMetric(live.sink, "lambda_max"), lastMetric(simSink, "lambda_max"));
    // The batch matters: the whole training set gives another estimate.
    json whole = document;
    whole["algorithm"]["params"]["ese_batch"] = 0;
    CollectingSink wholeSink;
    runSim(whole, wholeSink);
    QVERIFY(std::abs(lastMetric(wholeSink, "lambda_max") - lastMetric(simSink, "lambda_max")) > 1e-9);
  }

  // MR-DHO2: training never waits for the curvature worker; estimates are installed with their age
  // recorded, and losing the curvature worker leaves training running on the last estimate.
  void mrDho2TrainsWhileCurvatureRuns() {
    json params = dho2Params("R");
    params.erase("update_mode");
    params["curvature_workers"] = 1;
    params["T_snap"] = 0;
    const json document = quadraticDocument("mr-dho2", params, 3, 60);
    LiveResult live;
    std::string why;
    QVERIFY2(runLive(document, &live, &why), why.c_str());
    QVERIFY(live.model.allFinite());
    const double estimates = lastMetric(live.sink, "ese_count");
    QVERIFY2(estimates >= 2.0, std::to_string(estimates).c_str());
    const double staleness = lastMetric(live.sink, "staleness_last");
    QVERIFY2(staleness >= 1.0, std::to_string(staleness).c_str());  // the estimate arrived while training ran
    QVERIFY(std::isfinite(lastMetric(live.sink, "lambda_max")));
    QVERIFY(lastMetric(live.sink, "curvature_memory_bytes.2") > 0.0);
    // The curvature worker computed no gradient, the trainers no HVP.
    for (const auto& [key, value] : live.sink.bandwidth) {
      const auto& [worker, upward, kind] = key;
      if (upward && kind == "HY_GRAD") QVERIFY(worker < 2);
      if (upward && kind == "LZ_HVP") QCOMPARE(worker, 2);
    }
    const auto estimatesDown = live.sink.bandwidth.find({0, false, "HY_ESTIMATE"});
    QVERIFY(estimatesDown != live.sink.bandwidth.end());
    QVERIFY(estimatesDown->second.second >= 2);
  }

  // MR-DHO2 with stop_the_world: training waits for every estimate, so which step installs it does not
  // depend on timing, and the live run's model is the simulator's (it was refused live before the
  // roles were one code; they now hold the wait on both transports).
  void mrDho2StopTheWorldLiveEqualsSimulator() {
    json params = dho2Params("R");
    params.erase("update_mode");
    params["curvature_workers"] = 1;
    params["stop_the_world"] = true;
    const json document = quadraticDocument("mr-dho2", params, 3, 18);
    LiveResult live;
    std::string why;
    QVERIFY2(runLive(document, &live, &why), why.c_str());
    CollectingSink simSink;
    const Vector sim = runSim(document, simSink);
    const double scale = std::max(1.0, sim.cwiseAbs().maxCoeff());
    const double diff = (live.model - sim).cwiseAbs().maxCoeff() / scale;
    QVERIFY2(diff <= 1e-12, std::to_string(diff).c_str());
    QVERIFY2((sim - quadraticStart(document)).norm() > 1e-3, "the run did not move");
    QCOMPARE(lastMetric(live.sink, "ese_count"), lastMetric(simSink, "ese_count"));
    QVERIFY(lastMetric(live.sink, "ese_count") >= 2.0);
    QCOMPARE(lastMetric(live.sink, "staleness_last"), lastMetric(simSink, "staleness_last"));
  }

  void mrDho2SurvivesALostCurvatureWorker() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    json params = dho2Params("R");
    params.erase("update_mode");
    params["curvature_workers"] = 1;
    params["T_snap"] = 0;
    json document = quadraticDocument("mr-dho2", params, 3, 600);
    document["workers"]["unit_ms"] = 5;
    const QString path = writeJson(dir, "run.json", document);
    const QString out = dir.filePath("out");
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{path, "--out", out, "--quiet", "--no-store"}));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    std::string last;
    QVERIFY2(waitUntilRunning(coordinator.controlEndpoint, 10, &last),
             (last + "\n" + coordinator.describe()).c_str());
    const pid_t victim = workerPid(coordinator.pid(), 2);
    QVERIFY(victim > 0);
    QCOMPARE(::kill(victim, SIGKILL), 0);
    QCOMPARE(coordinator.waitForExit(60'000), 0);
    const json summary = readJsonFile(out + "/summary.json");
    QVERIFY2(!summary.is_discarded(), coordinator.describe().c_str());
    QCOMPARE(summary.at("termination"), json("update_limit"));
    QCOMPARE(summary.at("updates_applied"), json(600));
    QCOMPARE(summary.at("worker_status").at(2).at("state"), json("dead"));
  }

 private:
  static Vector quadraticStart(const json& document) {
    json copy = document;
    copy["engine"] = "sim";
    const distopt::Experiment experiment = distopt::parseExperiment(copy, ".");
    return distopt::buildRun(experiment).familyContext.x0;
  }
};

QTEST_GUILESS_MAIN(TestHybridLive)
#include "test_hybrid_live.moc"
