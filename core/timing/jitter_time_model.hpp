#pragma once
// TM-3 "jitter" (docs/papers.md, async-sgd §3): job j of worker i takes b_i + |N(0, (rel * b_i)^2)| with
// fixed base times b_i = c*h(i) (+ offset_eps*i), i.e. never faster than the base and about 4% slower on
// average for the default rel = 0.05. Draws come from the keyed stream (run seed, ComputeTime, worker, job),
// so a run is reproducible whatever the event order.

#include <cstdint>
#include <vector>

#include "core/registry/component.hpp"
#include "core/timing/speed_profile.hpp"
#include "core/timing/time_model.hpp"

namespace distopt {

class JitterTimeModel : public TimeModel {
 public:
  struct Options {
    /// Base times b_i (c, h, times, offset_eps).
    SpeedProfile profile;
    /// Relative noise level: the std of the normal before the absolute value is rel * b_i; >= 0.
    double rel = 0.05;

    bool isValid(std::string* why) const;
  };

  /// Requires options.isValid() and, for h = List, one time per worker.
  JitterTimeModel(const Options& options, int numWorkers, std::uint64_t runSeed);

  std::string name() const override { return "jitter"; }
  int numWorkers() const override { return static_cast<int>(m_base.size()); }
  double duration(int worker, std::uint64_t jobSeq, double startTime) const override;
  /// The mean b_i * (1 + rel * sqrt(2/pi)).
  double nominalTime(int worker) const override;
  bool isDeterministic() const override { return m_rel == 0.0; }

  /// Base time b_i of `worker`.
  double base(int worker) const;

 private:
  double m_rel = 0.05;
  std::uint64_t m_runSeed = 0;
  std::vector<double> m_base;
};

TimeModelEntry jitterTimeModelEntry();

}  // namespace distopt
