#pragma once
// Synchronous minibatch SGD (docs/papers.md, async-sgd §2.6): every worker computes at x^k, the server waits
// for all n and steps with their mean (or sum, to reproduce Mishchenko et al.'s script).

#include "core/registry/algorithm_entry.hpp"
#include "core/async_sgd/server.hpp"

namespace distopt {

class MinibatchServer : public AsyncServer {
 public:
  enum class Reduce { Mean, Sum };
  struct Options {
    double gamma = 0.1;
    /// Stochastic gradients each worker averages per job (its local batch), >= 1.
    int localBatch = 1;
    Reduce reduce = Reduce::Mean;
    bool isValid(std::string* why) const;
  };

  MinibatchServer(int numWorkers, Vector x0, Options options);
  std::string name() const override { return "minibatch"; }

 protected:
  void onStart(ActionSink& sink) override;
  void onGradient(const GradientArrival& arrival, std::int64_t delay, ActionSink& sink) override;
  void onWorkerRemoved(int worker, ActionSink& sink) override;

 private:
  void beginIteration(ActionSink& sink);

  Options m_options;
  Vector m_sum;
  int m_collected = 0;
  int m_expected = 0;  // workers alive when the round began
};

AlgorithmEntry minibatchAlgorithmEntry();

}  // namespace distopt
