#include "core/decentralized/dsgd_node.hpp"

#include <cmath>

#include "core/util/check.hpp"

namespace distopt {

bool DsgdNode::Options::isValid(std::string* why) const {
  return validStepOptions(alpha, batch, why);
}

DsgdNode::DsgdNode(NodeConfig config, Options options, SampleOracle& oracle, const ProxOperator& prox,
                   Vector x0, std::uint64_t seed)
    : GossipNode(std::move(config)),
      m_options(options),
      m_oracle(oracle),
      m_prox(prox),
      m_seed(seed),
      m_x(std::move(x0)) {
  DISTOPT_CHECK(m_options.isValid(nullptr));
}

double DsgdNode::stepAt(std::uint64_t t) const {
  if (m_options.schedule == Schedule::Constant) return m_options.alpha;
  return m_options.alpha / std::sqrt(static_cast<double>(t + 1));
}

std::optional<GossipNode::MixRequest> DsgdNode::onStart(LocalWork& /*work*/) { return std::nullopt; }

GossipNode::MixRequest DsgdNode::onIterationBegin(LocalWork& work) {
  RandomStream stream(StreamKey{.runSeed = m_seed,
                                .purpose = StreamPurpose::Gradient,
                                .worker = static_cast<std::uint64_t>(id()),
                                .job = iteration() + 1});
  m_oracle.drawSamples(m_options.batch, stream, m_ids);
  m_oracle.sampleGradient(m_x, m_ids, m_g);
  work.ifo += static_cast<std::uint64_t>(m_options.batch);
  if (m_options.order == Order::CombineThenAdapt) return {GossipPhase::X, m_x};
  return {GossipPhase::X, m_x - stepAt(iteration()) * m_g};
}

std::optional<GossipNode::MixRequest> DsgdNode::onMixed(GossipPhase /*phase*/, Vector mixed,
                                                        LocalWork& /*work*/) {
  if (m_options.order == Order::CombineThenAdapt) mixed -= stepAt(iteration()) * m_g;
  m_prox.apply(mixed, stepAt(iteration()), m_x);
  return std::nullopt;
}

}  // namespace distopt
