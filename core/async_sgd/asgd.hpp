#pragma once
// Vanilla asynchronous SGD (docs/papers.md, async-sgd §2.1): apply every gradient on arrival and hand the
// sender the newest model. Delay-adaptive ASGD and Naive Optimal ASGD differ only in the step rule and in
// which workers get jobs, so they derive from this class.

#include <string>

#include "core/registry/algorithm_entry.hpp"
#include "core/async_sgd/server.hpp"

namespace distopt {

class AsgdServer : public AsyncServer {
 public:
  struct Options {
    /// Constant step size gamma (> 0).
    double gamma = 0.1;
    bool isValid(std::string* why) const;
  };

  AsgdServer(int numWorkers, Vector x0, Options options);
  std::string name() const override { return "asgd"; }

 protected:
  void onStart(ActionSink& sink) override;
  void onGradient(const GradientArrival& arrival, std::int64_t delay, ActionSink& sink) override;
  /// Step for a gradient with this delay.
  virtual double stepFor(std::int64_t delay) const { (void)delay; return m_options.gamma; }
  /// Whether `worker` takes part (all do in vanilla ASGD).
  virtual bool isActive(int worker) const { (void)worker; return true; }

  const Options& options() const { return m_options; }

 private:
  Options m_options;
};

AlgorithmEntry asgdAlgorithmEntry();

}  // namespace distopt
