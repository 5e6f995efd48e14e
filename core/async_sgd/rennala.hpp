#pragma once
// Rennala SGD (Tyurin & Richtarik, NeurIPS 2023; docs/papers.md, async-sgd §2.5): every iteration gathers B
// fresh gradients at the current model from whichever workers finish first, then takes one averaged
// step. "restart" stops all unfinished work at each new iteration (the authors' simulator); "ignore"
// lets it finish and discards the stale results.

#include "core/registry/algorithm_entry.hpp"
#include "core/async_sgd/server.hpp"

namespace distopt {

class RennalaServer : public AsyncServer {
 public:
  enum class Mode { Restart, Ignore };
  struct Options {
    double gamma = 0.1;
    /// Gradients per iteration, >= 1.
    int batch = 1;
    Mode mode = Mode::Restart;
    bool isValid(std::string* why) const;
  };

  RennalaServer(int numWorkers, Vector x0, Options options);
  std::string name() const override { return "rennala"; }

 protected:
  void onStart(ActionSink& sink) override;
  void onGradient(const GradientArrival& arrival, std::int64_t delay, ActionSink& sink) override;

 private:
  void beginIteration(ActionSink& sink);

  Options m_options;
  Vector m_sum;
  int m_collected = 0;
};

AlgorithmEntry rennalaAlgorithmEntry();

}  // namespace distopt
