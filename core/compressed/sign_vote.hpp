#pragma once
// signSGD with majority vote and Signum with majority vote (docs/papers.md, compressed-sgd §2.3; Bernstein et
// al. 2018/2019). Worker: optional momentum v = βv + (1−β)g (Signum; β = 0 is signSGD), then SIGN1(v) (bit =
// v_i < 0, so zeros vote +1). Server: c_i = Σ ±1, V_i = sign(c_i), ties (even M) by tie_rule; downlink
// SIGN1(V) (plus/random) or TERNARY_AUTO(V) (zero). Every replica: x = x − γ_t(V + λx). `byzantine` workers
// (the first ones) send inverted signs, for the E2 robustness check (compressed-sgd §4).

#include "core/compressed/compressed_roles.hpp"

namespace distopt {

enum class TieRule { Plus, Zero, Random };

struct SignVoteOptions {
  StepSchedule step;    ///< γ default 1e-3
  double beta = 0.0;    ///< worker momentum β in [0, 1); 0 = signSGD
  double lambda = 0.0;  ///< weight decay, applied after the vote
  TieRule tieRule = TieRule::Plus;
  std::uint64_t seed = 0;  ///< keys the `random` tie rule's hash of (seed, t, i)
  int byzantine = 0;       ///< workers 0..byzantine−1 send −sign (adversaries), 0 <= byzantine <= M

  bool isValid(std::string* why) const;
};

CompressedMethod makeSignVote(const std::string& name, const SignVoteOptions& options, int numWorkers,
                              const Vector& x0);

}  // namespace distopt
