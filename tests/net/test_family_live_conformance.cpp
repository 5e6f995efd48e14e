// One live conformance harness for every family that runs its own roles (core/registry/family.hpp,
// FamilyDriver::Roles), one data row per family, three checks each:
//   framesRoundTrip: every known kind of the family's range (net/protocol/message.hpp) built by the
//     family's builder, through net::encode and net::decode, parsed back equal; the same message cut
//     short by one byte, or carried under another family's kind, is refused with a reason;
//   liveEqualsSimulator: the same documents run by distopt-run with engine "live" and "sim" give the
//     same evaluations.csv (updates, loss, gap, ||grad||², accuracy as text: the same bits), end at the
//     update limit with every worker alive, and agree on the row's family metrics;
//   killedWorkerFailsTheRunNamingIt: worker 1 SIGKILLed mid-run ends the run "failed" with a reason
//     naming it, every other worker process ends, and the store records the run as finished.
// The rows are generated from the family table, so a new role family without a harness entry here
// fails every slot; a kind added to a family's range without a frame case fails framesRoundTrip.
// The family-specific checks stay in test_compressed_live, test_decentralized_live, test_hybrid_live
// and test_kron_live.
#include <QtTest>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "core/codec/dense_codec.hpp"
#include "core/decentralized/gossip_message.hpp"
#include "core/hybrid/dho2.hpp"
#include "core/registry/family.hpp"
#include "decentralized_live_support.hpp"
#include "family_documents.hpp"
#include "live_test_support.hpp"
#include "net/families/compressed/compressed_messages.hpp"
#include "net/families/decentralized/decentralized_messages.hpp"
#include "net/families/hybrid/hybrid_messages.hpp"
#include "net/families/kronecker/kron_messages.hpp"

using namespace live_test;
using namespace distopt;
using namespace distopt::net;
using decentralized_live::sampleReport;

