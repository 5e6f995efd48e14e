#include "core/hybrid/base_optimizer.hpp"

#include <cmath>

namespace distopt {

const char* baseKindName(BaseKind kind) {
  switch (kind) {
    case BaseKind::Sgd:
      return "sgd";
    case BaseKind::HeavyBall:
      return "heavy-ball";
    case BaseKind::Adam:
      return "adam";
  }
  return "?";
}

bool BaseOptimizerOptions::isValid(std::string* why) const {
  auto fail = [&](const char* message) {
    if (why) *why = message;
    return false;
  };
  if (!(learningRate > 0.0) || !std::isfinite(learningRate)) return fail("lr: must be > 0");
  if (!(beta >= 0.0 && beta < 1.0)) return fail("beta: must be in [0, 1)");
  if (!(beta2 >= 0.0 && beta2 < 1.0)) return fail("beta2: must be in [0, 1)");
  if (!(epsilon > 0.0)) return fail("adam_epsilon: must be > 0");
  return true;
}

BaseOptimizer::BaseOptimizer(const BaseOptimizerOptions& options, Eigen::Index size) : m_options(options) {
  if (options.kind != BaseKind::Sgd) m_first = Vector::Zero(size);
  if (options.kind == BaseKind::Adam) m_second = Vector::Zero(size);
}

void BaseOptimizer::step(const Vector& g, Vector& delta) {
  ++m_steps;
  const double eta = m_options.learningRate;
  switch (m_options.kind) {
    case BaseKind::Sgd:
      delta = -eta * g;
      break;
    case BaseKind::HeavyBall:
      m_first = m_options.beta * m_first + g;
      delta = -eta * m_first;
      break;
    case BaseKind::Adam: {
      const double b1 = m_options.beta;
      const double b2 = m_options.beta2;
      m_first = b1 * m_first + (1.0 - b1) * g;
      m_second = b2 * m_second + (1.0 - b2) * g.cwiseAbs2();
      const double correct1 = 1.0 - std::pow(b1, static_cast<double>(m_steps));
      const double correct2 = 1.0 - std::pow(b2, static_cast<double>(m_steps));
      delta =
          -eta * ((m_first / correct1).array() / ((m_second / correct2).array().sqrt() + m_options.epsilon))
                     .matrix();
      break;
    }
  }
}

}  // namespace distopt
