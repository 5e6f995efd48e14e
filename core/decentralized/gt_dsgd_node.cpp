#include "core/decentralized/gt_dsgd_node.hpp"

#include <cmath>

#include "core/util/check.hpp"

namespace distopt {

bool GtDsgdNode::Options::isValid(std::string* why) const {
  return validStepOptions(alpha, batch, why);
}

GtDsgdNode::GtDsgdNode(NodeConfig config, Options options, SampleOracle& oracle, const ProxOperator& prox,
                       Vector x0, std::uint64_t seed)
    : GossipNode(std::move(config)),
      m_options(options),
      m_oracle(oracle),
      m_prox(prox),
      m_seed(seed),
      m_x(std::move(x0)) {
  DISTOPT_CHECK(m_options.isValid(nullptr));
}

void GtDsgdNode::sampleGradient(std::uint64_t t, const Vector& x, Vector& out, LocalWork& work) {
  RandomStream stream(StreamKey{.runSeed = m_seed,
                                .purpose = StreamPurpose::Gradient,
                                .worker = static_cast<std::uint64_t>(id()),
                                .job = t});
  m_oracle.drawSamples(m_options.batch, stream, m_ids);
  m_oracle.sampleGradient(x, m_ids, out);
  work.ifo += static_cast<std::uint64_t>(m_options.batch);
}

std::optional<GossipNode::MixRequest> GtDsgdNode::onStart(LocalWork& work) {
  sampleGradient(0, m_x, m_g, work);
  m_y = m_g;
  return std::nullopt;
}

GossipNode::MixRequest GtDsgdNode::onIterationBegin(LocalWork& /*work*/) {
  if (m_options.order == Order::AdaptThenCombine) return {GossipPhase::X, m_x - m_options.alpha * m_y};
  const auto p = m_x.size();
  Vector packed(2 * p);
  packed.head(p) = m_x;
  packed.tail(p) = m_y;
  return {GossipPhase::XY, std::move(packed)};
}

std::optional<GossipNode::MixRequest> GtDsgdNode::onMixed(GossipPhase phase, Vector mixed, LocalWork& work) {
  switch (phase) {
    case GossipPhase::X: {
      m_prox.apply(mixed, m_options.alpha, m_x);
      sampleGradient(iteration() + 1, m_x, m_gNew, work);
      // Same association as ProxGT (g⁺ + (y − g)), so h = 0 runs coincide with ProxGT-SA exactly.
      Vector u = m_gNew + (m_y - m_g);
      std::swap(m_g, m_gNew);
      return MixRequest{GossipPhase::Y, std::move(u)};
    }
    case GossipPhase::Y:
      m_y = std::move(mixed);
      return std::nullopt;
    case GossipPhase::XY: {
      const auto p = m_x.size();
      Vector stepped = mixed.head(p) - m_options.alpha * m_y;
      m_prox.apply(stepped, m_options.alpha, m_x);
      sampleGradient(iteration() + 1, m_x, m_gNew, work);
      m_y = mixed.tail(p) + (m_gNew - m_g);
      std::swap(m_g, m_gNew);
      return std::nullopt;
    }
    case GossipPhase::Y0:
      break;
  }
  DISTOPT_CHECK_MSG(false, "GT-DSGD has no Y0 phase");
  return std::nullopt;
}

}  // namespace distopt
