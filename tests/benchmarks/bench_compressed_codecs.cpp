// Compressed-SGD codec benchmark (docs/papers.md, compressed-sgd §3, §4 E0): encoded size against the
// information-theoretic lower bound for random K-subsets of N = 1e6, encode + decode throughput, and
// the uplink bytes per round of every compressed method relative to dense SGD in a simulated run with
// 8 workers (exact encoded sizes). Prints the figures and whether each target is met:
//   sparse-sign size / LB <= 1.05 for K/N <= 0.1;  SGD uplink / S3GD-MV uplink >= 100 at K/N = 0.001.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "core/codec/qsgd_codec.hpp"
#include "core/codec/sign_codec.hpp"
#include "core/codec/sparse_codec.hpp"
#include "core/codec/ternary_codec.hpp"
#include "core/compressed/compressed_sim_run.hpp"
#include "core/data/shards.hpp"
#include "core/registry/registry.hpp"
#include "core/util/input_error.hpp"
#include "core/util/random_stream.hpp"

using namespace distopt;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

SparseSet randomSet(std::uint64_t n, std::uint64_t k, RandomStream& stream) {
  std::vector<std::uint32_t> all(static_cast<std::size_t>(n));
  std::iota(all.begin(), all.end(), 0u);
  for (std::uint64_t j = 0; j < k; ++j) std::swap(all[j], all[j + stream.uniformInt(n - j)]);
  SparseSet set;
  set.indices.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k));
  std::sort(set.indices.begin(), set.indices.end());
  for (std::uint64_t j = 0; j < k; ++j) set.negative.push_back(static_cast<std::uint8_t>(stream.next() & 1u));
  return set;
}

nlohmann::json filled(const std::vector<OptionSpec>& specs, nlohmann::json params) {
  std::string why;
  if (!validateAndFillOptions(specs, params, "params", &why)) throw InputError("params", why);
  return params;
}

// Throughput of encode + decode of one message kind, coordinates per second.
template <typename Encode, typename Decode>
double throughput(std::uint64_t coordinates, Encode encode, Decode decode) {
  int reps = 0;
  const auto start = Clock::now();
  do {
    const EncodedMessage m = encode();
    if (!decode(m)) {
      std::printf("decode failed\n");
      return 0.0;
    }
    ++reps;
  } while (secondsSince(start) < 0.5);
  return static_cast<double>(coordinates) * reps / secondsSince(start);
}

}  // namespace

