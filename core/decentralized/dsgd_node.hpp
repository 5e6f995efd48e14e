#pragma once
// DSGD / D-PSGD and Prox-DSGD node role (docs/papers.md, decentralized-proxgt §2.8). With g_i a fresh
// minibatch gradient of b samples at x_i^t (stream (seed, Gradient, node, t+1)):
//   combine-then-adapt:  x_i⁺ = prox_{αh}( Mix(x)_i − α g_i )     (payload x_i; g can overlap the round)
//   adapt-then-combine:  x_i⁺ = prox_{αh}( Mix(x − α g)_i )
// With h = 0 the prox is the identity (plain DSGD). One mixing call per iteration (K = 1, plain, by
// default). With heterogeneous data and a constant step it stalls at a floor that shrinks with α (E1).

#include <cstdint>
#include <string>

#include "core/decentralized/gossip_node.hpp"
#include "core/decentralized/prox.hpp"
#include "core/decentralized/sample_oracle.hpp"

namespace distopt {

class DsgdNode final : public GossipNode {
 public:
  enum class Order { CombineThenAdapt, AdaptThenCombine };
  enum class Schedule { Constant, InverseSqrt };

  struct Options {
    double alpha = 0.01;      ///< α₀ > 0
    std::int64_t batch = 64;  ///< b >= 1
    Order order = Order::CombineThenAdapt;
    Schedule schedule = Schedule::Constant;  ///< InverseSqrt: α_t = α₀/√(t+1)
    /// Field names: "alpha", "batch".
    bool isValid(std::string* why) const;
  };

  DsgdNode(NodeConfig config, Options options, SampleOracle& oracle, const ProxOperator& prox, Vector x0,
           std::uint64_t seed);

  std::string name() const override { return "dsgd"; }
  const Vector& x() const override { return m_x; }
  double stepAt(std::uint64_t t) const;

 protected:
  std::optional<MixRequest> onStart(LocalWork& work) override;
  MixRequest onIterationBegin(LocalWork& work) override;
  std::optional<MixRequest> onMixed(GossipPhase phase, Vector mixed, LocalWork& work) override;

 private:
  Options m_options;
  SampleOracle& m_oracle;
  const ProxOperator& m_prox;
  std::uint64_t m_seed;
  Vector m_x, m_g;
  std::vector<std::int64_t> m_ids;
};

}  // namespace distopt
