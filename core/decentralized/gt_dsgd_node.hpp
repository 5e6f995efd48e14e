#pragma once
// GT-DSGD node role (docs/papers.md, decentralized-proxgt §2.8), gradient tracking with a fresh minibatch g_i
// of b samples per iteration (stream (seed, Gradient, node, t); g⁰ at x⁰ is index 0), y⁰ = g⁰:
//   adapt-then-combine (two rounds per iteration, phases X then Y):
//     x_i⁺ = prox_{αh}( Mix(x − α y)_i );  g_i⁺ at x_i⁺;  y_i⁺ = Mix(y + g⁺ − g)_i
//   combine-then-adapt (one round, x and y packed in one 2p message, phase XY):
//     [a; c] = Mix([x; y])_i;  x_i⁺ = prox_{αh}(a − α y_i);  g_i⁺ at x_i⁺;  y_i⁺ = c + g⁺ − g
// With h = 0 the prox is the identity and ATC coincides with ProxGT-SA at K = 1 (decentralized-proxgt §6.13);
// with an h the prox comes after mixing (ProxGT takes it before).

#include <cstdint>
#include <string>

#include "core/decentralized/gossip_node.hpp"
#include "core/decentralized/prox.hpp"
#include "core/decentralized/sample_oracle.hpp"

namespace distopt {

class GtDsgdNode final : public GossipNode {
 public:
  enum class Order { AdaptThenCombine, CombineThenAdapt };

  struct Options {
    double alpha = 0.01;      ///< α > 0
    std::int64_t batch = 64;  ///< b >= 1
    Order order = Order::AdaptThenCombine;
    /// Field names: "alpha", "batch".
    bool isValid(std::string* why) const;
  };

  GtDsgdNode(NodeConfig config, Options options, SampleOracle& oracle, const ProxOperator& prox, Vector x0,
             std::uint64_t seed);

  std::string name() const override { return "gt-dsgd"; }
  const Vector& x() const override { return m_x; }
  const Vector* tracker() const override { return &m_y; }
  const Vector* estimator() const override { return &m_g; }

 protected:
  std::optional<MixRequest> onStart(LocalWork& work) override;
  MixRequest onIterationBegin(LocalWork& work) override;
  std::optional<MixRequest> onMixed(GossipPhase phase, Vector mixed, LocalWork& work) override;

 private:
  void sampleGradient(std::uint64_t t, const Vector& x, Vector& out, LocalWork& work);

  Options m_options;
  SampleOracle& m_oracle;
  const ProxOperator& m_prox;
  std::uint64_t m_seed;
  Vector m_x, m_y, m_g, m_gNew;
  std::vector<std::int64_t> m_ids;
};

}  // namespace distopt