int main() {
  const std::uint64_t n = 1000000;
  RandomStream stream = RandomStream::fromSeed(2026);
  bool allMet = true;

  std::printf("== Encoded size / lower bound, sparse sign sets, N = 1e6, mean of 5 random supports\n");
  std::printf("%-7s %9s | %7s %7s %7s %7s %7s %7s | %s\n", "K/N", "LB b/N", "RAW32", "RAWB", "BITMAP",
              "GAMMA", "RICE", "AUTO", "target AUTO <= 1.05 (K/N <= 0.1)");
  for (double density : {0.001, 0.01, 0.1, 0.5}) {
    const auto k = static_cast<std::uint64_t>(density * static_cast<double>(n));
    double lb = 0.0;
    std::vector<double> bits(6, 0.0);
    for (int draw = 0; draw < 5; ++draw) {
      const SparseSet set = randomSet(n, k, stream);
      lb += sparseLowerBound(n, k, SparsePayload::Signs);
      int c = 0;
      for (IndexCodec codec : {IndexCodec::Raw32, IndexCodec::RawB, IndexCodec::Bitmap, IndexCodec::Gamma,
                               IndexCodec::Rice, IndexCodec::Auto})
        bits[static_cast<std::size_t>(c++)] +=
            static_cast<double>(encodeSparse(set, n, SparsePayload::Signs, codec).payloadBits);
    }
    const double ratio = bits[5] / lb;
    const bool applies = density <= 0.1;
    const bool met = !applies || ratio <= 1.05;
    allMet = allMet && met;
    std::printf("%-7.3f %9.4f | %7.3f %7.3f %7.3f %7.3f %7.3f %7.4f | %s\n", density, lb / 5 / double(n),
                bits[0] / lb, bits[1] / lb, bits[2] / lb, bits[3] / lb, bits[4] / lb, ratio,
                applies ? (met ? "met" : "NOT MET") : "(not applicable)");
  }

  std::printf(
      "\n== Encode + decode throughput, N = 1e6 (coordinates per second; one encode and one decode per "
      "message)\n");
  Vector g(static_cast<Eigen::Index>(n));
  for (auto& x : g) x = stream.normal();
  std::vector<std::int8_t> scratch;
  Vector dense;
  const double denseRate = throughput(
      n, [&] { return encodeDenseF32(g); },
      [&](const EncodedMessage& m) { return decodeDenseF32(m, n, dense, nullptr); });
  std::printf("%-28s %10.3g\n", "DENSE_F32", denseRate);
  std::printf("%-28s %10.3g\n", "SIGN1",
              throughput(
                  n, [&] { return encodeSign1(g); },
                  [&](const EncodedMessage& m) { return decodeSign1(m, n, scratch, nullptr); }));
  for (double density : {0.001, 0.01, 0.1}) {
    const SparseSet set = randomSet(n, static_cast<std::uint64_t>(density * double(n)), stream);
    SparseSet out;
    SparsePayload kind{};
    const double rate = throughput(
        n, [&] { return encodeSparse(set, n, SparsePayload::Signs, IndexCodec::Auto); },
        [&](const EncodedMessage& m) { return decodeSparse(m, n, out, kind, nullptr); });
    std::printf("SPARSE_SIGN AUTO K/N=%-6.3f %10.3g   (%s)\n", density, rate,
                codecName(encodeSparse(set, n, SparsePayload::Signs, IndexCodec::Auto).codec));
  }
  std::vector<std::int8_t> tern(static_cast<std::size_t>(n));
  for (auto& t : tern) t = static_cast<std::int8_t>(static_cast<int>(stream.uniformInt(3)) - 1);
  std::printf("%-28s %10.3g\n", "TERN_T5",
              throughput(
                  n, [&] { return encodeTernary(tern, TernaryCodec::T5); },
                  [&](const EncodedMessage& m) { return decodeTernary(m, n, scratch, nullptr); }));
  QsgdLevels q;
  q.norms.assign(static_cast<std::size_t>(qsgdBuckets(n, 128)), 1.0f);
  for (std::uint64_t i = 0; i < n; ++i) {
    q.levels.push_back(static_cast<std::uint16_t>(stream.uniformInt(3)));
    q.negative.push_back(q.levels.back() > 0 && (stream.next() & 1u));
  }
  QsgdLevels qOut;
  for (QsgdCodec codec : {QsgdCodec::Dense, QsgdCodec::Elias})
    std::printf("%-28s %10.3g\n", codec == QsgdCodec::Dense ? "QSGD_DENSE s=4" : "QSGD_ELIAS s=4",
                throughput(
                    n, [&] { return encodeQsgd(q, 128, 4, codec); },
                    [&](const EncodedMessage& m) { return decodeQsgd(m, n, 128, 4, qOut, nullptr); }));

  std::printf(
      "\n== Uplink bytes per round vs dense SGD: simulated, 8 workers, diagonal quadratic d = 1e6, 10 "
      "rounds\n");
  const ProblemEntry* problemEntry = findProblem("diagonal-quadratic");
  const auto problem =
      problemEntry->make(filled(problemEntry->options, {{"d", 1000000}, {"noise_std", 0.01}}),
                         ProblemBuildContext{.baseDirectory = ".", .seed = 1});
  const TimeModelEntry* timeEntry = findTimeModel("fixed");
  const auto timeModel = timeEntry->make(filled(timeEntry->options, {{"h", "one"}}), 8, 1, "time");
  const auto shards = std::make_shared<const std::vector<Shard>>(makeShards(*problem, 8, ShardRule::Iid, 1));
  RandomStream init(StreamKey{.runSeed = 1, .purpose = StreamPurpose::Init, .worker = StreamKey::kNoWorker});
  const Vector x0 = problem->initialPoint(init);
  struct Row {
    const char* label;
    const char* algorithm;
    nlohmann::json params;
  };
  const std::vector<Row> rows = {
      {"sgd", "sgd", {{"gamma", 0.005}}},
      {"signsgd-mv", "signsgd-mv", {}},
      {"ef-signsgd", "ef-signsgd", {{"gamma", 0.005}}},
      {"qsgd s=4 d=128", "qsgd", {{"gamma", 0.005}}},
      {"topk-ef K/N=0.001", "topk-ef", {{"gamma", 0.005}, {"rho", 1000}}},
      {"s3gd-mv K/N=0.1", "sparse-signsgd-mv", {{"rho", 100000}}},
      {"s3gd-mv K/N=0.01", "sparse-signsgd-mv", {{"rho", 10000}}},
      {"s3gd-mv K/N=0.001", "sparse-signsgd-mv", {{"rho", 1000}}},
  };
  double sgdBytes = 0.0;
  std::printf("%-20s %14s %14s %10s %10s\n", "method", "up bytes/round", "down/round", "SGD/this", "wall s");
  for (const Row& row : rows) {
    TelemetrySink sink;
    SimRunContext context{
        .problem = problem.get(), .shards = shards, .timeModel = timeModel.get(), .numWorkers = 8, .x0 = x0};
    context.options.maxUpdates = 10;
    context.options.evalGradNorm = false;
    context.options.seed = 1;
    nlohmann::json params = row.params;
    params["r_sync"] = 0;
    const AlgorithmEntry* entry = findAlgorithm(row.algorithm);
    auto run = entry->makeSimRun(filled(entry->options, params), context);
    const RunSummary summary = run->run(sink);
    const double up = static_cast<double>(summary.bytesUplink) / 10.0;
    if (std::string(row.algorithm) == "sgd") sgdBytes = up;
    std::printf("%-20s %14.0f %14.0f %10.1f %10.2f\n", row.label, up,
                double(summary.bytesDownlink) / 10.0 / 8.0, sgdBytes / up, summary.wallSeconds);
    if (std::string(row.label) == "s3gd-mv K/N=0.001") {
      const bool met = sgdBytes / up >= 100.0;
      allMet = allMet && met;
      std::printf("target SGD/S3GD-MV uplink >= 100x at K/N = 0.001: %.1fx, %s\n", sgdBytes / up,
                  met ? "met" : "NOT MET");
    }
  }
  std::printf("\nall targets %s\n", allMet ? "met" : "NOT met");
  return 0;
}
