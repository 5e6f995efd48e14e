#pragma once
// TM-2 "ringmaster" (docs/papers.md, async-sgd §3), the random model of the Ringmaster paper's experiments:
// job j of worker i (1-based) takes c * (1 + sqrt(i-1) + |zeta|), zeta ~ N(0, i), drawn fresh per job
// from the keyed stream (run seed, ComputeTime, worker, job). With `shuffle` (TM-2s) the bases
// 1 + sqrt(k), k = 0..n-1, are permuted across workers by a permutation fixed by the run seed, while
// the noise std stays sqrt(i) by worker index, as in the authors' neural-network script.

#include <cstdint>
#include <vector>

#include "core/registry/component.hpp"
#include "core/timing/time_model.hpp"

namespace distopt {

class RingmasterTimeModel : public TimeModel {
 public:
  struct Options {
    /// Scale c multiplying the whole duration (time units), > 0.
    double c = 1.0;
    /// TM-2s: permute the bases across workers (noise std stays by index).
    bool shuffle = false;

    bool isValid(std::string* why) const;
  };

  RingmasterTimeModel(const Options& options, int numWorkers, std::uint64_t runSeed);

  std::string name() const override { return "ringmaster"; }
  int numWorkers() const override { return static_cast<int>(m_base.size()); }
  double duration(int worker, std::uint64_t jobSeq, double startTime) const override;
  /// The mean c * (base_i + sqrt(2 i / pi)).
  double nominalTime(int worker) const override;
  bool isDeterministic() const override { return false; }

  /// Base time 1 + sqrt(k) of `worker` before scaling (k = worker unless shuffled).
  double base(int worker) const;
  /// Standard deviation sqrt(i) of zeta for `worker` (i = worker + 1), before scaling.
  double noiseStd(int worker) const;

 private:
  double m_c = 1.0;
  std::uint64_t m_runSeed = 0;
  std::vector<double> m_base;
};

TimeModelEntry ringmasterTimeModelEntry();

}  // namespace distopt
