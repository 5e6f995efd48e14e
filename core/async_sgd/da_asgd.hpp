#pragma once
// Delay-adaptive ASGD (docs/papers.md, async-sgd §2.2): ASGD whose step shrinks for very stale gradients.

#include <optional>

#include "core/async_sgd/asgd.hpp"

namespace distopt {

class DaAsgdServer : public AsgdServer {
 public:
  enum class Rule {
    NOverDelay,   ///< gamma * n / max(n, delay): the rule of Mishchenko et al.'s code (default)
    InvDelayCap,  ///< gamma if delay <= n else min(gamma, c / (L * delay)); experimental (recalled rule)
  };
  struct Options {
    double gamma = 0.1;
    Rule rule = Rule::NOverDelay;
    /// c of the inv_delay_cap rule.
    double c = 0.25;
    /// Smoothness L, required by inv_delay_cap.
    std::optional<double> smoothness;
    bool isValid(std::string* why) const;
  };

  DaAsgdServer(int numWorkers, Vector x0, Options options);
  std::string name() const override { return "da-asgd"; }

 protected:
  double stepFor(std::int64_t delay) const override;

 private:
  Options m_daOptions;
};

AlgorithmEntry daAsgdAlgorithmEntry();

}  // namespace distopt
