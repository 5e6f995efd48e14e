// The Kronecker family on real processes (net/PROTOCOL.md §13; kronecker-async §3.9, oracle §5.12):
// - the KRON_* frames: random, truncated and mismatched frames refused, never a crash;
// - staleness 0 on K ∈ {1, 2, 4} workers: the simulator reproduces the single-process iterates (loss
//   and ||∇L||² at every evaluation to 1e-12); that the live run is exactly the simulator's, the
//   frames' round trips and a killed worker are test_net_family_live_conformance's;
// - staleness 2: every PARTIAL's delay in [0, 2], the update limit met, the family metrics present;
// - no message size depends on d: d = 64 and d = 4096 give the same bytes per kind at the socket.

#include <cmath>
#include <map>

#include "core/config/experiment.hpp"
#include "core/kronecker/kron_driver.hpp"
#include "core/util/random_stream.hpp"
#include "family_documents.hpp"
#include "live_test_support.hpp"
#include "net/families/kronecker/kron_messages.hpp"

using namespace live_test;
using namespace distopt;
using namespace distopt::net;
using family_documents::kronExperiment;

namespace {


struct Finished {
  int exitCode = -1;
  json summary;
  std::vector<EventRow> events;
  std::map<std::uint64_t, std::pair<double, double>> points;  // updates -> (loss, ||grad||^2)
  std::set<std::string> metricNames;
  std::string log;
  QString out;
};

/// updates -> (loss, grad_norm_sq) from evaluations.csv (the last row of each update count).
std::map<std::uint64_t, std::pair<double, double>> readPoints(const QString& directory) {
  std::map<std::uint64_t, std::pair<double, double>> points;
  std::ifstream in((directory + "/evaluations.csv").toStdString());
  std::string line;
  if (!std::getline(in, line) || line.rfind("time,updates,loss,gap,grad_norm_sq", 0) != 0) return points;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) f.push_back(field);
    if (f.size() < 5) continue;
    points[std::stoull(f[1])] = {std::stod(f[2]), f[4].empty() ? NAN : std::stod(f[4])};
  }
  return points;
}

std::set<std::string> readMetricNames(const QString& directory) {
  std::set<std::string> names;
  std::ifstream in((directory + "/metrics.csv").toStdString());
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) f.push_back(field);
    if (f.size() == 4) names.insert(f[2]);
  }
  return names;
}

Finished run(const QTemporaryDir& dir, const QString& name, const json& document) {
  const QString path = writeJson(dir, name + ".json", document);
  Finished finished;
  finished.out = dir.filePath(name);
  Coordinator coordinator;
  if (!coordinator.start(
          QStringList{path, "--out", finished.out, "--quiet", "--store", dir.filePath(name + ".sqlite")}))
    return finished;
  finished.exitCode = coordinator.waitForExit(90'000);
  finished.log = coordinator.describe();
  finished.summary = readJsonFile(finished.out + "/summary.json");
  if (auto events = readEvents(finished.out)) finished.events = std::move(*events);
  finished.points = readPoints(finished.out);
  finished.metricNames = readMetricNames(finished.out);
  return finished;
}

/// Final cumulative (bytes, messages) per "KIND up|down" summed over workers, from the run's store.
std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> bytesByKind(const QString& store) {
  std::map<std::tuple<int, bool, std::string>, BandwidthSample> last;
  auto opened = RunStore::open(store.toStdString());
  const auto runs = opened->listRuns();
  if (runs.size() != 1) return {};
  for (const auto& sample : opened->loadBandwidth(runs.front().id)) {
    auto& slot = last[{sample.worker, sample.uplink, sample.kind}];
    if (sample.messages >= slot.messages) slot = sample;
  }
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> totals;
  for (const auto& [key, sample] : last) {
    auto& total = totals[sample.kind + (sample.uplink ? " up" : " down")];
    total.first += sample.bytes;
    total.second += sample.messages;
  }
  return totals;
}

template <typename T>
bool parses(const Message& message) {
  T out;
  std::string why;
  return parseKronMessage(message, out, &why);
}

bool parsesAsAny(const Message& message) {
  return parses<kron::InitMessage>(message) || parses<kron::ReadyMessage>(message) ||
         parses<kron::StartMessage>(message) || parses<kron::BatchMessage>(message) ||
         parses<kron::PartialMessage>(message) || parses<kron::ResidMessage>(message) ||
         parses<kron::LossMessage>(message) || parses<kron::CoFireMessage>(message) ||
         parses<kron::EvalMessage>(message) || parses<kron::StatsMessage>(message);
}

Message withFrame(MessageKind kind, const kron::Bytes& bytes) {
  Message message = Message::of(kind);
  message.payload.emplace_back(bytes.data(), bytes.size());
  return message;
}

}  // namespace

