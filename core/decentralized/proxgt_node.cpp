#include "core/decentralized/proxgt_node.hpp"

#include <cmath>

#include "core/util/check.hpp"

namespace distopt {

bool ProxGtNode::Options::isValid(std::string* why) const {
  auto fail = [why](const char* text) {
    if (why) *why = text;
    return false;
  };
  if (!validStepOptions(alpha, batch, why)) return false;
  if (variant == Variant::SRO && restartBatch < batch) return fail("restart_batch: must be >= batch");
  if (period < 1) return fail("period: must be >= 1");
  return true;
}

ProxGtNode::ProxGtNode(NodeConfig config, Options options, SampleOracle& oracle, const ProxOperator& prox,
                       Vector x0, std::uint64_t seed)
    : GossipNode(std::move(config)),
      m_options(options),
      m_oracle(oracle),
      m_prox(prox),
      m_seed(seed),
      m_x(std::move(x0)) {
  DISTOPT_CHECK(m_options.isValid(nullptr));
  DISTOPT_CHECK_MSG(m_options.variant != Variant::SRE || m_oracle.localSamples() > 0,
                    "ProxGT-SR-E needs a finite local data set");
  m_xPrevious = m_x;
}

std::string ProxGtNode::name() const {
  switch (m_options.variant) {
    case Variant::SA:
      return "proxgt-sa";
    case Variant::SRO:
      return "proxgt-sr-o";
    case Variant::SRE:
      return "proxgt-sr-e";
  }
  return "proxgt";
}

bool ProxGtNode::restartsAt(std::uint64_t t) const {
  return m_options.variant == Variant::SA || t % static_cast<std::uint64_t>(m_options.period) == 0;
}

void ProxGtNode::estimate(std::uint64_t t, const Vector& xNew, const Vector& xOld, Vector& out,
                          LocalWork& work) {
  RandomStream stream(StreamKey{.runSeed = m_seed,
                                .purpose = StreamPurpose::Gradient,
                                .worker = static_cast<std::uint64_t>(id()),
                                .job = t});
  if (restartsAt(t)) {
    switch (m_options.variant) {
      case Variant::SA:
        m_oracle.drawSamples(m_options.batch, stream, m_ids);
        m_oracle.sampleGradient(xNew, m_ids, out);
        work.ifo += static_cast<std::uint64_t>(m_options.batch);
        return;
      case Variant::SRO:
        m_oracle.drawSamples(m_options.restartBatch, stream, m_ids);
        m_oracle.sampleGradient(xNew, m_ids, out);
        work.ifo += static_cast<std::uint64_t>(m_options.restartBatch);
        return;
      case Variant::SRE:
        m_oracle.fullGradient(xNew, out);
        work.ifo += static_cast<std::uint64_t>(m_oracle.localSamples());
        return;
    }
  }
  // SARAH step: the same samples at the new and the old point.
  m_oracle.drawSamples(m_options.batch, stream, m_ids);
  m_oracle.sampleGradient(xNew, m_ids, m_scratch);
  m_oracle.sampleGradient(xOld, m_ids, m_scratch2);
  out = m_v + (m_scratch - m_scratch2);
  work.ifo += 2 * static_cast<std::uint64_t>(m_options.batch);
}

std::optional<GossipNode::MixRequest> ProxGtNode::onStart(LocalWork& work) {
  estimate(0, m_x, m_x, m_v, work);
  m_y = m_v;
  if (m_options.trackerInit == TrackerInit::Mixed) return MixRequest{GossipPhase::Y0, m_v};
  return std::nullopt;
}

GossipNode::MixRequest ProxGtNode::onIterationBegin(LocalWork& /*work*/) {
  Vector z;
  m_prox.apply(m_x - m_options.alpha * m_y, m_options.alpha, z);
  return {GossipPhase::X, std::move(z)};
}

std::optional<GossipNode::MixRequest> ProxGtNode::onMixed(GossipPhase phase, Vector mixed, LocalWork& work) {
  switch (phase) {
    case GossipPhase::Y0:
      m_y = std::move(mixed);
      return std::nullopt;
    case GossipPhase::X: {
      // The estimator needs x_i^t: only after it ran does x_i^t become the previous iterate.
      estimate(iteration() + 1, mixed, m_x, m_vNew, work);
      // u = y + v⁺ − v, written as v⁺ + (y − v): with y = v (one node, or a tracker that already
      // agrees) the tracker input is v⁺ exactly, so n = 1 reproduces the centralized method bit for bit.
      Vector u = m_vNew + (m_y - m_v);
      m_xPrevious = std::move(m_x);
      m_x = std::move(mixed);
      std::swap(m_v, m_vNew);
      return MixRequest{GossipPhase::Y, std::move(u)};
    }
    case GossipPhase::Y:
      m_y = std::move(mixed);
      return std::nullopt;
    case GossipPhase::XY:
      break;
  }
  DISTOPT_CHECK_MSG(false, "ProxGT has no XY phase");
  return std::nullopt;
}

}  // namespace distopt
