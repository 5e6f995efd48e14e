// Writes the seed corpora of the fuzz harnesses (tests/fuzz/corpus/NAME/) from the real encoders, so
// every seed is a valid message the fuzzer then mutates. Usage: fuzz_make_corpus CORPUS_DIR. The
// experiment seeds are the shipped presets, copied by tests/fuzz/make_corpus.sh.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/codec/compressed_message.hpp"
#include "core/codec/dense_codec.hpp"
#include "core/codec/qsgd_codec.hpp"
#include "core/codec/sign_codec.hpp"
#include "core/codec/sparse_codec.hpp"
#include "core/codec/ternary_codec.hpp"
#include "core/decentralized/gossip_message.hpp"
#include "core/kronecker/kron_protocol.hpp"
#include "fuzz_messages.hpp"
#include "net/families/compressed/compressed_messages.hpp"
#include "net/families/decentralized/decentralized_messages.hpp"
#include "net/families/hybrid/hybrid_messages.hpp"
#include "net/protocol/heartbeat_messages.hpp"
#include "net/protocol/job_messages.hpp"
#include "net/telemetry/history_subscription.hpp"

namespace {

using namespace distopt;
using namespace distopt::net;
namespace fs = std::filesystem;

fs::path g_root;

void put16(std::string& out, std::uint64_t value) {
  out.push_back(static_cast<char>(value & 0xffU));
  out.push_back(static_cast<char>((value >> 8) & 0xffU));
}

void write(const std::string& target, const std::string& name, const std::string& bytes) {
  const fs::path dir = g_root / target;
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

/// The payload frames of `message` in the harness format (kind and header not included).
std::string payloadFrames(const Message& message) {
  std::string out;
  for (const auto& frame : message.payload) fuzz::appendFrame(out, frame.data(), frame.size());
  return out;
}

/// Header and payload frames, as decode() receives them.
std::string wholeMessage(Message&& message) {
  std::string out;
  for (const auto& frame : encode(std::move(message))) fuzz::appendFrame(out, frame.data(), frame.size());
  return out;
}

Vector ramp(Eigen::Index n) {
  Vector x(n);
  for (Eigen::Index i = 0; i < n; ++i) x[i] = (i % 3 == 0 ? -1.0 : 1.0) * (0.25 + static_cast<double>(i));
  return x;
}

void protocolSeeds() {
  const Vector x = ramp(8);
  auto seed = [](std::uint64_t dimension) {
    std::string out;
    put16(out, dimension + 1);  // the harness reads dimension - 1
    return out;
  };
  write("fuzz_protocol", "job",
        seed(8) +
            wholeMessage(makeJob(JobMeta{.jobId = 3, .version = 2, .startTime = 1.5}, encodeVectorFrame(x))));
  write("fuzz_protocol", "job_f32",
        seed(8) + wholeMessage(makeJob(JobMeta{.jobId = 4, .gradients = 2, .tauOverride = 0.5},
                                       encodeVectorFrame(x, VectorEncoding::DenseFloat32))));
  write("fuzz_protocol", "cancel", seed(0) + wholeMessage(makeCancel(7)));
  write("fuzz_protocol", "grad",
        seed(8) +
            wholeMessage(makeGrad(GradMeta{.jobId = 3, .version = 2, .tauTarget = 1, .elapsed = 0.01}, x)));
  write("fuzz_protocol", "heartbeat", seed(0) + wholeMessage(makeHeartbeat()));
  write("fuzz_protocol", "clock",
        seed(0) + wholeMessage(makeClockHeartbeat(ClockMeta{.sentNs = 1000, .echoNs = 900, .holdNs = 5})));
  write("fuzz_protocol", "hello",
        seed(0) + wholeMessage(
                      Message::withJson(MessageKind::Hello, {{"host", "box"}, {"pid", 12}, {"cores", 2}})));
}

// The session messages with the fields worker_runtime.cpp and worker_pool_sessions.cpp put in them.
void sessionSeeds() {
  auto save = [](const std::string& name, MessageKind kind, const nlohmann::json& body) {
    write("fuzz_session_messages", name, wholeMessage(Message::withJson(kind, body)));
  };
  save("hello", MessageKind::Hello,
       {{"protocol", kProtocolVersion},
        {"program_version", "0.9.0"},
        {"host", "box"},
        {"cores", 2},
        {"pid", 4242},
        {"worker_id", nullptr}});
  save("hello_resume", MessageKind::Hello,
       {{"protocol", kProtocolVersion},
        {"program_version", "0.9.0"},
        {"host", "box"},
        {"cores", 2},
        {"pid", 4242},
        {"worker_id", 3},
        {"resume", true}});
  save("welcome", MessageKind::Welcome, {{"worker_id", 3}, {"heartbeat_ms", 500}, {"liveness", 5}});
  save("assign", MessageKind::Assign,
       {{"worker_id", 3},
        {"workers", 4},
        {"seed", 42},
        {"unit_ms", 1.0},
        {"base_directory", "/tmp"},
        {"experiment",
         {{"name", "q"}, {"seed", 42}, {"workers", {{"count", 4}}}, {"problem", {{"type", "quadratic"}}}}}});
  save("ready", MessageKind::Ready, {{"dimension", 100}, {"shard_size", 50}, {"setup_seconds", 0.1}});
  save("error", MessageKind::Error, {{"code", "protocol"}, {"message", "undecodable message"}});
  save("stop", MessageKind::Stop, {{"reason", "declared dead: not_reading"}});
}

// Control requests as the GUI and distopt-ctl send them (net/PROTOCOL.md §4.6).
void controlSeeds() {
  auto save = [](const std::string& name, const nlohmann::json& request) {
    write("fuzz_control_requests", name, request.dump());
  };
  save("status", {{"command", "status"}});
  save("stop", {{"command", "stop"}});
  save("exclude", {{"command", "exclude"}, {"worker", 3}});
  save("allow_key", {{"command", "allow_key"}, {"key", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"}});
  save("allow_dashboard_key",
       {{"command", "allow_dashboard_key"}, {"key", "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"}});
}

// What an XPUB socket hands up: 0x01/0x00 + topic, as frames.
void subscriptionSeeds() {
  auto save = [](const std::string& name, const std::vector<std::string>& frames) {
    std::string out;
    for (const auto& frame : frames) fuzz::appendFrame(out, frame.data(), frame.size());
    write("fuzz_dashboard_subscriptions", name, out);
  };
  const std::string history = std::string(1, '\x01') + kHistoryTopicPrefix;
  save("dashboard", {std::string(1, '\x01') + "update", std::string(1, '\x01') + "eval",
                     history + "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"});
  save("unsubscribe", {std::string(1, '\0') + kHistoryTopicPrefix + "token", history + "token"});
  save("repeat", {history + "a", history + "a", history + "b"});
}

std::string codecFrame(const EncodedMessage& message, std::uint64_t dimension) {
  std::string out(kCompressedHeaderSize, '\0');
  writeFrameHeader(FrameHeader{.kind = FrameKind::Uplink,
                               .codec = message.codec,
                               .dimension = dimension,
                               .payloadBits = message.payloadBits},
                   reinterpret_cast<std::uint8_t*>(out.data()));
  out.append(reinterpret_cast<const char*>(message.bytes.data()), message.bytes.size());
  return out;
}

std::vector<std::pair<std::string, EncodedMessage>> codecMessages(std::uint64_t n, std::uint64_t bucket,
                                                                  std::uint32_t s) {
  const Vector x = ramp(static_cast<Eigen::Index>(n));
  std::vector<std::int8_t> ternary(n, 0);
  for (std::size_t i = 0; i < n; i += 3) ternary[i] = (i % 2) ? 1 : -1;
  SparseSet set;
  for (std::uint32_t i = 1; i < n; i += 4) {
    set.indices.push_back(i);
    set.negative.push_back(static_cast<std::uint8_t>(i % 2));
    set.values.push_back(0.5f * static_cast<float>(i));
  }
  QsgdLevels levels;
  levels.norms.assign(qsgdBuckets(n, bucket), 2.0f);
  levels.levels.assign(n, 0);
  levels.negative.assign(n, 0);
  for (std::size_t i = 0; i < n; i += 2) {
    levels.levels[i] = static_cast<std::uint16_t>(1 + i % s);
    levels.negative[i] = static_cast<std::uint8_t>(i % 4 == 0);
  }
  std::vector<std::pair<std::string, EncodedMessage>> out = {
      {"dense_f32", encodeDenseF32(x)},
      {"sign1", encodeSign1(x)},
      {"scaled_sign", encodeScaledSign({1.5f, 0.5f}, x)},
      {"tern_t2", encodeTernary(ternary, TernaryCodec::T2)},
      {"tern_t5", encodeTernary(ternary, TernaryCodec::T5)},
      {"qsgd_dense", encodeQsgd(levels, bucket, s, QsgdCodec::Dense)},
      {"qsgd_elias", encodeQsgd(levels, bucket, s, QsgdCodec::Elias)},
  };
  for (auto codec :
       {IndexCodec::Raw32, IndexCodec::RawB, IndexCodec::Bitmap, IndexCodec::Gamma, IndexCodec::Rice}) {
    out.emplace_back(std::string("sparse_sign_") + indexCodecName(codec),
                     encodeSparse(set, n, SparsePayload::Signs, codec));
    out.emplace_back(std::string("sparse_f32_") + indexCodecName(codec),
                     encodeSparse(set, n, SparsePayload::Values, codec));
  }
  return out;
}

void codecSeeds() {
  constexpr std::uint64_t n = 40, bucket = 8;
  constexpr std::uint32_t s = 4;
  for (const auto& [name, message] : codecMessages(n, bucket, s)) {
    std::string out;
    put16(out, bucket - 1);
    put16(out, s - 1);
    put16(out, 2 - 1);  // two scaled-sign segments
    out.push_back(0);   // a compressed frame, not a dense one
    write("fuzz_codecs", name, out + codecFrame(message, n));
  }
  for (auto encoding : {VectorEncoding::DenseFloat64, VectorEncoding::DenseFloat32}) {
    const Vector x = ramp(5);
    std::string frame(denseFrameSize(5, encoding), '\0');
    writeDenseFrame(x, encoding, frame.data());
    std::string out(6, '\0');
    out.push_back(1);
    write("fuzz_codecs", encoding == VectorEncoding::DenseFloat64 ? "dense_frame_f64" : "dense_frame_f32",
          out + frame);
  }
}

void compressedSeeds() {
  constexpr std::uint64_t n = 40, bucket = 8;
  constexpr std::uint32_t s = 4;
  auto prefix = [](MessageKind kind) {
    std::string out;
    put16(out, n - 1);
    put16(out, 3);  // sender
    put16(out, bucket - 1);
    put16(out, s - 1);
    put16(out, 2 - 1);
    out.push_back(static_cast<char>(static_cast<int>(kind) - static_cast<int>(MessageKind::CompRoundStart)));
    return out;
  };
  for (const auto& [name, message] : codecMessages(n, bucket, s)) {
    Message up = makeUplink(UplinkReport{.round = 5, .tauTarget = 1.0, .message = message}, n, 3);
    write("fuzz_compressed_messages", "up_" + name, prefix(up.kind) + payloadFrames(up));
    Message down = makeRoundOrder(RoundOrder{.round = 6, .startTime = 2.0, .downlink = message}, n);
    write("fuzz_compressed_messages", "down_" + name, prefix(down.kind) + payloadFrames(down));
  }
  Message start = makeRoundOrder(RoundOrder{.round = 0, .startTime = 0.0}, n);
  write("fuzz_compressed_messages", "round_start", prefix(start.kind) + payloadFrames(start));
  Message hash = makeReplicaHash(5, 0x1234567890abcdefULL, n, 3);
  write("fuzz_compressed_messages", "hash", prefix(hash.kind) + payloadFrames(hash));
}

void decentralizedSeeds() {
  auto prefix = [](MessageKind kind, std::uint64_t dimension, bool tracking) {
    std::string out;
    put16(out, dimension + 1);
    out.push_back(tracking ? 1 : 0);
    out.push_back(static_cast<char>(static_cast<int>(kind) - static_cast<int>(MessageKind::DecStart)));
    return out;
  };
  const Vector x = ramp(6);
  auto save = [&](const std::string& name, Message&& message, std::uint64_t dimension, bool tracking) {
    write("fuzz_decentralized_messages", name,
          prefix(message.kind, dimension, tracking) + payloadFrames(message));
  };
  save("start", makeDecStart(DecStart{.iterations = 100, .reportEvery = 5, .alpha = 0.1}), 6, false);
  save("endpoint", makeDecEndpoint("tcp://127.0.0.1:5555"), 6, false);
  save("peers", makeDecPeers({{0, "tcp://127.0.0.1:5555"}, {2, "tcp://127.0.0.1:5556"}}), 6, false);
  const auto gossip =
      encodeGossipMessage(GossipTag{.iteration = 9, .phase = GossipPhase::Y, .round = 2, .sender = 1}, x,
                          VectorEncoding::DenseFloat64);
  save("gossip", makeDecGossip(gossip), 6, false);
  NodeReport report;
  report.iteration = 10;
  report.ifo = 40;
  report.edges = {EdgeReport{.neighbour = 1, .bytesSent = 100, .messagesSent = 2},
                  EdgeReport{.neighbour = 3, .bytesReceived = 80, .messagesReceived = 1}};
  save("progress", makeDecProgress(report), 6, false);
  save("state", makeDecState(report, x, nullptr, nullptr), 6, false);
  save("state_tracking", makeDecState(report, x, &x, &x), 6, true);
}

void hybridSeeds() {
  const Vector x = ramp(7);
  auto save = [](const std::string& name, Message&& message, std::uint64_t count) {
    std::string out;
    put16(out, count + 1);
    out.push_back(static_cast<char>(static_cast<int>(message.kind) - static_cast<int>(MessageKind::HyBegin)));
    write("fuzz_hybrid_messages", name, out + payloadFrames(message));
  };
  save("begin", makeHybridMetaOnly(MessageKind::HyBegin, HybridMeta{.step = 3, .value = 1.0}), 0);
  save("grad", makeHybrid(MessageKind::HyGrad, HybridMeta{.step = 3}, x), 7);
  save("proj", makeHybrid(MessageKind::HyProj, HybridMeta{.step = 3, .iter = 1}, x), 7);
  save("lz_hvp", makeHybrid(MessageKind::LzHvp, HybridMeta{.step = 4, .iter = 2, .part = 1}, x), 7);
  save("lz_eigen", makeHybrid(MessageKind::LzEigen, HybridMeta{.step = 4}, x.head(3)), 3);
}

void kronSeeds() {
  auto save = [](const std::string& name, kron::MessageType type, const kron::Bytes& bytes) {
    std::string out(1, static_cast<char>(static_cast<int>(type) - 1));
    out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    write("fuzz_kron_messages", name, out);
  };
  kron::InitMessage init;
  init.m = 4;
  init.n = 3;
  init.d1 = 2;
  init.d2 = 2;
  init.batch = 2;
  init.threshold = 0.5;
  init.blockBegin = 0;
  init.blockEnd = 4;
  init.u = Eigen::MatrixXd::Constant(2, 3, 0.5);
  init.v = Eigen::MatrixXd::Constant(2, 3, -0.25);
  save("init", kron::MessageType::Init, kron::encode(init));
  save("ready", kron::MessageType::Ready, kron::encode(kron::ReadyMessage{.firedPairs = 5}));
  save("start", kron::MessageType::Start, kron::encode(kron::StartMessage{.eta = 0.1}));
  save("batch", kron::MessageType::Batch,
       kron::encode(kron::BatchMessage{.iteration = 2, .indices = {0, 2}}));
  save("partial", kron::MessageType::Partial,
       kron::encode(
           kron::PartialMessage{.iteration = 2, .appliedVersion = 1, .sums = {0.5, 1.5}, .counts = {1, 2}}));
  save("resid", kron::MessageType::Resid,
       kron::encode(kron::ResidMessage{.iteration = 2, .residuals = {0.1, -0.2}}));
  save("loss", kron::MessageType::Loss,
       kron::encode(kron::LossMessage{.version = 3, .firedPairs = 4, .outputSums = {1.0, 2.0, 3.0}}));
  save("cofire", kron::MessageType::CoFire,
       kron::encode(kron::CoFireMessage{.version = 3, .n = 2, .upper = {1, 0, 2}}));
  save("eval", kron::MessageType::Eval, kron::encode(kron::EvalMessage{.version = 3, .coFire = true}));
  save("stats", kron::MessageType::Stats,
       kron::encode(
           kron::StatsMessage{.version = 3, .nnz = 10, .updatedNeurons = 4, .flips = 2, .cpuSeconds = 0.5}));
}

void dataSeeds() {
  auto save = [](const std::string& name, char which, std::uint64_t limit, const std::string& file) {
    std::string out(1, which);
    put16(out, limit);
    write("fuzz_data_readers", name, out + file);
  };
  save("libsvm", 0, 0, "+1 1:0.5 3:1 7:-2\n-1 2:1 3:0.25\n0 5:3e-2\n");
  save("libsvm_features", 0, 8, "1 1:1 8:1\n-1 4:2.5\n");
  // IDX: magic 0x00000803 (u8, 3 dims), 2 images of 2×3, big-endian sizes.
  std::string images = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3};
  for (int i = 0; i < 12; ++i) images.push_back(static_cast<char>(i * 20));
  save("idx_images", 1, 0, images);
  save("idx_images_limit", 1, 1, images);
  const std::string labels = {0, 0, 8, 1, 0, 0, 0, 3, 1, 7, 0};
  save("idx_labels", 2, 0, labels);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_corpus CORPUS_DIR\n";
    return 2;
  }
  g_root = argv[1];
  protocolSeeds();
  sessionSeeds();
  controlSeeds();
  subscriptionSeeds();
  codecSeeds();
  compressedSeeds();
  decentralizedSeeds();
  hybridSeeds();
  kronSeeds();
  dataSeeds();
  return 0;
}