namespace {

// ---- frames ----

enum class Parsed { Equal, Differs, Refused };

/// One message of a family: how to build it and how to parse it back and compare it with what was built.
struct FrameCase {
  MessageKind kind;
  std::string label;
  std::function<Message()> build;
  /// Refused (with *why set) when the family's parser refuses the message.
  std::function<Parsed(const Message&, std::string* why)> parse;
};

/// `equal` is asked only of a parsed message (what a refused parse leaves behind may be anything).
Parsed equalIf(bool parsed, const std::function<bool()>& equal) {
  if (!parsed) return Parsed::Refused;
  return equal() ? Parsed::Equal : Parsed::Differs;
}

/// The message as a peer receives it: encoded to frames and decoded again.
std::optional<Message> throughTheWire(Message&& message) {
  auto frames = encode(std::move(message));
  DecodeError error = DecodeError::None;
  return decode(std::move(frames), &error);
}

/// `message` with its last payload frame one byte shorter.
Message truncated(Message&& message) {
  auto& last = message.payload.back();
  last = zmq::message_t(last.data(), last.size() - 1);
  return std::move(message);
}

std::string bytesOf(const zmq::message_t& frame) {
  return {static_cast<const char*>(frame.data()), frame.size()};
}

// compressed (PROTOCOL.md §10)
constexpr std::uint64_t kCompressedN = 37;

EncodedMessage encodedOf(CodecId codec, std::size_t bytes) {
  EncodedMessage message;
  message.codec = codec;
  message.payloadBits = 8 * bytes;
  for (std::size_t i = 0; i < bytes; ++i) message.bytes.push_back(static_cast<std::uint8_t>(0x35 + 7 * i));
  return message;
}

bool sameEncoding(const EncodedMessage& a, const EncodedMessage& b) {
  return a.codec == b.codec && a.payloadBits == b.payloadBits && a.bytes == b.bytes;
}

std::vector<FrameCase> compressedFrames() {
  std::vector<FrameCase> cases;
  cases.push_back(
      {MessageKind::CompRoundStart, "round 0",
       [] { return makeRoundOrder({.round = 0, .startTime = 0.0, .downlink = std::nullopt}, kCompressedN); },
       [](const Message& m, std::string* why) {
         RoundOrder order;
         const bool ok = parseRoundOrder(m, kCompressedN, &order, why);
         return equalIf(ok, [&] { return order.round == 0 && order.startTime == 0.0 && !order.downlink; });
       }});
  // One codec per class, in class order (the kinds follow the classes).
  const CodecId codecs[] = {CodecId::DenseF32, CodecId::Sign1,          CodecId::ScaledSign,
                            CodecId::TernT2,   CodecId::SparseSignRice, CodecId::SparseF32Bitmap,
                            CodecId::QsgdElias};
  for (const CodecId codec : codecs) {
    const EncodedMessage payload = encodedOf(codec, 9);
    const CodecClass klass = codecClass(codec);
    cases.push_back({downlinkKind(klass), std::string("down ") + codecName(codec),
                     [payload] {
                       return makeRoundOrder({.round = 7, .startTime = 3.25, .downlink = payload},
                                             kCompressedN);
                     },
                     [payload](const Message& m, std::string* why) {
                       RoundOrder order;
                       const bool ok = parseRoundOrder(m, kCompressedN, &order, why);
                       return equalIf(ok, [&] {
                         return order.round == 7 && order.startTime == 3.25 && order.downlink &&
                                sameEncoding(*order.downlink, payload);
                       });
                     }});
    cases.push_back({uplinkKind(klass), std::string("up ") + codecName(codec),
                     [payload] {
                       return makeUplink({.round = 12,
                                          .tauTarget = 1.5,
                                          .computeTime = 0.004,
                                          .lowerBoundBits = 61.25,
                                          .message = payload},
                                         kCompressedN, 3);
                     },
                     [payload](const Message& m, std::string* why) {
                       UplinkReport report;
                       const bool ok = parseUplink(m, kCompressedN, 3, &report, why);
                       return equalIf(ok, [&] {
                         return report.round == 12 && report.tauTarget == 1.5 &&
                                report.computeTime == 0.004 && report.lowerBoundBits == 61.25 &&
                                report.message.lowerBoundBits == 61.25 &&
                                sameEncoding(report.message, payload);
                       });
                     }});
  }
  cases.push_back({MessageKind::CompHash, "hash",
                   [] { return makeReplicaHash(200, 0x0123456789ABCDEFull, kCompressedN, 5); },
                   [](const Message& m, std::string* why) {
                     std::uint64_t round = 0, hash = 0;
                     const bool ok = parseReplicaHash(m, kCompressedN, 5, &round, &hash, why);
                     return equalIf(ok, [&] { return round == 200 && hash == 0x0123456789ABCDEFull; });
                   }});
  return cases;
}

// decentralized (PROTOCOL.md §11)

std::vector<FrameCase> decentralizedFrames() {
  std::vector<FrameCase> cases;
  const double alpha = 0.1 / 3.0;  // not a short decimal: must arrive as the same double
  cases.push_back({MessageKind::DecStart, "start",
                   [alpha] { return makeDecStart({.iterations = 12, .reportEvery = 3, .alpha = alpha}); },
                   [alpha](const Message& m, std::string* why) {
                     DecStart start;
                     const bool ok = parseDecStart(m, &start, why);
                     return equalIf(ok, [&] {
                       return start.iterations == 12 && start.reportEvery == 3 && start.alpha == alpha;
                     });
                   }});
  cases.push_back({MessageKind::DecEndpoint, "endpoint",
                   [] { return makeDecEndpoint("tcp://127.0.0.1:4242"); },
                   [](const Message& m, std::string* why) {
                     std::string endpoint;
                     const bool ok = parseDecEndpoint(m, &endpoint, why);
                     return equalIf(ok, [&] { return endpoint == "tcp://127.0.0.1:4242"; });
                   }});
  const std::vector<PeerEndpoint> peers = {{1, "tcp://127.0.0.1:1"}, {3, "tcp://127.0.0.1:3"}};
  cases.push_back({MessageKind::DecPeers, "peers", [peers] { return makeDecPeers(peers); },
                   [peers](const Message& m, std::string* why) {
                     std::vector<PeerEndpoint> parsed;
                     const bool ok = parseDecPeers(m, &parsed, why);
                     return equalIf(ok, [&] { return parsed == peers; });
                   }});
  const Vector x = Vector::LinSpaced(3, -1.0, 1.0), y = Vector::Constant(3, 0.5),
               v = Vector::Constant(3, -2.0);
  const GossipTag tag{.iteration = 2, .phase = GossipPhase::Y, .round = 1, .sender = 3};
  // A node takes a gossip frame apart itself (decodeGossipMessage): the parse is both steps.
  cases.push_back(
      {MessageKind::DecGossip, "gossip",
       [tag, x] { return makeDecGossip(encodeGossipMessage(tag, x, VectorEncoding::DenseFloat64)); },
       [tag, x](const Message& m, std::string* why) {
         std::span<const std::uint8_t> view;
         GossipTag parsed;
         Vector values;
         const bool ok = parseDecGossip(m, &view, why) && decodeGossipMessage(view, 3, parsed, values, why);
         return equalIf(ok, [&] { return parsed == tag && values == x; });
       }});
  const NodeReport report = sampleReport(5, {1, 3});
  cases.push_back({MessageKind::DecProgress, "progress", [report] { return makeDecProgress(report); },
                   [report](const Message& m, std::string* why) {
                     NodeReport parsed;
                     const bool ok = parseDecReport(m, 3, true, &parsed, nullptr, why);
                     return equalIf(ok, [&] { return parsed == report; });
                   }});
  cases.push_back({MessageKind::DecState, "state, tracking",
                   [report, x, y, v] { return makeDecState(report, x, &y, &v); },
                   [report, x, y, v](const Message& m, std::string* why) {
                     NodeReport parsed;
                     NodeStateVectors state;
                     const bool ok = parseDecReport(m, 3, true, &parsed, &state, why);
                     return equalIf(ok, [&] {
                       return parsed == report && state.tracking && state.x == x && state.y == y &&
                              state.v == v;
                     });
                   }});
  cases.push_back({MessageKind::DecState, "state, DSGD",
                   [report, x] { return makeDecState(report, x, nullptr, nullptr); },
                   [report, x](const Message& m, std::string* why) {
                     NodeReport parsed;
                     NodeStateVectors state;
                     const bool ok = parseDecReport(m, 3, false, &parsed, &state, why);
                     return equalIf(ok, [&] { return parsed == report && state.x == x; });
                   }});
  return cases;
}

/// What the decentralized parsers must refuse besides truncation and a wrong kind.
void decentralizedFrameExtras() {
  DecStart start;
  std::string why;
  QVERIFY(!parseDecStart(makeDecStart({.iterations = 12, .reportEvery = 3, .alpha = 0.0}), &start, &why));
  QVERIFY(!parseDecStart(makeDecStart({.iterations = 12, .reportEvery = 0, .alpha = 1.0}), &start, &why));
  const NodeReport report = sampleReport(5, {1, 3});
  const Message progress = makeDecProgress(report);
  QCOMPARE(progress.payload.size(), std::size_t{1});
  QCOMPARE(progress.payload[0].size(), kDecReportFixedSize + 2 * kDecReportEdgeSize);
  // A tracking method's state carries y and v; a DSGD state does not, and each refuses the other.
  const Vector x = Vector::LinSpaced(3, -1.0, 1.0);
  NodeReport parsed;
  NodeStateVectors state;
  QVERIFY(!parseDecReport(makeDecState(report, x, nullptr, nullptr), 3, true, &parsed, &state, &why));
  QVERIFY(!parseDecReport(makeDecState(report, x, &x, &x), 3, false, &parsed, &state, &why));
  QVERIFY(!parseDecReport(makeDecState(report, x, nullptr, nullptr), 4, false, &parsed, &state, &why));
  GossipTag tag;
  QVERIFY(peekGossipTag(encodeGossipMessage({.sender = 3}, x, VectorEncoding::DenseFloat64), tag));
  QCOMPARE(tag.sender, std::uint32_t{3});
}

// hybrid-order (PROTOCOL.md §12)
constexpr MessageKind kHybridVectorKinds[] = {
    MessageKind::HyGrad,  MessageKind::HyProj,     MessageKind::HyParams,  MessageKind::LzStart,
    MessageKind::LzHvp,   MessageKind::LzCoef,     MessageKind::LzGather,  MessageKind::LzRitz,
    MessageKind::LzEigen, MessageKind::HySnapshot, MessageKind::HyEstimate};

bool sameMeta(const HybridMeta& a, const HybridMeta& b) {
  return a.step == b.step && a.iter == b.iter && a.part == b.part && a.value == b.value;
}

std::vector<FrameCase> hybridFrames() {
  std::vector<FrameCase> cases;
  const Vector values = Vector::LinSpaced(17, -1.0, 3.0);
  const HybridMeta meta{.step = 123456789012ULL, .iter = 7, .part = 1, .value = 2.5};
  for (const MessageKind kind : kHybridVectorKinds)
    cases.push_back({kind, std::string(messageKindName(kind)) + " with a vector",
                     [kind, meta, values] { return makeHybrid(kind, meta, values); },
                     [meta, values](const Message& m, std::string* why) {
                       HybridMeta parsed;
                       Vector back;
                       const bool ok = parseHybrid(m, values.size(), &parsed, &back, why);
                       return equalIf(ok, [&] { return sameMeta(parsed, meta) && back == values; });
                     }});
  // HY_BEGIN and the LZ_START restart request carry the meta frame only.
  for (const MessageKind kind : {MessageKind::HyBegin, MessageKind::LzStart})
    cases.push_back({kind, std::string(messageKindName(kind)) + " meta only",
                     [kind, meta] { return makeHybridMetaOnly(kind, meta); },
                     [meta](const Message& m, std::string* why) {
                       HybridMeta parsed;
                       Vector back;
                       const bool ok = parseHybrid(m, -1, &parsed, &back, why);
                       return equalIf(ok, [&] { return sameMeta(parsed, meta); });
                     }});
  return cases;
}

/// Sizes are what the simulator charges (hybridMessageBytes), and a vector of another shape is refused.
void hybridFrameExtras() {
  const Vector values = Vector::LinSpaced(17, -1.0, 3.0);
  for (const MessageKind kind : kHybridVectorKinds) {
    const Message message = makeHybrid(kind, HybridMeta{.step = 3}, values);
    std::size_t bytes = kHeaderSize;
    for (const auto& frame : message.payload) bytes += frame.size();
    QCOMPARE(bytes, static_cast<std::size_t>(hybridMessageBytes(values.size())));
    HybridMeta meta;
    Vector back;
    std::string why;
    QVERIFY(!parseHybrid(message, values.size() + 1, &meta, &back, &why));  // wrong count
    QVERIFY(!parseHybrid(message, -1, &meta, &back, &why));                 // a vector where none belongs
  }
  const Message begin = makeHybridMetaOnly(MessageKind::HyBegin, HybridMeta{});
  QCOMPARE(kHeaderSize + begin.payload[0].size(), static_cast<std::size_t>(hybridMessageBytes(-1)));
  HybridMeta meta;
  Vector back;
  std::string why;
  QVERIFY(!parseHybrid(begin, 3, &meta, &back, &why));
}

// Kronecker (PROTOCOL.md §13)
template <typename T>
FrameCase kronCase(MessageKind kind, const char* label, T value,
                   std::function<bool(const T&, const T&)> same) {
  return {kind, label, [value] { return makeKronMessage(value); },
          [value, same](const Message& m, std::string* why) {
            T parsed;
            const bool ok = parseKronMessage(m, parsed, why);
            return equalIf(ok, [&] { return same(parsed, value); });
          }};
}

std::vector<FrameCase> kronFrames() {
  using namespace kron;
  InitMessage init{.m = 6,
                   .n = 3,
                   .d1 = 2,
                   .d2 = 2,
                   .batch = 2,
                   .threshold = 0.5,
                   .dataSeed = 11,
                   .modelSeed = 12,
                   .blockBegin = 2,
                   .blockEnd = 6,
                   .staleness = 2,
                   .algorithm = 1,
                   .index = 1,
                   .gram = 1,
                   .resyncEvery = 5};
  init.u = Eigen::MatrixXd::Random(2, 3);
  init.v = Eigen::MatrixXd::Random(2, 3);
  std::vector<FrameCase> cases;
  cases.push_back(
      kronCase<InitMessage>(MessageKind::KronInit, "init", init, [](const auto& a, const auto& b) {
        return a.m == b.m && a.n == b.n && a.d1 == b.d1 && a.d2 == b.d2 && a.batch == b.batch &&
               a.threshold == b.threshold && a.dataSeed == b.dataSeed && a.modelSeed == b.modelSeed &&
               a.blockBegin == b.blockBegin && a.blockEnd == b.blockEnd && a.staleness == b.staleness &&
               a.algorithm == b.algorithm && a.index == b.index && a.gram == b.gram &&
               a.resyncEvery == b.resyncEvery && a.u == b.u && a.v == b.v;
      }));
  cases.push_back(
      kronCase<ReadyMessage>(MessageKind::KronReady, "ready", {.firedPairs = 9},
                             [](const auto& a, const auto& b) { return a.firedPairs == b.firedPairs; }));
  cases.push_back(kronCase<StartMessage>(MessageKind::KronStart, "start", {.eta = 0.25},
                                         [](const auto& a, const auto& b) { return a.eta == b.eta; }));
  cases.push_back(kronCase<BatchMessage>(
      MessageKind::KronBatch, "batch", {.iteration = 4, .indices = {2, 0}},
      [](const auto& a, const auto& b) { return a.iteration == b.iteration && a.indices == b.indices; }));
  cases.push_back(
      kronCase<PartialMessage>(MessageKind::KronPartial, "partial",
                               {.iteration = 4, .appliedVersion = 3, .sums = {1.5, -2.0}, .counts = {3, 0}},
                               [](const auto& a, const auto& b) {
                                 return a.iteration == b.iteration && a.appliedVersion == b.appliedVersion &&
                                        a.sums == b.sums && a.counts == b.counts;
                               }));
  cases.push_back(kronCase<ResidMessage>(
      MessageKind::KronResid, "resid", {.iteration = 4, .residuals = {0.1, 0.2}},
      [](const auto& a, const auto& b) { return a.iteration == b.iteration && a.residuals == b.residuals; }));
  cases.push_back(kronCase<LossMessage>(
      MessageKind::KronLoss, "loss", {.version = 5, .firedPairs = 7, .outputSums = {1, 2, 3}},
      [](const auto& a, const auto& b) {
        return a.version == b.version && a.firedPairs == b.firedPairs && a.outputSums == b.outputSums;
      }));
  cases.push_back(kronCase<CoFireMessage>(MessageKind::KronCoFire, "cofire",
                                          {.version = 5, .n = 2, .upper = {1, 2, 3}},
                                          [](const auto& a, const auto& b) {
                                            return a.version == b.version && a.n == b.n && a.upper == b.upper;
                                          }));
  cases.push_back(kronCase<EvalMessage>(
      MessageKind::KronEval, "eval", {.version = 5, .coFire = true},
      [](const auto& a, const auto& b) { return a.version == b.version && a.coFire == b.coFire; }));
  cases.push_back(kronCase<StatsMessage>(
      MessageKind::KronStats, "stats",
      {.version = 5, .nnz = 8, .updatedNeurons = 4, .flips = 2, .cpuSeconds = 0.5},
      [](const auto& a, const auto& b) {
        return a.version == b.version && a.nnz == b.nnz && a.updatedNeurons == b.updatedNeurons &&
               a.flips == b.flips && a.cpuSeconds == b.cpuSeconds;
      }));
  cases.push_back(kronCase<StatsMessage>(
      MessageKind::KronStats, "stats, naive (no flips)",
      {.version = 6, .nnz = 1, .updatedNeurons = 1, .cpuSeconds = 0.25}, [](const auto& a, const auto& b) {
        return a.version == b.version && !a.flips && !b.flips && a.cpuSeconds == b.cpuSeconds;
      }));
  return cases;
}

/// Every kron kind is 63 + its kron message type.
void kronFrameExtras() {
  for (int type = 1; type <= 10; ++type)
    QCOMPARE(static_cast<int>(kronKind(static_cast<kron::MessageType>(type))), 63 + type);
}

// ---- runs ----

/// A family metric compared live against simulated: exactly (as text) when `tolerance` is 0, else to that
/// relative tolerance; at the last evaluation, or at every one. (Some are measured live when the
/// evaluation is due, e.g. hybrid curvature memory at update 0 before the first estimate arrives.)
struct MetricCheck {
  std::string name;
  double tolerance = 0.0;
  bool everyEvaluation = false;
};

/// One document run both ways.
struct Variant {
  std::string label;
  json document;  ///< its "engine" is set by the harness
  std::uint64_t updates = 0;
  std::vector<MetricCheck> metrics;
  /// Compare every metric, but these measured ones (kept with `metrics` empty).
  std::optional<std::set<std::string>> allMetricsBut;
  /// Every worker's update events: one per worker and update, none delayed.
  bool synchronousEvents = false;
};

struct KillCase {
  json document;
  std::uint64_t runningAfter = 3;   ///< updates applied before worker 1 is killed
  std::vector<std::string> detail;  ///< in termination_detail
};

struct FamilyHarness {
  FamilyId family;
  std::function<std::vector<FrameCase>()> frames;
  std::function<void()> frameExtras;
  std::vector<Variant> variants;
  KillCase kill;
};

// The documents are the per-family tests' (tests/net/family_documents.hpp).
json compressedExperiment(const std::string& algorithm, const json& params, std::uint64_t rounds,
                          double unitMs = 1.0) {
  return family_documents::compressedExperiment(algorithm, params, 3, rounds, "live", unitMs);
}

json kronExperiment(int workers, int updates, const std::string& timeModel = "natural") {
  return family_documents::kronExperiment("live", workers, 0, 4, 3, updates, timeModel);
}

using family_documents::dho2Params;
const auto hybridExperiment = family_documents::hybridQuadraticDocument;

json decentralizedExperiment(const std::string& method, const std::string& graph, int rows, int workers,
                             std::uint64_t iterations, const json& extra) {
  json document = decentralized_live::p0Experiment(method, graph, rows, workers, iterations);
  document["algorithm"]["params"].update(extra);
  return document;
}




const std::vector<FamilyHarness>& harnesses() {
  static const std::vector<FamilyHarness> table = [] {
    std::vector<FamilyHarness> rows;

    const std::vector<MetricCheck> bits = {{"cumulative_bits_up", 0.0, true},
                                           {"cumulative_bits_down", 0.0, true}};
    FamilyHarness compressed{.family = FamilyId::Compressed,
                             .frames = compressedFrames,
                             .frameExtras = {},
                             .variants = {},
                             .kill = {}};
    for (const auto& [algorithm, params] :
         std::vector<std::pair<std::string, json>>{{"sgd", {{"gamma", 0.1}}},
                                                   {"signsgd-mv", {{"gamma", 0.002}}},
                                                   {"sparse-signsgd-mv", {{"gamma", 0.002}, {"rho", 50000}}},
                                                   {"topk-ef", {{"gamma", 0.1}, {"rho", 100000}}},
                                                   {"qsgd", {{"gamma", 0.1}, {"s", 4}}}})
      compressed.variants.push_back({.label = algorithm,
                                     .document = compressedExperiment(algorithm, params, 20),
                                     .updates = 20,
                                     .metrics = bits,
                                     .allMetricsBut = std::nullopt,
                                     .synchronousEvents = false});
    compressed.kill = {
        compressedExperiment("signsgd-mv", {{"gamma", 0.001}}, 1'000'000, 5.0), 3, {"worker 1"}};
    rows.push_back(std::move(compressed));

    // The family metrics of test_decentralized_live: counts exactly, optimality measures to 1e-12.
    const std::vector<MetricCheck> decentralizedMetrics = {
        {"communication_rounds"},   {"messages"},
        {"payload_bytes"},          {"ifo_calls"},
        {"ifo_calls_max"},          {"prox_grad_mapping_norm_sq", 1e-12},
        {"consensus_error", 1e-12}, {"combined_optimality", 1e-12}};
    FamilyHarness decentralized{.family = FamilyId::Decentralized,
                                .frames = decentralizedFrames,
                                .frameExtras = decentralizedFrameExtras,
                                .variants = {},
                                .kill = {}};
    decentralized.variants.push_back({"ring 4, proxgt-sa",
                                      decentralizedExperiment("proxgt-sa", "ring", 0, 4, 6, json::object()),
                                      6, decentralizedMetrics, std::nullopt, true});
    decentralized.variants.push_back(
        {"ring 4, proxgt-sr-e, chebyshev K=2, mixed tracker",
         decentralizedExperiment("proxgt-sr-e", "ring", 0, 4, 6,
                                 {{"mixer", "chebyshev"}, {"gossip_rounds", 2}, {"tracker_init", "mixed"}}),
         6, decentralizedMetrics, std::nullopt, true});
    decentralized.variants.push_back({"torus 2x3, dsgd",
                                      decentralizedExperiment("dsgd", "torus", 2, 6, 6, json::object()), 6,
                                      decentralizedMetrics, std::nullopt, true});
    decentralized.variants.push_back(
        {"torus 2x2, gt-dsgd cta, float32",
         decentralizedExperiment("gt-dsgd", "torus", 2, 4, 6, {{"order", "cta"}, {"wire", "float32"}}), 6,
         decentralizedMetrics, std::nullopt, true});
    {
      json kill = decentralized_live::p0Experiment("proxgt-sa", "ring", 0, 4, 0);
      kill["stop"] = {{"time", 1e6}};
      kill["eval"] = {{"every_updates", 1}};
      kill["workers"]["unit_ms"] = 2.0;
      decentralized.kill = {kill, 3, {"node 1 lost"}};
    }
    rows.push_back(std::move(decentralized));

    // The curvature estimate of test_hybrid_live, to 1e-12 of the simulator's.
    const std::vector<MetricCheck> curvature = {
        {"lambda_max", 1e-12}, {"lambda_k", 1e-12}, {"ese_count"}, {"curvature_memory_bytes_max"}};
    FamilyHarness hybrid{.family = FamilyId::Hybrid,
                         .frames = hybridFrames,
                         .frameExtras = hybridFrameExtras,
                         .variants = {},
                         .kill = {}};
    // 18 steps with T = 6, W = 1: estimates before steps 0, 6 and 12 (none before step 18: the run stops).
    hybrid.variants.push_back({"dho2 S, 2 workers", hybridExperiment("dho2", dho2Params("S"), 2, 18), 18,
                               curvature, std::nullopt, false});
    hybrid.variants.push_back({"dho2 R, 2 workers", hybridExperiment("dho2", dho2Params("R"), 2, 18), 18,
                               curvature, std::nullopt, false});
    hybrid.variants.push_back({"dho2 S, 3 workers", hybridExperiment("dho2", dho2Params("S"), 3, 18), 18,
                               curvature, std::nullopt, false});
    // Heavy-ball momentum at lr 0.05 diverges on this quadratic within 18 steps; 0.005 stays bounded.
    hybrid.variants.push_back({"dist-sgdm, 2 workers",
                               hybridExperiment("dist-sgdm", {{"lr", 0.005}}, 2, 18),
                               18,
                               {},
                               std::nullopt,
                               false});
    hybrid.variants.push_back({"dist-adam, 2 workers",
                               hybridExperiment("dist-adam", {{"lr", 0.05}}, 2, 18),
                               18,
                               {},
                               std::nullopt,
                               false});
    hybrid.variants.push_back({"fosi, 3 workers", hybridExperiment("fosi", dho2Params(""), 3, 18), 18,
                               curvature, std::nullopt, false});
    {
      json kill = hybridExperiment("dho2", dho2Params("S"), 3, 100000);
      kill["workers"]["unit_ms"] = 5;
      hybrid.kill = {kill, 10, {"worker 1 lost", "Lanczos slice"}};
    }
    rows.push_back(std::move(hybrid));

    // The family metrics come from the same code: all equal but the measured CPU time.
    FamilyHarness kronecker{.family = FamilyId::Kronecker,
                            .frames = kronFrames,
                            .frameExtras = kronFrameExtras,
                            .variants = {},
                            .kill = {}};
    for (const int workers : {1, 2, 4})
      kronecker.variants.push_back({"staleness 0, K = " + std::to_string(workers),
                                    kronExperiment(workers, 12),
                                    12,
                                    {},
                                    std::set<std::string>{"iteration_seconds"},
                                    true});
    {
      json kill = kronExperiment(3, 0, "fixed");
      kill["workers"]["unit_ms"] = 20.0;
      kill["stop"] = {{"time", 1e5}};
      kronecker.kill = {kill, 5, {"worker 1 lost", "neuron block [22, 43)"}};
    }
    rows.push_back(std::move(kronecker));
    return rows;
  }();
  return table;
}

const FamilyHarness* harnessOf(FamilyId family) {
  for (const auto& harness : harnesses())
    if (harness.family == family) return &harness;
  return nullptr;
}

std::string nameOf(FamilyId family) { return std::string(familyName(family)); }

/// One data row per family that runs its own roles, straight from the family table.
void familyRows() {
  QTest::addColumn<int>("family");
  for (const auto& family : kFamilyDescriptors)
    if (family.roles.driver == FamilyDriver::Roles)
      QTest::newRow(std::string(family.name).c_str()) << static_cast<int>(family.id);
}



std::vector<std::string> csvFields(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

/// evaluations.csv without the time and byte columns (measured live, virtual simulated): updates, loss,
/// gap, grad_norm_sq, test_accuracy, as printed (%.17g: equal text is equal bits).
std::vector<std::string> evaluationRows(const QString& out) {
  std::ifstream in((out + "/evaluations.csv").toStdString());
  std::vector<std::string> rows;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto f = csvFields(line);
    if (f.size() >= 6) rows.push_back(f[1] + "," + f[2] + "," + f[3] + "," + f[4] + "," + f[5]);
  }
  return rows;
}

/// (updates, name) -> value text of metrics.csv.
std::map<std::pair<std::string, std::string>, std::string> metricValues(const QString& out) {
  std::ifstream in((out + "/metrics.csv").toStdString());
  std::map<std::pair<std::string, std::string>, std::string> values;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto f = csvFields(line);
    if (f.size() == 4) values[{f[1], f[2]}] = f[3];
  }
  return values;
}

}  // namespace

