#pragma once
// ProxGT node role (docs/papers.md, decentralized-proxgt §2.3–2.6): ProxGT-SA, ProxGT-SR-O and ProxGT-SR-E,
// which share the template and differ only in the local estimator. One iteration, in this exact order:
//   1. z_i = prox_{αh}(x_i − α y_i)                        local
//   2. x_i⁺ = Mix_K(z)_i                                   phase X, K rounds
//   3. v_i⁺ = Estimate(x_i⁺, x_i, v_i, t+1)                local (the only sample-gradient work)
//   4. u_i = y_i + v_i⁺ − v_i                              local
//   5. y_i⁺ = Mix_K(u)_i                                   phase Y, K rounds
// Estimators: SA a fresh minibatch of b at x⁺ (IFO b); SR-O/SR-E restart when (t+1) mod q = 0 with a
// batch of B (SR-O, IFO B) or the full local gradient (SR-E, IFO m), and otherwise the SARAH step
// v⁺ = v + mean_S[∇G(x⁺; ξ) − ∇G(x; ξ)] with ONE sample set S at both points (IFO 2b). The previous
// iterate x is replaced only after the estimator has used it: overwriting it first (as the public
// re-implementation of §5.2 does) makes the difference vanish and freezes v between restarts.
// Samples of the estimator for iteration index t come from the stream (seed, Gradient, node, t); the
// initial estimator is index 0.

#include <cstdint>
#include <string>

#include "core/decentralized/gossip_node.hpp"
#include "core/decentralized/prox.hpp"
#include "core/decentralized/sample_oracle.hpp"

namespace distopt {

class ProxGtNode final : public GossipNode {
 public:
  enum class Variant { SA, SRO, SRE };
  enum class TrackerInit {
    Local,  ///< y⁰ = v⁰ (no communication)
    Mixed,  ///< y⁰ = Mix_K(v⁰) (K rounds, phase Y0)
  };

  struct Options {
    Variant variant = Variant::SRE;
    double alpha = 0.01;               ///< step α > 0
    std::int64_t batch = 8;            ///< b: SA minibatch, SR inner minibatch (>= 1)
    std::int64_t restartBatch = 1024;  ///< B: SR-O restart batch (>= b)
    std::int64_t period = 32;          ///< q: SR restart period in iterations (>= 1)
    TrackerInit trackerInit = TrackerInit::Local;

    /// Field names: "alpha", "batch", "restart_batch", "period".
    bool isValid(std::string* why) const;
  };

  /// `oracle` and `prox` must outlive the node; SR-E needs an oracle with local samples.
  ProxGtNode(NodeConfig config, Options options, SampleOracle& oracle, const ProxOperator& prox, Vector x0,
             std::uint64_t seed);

  std::string name() const override;
  const Vector& x() const override { return m_x; }
  const Vector* tracker() const override { return &m_y; }
  const Vector* estimator() const override { return &m_v; }
  /// The iterate before the last step (x_i^{t-1}).
  const Vector& previousX() const { return m_xPrevious; }
  /// True when the estimator at iteration index t restarts (t = 0 is the initial estimator).
  bool restartsAt(std::uint64_t t) const;

 protected:
  std::optional<MixRequest> onStart(LocalWork& work) override;
  MixRequest onIterationBegin(LocalWork& work) override;
  std::optional<MixRequest> onMixed(GossipPhase phase, Vector mixed, LocalWork& work) override;

 private:
  /// v at iteration index t, at `xNew` (and `xOld` for a recursive step); adds its IFO to `work`.
  void estimate(std::uint64_t t, const Vector& xNew, const Vector& xOld, Vector& out, LocalWork& work);

  Options m_options;
  SampleOracle& m_oracle;
  const ProxOperator& m_prox;
  std::uint64_t m_seed;
  Vector m_x, m_xPrevious, m_y, m_v;
  Vector m_vNew, m_scratch, m_scratch2;
  std::vector<std::int64_t> m_ids;
};

}  // namespace distopt