class TestKronLive : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kRunProgram).isExecutable(), qPrintable(kRunProgram + " is not built"));
    QVERIFY2(QFileInfo(kWorkerProgram).isExecutable(), qPrintable(kWorkerProgram + " is not built"));
  }

  void malformedFramesAreRefused() {
    kron::InitMessage init{.m = 6, .n = 3, .d1 = 2, .d2 = 2, .batch = 2, .threshold = 0.5, .blockEnd = 6};
    init.u = Eigen::MatrixXd::Random(2, 3);
    init.v = Eigen::MatrixXd::Random(2, 3);
    std::vector<Message> valid;
    valid.push_back(makeKronMessage(init));
    valid.push_back(makeKronMessage(kron::ReadyMessage{.firedPairs = 9}));
    valid.push_back(makeKronMessage(kron::StartMessage{.eta = 0.25}));
    valid.push_back(makeKronMessage(kron::BatchMessage{.iteration = 4, .indices = {2, 0}}));
    valid.push_back(makeKronMessage(
        kron::PartialMessage{.iteration = 4, .appliedVersion = 3, .sums = {1.5, -2.0}, .counts = {3, 0}}));
    valid.push_back(makeKronMessage(kron::ResidMessage{.iteration = 4, .residuals = {0.1, 0.2}}));
    valid.push_back(
        makeKronMessage(kron::LossMessage{.version = 5, .firedPairs = 7, .outputSums = {1, 2, 3}}));
    valid.push_back(makeKronMessage(kron::CoFireMessage{.version = 5, .n = 2, .upper = {1, 2, 3}}));
    valid.push_back(makeKronMessage(kron::EvalMessage{.version = 5, .coFire = true}));
    valid.push_back(makeKronMessage(
        kron::StatsMessage{.version = 5, .nnz = 8, .updatedNeurons = 4, .flips = 2, .cpuSeconds = 0.5}));
    // Valid to start with: what follows breaks them one way at a time.
    for (const Message& message : valid) QVERIFY(parsesAsAny(message));
    for (const Message& message : valid) {
      const auto& frame = message.payload.front();
      const kron::Bytes bytes(static_cast<const std::uint8_t*>(frame.data()),
                              static_cast<const std::uint8_t*>(frame.data()) + frame.size());
      // Truncated by any amount, or one byte longer: refused as every type.
      for (std::size_t cut = 1; cut <= bytes.size(); ++cut) {
        const kron::Bytes shorter(bytes.begin(), bytes.end() - static_cast<std::ptrdiff_t>(cut));
        // Variable-length lists: a shorter whole list is well formed (COFIRE: a triangle), a cut
        // element is not.
        std::size_t element = 0;
        if (message.kind == MessageKind::KronBatch) element = 4;
        if (message.kind == MessageKind::KronResid || message.kind == MessageKind::KronLoss) element = 8;
        if (message.kind == MessageKind::KronPartial) element = 12;
        if (element && cut % element == 0 && cut + 16 < bytes.size()) continue;
        if (message.kind == MessageKind::KronCoFire && cut == 8) continue;  // n = 1: one entry
        QVERIFY2(!parsesAsAny(withFrame(message.kind, shorter)), messageKindName(message.kind));
      }
      kron::Bytes longer = bytes;
      longer.push_back(0);
      if (message.kind != MessageKind::KronLoss && message.kind != MessageKind::KronResid &&
          message.kind != MessageKind::KronBatch && message.kind != MessageKind::KronCoFire)
        QVERIFY2(!parsesAsAny(withFrame(message.kind, longer)), messageKindName(message.kind));
      // The right bytes under another kind, with a non-zero pad byte, or in two frames.
      const auto other = static_cast<MessageKind>(
          static_cast<int>(message.kind) == 73 ? 64 : static_cast<int>(message.kind) + 1);
      QVERIFY(!parsesAsAny(withFrame(other, bytes)));
      kron::Bytes padded = bytes;
      padded[3] = 1;
      QVERIFY(!parsesAsAny(withFrame(message.kind, padded)));
      Message two = withFrame(message.kind, bytes);
      two.payload.emplace_back(bytes.data(), bytes.size());
      QVERIFY(!parsesAsAny(two));
      QVERIFY(!parsesAsAny(Message::of(message.kind)));
    }
    // Unknown flag bits.
    kron::Bytes eval = kron::encode(kron::EvalMessage{.version = 1});
    eval[16] = 2;
    QVERIFY(!parsesAsAny(withFrame(MessageKind::KronEval, eval)));
    kron::Bytes statsBytes = kron::encode(kron::StatsMessage{.version = 1});
    statsBytes[40] = 4;
    QVERIFY(!parsesAsAny(withFrame(MessageKind::KronStats, statsBytes)));

    // Random frames under every kind: whatever parses must have the kind's own type byte.
    RandomStream stream = RandomStream::fromSeed(11);
    for (int trial = 0; trial < 4000; ++trial) {
      kron::Bytes junk(static_cast<std::size_t>(stream.uniformInt(160)));
      for (auto& byte : junk) byte = static_cast<std::uint8_t>(stream.uniformInt(256));
      const auto kind = static_cast<MessageKind>(64 + stream.uniformInt(10));
      if (!junk.empty() && trial % 2 == 0) {
        junk[0] = static_cast<std::uint8_t>(static_cast<int>(kind) - 63);
        for (std::size_t i = 1; i < std::min<std::size_t>(8, junk.size()); ++i) junk[i] = 0;
      }
      const Message message = withFrame(kind, junk);
      if (parsesAsAny(message)) QCOMPARE(static_cast<int>(junk[0]), static_cast<int>(kind) - 63);
    }
  }

  // kronecker-async §5.12: K ∈ {1, 2, 4} workers at τ = 0 reproduce the single-process losses (and
  // ||∇L||²): simulated here; live = simulated, bit for bit, in test_net_family_live_conformance.
  void stalenessZeroSimulatorReproducesTheSingleProcessIterates() {
    constexpr int kUpdates = 12;
    const json base = kronExperiment("sim", 1, 0, 4, 3, kUpdates);
    BuiltRun built = buildRun(parseExperiment(base, "."));
    const auto& problem = dynamic_cast<const KronTwoLayerProblem&>(*built.problem);
    KronSequentialDriver single(
        problem, KronDriverOptions{
                     .algorithm = KronAlgorithm::Fast, .workers = 1, .samplerSeed = built.rules.seed});
    std::map<std::uint64_t, std::pair<double, double>> reference;
    for (int t = 0; t <= kUpdates; ++t) {
      if (t % 4 == 0) {
        const EvaluationPoint point = single.evaluate(true);
        reference[static_cast<std::uint64_t>(t)] = {point.loss, *point.gradNormSq};
      }
      if (t < kUpdates) single.step();
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const int workers : {1, 2, 4}) {
      const Finished sim =
          run(dir, QString("sim%1").arg(workers), kronExperiment("sim", workers, 0, 4, 3, kUpdates));
      QVERIFY2(sim.exitCode == 0, sim.log.c_str());
      QCOMPARE(sim.summary.at("termination"), json("update_limit"));
      QCOMPARE(sim.summary.at("updates_applied").get<int>(), kUpdates);
      QCOMPARE(sim.points.size(), reference.size());
      for (const auto& [updates, values] : reference) {
        QVERIFY2(sim.points.count(updates), std::to_string(updates).c_str());
        const auto [loss, gradNorm] = sim.points.at(updates);
        QVERIFY2(std::abs(loss - values.first) <= 1e-12 * values.first,
                 (std::to_string(loss) + " vs " + std::to_string(values.first)).c_str());
        QVERIFY(std::abs(gradNorm - values.second) <= 1e-12 * values.second);
      }
    }
  }

  void pipelinedDelaysStayWithinStaleness() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    json document = kronExperiment("live", 3, 2, 4, 3, 40, "jitter");
    document["workers"]["unit_ms"] = 2.0;
    const Finished live = run(dir, "piped", document);
    QVERIFY2(live.exitCode == 0, live.log.c_str());
    QCOMPARE(live.summary.at("termination"), json("update_limit"));
    QCOMPARE(live.summary.at("updates_applied").get<int>(), 40);
    QCOMPARE(live.events.size(), std::size_t{3 * 40});
    long long maxDelay = 0;
    for (const auto& e : live.events) {
      QVERIFY2(e.delay >= 0 && e.delay <= 2, std::to_string(e.delay).c_str());
      QCOMPARE(static_cast<long long>(e.job - e.jobVersion), e.delay);
      maxDelay = std::max(maxDelay, e.delay);
      QCOMPARE(e.bytes, live.events.front().bytes);  // PARTIAL: 24 + 12S whatever the iteration
    }
    QVERIFY2(maxDelay >= 1, "the pipeline never ran ahead");
    QCOMPARE(live.summary.at("delay_max").get<long long>(), maxDelay);
    for (const char* name : {"fired_fraction", "iteration_seconds", "fired_fraction_all", "nnz",
                             "updated_neurons", "flips", "batch_loss", "eta"})
      QVERIFY2(live.metricNames.count(name), name);
    QVERIFY(live.points.count(40));
    QVERIFY(live.points.at(40).first < live.points.at(0).first);
  }

  // kronecker-async §5.12: no message size depends on d.
  void messageSizesDoNotDependOnD() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Finished small = run(dir, "d64", kronExperiment("live", 2, 0, 8, 8, 8));
    const Finished large = run(dir, "d4096", kronExperiment("live", 2, 0, 64, 64, 8));
    QVERIFY2(small.exitCode == 0, small.log.c_str());
    QVERIFY2(large.exitCode == 0, large.log.c_str());
    const auto a = bytesByKind(dir.filePath("d64.sqlite"));
    const auto b = bytesByKind(dir.filePath("d4096.sqlite"));
    int compared = 0;
    for (const auto& [key, value] : a) {
      if (key.rfind("KRON_", 0) != 0) continue;
      QVERIFY2(b.count(key), key.c_str());
      if (key.rfind("KRON_INIT", 0) == 0) {
        QVERIFY(b.at(key).first > value.first);  // the data: 8n(d1 + d2)
        continue;
      }
      QVERIFY2(value == b.at(key),
               (key + ": " + std::to_string(value.first) + " vs " + std::to_string(b.at(key).first)).c_str());
      ++compared;
    }
    for (const char* kind :
         {"KRON_BATCH down", "KRON_PARTIAL up", "KRON_RESID down", "KRON_LOSS up", "KRON_EVAL down",
          "KRON_STATS up", "KRON_COFIRE up", "KRON_READY up", "KRON_START down"})
      QVERIFY2(a.count(kind), kind);
    QCOMPARE(a.at("KRON_BATCH down").second, std::uint64_t{2 * 8});
    QVERIFY(compared >= 9);
  }
};

QTEST_GUILESS_MAIN(TestKronLive)
#include "test_kron_live.moc"
