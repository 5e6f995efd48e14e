#include "core/compressed/topk_ef.hpp"

#include <cmath>

#include "core/util/check.hpp"

namespace distopt {

bool TopKEfOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (rhoPpm < 1 || rhoPpm > 1000000) return fail("rho: must be in 1..1000000 (parts per million)");
  if (!(alpha >= 0.0 && alpha <= 1.0)) return fail("alpha: must be in [0, 1]");
  if (!step.isValid(why)) return false;
  if (!(mu >= 0.0 && mu < 1.0)) return fail("mu: must be in [0, 1)");
  if (mu > 0.0 && lrInMemory)
    return fail("mu: server momentum needs lr_in_memory = false (the server applies x −= u)");
  if (!(lambda >= 0.0) || !std::isfinite(lambda)) return fail("lambda: must be >= 0");
  return true;
}

namespace {

// Decodes a DENSE_F32 or SPARSE_F32_* update into a dense vector.
bool decodeUpdate(const EncodedMessage& message, std::uint64_t n, Vector& u, SparseSet& set,
                  std::string* why) {
  if (message.codec == CodecId::DenseF32) return decodeDenseF32(message, n, u, why);
  SparsePayload payload = SparsePayload::Values;
  if (!decodeSparse(message, n, set, payload, why)) return false;
  if (payload != SparsePayload::Values) {
    if (why) *why = std::string("update must carry values, got ") + codecName(message.codec);
    return false;
  }
  u = Vector::Zero(static_cast<Eigen::Index>(n));
  for (std::size_t j = 0; j < set.indices.size(); ++j) u[set.indices[j]] = set.values[j];
  return true;
}

struct UpdateReplica {
  TopKEfOptions options;
  Vector u;
  Vector buffer;
  SparseSet set;
  bool apply(Vector& x, const EncodedMessage& message, std::uint64_t t, std::string* why) {
    if (!decodeUpdate(message, static_cast<std::uint64_t>(x.size()), u, set, why)) return false;
    if (options.lrInMemory)
      x -= u;
    else
      SharedApply{options.mu, options.lambda}.apply(x, buffer, u, options.step.at(t));
    return true;
  }
};

class TopKEfWorker final : public CompressedWorker {
 public:
  TopKEfWorker(const TopKEfOptions& options, const SegmentLayout& layout, const Vector& x0)
      : CompressedWorker(x0), m_replica{options, {}, {}, {}} {
    m_selection = options.scope == TopKScope::Global ? SegmentLayout::single(layout.total()) : layout;
    m_k = perSegmentK(m_selection, options.rhoPpm);
  }

  EncodedMessage compress(const Vector& gradient, std::uint64_t t) override {
    const auto& options = m_replica.options;
    if (m_memory.size() != gradient.size()) m_memory = Vector::Zero(gradient.size());
    if (options.lrInMemory)
      m_memory = options.alpha * m_memory + options.step.at(t) * (gradient + options.lambda * m_x);
    else
      m_memory = options.alpha * m_memory + gradient;  // p, kept in place
    SparseSet set;
    set.indices = topKIndices(m_memory, m_selection, m_k);
    for (std::uint32_t i : set.indices) set.values.push_back(static_cast<float>(m_memory[i]));
    EncodedMessage message = encodeSparse(set, static_cast<std::uint64_t>(gradient.size()),
                                          SparsePayload::Values, options.indexCodec);
    for (std::size_t j = 0; j < set.indices.size(); ++j)
      m_memory[set.indices[j]] -= static_cast<double>(set.values[j]);
    return message;
  }

  bool applyDownlink(const EncodedMessage& message, std::uint64_t t, std::string* why) override {
    return m_replica.apply(m_x, message, t, why);
  }
  const Vector* memory() const override { return m_memory.size() > 0 ? &m_memory : nullptr; }

 private:
  UpdateReplica m_replica;
  SegmentLayout m_selection;
  std::vector<std::uint64_t> m_k;
  Vector m_memory;
};

class TopKEfServer final : public CompressedServer {
 public:
  TopKEfServer(const TopKEfOptions& options, int numWorkers, const Vector& x0)
      : CompressedServer(numWorkers, x0), m_replica{options, {}, {}, {}} {
    reset();
  }

  bool receive(int worker, const EncodedMessage& message, std::string* why) override {
    DISTOPT_CHECK(worker >= 0 && worker < m_numWorkers);
    SparsePayload payload = SparsePayload::Values;
    if (!decodeSparse(message, static_cast<std::uint64_t>(m_x.size()), m_set, payload, why)) return false;
    if (payload != SparsePayload::Values) {
      if (why) *why = std::string("TopK-EF uplink must be SPARSE_F32_*, got ") + codecName(message.codec);
      return false;
    }
    m_received[static_cast<std::size_t>(worker)] = m_set;
    return true;
  }

  EncodedMessage finishRound(std::uint64_t t, RoundReport& report) override {
    const auto n = static_cast<std::size_t>(m_x.size());
    Vector sum = Vector::Zero(m_x.size());
    std::vector<std::int32_t> senders(n, 0);
    for (const SparseSet& set : m_received)
      for (std::size_t j = 0; j < set.indices.size(); ++j) {
        sum[set.indices[j]] += set.values[j];
        ++senders[set.indices[j]];
      }
    SparseSet update;
    Vector dense = Vector::Zero(m_x.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (senders[i] == 0) continue;
      const double divisor = m_replica.options.averageBySenders ? senders[i] : m_numWorkers;
      const double value = sum[static_cast<Eigen::Index>(i)] / divisor;
      update.indices.push_back(static_cast<std::uint32_t>(i));
      update.values.push_back(static_cast<float>(value));
      dense[static_cast<Eigen::Index>(i)] = value;
    }
    report.downNonzeroFraction =
        n > 0 ? static_cast<double>(update.indices.size()) / static_cast<double>(n) : 0.0;
    const std::uint64_t sparseBits =
        sparsePayloadBits(IndexCodec::Auto, update.indices, n, SparsePayload::Values);
    EncodedMessage down = sparseBits < 32 * std::uint64_t{n}
                              ? encodeSparse(update, n, SparsePayload::Values, IndexCodec::Auto)
                              : encodeDenseF32(dense);
    reset();
    std::string why;
    DISTOPT_CHECK_MSG(m_replica.apply(m_x, down, t, &why), why.c_str());
    return down;
  }

 private:
  void reset() { m_received.assign(static_cast<std::size_t>(m_numWorkers), SparseSet{}); }

  UpdateReplica m_replica;
  std::vector<SparseSet> m_received;
  SparseSet m_set;
};

}  // namespace

CompressedMethod makeTopKEf(const TopKEfOptions& options, const SegmentLayout& layout, int numWorkers,
                            const Vector& x0) {
  DISTOPT_CHECK(options.isValid(nullptr) && layout.total() == static_cast<std::uint64_t>(x0.size()));
  return {.name = "topk-ef",
          .makeWorker =
              [options, layout, x0](int) {
                return std::unique_ptr<CompressedWorker>(new TopKEfWorker(options, layout, x0));
              },
          .makeServer =
              [options, numWorkers, x0]() {
                return std::unique_ptr<CompressedServer>(new TopKEfServer(options, numWorkers, x0));
              }};
}

}  // namespace distopt
