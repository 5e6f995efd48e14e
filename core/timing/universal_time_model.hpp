#pragma once
// TM-5 "universal" (docs/papers.md, async-sgd §3; Tyurin's universal computation model): worker i computes at
// a piecewise-constant rate p_i(t) >= 0 and a job started at t0 completes at the first t with
// integral_{t0}^{t} p_i = 1 (+inf if that never happens, e.g. a worker that goes dark for good).
//
// Params:
//   c, h, times, offset_eps  compact default: p_i = 1 / (c*h(i) + offset_eps*i), as in "fixed";
//   schedules  {"WORKER": [[t_0, rate_0], [t_1, rate_1], ...], "default": [...]}: explicit schedules
//              by 0-based worker index (t_0 = 0, strictly increasing, rate >= 0, the last rate holds
//              forever); "default" replaces the compact rates for every worker not listed;
//   outages    {"WORKER": [[from, to], ...]}: p = 0 on [from, to); `to` may be "inf".

#include <map>
#include <optional>
#include <vector>

#include "core/registry/component.hpp"
#include "core/timing/rate_schedule.hpp"
#include "core/timing/speed_profile.hpp"
#include "core/timing/time_model.hpp"

namespace distopt {

class UniversalTimeModel : public TimeModel {
 public:
  struct Outage {
    int worker = 0;  ///< 0-based
    double from = 0.0;
    double to = 0.0;  ///< may be +inf
  };

  struct Options {
    /// Constant rates 1/tau_i for workers without an explicit schedule; ignored (and not checked)
    /// when `defaultSchedule` is set.
    SpeedProfile profile;
    /// Explicit schedules by 0-based worker index; every index must be < numWorkers.
    std::map<int, std::vector<RateSchedule::Piece>> schedules;
    /// Schedule for every worker not in `schedules`, instead of the profile's constant rates.
    std::optional<std::vector<RateSchedule::Piece>> defaultSchedule;
    /// Intervals of zero rate laid over the schedules; worker < numWorkers, 0 <= from < to.
    std::vector<Outage> outages;

    /// Checks what does not depend on the number of workers.
    bool isValid(std::string* why) const;
  };

  /// Requires options.isValid(), worker indices < numWorkers and, without a default schedule, a
  /// profile that fits numWorkers.
  UniversalTimeModel(const Options& options, int numWorkers);
  /// One schedule per worker.
  explicit UniversalTimeModel(std::vector<RateSchedule> schedules);

  std::string name() const override { return "universal"; }
  int numWorkers() const override { return static_cast<int>(m_schedules.size()); }
  /// Exact: (first t with integral_{startTime}^{t} p = 1) - startTime; +inf if never.
  double duration(int worker, std::uint64_t jobSeq, double startTime) const override;
  /// The duration of a job started at time 0 (= 1/p_i(0) when the rate holds that long).
  double nominalTime(int worker) const override;
  /// True only when every worker's rate is constant (duration then ignores the start time).
  bool isDeterministic() const override;

  const RateSchedule& schedule(int worker) const;
  const std::vector<RateSchedule>& schedules() const { return m_schedules; }

 private:
  std::vector<RateSchedule> m_schedules;
};

TimeModelEntry universalTimeModelEntry();

}  // namespace distopt
