#pragma once
// Naive Optimal ASGD (docs/papers.md, async-sgd §2.4): vanilla ASGD on only the m* fastest workers, where m*
// is the minimiser of the optimal time formula (m + sigma^2/eps)/S_m. Optimal for fixed speeds, but it needs
// the tau_i and is not robust when speeds change — the baseline Ringmaster removes the need for.

#include <vector>

#include "core/async_sgd/asgd.hpp"

namespace distopt {

class NaiveOptimalServer : public AsgdServer {
 public:
  struct Options {
    double gamma = 0.1;
    /// Which workers take part (0-based); the others never get a job.
    std::vector<int> activeWorkers;
    bool isValid(std::string* why) const;
  };

  NaiveOptimalServer(int numWorkers, Vector x0, Options options);
  std::string name() const override { return "naive-optimal"; }
  const std::vector<bool>& activeMask() const { return m_active; }

 protected:
  bool isActive(int worker) const override { return m_active[worker]; }

 private:
  std::vector<bool> m_active;
};

/// The m* fastest workers (0-based indices, fastest first) for s = sigma^2/eps.
std::vector<int> naiveOptimalActiveSet(const std::vector<double>& nominalTimes, double s);

AlgorithmEntry naiveOptimalAlgorithmEntry();

}  // namespace distopt
