#pragma once
// When a run has diverged, one rule for the simulator and the live engines: its loss is not finite, or it
// has grown past `factor` times the larger of the first evaluated loss and 1 (in magnitude). A step size
// far too large sends the iterates off to 1e300 long before they overflow; without the threshold such a
// run used up its whole time budget and was recorded as an ordinary time limit.

#include <optional>
#include <string>

#include "core/telemetry/telemetry.hpp"

namespace distopt {

struct DivergenceRule {
  /// Growth of |loss| over max(|first loss|, 1) that counts as divergence. No optimiser that works
  /// gets there: it would have to make its objective a million times worse than where it started.
  double factor = 1e6;

  bool isValid(std::string* why) const;
};

/// Watches a run's evaluations in order; the first one sets the scale.
class DivergenceWatch {
 public:
  explicit DivergenceWatch(DivergenceRule rule = {});

  /// Notes `point`; true once any point noted so far showed the run diverged.
  bool note(const EvaluationPoint& point);
  bool diverged() const { return m_diverged; }
  /// Why, for the summary's termination detail ("loss 3.1e+12 exceeds 1e+06 × 0.69 …"); empty if not.
  const std::string& reason() const { return m_reason; }

 private:
  DivergenceRule m_rule;
  std::optional<double> m_scale;
  bool m_diverged = false;
  std::string m_reason;
};

}  // namespace distopt
