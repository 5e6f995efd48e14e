#pragma once
// The hybrid-order family's coordinator role (net/PROTOCOL.md §12): the hub of every collective and (modes
// R, FOSI, MR-DHO2, the baselines) one more replica of θ. Two rounds: training (the trainers) and
// curvature (the curvature devices); they alternate in DHO2 and FOSI and run side by side in MR-DHO2.
// It reduces in worker order, so every replica computes the same bits. Transport-free: the virtual
// network (HybridSimRun) and ZeroMQ (net/families/hybrid/hybrid_live) carry its messages.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/hybrid/hybrid_message.hpp"
#include "core/hybrid/hybrid_setup.hpp"
#include "core/transport/role_links.hpp"

namespace distopt {

class HybridCoordinator final : public FamilyCoordinator<HybridMessage, HybridMessage> {
 public:
  using Link = CoordinatorLink<HybridMessage>;

  /// `maxUpdates`: the update limit (0 none); at it no further step or estimate is started.
  HybridCoordinator(HybridSetup setup, const Vector& x0, std::uint64_t maxUpdates);

  std::string name() const override { return m_setup.options.name; }
  void start(Link& link) override;
  void onMessage(int worker, HybridMessage&& message, Link& link) override;
  void onWorkerLost(int worker, const std::string& reason, Link& link) override;

  std::uint64_t iterations() const override { return static_cast<std::uint64_t>(m_step); }
  std::uint64_t gradientEvaluations() const override;
  const Vector* model() const override { return &m_theta; }
  std::string failure() const override { return m_failure; }
  bool diverged() const override { return m_diverged; }
  WorkCounters counters(int worker) const override { return m_counters[static_cast<std::size_t>(worker)]; }
  /// lambda_max, lambda_k, eigenvalue.j, curvature_age, base_scale_c, ese_count, each worker's curvature
  /// memory (as its messages report it), staleness_last, curvature_workers_lost.
  void takeMetrics(std::map<std::string, double>& metrics) override;

  /// Every staleness of an MR-DHO2 install, in install order (steps).
  const std::vector<std::int64_t>& stalenessLog() const { return m_staleness; }

 private:
  enum class Phase { Idle, Grad, ProjA, ProjBq, Params, LzHvp, LzCoef, LzGather, LzNext, LzRestart, LzRitz };

  struct Round {
    Round(int firstWorker, int workers);
    void reset(Phase next);
    const Vector& part(int worker) const { return parts[static_cast<std::size_t>(worker - first)]; }
    int first;
    int count;
    Phase phase = Phase::Idle;
    std::vector<bool> have;
    std::vector<Vector> parts;
    int arrived = 0;
  };

  struct Estimate {
    Eigen::MatrixXd vectors;
    Vector eigenvalues;
    std::int64_t snapshotStep = 0;
  };

  int senders(const Round& round) const;
  bool expects(const Round& round, int worker, HybridKind kind, const HybridMeta& meta) const;
  std::int64_t expectedCount(const Round& round, int worker) const;
  void notePeak(int worker, double bytes);
  void noteGradient(int worker, Link& link);
  HybridMeta down(const Link& link, std::int64_t step, std::uint32_t iter = 0, std::uint32_t part = 0) const;
  HybridMeta lz(const Link& link, std::uint32_t part = 0) const;
  void sendRange(Link& link, int first, int count, HybridKind kind, const HybridMeta& meta, const Vector& values);
  void toTrainers(Link& link, HybridKind kind, const HybridMeta& meta, const Vector& values);
  void toCurvature(Link& link, HybridKind kind, const HybridMeta& meta, const Vector& values);
  void startGradients();
  void beginStep(Link& link);
  void finishStep(Link& link);
  void beginEstimate(Link& link);
  void onEigen(int worker, const HybridMessage& message);
  void install(const Eigen::MatrixXd& vectors);
  void completeTraining(Link& link);
  void completeCurvature(Link& link);

  HybridSetup m_setup;
  Vector m_theta;
  std::uint64_t m_maxUpdates;
  FosiSegment m_replica;
  Round m_train;
  Round m_curv;
  std::int64_t m_step = 0;
  int m_iter = 0;
  int m_pass = 0;
  bool m_restarting = false;
  std::optional<RandomStream> m_restarts;
  std::int64_t m_estimates = 0;
  std::int64_t m_eseStep = 0;
  bool m_eigenExpected = false;
  Vector m_pendingEigenvalues;
  Vector m_lambda;
  std::int64_t m_installedSnapshot = 0;
  std::optional<Estimate> m_pending;
  std::optional<std::int64_t> m_lastSnapshot;
  std::vector<std::int64_t> m_staleness;
  std::optional<std::string> m_curvatureLost;
  std::vector<double> m_peakBytes;
  std::vector<WorkCounters> m_counters;
  std::string m_failure;
  bool m_diverged = false;
};

}  // namespace distopt
