#include "core/compressed/sparse_sign_vote.hpp"

#include <cmath>

#include "core/codec/ternary_codec.hpp"
#include "core/util/check.hpp"
#include "core/util/random_stream.hpp"

namespace distopt {

bool SparseSignVoteOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (rhoPpm < 1 || rhoPpm > 1000000) return fail("rho: must be in 1..1000000 (parts per million)");
  if (!(coverage > 0.0) || !std::isfinite(coverage)) return fail("c: must be > 0");
  if (k < 1) return fail("k: must be >= 1");
  if (!(alpha >= 0.0 && alpha <= 1.0)) return fail("alpha: must be in [0, 1]");
  if (!step.isValid(why)) return false;
  if (!(mu >= 0.0 && mu < 1.0)) return fail("mu: must be in [0, 1)");
  if (!(lambda >= 0.0) || !std::isfinite(lambda)) return fail("lambda: must be >= 0");
  return true;
}

std::vector<std::uint64_t> sparseSignK(const SparseSignVoteOptions& options, const SegmentLayout& layout,
                                       int numWorkers, SegmentLayout& selectionLayout) {
  const std::uint64_t n = layout.total();
  selectionLayout = options.scope == TopKScope::Global ? SegmentLayout::single(n) : layout;
  switch (options.kRule) {
    case KRule::Fraction:
      return perSegmentK(selectionLayout, options.rhoPpm);
    case KRule::Coverage: {
      const auto total =
          static_cast<std::uint64_t>(std::ceil(options.coverage * static_cast<double>(n) / numWorkers));
      return spreadK(selectionLayout, std::max<std::uint64_t>(1, total));
    }
    case KRule::Absolute:
      return spreadK(selectionLayout, options.k);
  }
  return {};
}

namespace {

struct TernaryReplica {
  SparseSignVoteOptions options;
  std::vector<std::int8_t> v;
  Vector u;
  Vector buffer;
  bool apply(Vector& x, const EncodedMessage& message, std::uint64_t t, std::string* why) {
    if (!decodeTernary(message, static_cast<std::uint64_t>(x.size()), v, why)) return false;
    u.resize(x.size());
    for (Eigen::Index i = 0; i < x.size(); ++i) u[i] = v[static_cast<std::size_t>(i)];
    SharedApply{options.mu, options.lambda}.apply(x, buffer, u, options.step.at(t));
    return true;
  }
};

class SparseSignWorker final : public CompressedWorker {
 public:
  SparseSignWorker(const SparseSignVoteOptions& options, const SegmentLayout& layout, int numWorkers,
                   int worker, const Vector& x0)
      : CompressedWorker(x0), m_replica{options, {}, {}, {}}, m_worker(worker) {
    m_k = sparseSignK(options, layout, numWorkers, m_selection);
  }

  EncodedMessage compress(const Vector& gradient, std::uint64_t t) override {
    const auto& options = m_replica.options;
    const bool memory = !options.randomSelect && options.alpha > 0.0;
    if (memory) {
      if (m_residual.size() != gradient.size()) m_residual = Vector::Zero(gradient.size());
      m_residual = options.alpha * m_residual + gradient;  // a, kept in place
    }
    const Vector& a = memory ? m_residual : gradient;
    std::vector<std::uint32_t> chosen;
    if (options.randomSelect) {
      RandomStream stream(StreamKey{.runSeed = options.seed,
                                    .purpose = StreamPurpose::Compression,
                                    .worker = static_cast<std::uint64_t>(m_worker),
                                    .job = t});
      chosen = randKIndices(m_selection, m_k, stream);
    } else {
      chosen = topKIndices(a, m_selection, m_k);
    }
    SparseSet set;
    set.indices.reserve(chosen.size());
    for (std::uint32_t i : chosen) {
      if (a[i] == 0.0) continue;
      set.indices.push_back(i);
      set.negative.push_back(a[i] < 0.0 ? 1 : 0);
    }
    EncodedMessage message =
        encodeSparse(set, static_cast<std::uint64_t>(a.size()), SparsePayload::Signs, options.indexCodec);
    if (memory)
      for (std::uint32_t i : set.indices) m_residual[i] = 0.0;
    return message;
  }

  bool applyDownlink(const EncodedMessage& message, std::uint64_t t, std::string* why) override {
    return m_replica.apply(m_x, message, t, why);
  }
  const Vector* memory() const override { return m_residual.size() > 0 ? &m_residual : nullptr; }

 private:
  TernaryReplica m_replica;
  int m_worker;
  SegmentLayout m_selection;
  std::vector<std::uint64_t> m_k;
  Vector m_residual;
};

class SparseSignServer final : public CompressedServer {
 public:
  SparseSignServer(const SparseSignVoteOptions& options, int numWorkers, const Vector& x0)
      : CompressedServer(numWorkers, x0), m_replica{options, {}, {}, {}} {
    m_tally.reset(static_cast<std::uint64_t>(x0.size()));
  }

  bool receive(int worker, const EncodedMessage& message, std::string* why) override {
    DISTOPT_CHECK(worker >= 0 && worker < m_numWorkers);
    SparsePayload payload = SparsePayload::Signs;
    if (!decodeSparse(message, static_cast<std::uint64_t>(m_x.size()), m_set, payload, why)) return false;
    if (payload != SparsePayload::Signs) {
      if (why) *why = std::string("S3GD-MV uplink must be SPARSE_SIGN_*, got ") + codecName(message.codec);
      return false;
    }
    for (std::size_t j = 0; j < m_set.indices.size(); ++j) {
      m_tally.sum[m_set.indices[j]] += m_set.negative[j] ? -1 : 1;
      m_tally.count[m_set.indices[j]] += 1;
    }
    return true;
  }

  EncodedMessage finishRound(std::uint64_t t, RoundReport& report) override {
    const std::size_t n = m_tally.sum.size();
    std::vector<std::int8_t> vote(n);
    std::uint64_t nonzero = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t c = m_tally.sum[i];
      vote[i] = c > 0 ? 1 : (c < 0 ? -1 : 0);
      nonzero += vote[i] != 0 ? 1 : 0;
    }
    m_tally.report(report);
    report.downNonzeroFraction = n > 0 ? static_cast<double>(nonzero) / static_cast<double>(n) : 0.0;
    m_tally.reset(n);
    EncodedMessage down = encodeTernary(vote, TernaryCodec::Auto);
    std::string why;
    DISTOPT_CHECK_MSG(m_replica.apply(m_x, down, t, &why), why.c_str());
    return down;
  }

 private:
  TernaryReplica m_replica;
  VoteTally m_tally;
  SparseSet m_set;
};

}  // namespace

CompressedMethod makeSparseSignVote(const SparseSignVoteOptions& options, const SegmentLayout& layout,
                                    int numWorkers, const Vector& x0) {
  DISTOPT_CHECK(options.isValid(nullptr) && layout.total() == static_cast<std::uint64_t>(x0.size()));
  return {.name = "sparse-signsgd-mv",
          .makeWorker =
              [options, layout, numWorkers, x0](int worker) {
                return std::unique_ptr<CompressedWorker>(
                    new SparseSignWorker(options, layout, numWorkers, worker, x0));
              },
          .makeServer =
              [options, numWorkers, x0]() {
                return std::unique_ptr<CompressedServer>(new SparseSignServer(options, numWorkers, x0));
              }};
}

}  // namespace distopt
