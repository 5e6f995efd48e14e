#pragma once
// TM-6 "natural" (docs/papers.md, async-sgd §3): no injected delay; a live worker takes as long as its real
// gradient computation (plus OS jitter). Real compute time exists only on live runs, so in virtual
// time every job takes a stand-in of `c` time units for every worker; injectsDelay() is false so the
// live worker does not sleep.

#include "core/registry/component.hpp"
#include "core/timing/time_model.hpp"

namespace distopt {

class NaturalTimeModel : public TimeModel {
 public:
  struct Options {
    /// Virtual-time stand-in for one job of any worker (time units), > 0.
    double c = 1.0;

    bool isValid(std::string* why) const;
  };

  NaturalTimeModel(const Options& options, int numWorkers);

  std::string name() const override { return "natural"; }
  int numWorkers() const override { return m_numWorkers; }
  double duration(int worker, std::uint64_t jobSeq, double startTime) const override;
  double nominalTime(int worker) const override;
  bool isDeterministic() const override { return true; }
  bool injectsDelay() const override { return false; }

 private:
  double m_c = 1.0;
  int m_numWorkers = 0;
};

TimeModelEntry naturalTimeModelEntry();

}  // namespace distopt
