#include "core/async_sgd/ringmaster.hpp"

#include <algorithm>
#include <cmath>

#include "core/registry/enum_option.hpp"
#include "core/util/check.hpp"
#include "core/util/input_error.hpp"

namespace distopt {
namespace {

const EnumTable<RingmasterServer::Variant>& variants() {
  static const EnumTable<RingmasterServer::Variant> table{
      {"A", RingmasterServer::Variant::A, "discard stale gradients on arrival"},
      {"B", RingmasterServer::Variant::B, "cancel jobs as soon as they become stale"}};
  return table;
}

}  // namespace

bool RingmasterServer::Options::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (!(gamma > 0.0)) return fail("gamma: must be > 0");
  if (threshold < 1) return fail("R: must be an integer >= 1 or \"inf\"");
  return true;
}

RingmasterServer::RingmasterServer(int numWorkers, Vector x0, Options options)
    : AsyncServer(numWorkers, std::move(x0)), m_options(options) {
  DISTOPT_CHECK(m_options.isValid(nullptr));
}

void RingmasterServer::assign(int worker, ActionSink& sink) {
  issueJob(worker, sink);
  if (m_options.variant != Variant::B || m_options.threshold == kInfinite) return;
  const std::uint64_t k = version();
  if (m_buckets.empty()) m_firstBucketVersion = k;
  DISTOPT_CHECK(k >= m_firstBucketVersion);
  while (m_firstBucketVersion + m_buckets.size() <= k) m_buckets.emplace_back();
  m_buckets[k - m_firstBucketVersion].push_back(worker);
}

void RingmasterServer::onStart(ActionSink& sink) {
  for (int i = 0; i < numWorkers(); ++i) assign(i, sink);
}

void RingmasterServer::onGradient(const GradientArrival& arrival, std::int64_t delay, ActionSink& sink) {
  // The guard holds for both variants: in B a GRAD can race its CANCEL, and must still never be applied.
  if (m_options.threshold != kInfinite && static_cast<std::uint64_t>(delay) >= m_options.threshold) {
    recordDiscarded(arrival, delay, sink);
    assign(arrival.worker, sink);  // restart on the current, unchanged model
    return;
  }
  applyStep(arrival.gradient->value(), m_options.gamma);
  recordAccepted(arrival, delay, sink);
  assign(arrival.worker, sink);
  if (m_options.variant == Variant::B) cancelStale(sink);
}

void RingmasterServer::cancelStale(ActionSink& sink) {
  if (m_options.threshold == kInfinite) return;
  const std::uint64_t k = version();
  if (k < m_options.threshold) return;
  const std::uint64_t staleVersion = k - m_options.threshold;
  // Every bucket up to staleVersion is now stale; all but the newest were emptied by earlier updates.
  while (!m_buckets.empty() && m_firstBucketVersion <= staleVersion) {
    std::vector<int> bucket = std::move(m_buckets.front());
    m_buckets.pop_front();
    const std::uint64_t bucketVersion = m_firstBucketVersion++;
    for (int worker : bucket) {
      if (!busy(worker) || currentVersion(worker) != bucketVersion) continue;  // finished or re-tasked
      cancelJob(worker, sink);
      assign(worker, sink);
    }
  }
}

AlgorithmEntry ringmasterAlgorithmEntry() {
  return {
      .name = "ringmaster",
      .summary =
          "Ringmaster ASGD: ASGD that never applies a gradient with delay >= R (Maranjyan et al., ICML 2025)",
      .options = {gammaOption(),
                  {.name = "R",
                   .type = OptionType::IntOrInf,
                   .minValue = 1.0,
                   .help = "Delay threshold R. Default: ceil(sigma^2/eps) when both are known, else the "
                           "number of workers",
                   .optional = true},
                  variants().option(
                      "variant", RingmasterServer::Variant::B,
                      "A: discard stale gradients on arrival; B: cancel jobs as soon as they become stale")},
      .make =
          [](const nlohmann::json& params, const AlgorithmBuildContext& context) {
            RingmasterServer::Options options;
            if (params.contains("R")) {
              const auto& r = params["R"];
              options.threshold = r.is_string() ? RingmasterServer::kInfinite : r.get<std::uint64_t>();
            } else if (context.sigma2 && context.epsilon) {
              options.threshold = static_cast<std::uint64_t>(std::max(1.0, std::ceil(*context.sigma2 / *context.epsilon)));
            } else {
              options.threshold = static_cast<std::uint64_t>(context.numWorkers);
            }
            const double R = options.threshold == RingmasterServer::kInfinite ? context.numWorkers
                                                                              : static_cast<double>(options.threshold);
            // Theory (async-sgd §2.3): gamma = min{1/(2 R L), eps/(4 L sigma^2)}.
            options.gamma = stepSizeOrDefault(params, context, [&](double L, double s2, double eps) {
              return std::min(1.0 / (2.0 * R * L), eps / (4.0 * L * s2));
            });
            options.variant = variants().parse(params, "variant", context.path);
            requireValid(options, context.path);
            return std::unique_ptr<AsyncServer>(new RingmasterServer(context.numWorkers, context.x0, options));
          }};
}

}  // namespace distopt
