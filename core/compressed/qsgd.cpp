#include "core/compressed/qsgd.hpp"

#include <algorithm>
#include <cmath>

#include "core/util/check.hpp"

namespace distopt {

bool QsgdOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (s < 1 || s > 32768) return fail("s: must be in 1..32768");
  if (bucket < 1) return fail("bucket: must be >= 1");
  if (!step.isValid(why)) return false;
  if (!(mu >= 0.0 && mu < 1.0)) return fail("mu: must be in [0, 1)");
  if (!(lambda >= 0.0) || !std::isfinite(lambda)) return fail("lambda: must be >= 0");
  return true;
}

std::mt19937_64 qsgdGenerator(std::uint64_t seed, int worker) {
  return std::mt19937_64(splitMix64(seed ^ (static_cast<std::uint64_t>(worker) << 32)));
}

double qsgdUniform(std::mt19937_64& generator) { return static_cast<double>(generator() >> 40) * 0x1p-24; }

QsgdLevels quantizeQsgd(const Vector& g, std::uint64_t bucket, std::uint32_t s, bool maxNorm,
                        const std::function<double()>& uniform) {
  const auto n = static_cast<std::uint64_t>(g.size());
  QsgdLevels levels;
  levels.levels.resize(static_cast<std::size_t>(n));
  levels.negative.resize(static_cast<std::size_t>(n));
  for (std::uint64_t start = 0; start < n; start += bucket) {
    const auto length = static_cast<Eigen::Index>(std::min(bucket, n - start));
    const auto segment = g.segment(static_cast<Eigen::Index>(start), length);
    const float norm = static_cast<float>(maxNorm ? segment.cwiseAbs().maxCoeff() : segment.norm());
    levels.norms.push_back(norm);
    for (Eigen::Index k = 0; k < length; ++k) {
      const auto i = static_cast<std::size_t>(start) + static_cast<std::size_t>(k);
      const double u = uniform();  // one draw per coordinate, whatever the norm
      std::uint32_t level = 0;
      if (norm > 0.0f) {
        const double a = static_cast<double>(s) * std::abs(segment[k]) / static_cast<double>(norm);
        const double floorA = std::floor(a);
        level = std::min<std::uint32_t>(s, static_cast<std::uint32_t>(floorA) + (u < a - floorA ? 1u : 0u));
      }
      levels.levels[i] = static_cast<std::uint16_t>(level);
      levels.negative[i] = level > 0 && segment[k] < 0.0 ? 1 : 0;
    }
  }
  return levels;
}

namespace {

struct DenseReplica {
  QsgdOptions options;
  Vector u;
  Vector buffer;
  bool apply(Vector& x, const EncodedMessage& message, std::uint64_t t, std::string* why) {
    if (!decodeDenseF32(message, static_cast<std::uint64_t>(x.size()), u, why)) return false;
    SharedApply{options.mu, options.lambda}.apply(x, buffer, u, options.step.at(t));
    return true;
  }
};

class QsgdWorker final : public CompressedWorker {
 public:
  QsgdWorker(const QsgdOptions& options, int worker, const Vector& x0)
      : CompressedWorker(x0), m_replica{options, {}, {}}, m_generator(qsgdGenerator(options.seed, worker)) {}

  EncodedMessage compress(const Vector& gradient, std::uint64_t) override {
    const auto& o = m_replica.options;
    const std::uint64_t bucket =
        std::min<std::uint64_t>(o.bucket, static_cast<std::uint64_t>(gradient.size()));
    const QsgdLevels levels =
        quantizeQsgd(gradient, bucket, o.s, o.maxNorm, [this] { return qsgdUniform(m_generator); });
    return encodeQsgd(levels, bucket, o.s, o.codec);
  }
  bool applyDownlink(const EncodedMessage& message, std::uint64_t t, std::string* why) override {
    return m_replica.apply(m_x, message, t, why);
  }

 private:
  DenseReplica m_replica;
  std::mt19937_64 m_generator;
};

class QsgdServer final : public CompressedServer {
 public:
  QsgdServer(const QsgdOptions& options, int numWorkers, const Vector& x0)
      : CompressedServer(numWorkers, x0),
        m_replica{options, {}, {}},
        m_received(static_cast<std::size_t>(numWorkers)) {}

  bool receive(int worker, const EncodedMessage& message, std::string* why) override {
    DISTOPT_CHECK(worker >= 0 && worker < m_numWorkers);
    const auto& o = m_replica.options;
    const auto n = static_cast<std::uint64_t>(m_x.size());
    const std::uint64_t bucket = std::min(o.bucket, n);
    if (!decodeQsgd(message, n, bucket, o.s, m_levels, why)) return false;
    dequantizeQsgd(m_levels, bucket, o.s, m_received[static_cast<std::size_t>(worker)]);
    return true;
  }

  EncodedMessage finishRound(std::uint64_t t, RoundReport& report) override {
    Vector mean = Vector::Zero(m_x.size());
    for (const Vector& g : m_received) mean += g;
    mean /= static_cast<double>(m_numWorkers);
    EncodedMessage down = encodeDenseF32(mean);
    report.downNonzeroFraction = 1.0;
    std::string why;
    DISTOPT_CHECK_MSG(m_replica.apply(m_x, down, t, &why), why.c_str());
    return down;
  }

 private:
  DenseReplica m_replica;
  std::vector<Vector> m_received;
  QsgdLevels m_levels;
};

}  // namespace

CompressedMethod makeQsgd(const QsgdOptions& options, int numWorkers, const Vector& x0) {
  DISTOPT_CHECK(options.isValid(nullptr));
  return {.name = "qsgd",
          .makeWorker =
              [options, x0](int worker) {
                return std::unique_ptr<CompressedWorker>(new QsgdWorker(options, worker, x0));
              },
          .makeServer =
              [options, numWorkers, x0]() {
                return std::unique_ptr<CompressedServer>(new QsgdServer(options, numWorkers, x0));
              }};
}

}  // namespace distopt
