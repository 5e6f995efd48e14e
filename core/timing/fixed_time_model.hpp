#pragma once
// TM-1 "fixed" (docs/papers.md, async-sgd §3): every job of worker i takes tau_i = c*h(i) + offset_eps*i time
// units, the fixed computation model the time-complexity formulas (core/theory) are stated for.

#include <vector>

#include "core/registry/component.hpp"
#include "core/timing/speed_profile.hpp"
#include "core/timing/time_model.hpp"

namespace distopt {

class FixedTimeModel : public TimeModel {
 public:
  struct Options {
    /// Base times tau_i (c, h, times, offset_eps).
    SpeedProfile profile;

    bool isValid(std::string* why) const { return profile.isValid(why); }
  };

  /// Requires options.isValid() and, for h = List, one time per worker.
  FixedTimeModel(const Options& options, int numWorkers);

  std::string name() const override { return "fixed"; }
  int numWorkers() const override { return static_cast<int>(m_tau.size()); }
  double duration(int worker, std::uint64_t jobSeq, double startTime) const override;
  double nominalTime(int worker) const override;
  bool isDeterministic() const override { return true; }

  /// tau_i for all workers (0-based index).
  const std::vector<double>& times() const { return m_tau; }

 private:
  std::vector<double> m_tau;
};

TimeModelEntry fixedTimeModelEntry();

}  // namespace distopt
