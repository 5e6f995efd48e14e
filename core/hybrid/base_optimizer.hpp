#pragma once
// The element-wise first-order optimizers FOSI wraps and the data-parallel baselines run (docs/papers.md,
// hybrid-order §2.3): SGD, heavy ball (b <- beta b + g, step -eta b) and bias-corrected Adam. Each acts
// on one contiguous segment of the parameters, so DHO2's mode S can shard its state 1/P per device.

#include <cstdint>
#include <optional>
#include <string>

#include "core/problems/problem.hpp"

namespace distopt {

enum class BaseKind { Sgd, HeavyBall, Adam };

/// "sgd", "heavy-ball", "adam".
const char* baseKindName(BaseKind kind);

struct BaseOptimizerOptions {
  BaseKind kind = BaseKind::Adam;
  double learningRate = 1e-3;  ///< eta > 0
  double beta = 0.9;           ///< momentum / Adam first-moment decay, [0, 1)
  double beta2 = 0.999;        ///< Adam second-moment decay, [0, 1)
  double epsilon = 1e-8;       ///< Adam denominator guard, > 0

  bool isValid(std::string* why) const;
};

/// Per-run state of one segment: heavy-ball buffer or Adam moments, and the step count.
class BaseOptimizer {
 public:
  BaseOptimizer(const BaseOptimizerOptions& options, Eigen::Index size);
  /// The signed step Delta for input `g` (includes the learning rate and the minus sign); updates state.
  void step(const Vector& g, Vector& delta);
  /// Doubles of optimizer state held (0, s or 2s).
  std::int64_t storedValues() const { return m_first.size() + m_second.size(); }
  const BaseOptimizerOptions& options() const { return m_options; }

 private:
  BaseOptimizerOptions m_options;
  Vector m_first;   // heavy-ball b, or Adam m
  Vector m_second;  // Adam v
  std::int64_t m_steps = 0;
};

}  // namespace distopt
