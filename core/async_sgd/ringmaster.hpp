#pragma once
// Ringmaster ASGD (Maranjyan, Tyurin, Richtarik, ICML 2025; docs/papers.md, async-sgd §2.3): ASGD that never
// applies a gradient whose delay reached the threshold R. Variant A discards such gradients on arrival;
// variant B (with calculation stops, the default) cancels a job the moment it becomes that stale and
// restarts the worker on the current model.

#include <cstdint>
#include <deque>
#include <limits>
#include <vector>

#include "core/registry/algorithm_entry.hpp"
#include "core/async_sgd/server.hpp"

namespace distopt {

class RingmasterServer : public AsyncServer {
 public:
  enum class Variant { A, B };
  static constexpr std::uint64_t kInfinite = std::numeric_limits<std::uint64_t>::max();

  struct Options {
    /// Constant step size (> 0); the step never depends on the delay.
    double gamma = 0.1;
    /// Delay threshold R >= 1; kInfinite turns the method into vanilla ASGD.
    std::uint64_t threshold = kInfinite;
    Variant variant = Variant::B;
    bool isValid(std::string* why) const;
  };

  RingmasterServer(int numWorkers, Vector x0, Options options);
  std::string name() const override { return "ringmaster"; }

 protected:
  void onStart(ActionSink& sink) override;
  void onGradient(const GradientArrival& arrival, std::int64_t delay, ActionSink& sink) override;

 private:
  void assign(int worker, ActionSink& sink);
  void cancelStale(ActionSink& sink);

  Options m_options;
  // Variant B: busy workers bucketed by the version their job started on. After update k exactly the
  // bucket k - R turns stale, so each update cancels one bucket: O(1) amortised per update instead of
  // scanning all n workers (n = 6174 in the paper's experiment). Entries go stale when a worker
  // finishes early; they are checked against the worker's current job before cancelling.
  std::deque<std::vector<int>> m_buckets;
  std::uint64_t m_firstBucketVersion = 0;
};

AlgorithmEntry ringmasterAlgorithmEntry();

}  // namespace distopt
