#pragma once
// Compute-time models that emulate heterogeneous workers (docs/papers.md, async-sgd §3). A model returns how
// long job number `jobSeq` of worker `worker` takes, in time units, drawing only from the keyed
// stream (run seed, ComputeTime, worker, jobSeq); cancelled jobs consume their draw like any other.
// The simulator uses the value directly; a live worker sleeps it (times the unit).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace distopt {

class TimeModel {
 public:
  virtual ~TimeModel() = default;

  /// Registry name, e.g. "fixed", "ringmaster".
  virtual std::string name() const = 0;
  /// Number of workers the model was built for.
  virtual int numWorkers() const = 0;
  /// Duration (time units, >= 0; +inf for a worker that never finishes) of job `jobSeq` of 0-based
  /// `worker`, started at `startTime` (only time-varying models look at it).
  virtual double duration(int worker, std::uint64_t jobSeq, double startTime) const = 0;
  /// A representative fixed time per worker (the mean for random models), used by the time-complexity
  /// formulas and by methods that need the tau_i (Naive Optimal ASGD).
  virtual double nominalTime(int worker) const = 0;
  /// True when duration() never depends on the random stream or the start time.
  virtual bool isDeterministic() const = 0;

  /// False for models that add no delay in live runs ("natural", TM-6): a live worker then sleeps
  /// nothing beyond naturalSlowdown() and duration() is only the virtual-time stand-in.
  virtual bool injectsDelay() const { return true; }
  /// Live runs of models that inject no delay: a job of `worker` should last this multiple of its
  /// measured compute time (1 = no extra sleep). Stragglers over "natural" return 1 + M, which is how
  /// Mishchenko et al.'s bad worker sleeps M times its own compute time (async-sgd §3 TM-4).
  virtual double naturalSlowdown(int /*worker*/) const { return 1.0; }
};

}  // namespace distopt
