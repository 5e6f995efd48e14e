#pragma once
// TM-4 "stragglers" (docs/papers.md, async-sgd §3): any base time model, with a set of straggler workers
// whose every job takes (1 + M) times the base model's duration (M = 100: Mishchenko et al.'s bad worker).
// The base is given nested, {"model": NAME, "params": {...}}, so stragglers can sit on top of fixed, random,
// time-varying or natural speeds; over "natural" a live straggler sleeps M times its measured compute time
// (naturalSlowdown()).

#include <memory>
#include <vector>

#include "core/registry/component.hpp"
#include "core/timing/time_model.hpp"

namespace distopt {

class StragglersTimeModel : public TimeModel {
 public:
  struct Options {
    /// 0-based indices of the straggling workers (duplicates are harmless); each < numWorkers.
    std::vector<int> stragglers = {0};
    /// Slowdown: a straggler's job takes (1 + M) times its base duration; >= 0.
    double M = 100.0;

    bool isValid(std::string* why) const;
  };

  /// Requires a base model and options.isValid() with every index < base->numWorkers().
  StragglersTimeModel(std::unique_ptr<TimeModel> base, const Options& options);

  std::string name() const override { return "stragglers"; }
  int numWorkers() const override { return m_base->numWorkers(); }
  double duration(int worker, std::uint64_t jobSeq, double startTime) const override;
  double nominalTime(int worker) const override;
  bool isDeterministic() const override { return m_base->isDeterministic(); }
  bool injectsDelay() const override { return m_base->injectsDelay(); }
  double naturalSlowdown(int worker) const override;

  /// (1 + M) for stragglers, 1 for the others.
  double factor(int worker) const;
  const TimeModel& base() const { return *m_base; }

 private:
  std::unique_ptr<TimeModel> m_base;
  std::vector<double> m_factor;
};

TimeModelEntry stragglersTimeModelEntry();

}  // namespace distopt