class TestFamilyLiveConformance : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kRunProgram).isExecutable(), qPrintable(kRunProgram + " is not built"));
    QVERIFY2(QFileInfo(kWorkerProgram).isExecutable(), qPrintable(kWorkerProgram + " is not built"));
  }

  // The harness table against the family table: one entry per role family, none for another.
  void everyRoleFamilyHasOneHarnessEntry() {
    std::set<FamilyId> seen;
    for (const auto& harness : harnesses()) {
      QVERIFY2(seen.insert(harness.family).second,
               (nameOf(harness.family) + ": two harness entries").c_str());
      QVERIFY2(familyDescriptor(harness.family).roles.driver == FamilyDriver::Roles,
               (nameOf(harness.family) + ": not a role family").c_str());
      QVERIFY2(!harness.variants.empty(), nameOf(harness.family).c_str());
    }
    for (const auto& family : kFamilyDescriptors)
      if (family.roles.driver == FamilyDriver::Roles)
        QVERIFY2(seen.contains(family.id),
                 (nameOf(family.id) + ": no row in the live conformance harness").c_str());
  }

  void framesRoundTrip_data() { familyRows(); }
  void framesRoundTrip() {
    QFETCH(int, family);
    const auto id = static_cast<FamilyId>(family);
    const FamilyHarness* harness = harnessOf(id);
    QVERIFY2(harness, (nameOf(id) + ": no row in the live conformance harness").c_str());
    const KindRange range = familyDescriptor(id).kinds;
    // Another family's kind, for the wrong-kind check.
    std::optional<MessageKind> foreign;
    for (const auto& info : messageKinds())
      if (!range.contains(static_cast<std::uint16_t>(info.kind)) &&
          static_cast<std::size_t>(info.kind) >= kFamilyKindsBegin)
        foreign = info.kind;
    QVERIFY(foreign.has_value());

    std::set<MessageKind> covered;
    for (const FrameCase& frame : harness->frames()) {
      const std::string label = nameOf(id) + " " + messageKindName(frame.kind) + " (" + frame.label + ")";
      QVERIFY2(range.contains(static_cast<std::uint16_t>(frame.kind)),
               (label + ": outside the range").c_str());
      Message built = frame.build();
      QVERIFY2(built.kind == frame.kind, (label + ": built as " + messageKindName(built.kind)).c_str());
      QVERIFY2(!built.payload.empty(), label.c_str());
      covered.insert(frame.kind);

      auto back = throughTheWire(frame.build());
      QVERIFY2(back.has_value(), (label + ": not decoded").c_str());
      QVERIFY2(back->kind == frame.kind, label.c_str());
      QCOMPARE(back->payload.size(), built.payload.size());
      for (std::size_t f = 0; f < built.payload.size(); ++f)
        QVERIFY2(bytesOf(back->payload[f]) == bytesOf(built.payload[f]), label.c_str());
      std::string why;
      const Parsed parsed = frame.parse(*back, &why);
      QVERIFY2(
          parsed == Parsed::Equal,
          (label + (parsed == Parsed::Refused ? ": refused: " + why : ": parsed to other values")).c_str());

      auto cut = throughTheWire(truncated(frame.build()));
      QVERIFY(cut.has_value());
      why.clear();
      QVERIFY2(frame.parse(*cut, &why) == Parsed::Refused,
               (label + ": one byte short, still parsed").c_str());
      QVERIFY2(!why.empty(), (label + ": one byte short, refused without a reason").c_str());

      Message relabelled = frame.build();
      relabelled.kind = *foreign;
      auto wrong = throughTheWire(std::move(relabelled));
      QVERIFY(wrong.has_value());
      why.clear();
      QVERIFY2(frame.parse(*wrong, &why) == Parsed::Refused,
               (label + ": parsed under " + messageKindName(*foreign)).c_str());
      QVERIFY2(!why.empty(), (label + ": wrong kind refused without a reason").c_str());
    }
    // Every known kind of the range, reserved slots aside, has its case.
    for (const auto& info : messageKinds())
      if (range.contains(static_cast<std::uint16_t>(info.kind)))
        QVERIFY2(covered.contains(info.kind),
                 (nameOf(id) + ": kind " + std::to_string(static_cast<int>(info.kind)) + " " + info.name +
                  " has no frame case in the harness")
                     .c_str());
    if (harness->frameExtras) harness->frameExtras();
  }

  void liveEqualsSimulator_data() { familyRows(); }
  void liveEqualsSimulator() {
    QFETCH(int, family);
    const auto id = static_cast<FamilyId>(family);
    const FamilyHarness* harness = harnessOf(id);
    QVERIFY2(harness, (nameOf(id) + ": no row in the live conformance harness").c_str());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    int index = 0;
    for (const Variant& variant : harness->variants) {
      const std::string label = nameOf(id) + ", " + variant.label;
      const QString name = QString::number(index++);
      json document = variant.document;
      document["engine"] = "live";
      const FinishedRun live = runToEnd(dir, "live" + name, document);
      document["engine"] = "sim";
      const FinishedRun sim = runToEnd(dir, "sim" + name, document);
      QVERIFY2(live.exitCode == 0, (label + "\n" + live.log).c_str());
      QVERIFY2(sim.exitCode == 0, (label + "\n" + sim.log).c_str());
      QVERIFY2(live.summary.at("termination") == json("update_limit"),
               (label + ": " + live.summary.dump()).c_str());
      QCOMPARE(live.summary.at("engine"), json("live"));
      QCOMPARE(live.summary.at("updates_applied").get<std::uint64_t>(), variant.updates);
      QCOMPARE(sim.summary.at("updates_applied").get<std::uint64_t>(), variant.updates);
      QCOMPARE(live.summary.at("malformed_dropped").get<std::uint64_t>(), std::uint64_t{0});
      for (const auto& worker : live.summary.at("worker_status"))
        QVERIFY2(worker.at("state") == json("alive"), (label + ": " + worker.dump()).c_str());
      QCOMPARE(live.summary.at("worker_status").size(),
               static_cast<std::size_t>(document["workers"]["count"].get<int>()));

      // Same updates, same loss to the last bit: the same floating-point operations ran.
      const auto liveRows = evaluationRows(live.out);
      const auto simRows = evaluationRows(sim.out);
      QVERIFY2(liveRows.size() >= 3, label.c_str());
      QCOMPARE(liveRows.size(), simRows.size());
      // Equal curves of a run that never moved would prove little.
      QVERIFY2(csvFields(liveRows.front())[1] != csvFields(liveRows.back())[1],
               (label + ": the loss never changed").c_str());
      for (std::size_t r = 0; r < liveRows.size(); ++r)
        QVERIFY2(liveRows[r] == simRows[r], (label + ": live " + liveRows[r] + " sim " + simRows[r]).c_str());

      const auto liveMetrics = metricValues(live.out);
      const auto simMetrics = metricValues(sim.out);
      for (const MetricCheck& check : variant.metrics) {
        std::uint64_t last = 0;
        for (const auto& [key, simText] : simMetrics)
          if (key.second == check.name) last = std::max<std::uint64_t>(last, std::stoull(key.first));
        int compared = 0;
        for (const auto& [key, simText] : simMetrics) {
          if (key.second != check.name) continue;
          if (!check.everyEvaluation && key.first != std::to_string(last)) continue;
          const std::string where = label + ": " + check.name + " at " + key.first;
          const auto found = liveMetrics.find(key);
          QVERIFY2(found != liveMetrics.end(), (where + " missing live").c_str());
          if (check.tolerance == 0.0) {
            QVERIFY2(found->second == simText,
                     (where + ": live " + found->second + " sim " + simText).c_str());
          } else {
            const double a = std::stod(found->second), b = std::stod(simText);
            QVERIFY2(std::abs(a - b) <= check.tolerance * (1.0 + std::abs(b)),
                     (where + ": live " + found->second + " sim " + simText).c_str());
          }
          ++compared;
        }
        QVERIFY2(compared > 0, (label + ": the simulator reported no " + check.name).c_str());
      }
      if (variant.allMetricsBut) {
        auto strip = [&](const auto& values) {
          std::map<std::pair<std::string, std::string>, std::string> kept;
          for (const auto& [key, text] : values)
            if (!variant.allMetricsBut->contains(key.second)) kept[key] = text;
          return kept;
        };
        const auto a = strip(liveMetrics), b = strip(simMetrics);
        QVERIFY2(a.size() >= 5 * liveRows.size(), label.c_str());
        QVERIFY2(a == b, (label + ": the metrics differ").c_str());
      }
      if (variant.synchronousEvents) {
        const auto workers = static_cast<std::size_t>(document["workers"]["count"].get<int>());
        QCOMPARE(live.events.size(), workers * variant.updates);
        for (const auto& event : live.events) QCOMPARE(event.delay, 0LL);
      }
    }
  }

  void killedWorkerFailsTheRunNamingIt_data() { familyRows(); }
  void killedWorkerFailsTheRunNamingIt() {
    QFETCH(int, family);
    const auto id = static_cast<FamilyId>(family);
    const FamilyHarness* harness = harnessOf(id);
    QVERIFY2(harness, (nameOf(id) + ": no row in the live conformance harness").c_str());
    const KillCase& kill = harness->kill;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    json document = kill.document;
    document["engine"] = "live";
    const QString out = dir.filePath("killed");
    Coordinator coordinator;
    QVERIFY(coordinator.start(QStringList{writeJson(dir, "killed.json", document), "--out", out, "--quiet"} +
                              storeArguments(dir)));
    QVERIFY2(coordinator.waitForEndpoints(), coordinator.describe().c_str());
    std::string last;
    QVERIFY2(waitUntilRunning(coordinator.controlEndpoint, kill.runningAfter, &last).has_value(),
             (last + "\n" + coordinator.describe()).c_str());
    const auto workers = workerChildrenOf(coordinator.pid());
    QCOMPARE(workers.size(), static_cast<std::size_t>(document["workers"]["count"].get<int>()));
    const pid_t victim = workerPid(coordinator.pid(), 1);
    QVERIFY2(victim > 0, "no worker process with --id 1");
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(::kill(victim, SIGKILL), 0);
    const int exitCode = coordinator.waitForExit(30'000);
    QVERIFY2(exitCode == 1, coordinator.describe().c_str());  // a failed run exits 1, on record
    QVERIFY2(timer.elapsed() < 15'000, std::to_string(timer.elapsed()).c_str());
    const json summary = readJsonFile(out + "/summary.json");
    QVERIFY2(!summary.is_discarded(), coordinator.describe().c_str());
    QCOMPARE(summary.at("termination"), json("failed"));
    const std::string detail = summary.at("termination_detail").get<std::string>();
    for (const std::string& part : kill.detail)
      QVERIFY2(detail.find(part) != std::string::npos, (detail + " (wanted: " + part + ")").c_str());
    QVERIFY(summary.at("updates_applied").get<std::uint64_t>() >= kill.runningAfter);
    // Nobody hangs: every other worker process is gone too.
    for (const auto& worker : workers) QTRY_VERIFY_WITH_TIMEOUT(processEnded(worker.pid), 5000);
    const auto runs = storedRuns(storePath(dir));
    QCOMPARE(runs.size(), std::size_t{1});
    QVERIFY(runs.front().finished());
  }
};

QTEST_GUILESS_MAIN(TestFamilyLiveConformance)
#include "test_family_live_conformance.moc"
