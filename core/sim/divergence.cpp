#include "core/sim/divergence.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace distopt {

bool DivergenceRule::isValid(std::string* why) const {
  if (!(factor > 1.0) || !std::isfinite(factor)) {
    if (why) *why = "factor: must be a finite number above 1";
    return false;
  }
  return true;
}

DivergenceWatch::DivergenceWatch(DivergenceRule rule) : m_rule(rule) {}

bool DivergenceWatch::note(const EvaluationPoint& point) {
  if (m_diverged) return true;
  char text[160];
  if (!std::isfinite(point.loss)) {
    std::snprintf(text, sizeof text, "the loss is not finite (%g) at time %g", point.loss, point.time);
  } else {
    if (!m_scale) m_scale = std::max(std::abs(point.loss), 1.0);
    const double limit = m_rule.factor * *m_scale;
    if (std::abs(point.loss) <= limit) return false;
    std::snprintf(text, sizeof text, "the loss %.3g at time %g is beyond %g times its start (limit %.3g)",
                  point.loss, point.time, m_rule.factor, limit);
  }
  m_diverged = true;
  m_reason = text;
  return true;
}

}  // namespace distopt
