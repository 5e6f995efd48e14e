#include "core/compressed/sync_sgd.hpp"

#include <cmath>

#include "core/util/check.hpp"

namespace distopt {

bool SyncSgdOptions::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (!step.isValid(why)) return false;
  if (!(mu >= 0.0 && mu < 1.0)) return fail("mu: must be in [0, 1)");
  if (!(lambda >= 0.0) || !std::isfinite(lambda)) return fail("lambda: must be >= 0");
  return true;
}

namespace {

// The one apply step every replica runs on the decoded downlink.
struct SgdReplica {
  SyncSgdOptions options;
  Vector buffer;
  Vector u;
  bool apply(Vector& x, const EncodedMessage& message, std::uint64_t t, std::string* why) {
    if (!decodeDenseF32(message, static_cast<std::uint64_t>(x.size()), u, why)) return false;
    SharedApply{options.mu, options.lambda}.apply(x, buffer, u, options.step.at(t));
    return true;
  }
};

class SgdWorker final : public CompressedWorker {
 public:
  SgdWorker(const SyncSgdOptions& options, const Vector& x0)
      : CompressedWorker(x0), m_replica{options, {}, {}} {}
  EncodedMessage compress(const Vector& gradient, std::uint64_t) override { return encodeDenseF32(gradient); }
  bool applyDownlink(const EncodedMessage& message, std::uint64_t t, std::string* why) override {
    return m_replica.apply(m_x, message, t, why);
  }

 private:
  SgdReplica m_replica;
};

class SgdServer final : public CompressedServer {
 public:
  SgdServer(const SyncSgdOptions& options, int numWorkers, const Vector& x0)
      : CompressedServer(numWorkers, x0),
        m_replica{options, {}, {}},
        m_received(static_cast<std::size_t>(numWorkers)) {}

  bool receive(int worker, const EncodedMessage& message, std::string* why) override {
    DISTOPT_CHECK(worker >= 0 && worker < m_numWorkers);
    return decodeDenseF32(message, static_cast<std::uint64_t>(m_x.size()),
                          m_received[static_cast<std::size_t>(worker)], why);
  }

  EncodedMessage finishRound(std::uint64_t t, RoundReport& report) override {
    // Summed in worker order so the result does not depend on arrival order.
    Vector mean = Vector::Zero(m_x.size());
    for (const Vector& g : m_received) mean += g;
    mean /= static_cast<double>(m_numWorkers);
    EncodedMessage down = encodeDenseF32(mean);
    std::string why;
    DISTOPT_CHECK_MSG(m_replica.apply(m_x, down, t, &why), why.c_str());
    report.downNonzeroFraction = 1.0;
    return down;
  }

 private:
  SgdReplica m_replica;
  std::vector<Vector> m_received;
};

}  // namespace

CompressedMethod makeSyncSgd(const SyncSgdOptions& options, int numWorkers, const Vector& x0) {
  DISTOPT_CHECK(options.isValid(nullptr));
  return {.name = "sgd",
          .makeWorker = [options,
                         x0](int) { return std::unique_ptr<CompressedWorker>(new SgdWorker(options, x0)); },
          .makeServer =
              [options, numWorkers, x0]() {
                return std::unique_ptr<CompressedServer>(new SgdServer(options, numWorkers, x0));
              }};
}

}  // namespace distopt
