#include "core/compressed/sign_vote.hpp"

#include <cmath>

#include "core/codec/sign_codec.hpp"
#include "core/codec/ternary_codec.hpp"
#include "core/util/check.hpp"

namespace distopt {

bool SignVoteOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (!step.isValid(why)) return false;
  if (!(beta >= 0.0 && beta < 1.0)) return fail("beta: must be in [0, 1)");
  if (!(lambda >= 0.0) || !std::isfinite(lambda)) return fail("lambda: must be >= 0");
  if (byzantine < 0) return fail("byzantine: must be >= 0");
  return true;
}

namespace {

bool decodeVote(const EncodedMessage& message, std::uint64_t n, std::vector<std::int8_t>& v,
                std::string* why) {
  if (message.codec == CodecId::Sign1) return decodeSign1(message, n, v, why);
  return decodeTernary(message, n, v, why);
}

struct VoteReplica {
  SignVoteOptions options;
  std::vector<std::int8_t> v;
  bool apply(Vector& x, const EncodedMessage& message, std::uint64_t t, std::string* why) {
    if (!decodeVote(message, static_cast<std::uint64_t>(x.size()), v, why)) return false;
    const double gamma = options.step.at(t);
    for (Eigen::Index i = 0; i < x.size(); ++i)
      x[i] -= gamma * (static_cast<double>(v[static_cast<std::size_t>(i)]) + options.lambda * x[i]);
    return true;
  }
};

class SignVoteWorker final : public CompressedWorker {
 public:
  SignVoteWorker(const SignVoteOptions& options, int worker, const Vector& x0)
      : CompressedWorker(x0), m_replica{options, {}}, m_invert(worker < options.byzantine) {}

  EncodedMessage compress(const Vector& gradient, std::uint64_t) override {
    const double beta = m_replica.options.beta;
    if (beta > 0.0) {
      if (m_momentum.size() != gradient.size()) m_momentum = Vector::Zero(gradient.size());
      m_momentum = beta * m_momentum + (1.0 - beta) * gradient;
      return encodeSign1(m_invert ? Vector(-m_momentum) : m_momentum);
    }
    return encodeSign1(m_invert ? Vector(-gradient) : gradient);
  }
  bool applyDownlink(const EncodedMessage& message, std::uint64_t t, std::string* why) override {
    return m_replica.apply(m_x, message, t, why);
  }

 private:
  VoteReplica m_replica;
  Vector m_momentum;
  bool m_invert;
};

class SignVoteServer final : public CompressedServer {
 public:
  SignVoteServer(const SignVoteOptions& options, int numWorkers, const Vector& x0)
      : CompressedServer(numWorkers, x0), m_replica{options, {}} {
    m_tally.reset(static_cast<std::uint64_t>(x0.size()));
  }

  bool receive(int worker, const EncodedMessage& message, std::string* why) override {
    DISTOPT_CHECK(worker >= 0 && worker < m_numWorkers);
    if (!decodeSign1(message, static_cast<std::uint64_t>(m_x.size()), m_signs, why)) return false;
    for (std::size_t i = 0; i < m_signs.size(); ++i) {
      m_tally.sum[i] += m_signs[i];
      m_tally.count[i] += 1;
    }
    return true;
  }

  EncodedMessage finishRound(std::uint64_t t, RoundReport& report) override {
    const auto& options = m_replica.options;
    const std::size_t n = m_tally.sum.size();
    std::vector<std::int8_t> vote(n);
    std::uint64_t nonzero = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t c = m_tally.sum[i];
      std::int8_t v = c > 0 ? 1 : (c < 0 ? -1 : 0);
      if (c == 0 && options.tieRule == TieRule::Plus) v = 1;
      if (c == 0 && options.tieRule == TieRule::Random)
        v = (splitMix64(options.seed ^ splitMix64(t ^ splitMix64(i))) & 1u) ? 1 : -1;
      vote[i] = v;
      nonzero += v != 0 ? 1 : 0;
    }
    m_tally.report(report);
    report.downNonzeroFraction = n > 0 ? static_cast<double>(nonzero) / static_cast<double>(n) : 0.0;
    m_tally.reset(n);
    EncodedMessage down;
    if (options.tieRule == TieRule::Zero) {
      down = encodeTernary(vote, TernaryCodec::Auto);
    } else {
      Vector asValues(static_cast<Eigen::Index>(n));
      for (std::size_t i = 0; i < n; ++i) asValues[static_cast<Eigen::Index>(i)] = vote[i];
      down = encodeSign1(asValues);
    }
    std::string why;
    DISTOPT_CHECK_MSG(m_replica.apply(m_x, down, t, &why), why.c_str());
    return down;
  }

 private:
  VoteReplica m_replica;
  VoteTally m_tally;
  std::vector<std::int8_t> m_signs;
};

}  // namespace

CompressedMethod makeSignVote(const std::string& name, const SignVoteOptions& options, int numWorkers,
                              const Vector& x0) {
  DISTOPT_CHECK(options.isValid(nullptr));
  return {.name = name,
          .makeWorker =
              [options, x0](int worker) {
                return std::unique_ptr<CompressedWorker>(new SignVoteWorker(options, worker, x0));
              },
          .makeServer =
              [options, numWorkers, x0]() {
                return std::unique_ptr<CompressedServer>(new SignVoteServer(options, numWorkers, x0));
              }};
}

}  // namespace distopt
