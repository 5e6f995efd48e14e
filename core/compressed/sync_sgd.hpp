#pragma once
// Full-precision synchronous SGD, the baseline of docs/papers.md, compressed-sgd §2.2: every worker uploads
// DENSE_F32(g) (32N bits); the server averages, broadcasts DENSE_F32(u) (32N bits) and every replica
// applies the Shared Apply step to the decoded u.

#include "core/compressed/compressed_roles.hpp"

namespace distopt {

struct SyncSgdOptions {
  StepSchedule step;    ///< γ default 0.05 (compressed-sgd §2.2)
  double mu = 0.0;      ///< server momentum μ in [0, 1)
  double lambda = 0.0;  ///< weight decay λ >= 0

  bool isValid(std::string* why) const;
};

/// Roles for `numWorkers` workers starting at x0.
CompressedMethod makeSyncSgd(const SyncSgdOptions& options, int numWorkers, const Vector& x0);

}  // namespace distopt
